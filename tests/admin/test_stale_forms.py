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
from .helpers import claim_url, draft_with_evidence, form_data, messages_of, said

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
    assert any("changed by someone else" in message for message in said(response))


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


def _box(response) -> str:
    return response.content.decode().split('class="cb-conflict"')[1].split("</section>")[0]


def _evidence_rows(data: dict, prefix: str = "evidence") -> dict[str, dict]:
    """The existing-evidence rows a page posts, by evidence id."""
    rows = {}
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        rows[data[f"{prefix}-{index}-id"]] = {
            name: data.get(f"{prefix}-{index}-{name}") for name in ("stance", "note", "DELETE")
        }
    return rows


def _set_row(data: dict, evidence_id: int, prefix: str = "evidence", **values) -> None:
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data[f"{prefix}-{index}-id"] == str(evidence_id):
            data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
            return
    raise AssertionError(f"no row for evidence {evidence_id}")


def test_a_claim_page_overtaken_by_evidence_added_meanwhile_names_it(client_for, analyst, source):
    """The version counts evidence too: no field of the form differs from the saved claim,
    and the box names the evidence added since, which the form shows as saved."""
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    added = services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(source=source, quote="Russia voted again."))
    response = client.post(claim_url(claim), data)
    assert response.status_code == 200
    assert "Someone saved this claim (now version 2) after you opened it at version 1" in response.content.decode()
    box = _box(response)
    assert "“Russia voted again.”" in box and "added since you opened the page" in box
    again = form_data(response, "claim_form")
    assert set(_evidence_rows(again)) == {str(e.pk) for e in claim.evidence.all()} and str(added.pk) in _evidence_rows(again)
    assert client.post(claim_url(claim), again).status_code == 302
    assert Claim.objects.get(pk=claim.pk).evidence.count() == 2


def test_a_claim_page_overtaken_by_a_change_it_does_not_show_says_where_to_look(client_for, analyst, source):
    """A change the page has no field for (the cited words moved in the source's text,
    which bumps the claim's version): the box says so and links to the history."""
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    source_update(source=source, user=analyst, text="A new first line.\n" + source.text)
    response = client.post(claim_url(claim), data)
    assert "Someone saved this claim (now version 2)" in response.content.decode()
    box = _box(response)
    assert "what changed is not among them" in box and reverse("admin:claims_claim_history", args=[claim.pk]) in box


def test_a_stale_claim_page_shows_the_evidence_edited_meanwhile_and_does_not_revert_it_unseen(
    client_for, analyst, reviewer, source,
):
    """Someone changed an evidence row's stance and note after the page was loaded; the
    page posts its stale row with a change of the claim's notes. Nothing is saved; the box
    names the row with its saved stance and note; the row shows the page's typing."""
    claim = draft_with_evidence(analyst, source)
    evidence = claim.evidence.get()
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.evidence_update(evidence=evidence, user=reviewer, stance="refutes", note="B's careful note.")
    data["notes"] = "A's note on the claim."
    response = client.post(claim_url(claim), data)
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.note) == ("refutes", "B's careful note.")
    assert Claim.objects.get(pk=claim.pk).notes == ""
    box = _box(response)
    assert "<dt>Evidence “Moscow later said”" in box and "Refutes; note: B&#x27;s careful note." in box
    assert _evidence_rows(form_data(response, "claim_form"))[str(evidence.pk)]["stance"] == "supports"


def test_a_stale_claim_page_whose_only_edit_is_an_evidence_note_names_the_row(client_for, analyst, reviewer, source):
    claim = draft_with_evidence(analyst, source)
    evidence = claim.evidence.get()
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.evidence_update(evidence=evidence, user=reviewer, stance="refutes")
    _set_row(data, evidence.pk, note="A's note on the evidence.")
    response = client.post(claim_url(claim), data)
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.note) == ("refutes", "")
    box = _box(response)
    assert "what changed is not among them" not in box
    assert "<dt>Evidence “Moscow later said”" in box and "Refutes; note: —" in box
    assert "A&#x27;s note on the evidence." in response.content.decode()  # the typing, kept


def test_a_stale_claim_page_after_evidence_was_removed_shows_each_row_with_its_own_passage(
    client_for, analyst, reviewer, source,
):
    """Someone removed the first of two evidence rows and edited the text. The page's rows
    are laid over the evidence saved now: the removed row is named in the box (its typing
    not kept), the other keeps its own passage and the page's typing, and saving again works."""
    claim = draft_with_evidence(analyst, source)
    first = claim.evidence.get()
    second = services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(source=source, quote="Russia voted again."))
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_save(claim=claim, user=reviewer, changes={"text": "Edited meanwhile."}, remove=[first])
    _set_row(data, first.pk, stance="refutes")
    _set_row(data, second.pk, note="Mine, on the second.")
    response = client.post(claim_url(claim), data)
    assert response.status_code == 200
    box = _box(response)
    assert "<dt>Evidence “Moscow later said” (Sample)</dt><dd>removed since you opened the page" in box
    again = form_data(response, "claim_form")
    rows = _evidence_rows(again)
    assert list(rows) == [str(second.pk)] and rows[str(second.pk)]["note"] == "Mine, on the second."
    html = response.content.decode()
    inline = html.split('id="evidence-group"')[1].split("</fieldset>")[0]
    assert "Russia voted again." in inline and "Moscow later said" not in inline
    saved = client.post(claim_url(claim), again)
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert claim.text == "Moscow later said the sanctions went too far."  # the page's text, knowingly
    assert [(e.pk, e.note) for e in claim.evidence.all()] == [(second.pk, "Mine, on the second.")]


@pytest.mark.parametrize("posted", [None, "", "zzz", "-1", "9" * 40, "1.0"])
def test_a_claim_page_that_does_not_say_its_version_is_not_saved_blindly(client_for, analyst, source, posted):
    """A save whose ``_revision`` is missing, empty or unreadable (a page from before the
    field, a script) is refused like a stale one, never let through: saving again, from the
    page shown, works."""
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_update(claim=claim, user=analyst, notes="Saved meanwhile.")
    data["text"] = "Typed on an old page."
    if posted is None:
        del data["_revision"]
    else:
        data["_revision"] = posted
    response = client.post(claim_url(claim), data)
    assert response.status_code == 200
    assert "did not say which version of the claim it was opened at" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.text, claim.notes) == ("Moscow later said the sanctions went too far.", "Saved meanwhile.")
    again = form_data(response, "claim_form")
    assert again["_revision"] == str(claim.version) and again["text"] == "Typed on an old page."
    assert client.post(claim_url(claim), again).status_code == 302
    assert Claim.objects.get(pk=claim.pk).text == "Typed on an old page."


@pytest.mark.parametrize("posted", [None, "", "x" * 100])
def test_source_and_entity_pages_that_do_not_say_their_revision_are_not_saved_blindly(
    client_for, analyst, analyst2, source, entity, posted,
):
    client = client_for(analyst)
    for obj, form_id, field in ((source, "source_form", "notes"), (entity, "entity_form", "name")):
        data = form_data(client.get(change_url(obj)), form_id)
        if posted is None:
            del data["_revision"]
        else:
            data["_revision"] = posted
        data[field] = "Typed on an old page."
        response = client.post(change_url(obj), data)
        assert response.status_code == 200, obj
        assert f"did not say which version of the {obj._meta.verbose_name} it was opened at" in response.content.decode()
        obj.refresh_from_db()
        assert getattr(obj, field) != "Typed on an old page."
        assert client.post(change_url(obj), form_data(response, form_id)).status_code == 302
        obj.refresh_from_db()
        assert getattr(obj, field) == "Typed on an old page."


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


@in_a_browser
def test_a_stale_claim_page_in_a_browser_names_the_evidence_changed_meanwhile(browser, live_server, analyst, reviewer, source):
    claim = draft_with_evidence(analyst, source)
    evidence = claim.evidence.get()
    removed = services.evidence_add(claim=claim, user=analyst, item=services.EvidenceInput(source=source, quote="Russia voted again."))
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(claim_url(claim))
    services.claim_save(
        claim=claim, user=reviewer, change=[(evidence, "refutes", "Read again: it says the opposite.")], remove=[removed],
    )
    page.fill("#id_notes", "My note.")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    box = page.inner_text(".cb-conflict")
    assert "Refutes; note: Read again: it says the opposite." in box
    assert "Evidence “Russia voted again.” (Sample)\nremoved since you opened the page" in box
    assert page.input_value("#id_notes") == "My note."
    assert "Russia voted again." not in page.inner_text("#evidence-group")
    screenshot(page, "claim_page_conflict_evidence", full_page=True)
    assert page.errors == []


def test_a_stale_page_naming_many_unknown_evidence_rows_costs_the_same_queries_as_one(client_for, analyst, reviewer, source):
    """Rows a page posted that are not saved now are named from their history in two
    queries, however many a (crafted) page posts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    loaded = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_update(claim=claim, user=reviewer, notes="Meanwhile.")

    def post_naming(unknown: int) -> int:
        data = dict(loaded)
        total = int(data["evidence-TOTAL_FORMS"])
        for index in range(unknown):
            data.update({f"evidence-{total + index}-id": str(10_000 + index), f"evidence-{total + index}-stance": "supports",
                         f"evidence-{total + index}-note": "", f"evidence-{total + index}-claim": str(claim.pk)})
        data["evidence-TOTAL_FORMS"] = data["evidence-INITIAL_FORMS"] = str(total + unknown)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(claim_url(claim), data)
        assert response.status_code == 200 and "#10000" in response.content.decode()
        return len(queries)

    assert post_naming(1) == post_naming(40)
