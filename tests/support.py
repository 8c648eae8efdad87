"""Helpers for tests: where the seeds are, a sample text, database markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

REPO_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_DIR.parent / "shared"
SEEDS_DIR = SHARED_DIR / "seeds"

SAMPLE_TEXT = (
    "Russia voted six times for UN Security Council sanctions on Iran.\n\n"
    "Moscow later said the sanctions went too far. “Curly quotes” stay curly; "
    "an emoji 🙂 sits before this sentence. Russia voted again."
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (real row locks and threads); .ci/run runs it with DATABASE_URL set",
)
