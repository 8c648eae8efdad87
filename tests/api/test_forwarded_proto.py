"""``X-Forwarded-Proto`` is believed only behind the trusted proxies that
``TRUSTED_PROXY_COUNT`` declares (``tests/test_settings_proxy.py``); without them any client
could make the server believe a request came over HTTPS."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_a_direct_client_cannot_make_links_https(anonymous, corpus, settings):
    settings.SECURE_PROXY_SSL_HEADER = None  # what TRUSTED_PROXY_COUNT=0 sets
    body = anonymous.get("/api/v1/claims/?page_size=1", HTTP_X_FORWARDED_PROTO="https").json()
    assert body["next"].startswith("http://testserver/")


@pytest.mark.django_db
def test_behind_a_trusted_proxy_its_proto_makes_links_https(anonymous, corpus, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = anonymous.get("/api/v1/claims/?page_size=1", HTTP_X_FORWARDED_PROTO="https").json()
    assert body["next"].startswith("https://testserver")
