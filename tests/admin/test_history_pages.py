"""History pages read as people read them: usernames, never ids or "Deleted user
(pk=None)"; an old version is shown read-only."""

from __future__ import annotations

import re
from html import unescape

import pytest

from claims import services

pytestmark = pytest.mark.django_db


def test_the_history_list_names_users_and_shows_no_deleted_user_placeholder(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    services.claim_approve(claim=claim, user=reviewer)
    html = client_for(reviewer).get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert "Deleted user" not in html and "pk=None" not in html
    assert '<ins class="cb-new">reviewer</ins>' in html


def test_the_history_list_names_statuses_and_shows_a_changed_text_whole(client_for, analyst, reviewer, make_claim):
    """Values as the forms name them ("In review", not in_review), a missing change reason
    as a dash (not "None"), and a claim's text whole (cut at 80, "cubic met[21 chars]Iran."
    hid the very words changed)."""
    before = "Gazprom agreed to deliver ten billion cubic metres of gas a year to Iran from 2027, the ministry said."
    after = before.replace("ten billion", "twelve billion")
    claim = make_claim(analyst, text=before)
    services.claim_update(claim=claim, user=analyst, text=after)
    services.claim_submit(claim=claim, user=analyst)
    html = client_for(reviewer).get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert '<del class="cb-old">Draft</del>' in html and '<ins class="cb-new">In review</ins>' in html
    assert "in_review" not in html.split('id="change-history"')[1]
    assert f'<del class="cb-old">{before}</del>' in html and f'<ins class="cb-new">{after}</ins>' in html
    assert "chars]" not in html and ">None<" not in html.replace(" ", "").replace("\n", "")


def test_the_claim_timeline_names_the_reviewer_not_their_id(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    services.claim_approve(claim=claim, user=reviewer)
    response = client_for(reviewer).get(f"/admin/claims/claim/{claim.pk}/change/")
    changes = [change for entry in response.context["timeline"]["entries"] for change in entry.changes]
    reviewer_change = next(change for change in changes if change.field == "reviewer")
    assert (reviewer_change.old, reviewer_change.new) == ("—", "reviewer")


def test_an_old_version_is_shown_read_only(client_for, analyst, source, make_claim):
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=analyst, text="A second wording.")
    first = claim.history.order_by("history_id").first()
    html = client_for(analyst).get(f"/admin/claims/claim/{claim.pk}/history/{first.history_id}/").content.decode()
    form = html.split('id="historicalclaim_form"')[1].split("</form>")[0]
    assert "<textarea" not in form and "<select" not in form
    assert 'name="text"' not in form
    assert "Russia voted six times" in form


def test_an_old_version_of_an_entity_opens_read_only(client_for, analyst):
    """An entity's admin declares no fieldsets and prepopulates its slug: listing the
    read-only fields built the form, which asked for them again (a RecursionError), and a
    read-only slug cannot be prepopulated."""
    from claims.models import Entity

    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    services.entity_update(entity=entity, user=analyst, wikidata_id="Q159")
    client = client_for(analyst)
    for record in entity.history.all():
        response = client.get(f"/admin/claims/entity/{entity.pk}/history/{record.history_id}/")
        assert response.status_code == 200
        form = response.content.decode().split('id="historicalentity_form"')[1].split("</form>")[0]
        assert "<input type=\"text\"" not in form and "<select" not in form and "Russia" in form


def test_the_history_links_a_user_only_for_who_may_open_user_pages(client_for, analyst, superuser, make_claim):
    claim = make_claim(analyst)
    url = f"/admin/claims/claim/{claim.pk}/history/"
    assert "/admin/auth/user/" not in client_for(analyst).get(url).content.decode()
    assert f"/admin/auth/user/{analyst.pk}/change/" in client_for(superuser).get(url).content.decode()


LONG_CLAIM = (
    "Trade between Iran and Russia rose by 20 percent in 2023, officials reportedly said, "
    "according to figures the ministry published in January."
)


def test_a_long_claim_is_named_by_its_first_whole_words_with_the_whole_claim_on_hover(client_for, analyst, make_claim):
    """Headings, breadcrumbs and the history's title cut the claim at 80 characters mid-word
    ("officials reportedl...")."""
    claim = make_claim(analyst, text=LONG_CLAIM)
    short = f"#{claim.pk} Trade between Iran and Russia rose by 20 percent in 2023, officials reportedly…"
    assert str(claim) == short
    client = client_for(analyst)
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    history = client.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert f'<h2 title="{LONG_CLAIM}">{short}</h2>' in page
    assert f'<span title="{LONG_CLAIM}">{short}</span>' in page.split('class="breadcrumbs"')[1].split("</div>")[0]
    assert f'title="{LONG_CLAIM}">{short}</a>' in history.split('class="breadcrumbs"')[1].split("</div>")[0]
    assert f'<h1 title="{LONG_CLAIM}">View history: {short}</h1>' in history or f'<h1 title="{LONG_CLAIM}">Change history: {short}</h1>' in history
    for html in (page, history):
        assert "reportedl..." not in html and "reportedl…" not in html


def test_a_short_claim_is_named_whole_without_a_title_to_hover(client_for, analyst, make_claim):
    claim = make_claim(analyst, text="Iran and Russia signed the deal.")
    page = client_for(analyst).get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert f"<h2>#{claim.pk} Iran and Russia signed the deal.</h2>" in page


def _history_rows(html: str) -> dict[str, str]:
    """The history list's rows by their Object cell ("Version 3"), each as its HTML."""
    table = html.split('id="change-history"')[1].split("</table>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        label = re.search(r">\s*(Version \d+)\s*</a>", row)
        rows[label.group(1)] = row
    return rows


def test_the_history_says_what_each_version_changed_in_the_evidence(client_for, analyst, source):
    """A version that added, removed or changed evidence showed "Content edited" and an
    empty Changes cell, on every row the same claim title."""
    from claims.models import Evidence

    from .helpers import draft_with_evidence

    claim = draft_with_evidence(analyst, source)  # version 1, citing "Moscow later said"
    first = claim.evidence.get()
    services.claim_save(claim=claim, user=analyst, add=[services.EvidenceInput(source=source, quote="Russia voted again.", stance="refutes")])
    added = Evidence.objects.get(claim=claim, span__quote="Russia voted again.")
    services.claim_save(claim=claim, user=analyst, change=[(first, "context", "Only the date.")])
    services.claim_save(claim=claim, user=analyst, remove=[added])
    html = client_for(analyst).get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    rows = _history_rows(html)
    assert sorted(rows) == ["Version 1", "Version 2", "Version 3", "Version 4"]
    assert claim.text[:30] not in html.split('id="change-history"')[1]  # no title repeated on every row
    said = {label: " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for label, row in rows.items()}
    assert f"evidence added: — → span #{added.span_id}: “Russia voted again.” (Refutes)" in said["Version 2"]
    assert f"evidence stance (span #{first.span_id}: “Moscow later said”): Supports → Context" in said["Version 3"]
    assert f"evidence note (span #{first.span_id}: “Moscow later said”): — → Only the date." in said["Version 3"]
    assert f"evidence removed: span #{added.span_id}: “Russia voted again.” → —" in said["Version 4"]
    # The evidence a claim was created with goes with its first version.
    assert f"evidence added: — → span #{first.span_id}: “Moscow later said” (Supports)" in said["Version 1"]


def test_the_claim_pages_field_history_has_no_version_without_its_changes(client_for, analyst, source):
    from .helpers import draft_with_evidence

    claim = draft_with_evidence(analyst, source)
    services.claim_save(claim=claim, user=analyst, add=[services.EvidenceInput(source=source, quote="Russia voted again.")])
    response = client_for(analyst).get(f"/admin/claims/claim/{claim.pk}/change/")
    entries = response.context["timeline"]["entries"]
    assert [entry.version for entry in entries] == [2, 1]
    assert all(entry.changes for entry in entries)
    assert [change.field for change in entries[0].changes] == ["evidence added"]
