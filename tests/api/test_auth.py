"""Token and session authentication; throttling of anonymous and authenticated callers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from project.throttling import AnonThrottle

pytestmark = pytest.mark.django_db


def test_token_for_username_and_password(anonymous, analyst):
    response = anonymous.post("/api/v1/auth/token/", {"username": "analyst", "password": "pw-analyst"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    again = anonymous.post("/api/v1/auth/token/", {"username": "analyst", "password": "pw-analyst"}, format="json")
    assert again.json()["token"] == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post("/api/v1/sources/", {"title": "By token", "text": "x"}, format="json")
    assert created.status_code == 201 and created.json()["created_by"] == "analyst"


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "analyst", "password": "wrong"},
        {"username": "nobody", "password": "x"},
        {"username": "analyst"},
        {},
    ],
)
def test_bad_credentials_answer_400(anonymous, analyst, payload):
    response = anonymous.post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_invalid_token_answers_401(analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/claims/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_authentication_with_csrf(analyst):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="analyst", password="pw-analyst")
    assert client.get("/api/v1/sources/?kind=article").status_code == 200
    # A session write without the CSRF token is refused...
    refused = client.post("/api/v1/sources/", {"title": "t", "text": "x"}, format="json")
    assert refused.status_code == 403
    # ... and accepted with it (the double-submit cookie a browser would hold).
    token = "k" * 32
    client.cookies["csrftoken"] = token
    accepted = client.post("/api/v1/sources/", {"title": "t", "text": "x"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_anonymous_callers_are_throttled_before_authenticated_ones(settings, client_for, analyst):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    anonymous, member = client_for(None), client_for(analyst)
    assert [anonymous.get("/api/v1/claims/").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = anonymous.get("/api/v1/claims/")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    assert [member.get("/api/v1/claims/").status_code for _ in range(6)] == [200] * 5 + [429]


def test_anonymous_callers_count_against_the_anonymous_limit_only(settings, client_for, analyst):
    """Not also against the user limit, by address (DRF's UserRateThrottle does that)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "4/minute", "user": "2/minute"},
    }
    anonymous, member = client_for(None), client_for(analyst)
    assert [anonymous.get("/api/v1/claims/").status_code for _ in range(5)] == [200] * 4 + [429]
    assert [member.get("/api/v1/claims/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_throttled_caller_regains_requests_as_earlier_ones_age_out(settings, client_for, monkeypatch):
    """N a period over a sliding window: N at once; then, in the next period, the previous
    period's count weighs less as the window slides off it; ``Retry-After`` says when the
    next request fits."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    clock = [60 * 1_000_000 + 30.0]  # half-way through a period
    monkeypatch.setattr(AnonThrottle, "timer", staticmethod(lambda: clock[0]))
    anonymous = client_for(None)

    def get():
        return anonymous.get("/api/v1/claims/")

    assert [get().status_code for _ in range(3)] == [200, 200, 200]
    refused = get()
    # Next period, the window still covers 3 * (1 - t/60) of these: one more fits at t = 20.
    assert refused.status_code == 429 and refused["Retry-After"] == str(30 + 20)
    clock[0] += 49
    assert get().status_code == 429
    clock[0] += 1
    assert [get().status_code for _ in range(2)] == [200, 429]
    clock[0] += 120
    assert [get().status_code for _ in range(4)] == [200, 200, 200, 429]


def test_refused_requests_do_not_push_the_allowance_away(settings, client_for, monkeypatch):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"},
    }
    clock = [60 * 1_000_000 + 1.0]
    monkeypatch.setattr(AnonThrottle, "timer", staticmethod(lambda: clock[0]))
    anonymous = client_for(None)
    assert [anonymous.get("/api/v1/claims/").status_code for _ in range(50)] == [200, 200] + [429] * 48
    clock[0] += 119  # two periods on: everything aged out, however hard it hammered
    assert [anonymous.get("/api/v1/claims/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_throttle_reads_a_value_it_did_not_write_as_nothing_used(settings, client_for, monkeypatch):
    """On a cache (Redis, here the local one: the database cache counts in a table of its
    own), an entry in another shape (an older throttle's, say, after an upgrade with a
    shared cache) is not a 500."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"},
    }
    monkeypatch.setattr(AnonThrottle, "timer", staticmethod(lambda: 60 * 1_000_000 + 1.0))
    key = "throttle:anon:127.0.0.1:1000000"
    cache.set(key, [1.0, 2.0])
    cache.set("throttle:anon:127.0.0.1:999999", "junk")
    anonymous = client_for(None)
    assert [anonymous.get("/api/v1/claims/").status_code for _ in range(3)] == [200, 200, 429]
    assert cache.get(key) == 2  # the caller's entry, now in the throttle's shape


def test_a_zero_rate_refuses_every_call(settings, client_for):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "0/minute", "user": "5/minute"},
    }
    refused = client_for(None).get("/api/v1/claims/")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_throttle_rates_are_set_in_settings(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) == {"anon", "user"}
    number = lambda rate: int(rate.split("/")[0])  # noqa: E731
    assert number(rates["user"]) > number(rates["anon"])
