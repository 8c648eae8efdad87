"""Numbers read from the environment are checked where they are set: a clear
``ImproperlyConfigured`` naming the variable, not a traceback or a backoff of -5 seconds."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.settings import env_number


@pytest.mark.parametrize(
    "value, options, message",
    [
        ("-5", {"positive": True}, "WEBHOOK_X must be more than 0, not '-5'."),
        ("0", {"positive": True}, "WEBHOOK_X must be more than 0, not '0'."),
        ("ten", {}, "WEBHOOK_X must be a number, not 'ten'."),
        ("nan", {}, "WEBHOOK_X must be at least 0, not 'nan'."),
        ("inf", {"positive": True}, "WEBHOOK_X must be more than 0, not 'inf'."),
        ("1.5", {"kind": int}, "WEBHOOK_X must be a whole number, not '1.5'."),
        ("0", {"kind": int, "least": 1}, "WEBHOOK_X must be at least 1, not '0'."),
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
