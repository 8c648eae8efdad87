"""Claim, source and entity pages loaded before someone else's edit never overwrite it
(one mechanism, ``RevisionCheckedAdmin``): the save is refused, the form comes back with
what was typed and the saved values beside it; saving again, knowingly, replaces them. The
services check the version or revision the page was loaded at under the row's lock, so an
edit that races in is refused too. (The claim page's own cases: test_claim_admin.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Entity
from project.errors import StaleVersion
from sources.models import Source, Span
from sources.services import source_revision, source_update

from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401
from .helpers import claim_url, draft_with_evidence, form_data, messages_of

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def entity(db):
    return Entity.objects.create(name="Russia", slug="russia", kind="country")


def test_a_stale_source_page_does_not_undo_a_newer_text_nor_orphan_its_evidence(client_for, analyst, analyst2, source):
    client = client_for(analyst)
    data = form_data(client.get(change_url(source)), "source_form")
    # Meanwhile, someone else adds a sentence and cites it.
    newer_text = source.text + " Tehran welcomed the abstention."
    source_update(source=source, user=analyst2, text=newer_text)
    claim = draft_with_evidence(analyst2, source, text="Tehran welcomed it.", quote="Tehran welcomed the abstention.")
    # The first page changes only the notes.
    data["notes"] = "Checked against the print edition."
    response = client.post(change_url(source), data)
    source.refresh_from_db()
    assert source.text == newer_text and source.notes == ""
    assert claim.evidence.get().span.anchor_state == Span.AnchorState.ANCHORED
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone saved this source after you opened it" in html
    assert "Checked against the print edition." in html  # the typing is kept
    assert "Tehran welcomed the abstention." in html.split('class="cb-conflict"')[1]  # the saved text beside it
    assert not any("re-anchored" in message for message in messages_of(response))


def test_a_stale_source_page_does_not_revert_a_newer_title(client_for, analyst, analyst2, source):
    client = client_for(analyst)
    data = form_data(client.get(change_url(source)), "source_form")
    source_update(source=source, user=analyst2, title="The corrected title")
    data["notes"] = "A note."
    response = client.post(change_url(source), data)
    source.refresh_from_db()
    assert (source.title, source.notes) == ("The corrected title", "")
    assert response.status_code == 200 and "The corrected title" in response.content.decode()
    # Saving again from the page shown (it carries the saved revision) replaces it, knowingly.
    again = form_data(response, "source_form")
    assert again["notes"] == "A note." and again["title"] == "Sample"
    assert client.post(change_url(source), again).status_code == 302
    source.refresh_from_db()
    assert (source.title, source.notes) == ("Sample", "A note.")


def test_a_page_shown_again_names_the_saved_object_in_its_heading_not_the_typing(client_for, analyst, analyst2, source):
    client = client_for(analyst)
    data = form_data(client.get(change_url(source)), "source_form")
    source_update(source=source, user=analyst2, title="The corrected title")
    data["title"] = "Typed in this tab"
    page = client.post(change_url(source), data).content.decode()
    heading = page.split('<div id="content"', 1)[1].split("</h2>", 1)[0]
    breadcrumbs = page.split('<nav aria-label="Breadcrumbs">', 1)[1].split("</nav>", 1)[0]
    assert "The corrected title" in heading and "Typed in this tab" not in heading
    assert "The corrected title" in breadcrumbs and "Typed in this tab" not in breadcrumbs
    assert 'value="Typed in this tab"' in page  # the typing stays in the form

def test_an_unchanged_source_page_saves_as_before(client_for, analyst, source):
    client = client_for(analyst)
    data = form_data(client.get(change_url(source)), "source_form")
    data["notes"] = "A note."
    assert client.post(change_url(source), data).status_code == 302
    source.refresh_from_db()
    assert source.notes == "A note."


def test_a_stale_entity_page_does_not_revert_a_newer_wikidata_id(client_for, reviewer, analyst, entity):
    client = client_for(analyst)
    data = form_data(client.get(change_url(entity)), "entity_form")
    services.entity_update(entity=entity, user=reviewer, wikidata_id="Q159", aliases=["RF"])
    data["name"] = "Russian Federation"
    response = client.post(change_url(entity), data)
    entity.refresh_from_db()
    assert (entity.name, entity.wikidata_id, entity.aliases) == ("Russia", "Q159", ["RF"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone saved this entity after you opened it" in html
    box = html.split('class="cb-conflict"')[1].split("</section>")[0]
    assert "Russian Federation" in html and "<dd>Q159</dd>" in box and "<dd>RF</dd>" in box
    # Saving again from the page shown replaces the saved version, knowingly: all of it,
    # the aliases (a field the page posts a copy of its loaded value for) too.
    assert client.post(change_url(entity), form_data(response, "entity_form")).status_code == 302
    entity.refresh_from_db()
    assert (entity.name, entity.wikidata_id, entity.aliases) == ("Russian Federation", "", [])


def test_an_entity_page_saves_when_nobody_saved_meanwhile(client_for, analyst, entity):
    client = client_for(analyst)
    data = form_data(client.get(change_url(entity)), "entity_form")
    data["name"] = "Russian Federation"
    assert client.post(change_url(entity), data).status_code == 302
    assert Entity.objects.get(pk=entity.pk).name == "Russian Federation"


def test_the_services_refuse_an_edit_begun_from_another_revision(analyst, source, entity):
    loaded = source_revision(source)
    source_update(source=source, user=analyst, title="Renamed")
    with pytest.raises(StaleVersion):
        source_update(source=source, user=analyst, notes="Late.", expected_revision=loaded)
    assert Source.objects.get(pk=source.pk).notes == ""
    loaded = services.entity_revision(entity)
    services.entity_update(entity=entity, user=analyst, wikidata_id="Q159")
    with pytest.raises(StaleVersion):
        services.entity_update(entity=entity, user=analyst, name="Late", expected_revision=loaded)
    assert Entity.objects.get(pk=entity.pk).name == "Russia"


def test_an_edit_that_races_past_the_form_is_refused_by_the_service(client_for, analyst, analyst2, source, monkeypatch):
    """The form compares revisions before the save; a save landing between that and the
    service's lock is caught by the service (here the form's check is skipped, as when the
    other save commits in between), and said as a message."""
    from project.admin import RevisionCheckedForm

    client = client_for(analyst)
    data = form_data(client.get(change_url(source)), "source_form")
    data["notes"] = "Mine."
    source_update(source=source, user=analyst2, title="Raced in")
    monkeypatch.setattr(RevisionCheckedForm, "clean", lambda form: form.cleaned_data)
    response = client.post(change_url(source), data, follow=True)
    source.refresh_from_db()
    assert (source.title, source.notes) == ("Raced in", "")
    assert any("changed by someone else" in message for message in messages_of(response))


def test_a_stale_claim_page_shows_the_entities_saved_meanwhile_by_name(client_for, analyst, source, entity):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_update(claim=claim, user=analyst, entities=[entity])
    data["notes"] = "My note."
    response = client.post(claim_url(claim), data)
    claim.refresh_from_db()
    assert list(claim.entities.all()) == [entity] and claim.notes == ""
    box = response.content.decode().split('class="cb-conflict"')[1].split("</section>")[0]
    assert "The saved version (version 2, " in box
    assert "<dt>Entities</dt><dd>Russia</dd>" in box and "<dt>Notes</dt><dd>—</dd>" in box
    assert "My note." in response.content.decode()


def test_a_claim_page_overtaken_by_an_evidence_change_alone_is_refused_and_says_where_to_look(client_for, analyst, source):
    """The version counts evidence too: no field of the form differs from the saved claim,
    and the box says so rather than vanish."""
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(source=source, quote="Russia voted again."))
    response = client.post(claim_url(claim), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone saved this claim (now version 2) after you opened it at version 1" in html
    box = html.split('class="cb-conflict"')[1].split("</section>")[0]
    assert "what changed is not among them" in box and reverse("admin:claims_claim_history", args=[claim.pk]) in box
    assert Claim.objects.get(pk=claim.pk).evidence.count() == 2


def in_a_browser(test):
    for mark in browser_marks:
        test = mark(test)
    return test


@in_a_browser
def test_a_stale_entity_page_in_a_browser_keeps_the_typing_and_shows_the_saved_values(browser, live_server, analyst, reviewer, entity):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(change_url(entity))
    services.entity_update(entity=entity, user=reviewer, wikidata_id="Q159", aliases=["Russian Federation", "RF"])
    page.fill("#id_name", "Russia (the state)")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.input_value("#id_name") == "Russia (the state)"
    box = page.inner_text(".cb-conflict")
    assert "Q159" in box and "Russian Federation, RF" in box and "Someone saved this entity" in page.inner_text(".errorlist.nonfield")
    screenshot(page, "entity_page_conflict")
    assert Entity.objects.get(pk=entity.pk).name == "Russia"
    assert page.errors == []


@in_a_browser
def test_a_stale_source_page_in_a_browser_folds_the_saved_text(browser, live_server, analyst, analyst2, source):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(change_url(source))
    source_update(source=source, user=analyst2, title="The corrected title", text=source.text + " Tehran welcomed the abstention.")
    page.fill("#id_notes", "Checked against the print edition.")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    assert page.input_value("#id_notes") == "Checked against the print edition."
    box = page.locator(".cb-conflict")
    assert "The corrected title" in box.inner_text()
    assert box.locator("details").count() == 1  # the saved text, folded
    box.scroll_into_view_if_needed()
    screenshot(page, "source_page_conflict")
    source.refresh_from_db()
    assert (source.title, source.notes) == ("The corrected title", "")
    assert page.errors == []
