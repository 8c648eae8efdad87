"""Source and entity pages loaded before someone else's edit never overwrite it: the save
is refused, the form comes back with what was typed and the saved values beside it, as on
the claim page; saving again, knowingly, replaces them. The services check the revision
the page was loaded at under the row's lock, so an edit that races in is refused too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Entity
from project.errors import StaleVersion
from sources.models import Source, Span
from sources.services import source_revision, source_update

from .helpers import draft_with_evidence, form_data, messages_of

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
    services.entity_update(entity=entity, user=reviewer, wikidata_id="Q159")
    data["name"] = "Russian Federation"
    response = client.post(change_url(entity), data)
    entity.refresh_from_db()
    assert (entity.name, entity.wikidata_id) == ("Russia", "Q159")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone saved this entity after you opened it" in html
    assert "Russian Federation" in html and "Q159" in html.split('class="cb-conflict"')[1]
    # Saving again from the page shown replaces the saved version, knowingly.
    assert client.post(change_url(entity), form_data(response, "entity_form")).status_code == 302
    entity.refresh_from_db()
    assert (entity.name, entity.wikidata_id) == ("Russian Federation", "")


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
