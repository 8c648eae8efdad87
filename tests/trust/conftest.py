"""Fixtures of the trust tests: the API tests' clients per role."""

from __future__ import annotations

from tests.api.conftest import client_for  # noqa: F401
