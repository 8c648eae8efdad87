"""Throttles count per client address, which X-Forwarded-For cannot change unless trusted
proxies are configured; failed logins are limited per username and per address."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from project.addresses import client_address, throttle_key_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "50/minute"}}


def test_a_new_x_forwarded_for_per_request_does_not_bypass_the_throttle(anonymous, anon_rate):
    statuses = [
        anonymous.get("/api/v1/claims/", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").status_code
        for number in range(10)
    ]
    assert statuses == [200] * 3 + [429] * 7


def test_with_one_trusted_proxy_the_address_it_saw_is_counted(anonymous, anon_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def get(forwarded: str) -> int:
        return anonymous.get("/api/v1/claims/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1").status_code

    # The client may prepend anything; the proxy appends the address it saw (the last entry).
    assert [get(f"6.6.6.{number}, 198.51.100.7") for number in range(4)] == [200, 200, 200, 429]
    assert get("198.51.100.8") == 200  # another client behind the same proxy


@pytest.mark.parametrize(
    "trusted, forwarded, remote, expected",
    [
        (0, "1.1.1.1", "10.0.0.1", "10.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "10.0.0.1", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "10.0.0.1", "2.2.2.2"),
        (2, "2.2.2.2", "10.0.0.1", "2.2.2.2"),
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
        # With its port, as some load balancers write it: the address, not the proxy's.
        (1, "6.6.6.6, 3.3.3.3:1111", "10.0.0.1", "3.3.3.3"),
        (1, "[2001:db8::1]:443", "10.0.0.1", "2001:db8::1"),
        (1, "[2001:db8::2]", "10.0.0.1", "2001:db8::2"),
        (1, "3.3.3.3:99999999", "10.0.0.1", "10.0.0.1"),
        (1, "unknown", "10.0.0.1", "10.0.0.1"),
        (1, "", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_address_trusts_exactly_the_configured_proxies(rf, settings, trusted, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == expected


def test_ipv6_callers_are_counted_per_64_network():
    assert throttle_key_address("2001:db8:1:2:aaaa::1") == throttle_key_address("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::"
    assert throttle_key_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttle_key_address("192.0.2.1") == "192.0.2.1"


# ---------------------------------------------------------------------------------------------
# Failed logins


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def token(client, username, password, address="192.0.2.10"):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_token_endpoint_locks_a_username_out_after_repeated_failures(anonymous, analyst, login_limit):
    statuses = [token(anonymous, "analyst", f"guess-{n}", address=f"192.0.2.{n}").status_code for n in range(5)]
    assert statuses[:2] == [400, 400] and set(statuses[2:]) == {429}
    locked = token(anonymous, "analyst", "pw-analyst", address="192.0.2.99")  # the right password, elsewhere
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked_out"
    assert int(locked["Retry-After"]) == 15 * 60


def test_token_endpoint_locks_an_address_out_whatever_the_usernames(anonymous, analyst, login_limit):
    for n in range(3):
        token(anonymous, f"user-{n}", "guess")
    assert token(anonymous, "analyst", "pw-analyst").status_code == 429
    assert token(anonymous, "analyst", "pw-analyst", address="192.0.2.200").status_code == 200


def test_ipv6_logins_are_limited_per_64_network_as_the_throttles_count(anonymous, analyst, login_limit):
    # One subscriber holds a whole /64: a new address of it for each guess is the same caller.
    for n in range(3):
        token(anonymous, f"user-{n}", "guess", address=f"2001:db8:7::{n + 1}")
    assert token(anonymous, "analyst", "pw-analyst", address="2001:db8:7::99").status_code == 429
    assert token(anonymous, "analyst", "pw-analyst", address="2001:db8:8::1").status_code == 200  # another /64
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:7::"}


def test_a_new_x_forwarded_for_does_not_escape_the_login_limit(anonymous, analyst, login_limit):
    for n in range(3):
        anonymous.post(
            "/api/v1/auth/token/", {"username": f"user-{n}", "password": "x"}, format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": "someone", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.77"
    )
    assert response.status_code == 429


def test_admin_login_is_limited_too_and_the_right_password_then_fails(analyst, login_limit):
    client = Client()
    for n in range(3):
        client.post("/admin/login/", {"username": "analyst", "password": f"guess-{n}"})
    locked = client.post("/admin/login/", {"username": "analyst", "password": "pw-analyst"})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_a_correct_login_under_the_limit_still_works(anonymous, analyst, login_limit):
    token(anonymous, "analyst", "wrong")
    assert token(anonymous, "analyst", "pw-analyst").status_code == 200
