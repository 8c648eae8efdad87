"""Read-your-writes across app servers: the marker a write leaves lives in the shared cache
(Redis, ``CACHE_URL``), so the caller's next request reads the primary whichever server
answers it. Runs against the redis-server ``.ci/run`` starts (``TEST_REDIS_URL``)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory

from claims.models import Claim
from project import routers
from project.routers import ReadYourWritesMiddleware, ReplicaRouter

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis: set TEST_REDIS_URL (.ci/run starts redis-server)")


@pytest.fixture
def redis_cache(settings, monkeypatch):
    pytest.importorskip("redis", reason="the redis client library is not installed")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-routers-{os.getpid()}",
        }
    }
    monkeypatch.setattr(routers, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(routers, "answers", lambda alias: True)  # a stand-in: no replica to connect to
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_a_write_on_one_server_pins_the_token_on_another(redis_cache):
    router = ReplicaRouter(["replica1"])
    decisions: list[str] = []

    def view(request):
        decisions.append(router.db_for_read(Claim))
        return HttpResponse("ok")

    server_a, server_b = ReadYourWritesMiddleware(view), ReadYourWritesMiddleware(view)
    factory = RequestFactory()
    server_a(factory.patch("/api/v1/claims/1/", HTTP_AUTHORIZATION="Token shared"))
    server_b(factory.get("/api/v1/claims/1/", HTTP_AUTHORIZATION="Token shared"))
    server_b(factory.get("/api/v1/claims/1/", HTTP_AUTHORIZATION="Token other"))
    assert decisions == ["default", "default", "replica1"]
    assert any(key for key in redis_cache._cache.get_client().keys("*read-primary*"))
