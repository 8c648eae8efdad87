"""Query strings the admin did not write: bad lookups show the unfiltered list with a
message (never a 500, on either database), and a login's refused ``next`` lands on the
admin index."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from claims.models import Entity
from feed.models import Delivery, Event, Webhook
from project.admin import refused_lookup


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


@pytest.fixture
def rows(make_claim, analyst):
    """A row in each list below: SQLite runs a pattern only against rows."""
    make_claim(analyst)
    Entity.objects.create(name="Iran", slug="iran", aliases=["Tehran"])
    webhook = Webhook.objects.create(url="https://example.com/hook", secret="s" * 32)
    event = Event.objects.create(type="claim.published", claim=1, public=True)
    Delivery.objects.create(webhook=webhook, event=event, seq=1, last_error="timed out")


REFUSED = [
    "/admin/claims/claim/?text__regex=(",
    "/admin/claims/claim/?text__iregex=(",
    "/admin/claims/claim/?text__regex=(a%2B)%2B$",
    "/admin/claims/claim/?text__regex=Russia",
    "/admin/sources/source/?text__regex=(",
    "/admin/claims/entity/?aliases__0__regex=(",
    "/admin/feed/delivery/?last_error__regex=[",
    "/admin/claims/claim/?id__range=1",
    "/admin/claims/claim/?id__range=19",
]


@pytest.mark.parametrize("path", REFUSED)
def test_refused_lookups_show_the_unfiltered_list_with_a_message(admin_client, rows, path):
    response = admin_client.get(path)
    assert response.status_code == 302, (path, response.status_code)
    assert response["Location"].endswith("?e=1")
    shown = admin_client.get(response["Location"])
    assert shown.status_code == 200
    message = " ".join(str(message) for message in get_messages(shown.wsgi_request))
    lookup = path.split("?")[1].split("=")[0]
    assert "shown unfiltered" in message and lookup in message, message


@pytest.mark.parametrize(
    "path",
    [
        "/admin/claims/entity/?aliases__contains=Tehran",  # no JSON containment on SQLite
        "/admin/claims/entity/?aliases__contained_by=Tehran",
        "/admin/claims/claim/?created_at__range=a,b",
        "/admin/claims/claim/?id__in=1,a",
    ],
)
def test_lookups_a_database_cannot_run_are_never_a_500(admin_client, rows, path):
    response = admin_client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    if response.status_code == 302:
        assert admin_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "key, refused",
    [
        ("text__regex", True),
        ("text__iregex", True),
        ("author__username__regex", True),
        ("id__range", True),
        ("text__icontains", False),
        ("status__exact", False),
        ("regex", False),  # a field of that name, not the lookup
    ],
)
def test_which_lookups_are_refused(key, refused):
    assert (refused_lookup(key) is not None) is refused


def test_filters_the_admin_links_to_still_filter(admin_client, rows, make_claim, analyst, reviewer):
    make_claim(analyst, status="published", reviewer=reviewer)
    response = admin_client.get("/admin/claims/claim/?status__exact=published")
    assert response.status_code == 200
    assert [claim.status for claim in response.context["cl"].result_list] == ["published"]


REFUSED_NEXT = ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)"]


def _log_in(next_url: str, client: Client | None = None):
    return (client or Client()).post(
        f"{reverse('admin:login')}?{urlencode({'next': next_url})}",
        {"username": "admin", "password": "pw-admin", "next": next_url},
    )


@pytest.mark.parametrize("next_url", REFUSED_NEXT)
def test_a_login_with_a_refused_next_lands_on_the_admin_index(superuser, next_url):
    client = Client()
    response = _log_in(next_url, client)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


def test_a_login_with_a_local_next_goes_there(superuser):
    target = reverse("admin:claims_claim_changelist") + "?status__exact=draft"
    response = _log_in(target)
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("path", [
    "/admin/auth/user/?username__regex=(",
    "/admin/auth/group/?name__regex=(",
    "/admin/authtoken/tokenproxy/?key__regex=(",
    "/admin/axes/accessattempt/?username__regex=(",
])
def test_the_admins_of_other_apps_refuse_a_bad_lookup_too(client, superuser, path):
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
