from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .receiver import Receiver

# A webhook secret of the length the admin asks for.
SECRET = "a-secret-of-some-length"


@pytest.fixture(autouse=True)
def _fresh_throttles(empty_cache):
    yield


@pytest.fixture
def receiver():
    """A local HTTP receiver for webhook deliveries (see ``receiver.Receiver``)."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def client_for():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def read_feed(client, after: int = 0, **params) -> dict:
    response = client.get("/api/v1/changes/", {"after": after, **params})
    assert response.status_code == 200, response.content
    return response.json()


def feed_types(client, after: int = 0) -> list[tuple[str, int | None]]:
    return [(event["type"], event["claim"]) for event in read_feed(client, after, limit=1000)["results"]]
