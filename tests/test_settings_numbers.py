"""Numbers read from the environment are checked where they are set: a clear
``ImproperlyConfigured`` naming the variable, not a traceback or a backoff of -5 seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.settings import env_number

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "value, options, message",
    [
        ("-5", {"positive": True}, "WEBHOOK_X must be more than 0, not '-5'."),
        ("0", {"positive": True}, "WEBHOOK_X must be more than 0, not '0'."),
        ("ten", {}, "WEBHOOK_X must be a number, not 'ten'."),
        ("nan", {}, "WEBHOOK_X must be a finite number, not 'nan'."),
        ("inf", {"positive": True}, "WEBHOOK_X must be a finite number, not 'inf'."),
        ("1.5", {"kind": int}, "WEBHOOK_X must be a whole number, not '1.5'."),
        ("0", {"kind": int, "least": 1}, "WEBHOOK_X must be at least 1, not '0'."),
        ("1e14", {"positive": True, "most": 86400}, "WEBHOOK_X must be at most 86400, not '1e14'."),
    ],
)
def test_a_number_that_does_not_fit_is_refused_naming_the_variable(monkeypatch, value, options, message):
    monkeypatch.setenv("WEBHOOK_X", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_number("WEBHOOK_X", "10", **options)
    assert str(refused.value) == message


def test_a_number_that_fits_is_read_and_the_default_used_when_unset(monkeypatch):
    monkeypatch.setenv("WEBHOOK_X", "2.5")
    assert env_number("WEBHOOK_X", "10", positive=True) == 2.5
    monkeypatch.delenv("WEBHOOK_X")
    assert env_number("WEBHOOK_X", "10", kind=int) == 10


@pytest.mark.parametrize("value", ["abc", "10/fortnight", "10", "/minute", "-5/minute", "5/minute/2"])
def test_a_throttle_rate_that_does_not_parse_is_refused_naming_the_variable(monkeypatch, value):
    from project.settings import env_rate

    monkeypatch.setenv("THROTTLE_X", value)
    with pytest.raises(ImproperlyConfigured, match="THROTTLE_X: .* is not a rate"):
        env_rate("THROTTLE_X", "120/minute")


@pytest.mark.parametrize("value, parsed", [("120/minute", (120, 60)), ("5/s", (5, 1)), ("2000/hours", (2000, 3600)), (" 7 / Day ", (7, 86400))])
def test_a_throttle_rate_is_read_as_the_throttles_read_it(value, parsed):
    from project.rates import parse_rate

    assert parse_rate(value) == parsed


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("WEBHOOK_TIMEOUT_SECONDS", "3e13", "WEBHOOK_TIMEOUT_SECONDS must be at most 300, not '3e13'."),
        ("WEBHOOK_BACKOFF_SECONDS", "1e14", "WEBHOOK_BACKOFF_SECONDS must be at most 86400, not '1e14'."),
        ("WEBHOOK_BACKOFF_MAX_SECONDS", "1e14", "WEBHOOK_BACKOFF_MAX_SECONDS must be at most 604800, not '1e14'."),
        ("LOGIN_LOCKOUT_MINUTES", "1e13", "LOGIN_LOCKOUT_MINUTES must be at most 525600, not '1e13'."),
    ],
)
def test_a_duration_beyond_its_bound_is_refused_at_start_up(name, value, message):
    # The worker turns these into timedeltas: 1e14 seconds overflows one, and a failure that
    # cannot be recorded is sent again at every round, never backed off nor disabled.
    started = subprocess.run(
        [sys.executable, "-c", "import project.settings"], cwd=ROOT, env={**os.environ, name: value},
        capture_output=True, text=True, timeout=60,
    )
    assert started.returncode != 0
    assert f"ImproperlyConfigured: {message}" in started.stderr
