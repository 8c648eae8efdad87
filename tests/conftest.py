"""Shared fixtures: the roles' users, a small source, and a factory for claims."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import settings as hypothesis_settings

from .support import SAMPLE_TEXT, STATUS_PATHS

# Hypothesis: "ci" is derandomized, so a red run replays as it was; "dev" explores new
# examples on every run. Either way a failing example is printed with the blob that
# reproduces it (@reproduce_failure). CI=true selects "ci"; HYPOTHESIS_PROFILE overrides.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, database=None)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def _user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(db) -> User:
    return _user("analyst", "Analysts", is_staff=True)


@pytest.fixture
def analyst2(db) -> User:
    return _user("analyst2", "Analysts", is_staff=True)


@pytest.fixture
def reviewer(db) -> User:
    return _user("reviewer", "Reviewers", is_staff=True)


@pytest.fixture
def reviewer2(db) -> User:
    return _user("reviewer2", "Reviewers", is_staff=True)


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(username="admin", password="pw-admin")


@pytest.fixture
def outsider(db) -> User:
    """Logged in, but in no role."""
    return _user("outsider")


@pytest.fixture
def source(db, analyst):
    from sources.services import source_create

    return source_create(user=analyst, title="Sample", text=SAMPLE_TEXT, publisher="Example")


@pytest.fixture
def make_claim(db, source):
    """Create a claim with evidence by quote, and drive it to ``status``."""
    from claims import services

    def make(
        author,
        *,
        text: str = "Russia voted six times for UN Security Council sanctions on Iran.",
        quote: str = "Russia voted six times",
        stance: str = "supports",
        verdict: str = "supported",
        confidence: str = "moderate",
        status: str = "draft",
        reviewer=None,
        evidence_source=None,
    ):
        claim = services.claim_create(
            author=author,
            text=text,
            verdict=verdict,
            confidence=confidence,
            evidence=[
                services.EvidenceInput(source=evidence_source or source, quote=quote, stance=stance)
            ],
        )
        path = STATUS_PATHS[status]
        for action in path:
            actor = author if action == "submit" else reviewer
            claim = services.claim_transition(
                claim=claim, user=actor, action=action, comment=f"{action} for the test"
            )
        return claim

    return make


@pytest.fixture(autouse=True)
def _originals_in_a_temporary_folder(settings, tmp_path_factory):
    # Originals of sources (uploads, fetches) go to the default storage, under MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def empty_cache(settings, django_db_blocker):
    """The shared cache (throttle counts, read-your-writes marks) empty before and after the
    test; static files served without the finders' index, which each test client would build."""
    from django.core.cache import cache

    settings.WHITENOISE_USE_FINDERS = False
    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs a third of a second per user; the tests check roles, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _no_connection_left_behind(django_db_setup, django_db_blocker):
    """PostgreSQL refuses to drop a test database that a connection still uses; the live
    server's request threads (browser tests) can leave one open when the session ends. Torn
    down before ``django_db_setup``, this closes them so that the database is dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def pytest_sessionfinish(session, exitstatus):
    """SQLite: the test database's write-ahead log and shared-memory files stay behind when a
    thread's connection outlived the database (Django removes the database file only); once
    it is gone they belong to nothing, and would pile up in the checkout run after run."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if not name or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" or os.path.exists(name):
        return
    for suffix in ("-wal", "-shm"):
        try:
            os.remove(name + suffix)
        except FileNotFoundError:
            pass
