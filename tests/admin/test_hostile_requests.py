"""The admin answers hostile links and junk addresses cleanly: no script through ``next``,
no redirect off the site, a Content-Security-Policy on every page, and a 4xx (or the
admin's own "bad lookup" page) for ids and query strings that name nothing, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import Claim

from .helpers import claim_url, moderate_url

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_moderation_cancel_link_never_takes_an_offsite_or_script_next(client_for, analyst, reviewer, make_claim, target):
    claim = make_claim(analyst, status="in_review")
    page = client_for(reviewer).get(moderate_url(claim, "reject"), {"next": target}).content.decode()
    assert "evil.example" not in page and "alert(" not in page
    assert f'href="{claim_url(claim)}" class="closelink"' in page


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_moderation_redirect_never_follows_an_offsite_next(client_for, analyst, reviewer, make_claim, target):
    claim = make_claim(analyst, status="in_review")
    response = client_for(reviewer).post(
        moderate_url(claim, "reject"), {"comment": "Not supported.", "version": claim.version, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == claim_url(claim)
    assert Claim.objects.get(pk=claim.pk).status == "rejected"


def test_moderation_keeps_a_same_site_next(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    queue = "/admin/claims/claim/review-queue/"
    client = client_for(reviewer)
    assert f'href="{queue}" class="closelink"' in client.get(moderate_url(claim, "reject"), {"next": queue}).content.decode()
    response = client.post(moderate_url(claim, "reject"), {"comment": "No.", "version": claim.version, "next": queue})
    assert response["Location"] == queue


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/", "/admin/claims/claim/", "/admin/sources/source/", "/api/docs/", "/api/redoc/"]
)
def test_every_page_sends_a_csp_without_inline_script(client_for, superuser, path):
    response = (Client() if path == "/admin/login/" else client_for(superuser)).get(path)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert "<script>" not in response.content.decode()


JUNK_ADDRESSES = [
    "/admin/claims/claim/abc/moderate/reject/",
    "/admin/claims/claim/99999999999999999999/moderate/reject/",
    "/admin/claims/claim/²/moderate/reject/",
    "/admin/claims/claim/moderate/abc/",
    "/admin/claims/claim/abc/history/",
    "/admin/claims/claim/99999999999999999999/history/",
    "/admin/claims/claim/1/history/abc/",
    "/admin/sources/source/abc/history/",
    "/admin/sources/span/abc/history/",
    "/admin/claims/evidence/abc/history/",
    "/admin/claims/claim/?author=99999999999999999999",
    "/admin/claims/claim/?author=²",
    "/admin/claims/claim/?q=99999999999999999999",
    "/admin/claims/claim/?created_at__year=0",
    "/admin/claims/claim/?created_at__year=9999",
    "/admin/claims/claim/?created_at__year=9999&created_at__month=12",
    "/admin/claims/claim/?created_at__year=2026&created_at__month=13",
    "/admin/claims/claim/?created_at__year=abc",
    "/admin/claims/review/?created_at__year=9999",
    "/admin/sources/source/?published_on__year=0",
    "/admin/sources/source/?published_on__year=9999",
    "/admin/sources/source/?published_on__year=9999&published_on__month=12",
    # NUL, which PostgreSQL refuses in text: refused before any filter passes it on.
    "/admin/claims/claim/?status__exact=%00",
    "/admin/claims/claim/?entity=%00",
    "/admin/sources/source/?q=%00",
]


@pytest.mark.parametrize("path", JUNK_ADDRESSES)
def test_admin_answers_junk_addresses_without_a_server_error(superuser, path):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code in (200, 302, 400, 404), (path, response.status_code)


@pytest.mark.parametrize("source_id", ["abc", "99999999999999999999", "²"])
def test_span_from_selection_with_a_junk_source_id_is_a_404(client_for, superuser, source_id):
    response = client_for(superuser).post(f"/admin/sources/source/{source_id}/spans/new/", {"start": "0", "end": "5"})
    assert response.status_code == 404


@pytest.mark.parametrize("source_id", ["abc", "99999999999999999999", "²", "-1"])
def test_claim_from_selection_with_a_junk_source_id_is_refused(superuser, source_id):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    response = client.post("/admin/claims/claim/from-selection/", {"source": source_id, "start": "x", "end": "y"})
    assert response.status_code in (302, 400, 404)


HUGE = "99999999999999999999"  # past any database's integer


@pytest.mark.parametrize(
    "path",
    [
        "/admin/claims/claim/add/?supersedes=abc",
        "/admin/claims/claim/add/?entities=x,y",
        f"/admin/claims/claim/add/?supersedes={HUGE}",
        f"/admin/claims/claim/add/?entities=1,{HUGE}",
        "/admin/sources/span/add/?source=abc",
        f"/admin/sources/span/add/?source={HUGE}",
        "/admin/claims/evidence/add/?span=abc",
        f"/admin/claims/evidence/add/?claim={HUGE}",
        f"/admin/claims/claimrelation/add/?from_claim={HUGE}&to_claim=-1",
        "/admin/sources/source/add/?retrieved_at=zz",
        "/admin/sources/source/add/?published_on=2024-02-31",
        "/admin/claims/claim/add/?period_start=soon&verdict=nonsense",
    ],
)
def test_an_add_page_prefilled_with_junk_opens_without_it(client_for, superuser, path):
    """The admin fills an add form from its query string: a value that names nothing, or
    is not a value of its field, is left out, not a 500."""
    response = client_for(superuser).get(path)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path, fields",
    [
        ("/admin/claims/claim/add/", {"text": "A claim.", "verdict": "unverified", "supersedes": HUGE}),
        ("/admin/claims/claim/add/", {"text": "A claim.", "verdict": "unverified", "entities": HUGE}),
        ("/admin/claims/claim/add/", {"text": "A claim.", "verdict": "unverified", "entities": "abc"}),
        ("/admin/sources/span/add/", {"source": HUGE, "quote": "Russia"}),
        ("/admin/claims/evidence/add/", {"claim": HUGE, "span": HUGE, "stance": "supports"}),
        ("/admin/claims/evidence/add/", {"claim": "abc", "span": "-5", "stance": "supports"}),
        ("/admin/claims/claimrelation/add/", {"from_claim": HUGE, "to_claim": HUGE, "kind": "related"}),
    ],
)
def test_a_form_naming_an_id_past_any_integer_is_refused_on_the_form(client_for, superuser, path, fields):
    response = client_for(superuser).post(path, fields)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize(
    "path, fields",
    [
        ("/admin/auth/group/add/", {"name": "Editors", "permissions": str(2**63)}),
        ("/admin/auth/group/add/", {"name": "Editors", "permissions": "²"}),
    ],
)
def test_djangos_own_forms_refuse_an_id_past_any_integer_too(client_for, superuser, path, fields):
    response = client_for(superuser).post(path, fields)
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_a_users_groups_past_any_integer_are_refused_on_the_form(client_for, superuser, analyst):
    data = {"username": "analyst", "is_active": "on", "groups": str(2**63), "user_permissions": "99999999999999999999",
            "date_joined_0": "2026-12-05", "date_joined_1": "10:00:00"}
    response = client_for(superuser).post(f"/admin/auth/user/{analyst.pk}/change/", data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("spelling", ["superscript", "arabic-indic", "huge"])
def test_webhook_and_text_addresses_with_ids_that_are_not_ascii_digits_are_404(client_for, superuser, source, spelling):
    """An id is ASCII digits (``id_or_none``): "²" was a 500, "١" named object 1."""
    from feed.models import Webhook

    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="sixteen-chars-or-more", created_by=superuser)
    client = client_for(superuser)
    for model, pk, suffixes in (("feed/webhook", webhook.pk, ("ping/", "retry/")), ("sources/source", source.pk, ("text/",))):
        object_id = {"superscript": "²", "arabic-indic": str(pk).translate(ARABIC_INDIC), "huge": "9" * 20}[spelling]
        for suffix in suffixes:
            method = client.get if suffix == "text/" else client.post
            assert method(f"/admin/{model}/{object_id}/{suffix}").status_code == 404, (model, suffix)


def test_a_bulk_delete_reports_once(client_for, superuser):
    """Entities: "Entities deleted: 1." and Django's "Successfully deleted 1 entity." both."""
    from claims.models import Entity

    entity = Entity.objects.create(name="Gazprom", slug="gazprom", kind="organization")
    data = {"action": "delete_selected", "_selected_action": [entity.pk], "post": "yes"}
    response = client_for(superuser).post("/admin/claims/entity/", data, follow=True)
    from .helpers import messages_of

    assert messages_of(response) == ["Entities deleted: 1."] and not Entity.objects.exists()
