"""``run.py demo``: the quick start's first command hands the demo password to ``seed_demo``."""

from __future__ import annotations

import sys

import pytest

from claims.management.commands.seed_demo import Command as SeedDemo

from .support import REPO_DIR


@pytest.mark.parametrize("password", ["-JEfSu8j4zp_", "--x", "plain_Password9"])
def test_the_demo_password_reaches_seed_demo_whatever_its_first_character(monkeypatch, password):
    sys.path.insert(0, str(REPO_DIR))
    try:
        import run
    finally:
        sys.path.remove(str(REPO_DIR))
    calls = []
    monkeypatch.setattr(run, "ensure_environment", lambda: sys.executable)
    monkeypatch.setattr(run, "manage", lambda python, *args, env=None: calls.append(args))
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    monkeypatch.setattr(run.secrets, "token_urlsafe", lambda size: password)
    assert run.demo([]) == 0
    seed = next(args for args in calls if args[0] == "seed_demo")
    parsed = SeedDemo().create_parser("manage.py", "seed_demo").parse_args(list(seed[1:]))
    assert parsed.password == password
