"""Helpers for tests: where the seeds are, a sample text, database markers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

REPO_DIR = Path(__file__).resolve().parents[1]
# The seeds ship inside the repository; the external reference data (W3C annotation test
# schemas, quote-matching cases) sits beside the checkout on CI and developers' machines only.
SEEDS_DIR = REPO_DIR / "fixtures" / "seeds"
# CLAIMBASE_REFERENCE_DIR points elsewhere; by default the folder beside the checkout, which
# a fresh clone does not have: every test that reads it is marked ``needs_reference`` and
# skips, naming the missing file.
REFERENCE_DIR = Path(os.environ.get("CLAIMBASE_REFERENCE_DIR") or REPO_DIR.parent / "shared" / "reference")


def reference_path(*parts: str) -> Path:
    """A file or folder of the external reference data."""
    return REFERENCE_DIR.joinpath(*parts)


def needs_reference(*parts: str):
    """Skip the test unless the reference data ``parts`` names is there."""
    path = reference_path(*parts)
    return pytest.mark.skipif(
        not path.exists(),
        reason=f"external reference data {path} not found (a fresh clone has none; "
        "set CLAIMBASE_REFERENCE_DIR to its folder)",
    )


def seed_text(name: str) -> str:
    """The text of one seed document, as shipped in fixtures/seeds/."""
    return (SEEDS_DIR / name).read_text(encoding="utf-8")

SAMPLE_TEXT = (
    "Russia voted six times for UN Security Council sanctions on Iran.\n\n"
    "Moscow later said the sanctions went too far. “Curly quotes” stay curly; "
    "an emoji 🙂 sits before this sentence. Russia voted again."
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (real row locks and threads); .ci/run runs it with DATABASE_URL set",
)


# The path through the workflow behind each status, as the actions taken.
STATUS_PATHS = {
    "draft": [],
    "in_review": ["submit"],
    "changes_requested": ["submit", "request_changes"],
    "published": ["submit", "approve"],
    "rejected": ["submit", "reject"],
    "retracted": ["submit", "approve", "retract"],
}
