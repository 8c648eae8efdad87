"""Restoring an earlier version from the admin's history goes through the services: the
freeze and every other rule hold, and only those who may change the object can restore."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Evidence
from sources.models import Source, Span
from sources.services import source_update, span_create

from .helpers import draft_with_evidence, messages_of

pytestmark = pytest.mark.django_db


def revert_url(obj, version) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.history_id])


def first_version(obj):
    return obj.history.order_by("history_date", "history_id").first()


def test_restoring_a_draft_goes_through_claim_update(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source, text="First wording.")
    services.claim_update(claim=claim, user=analyst, text="Second wording.", confidence="low")
    response = client_for(analyst).post(revert_url(claim, first_version(claim)), {"_save": "Revert"}, follow=True)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.text, claim.confidence, claim.version) == ("First wording.", "high", 3)
    latest = claim.history.first()
    assert (latest.history_user, latest.history_change_reason) == (analyst, "Content edited")
    assert any("restored" in message for message in messages_of(response))


def test_restoring_a_published_claim_is_refused_by_the_freeze(client_for, analyst, reviewer, source):
    claim = draft_with_evidence(analyst, source, text="Original wording.")
    services.claim_update(claim=claim, user=analyst, text="Published wording.")
    claim = services.claim_transition(claim=claim, user=analyst, action="submit")
    claim = services.claim_transition(claim=claim, user=reviewer, action="approve", comment="One source suffices here.")
    response = client_for(reviewer).post(revert_url(claim, first_version(claim)), {"_save": "Revert"}, follow=True)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("Published wording.", "published")
    assert any("only in draft or changes requested" in message for message in messages_of(response))


def test_restoring_never_moves_the_status(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="changes_requested", reviewer=reviewer)
    client_for(analyst).post(revert_url(claim, first_version(claim)), {"_save": "Revert"})
    claim.refresh_from_db()
    assert claim.status == "changes_requested"


def test_a_view_only_user_cannot_post_a_revert(client_for, viewer, analyst, source):
    claim = draft_with_evidence(analyst, source, text="First wording.")
    services.claim_update(claim=claim, user=analyst, text="Second wording.")
    client = client_for(viewer)
    page = client.get(revert_url(claim, first_version(claim)))
    assert page.status_code == 200 and 'value="Revert"' not in page.content.decode()
    response = client.post(revert_url(claim, first_version(claim)), {"text": "First wording.", "_save": "Revert"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.text == "Second wording."


def test_a_view_only_user_cannot_revert_a_source_either(client_for, viewer, analyst, source):
    source_update(source=source, user=analyst, title="Renamed")
    response = client_for(viewer).post(revert_url(source, first_version(source)), {"title": "Sample", "_save": "Revert"})
    assert response.status_code == 403
    assert Source.objects.get(pk=source.pk).title == "Renamed"


def test_another_analyst_cannot_restore_someone_elses_claim(client_for, analyst, analyst2, source):
    claim = draft_with_evidence(analyst, source, text="First wording.")
    services.claim_update(claim=claim, user=analyst, text="Second wording.")
    response = client_for(analyst2).post(revert_url(claim, first_version(claim)), {"_save": "Revert"}, follow=True)
    assert Claim.objects.get(pk=claim.pk).text == "Second wording."
    assert any("author or a reviewer" in message for message in messages_of(response))


def test_restoring_a_source_text_reanchors_its_spans(client_for, analyst, source):
    span, _ = span_create(source=source, quote="Moscow later said")
    source_update(source=source, user=analyst, text="Preface.\n" + source.text)
    span.refresh_from_db()
    assert span.start > source.text.index("Moscow")  # moved by the edit
    client_for(analyst).post(revert_url(source, first_version(source)), {"_save": "Revert"})
    source.refresh_from_db()
    span.refresh_from_db()
    assert not source.text.startswith("Preface.")
    assert source.text[span.start : span.end] == "Moscow later said"


def test_restoring_evidence_goes_through_evidence_update(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    evidence = claim.evidence.get()
    services.evidence_update(evidence=evidence, user=analyst, stance="context", note="Only context.")
    client_for(analyst).post(revert_url(evidence, first_version(evidence)), {"_save": "Revert"})
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.note) == ("supports", "")
    assert Claim.objects.get(pk=claim.pk).version == 3  # the service bumped the claim


def test_spans_are_never_reverted(client_for, superuser, analyst, source):
    span, _ = span_create(source=source, quote="Moscow later said")
    source_update(source=source, user=analyst, text="Preface.\n" + source.text)
    response = client_for(superuser).post(revert_url(span, first_version(span)), {"_save": "Revert"}, follow=True)
    assert "A span is not restored from its history." in messages_of(response)
    span.refresh_from_db()
    assert Source.objects.get(pk=source.pk).text[span.start : span.end] == "Moscow later said"


def test_history_pages_open_for_every_model(client_for, reviewer, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(reviewer)
    for obj in (source, Span.objects.get(), claim, Evidence.objects.get()):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        assert client.get(url).status_code == 200
        assert client.get(revert_url(obj, first_version(obj))).status_code == 200


def test_no_revert_button_once_the_claim_is_frozen(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    page = client_for(analyst).get(revert_url(claim, first_version(claim)))
    assert page.status_code == 200 and 'value="Revert"' not in page.content.decode()
    draft = make_claim(analyst, text="Still a draft.")
    page = client_for(analyst).get(revert_url(draft, first_version(draft)))
    assert 'value="Revert"' in page.content.decode()


def test_a_history_admin_without_a_restoring_service_refuses_with_a_reason():
    from django.contrib import admin as django_admin

    from project.admin import ServiceHistoryAdmin
    from project.errors import NotAllowed

    bare = ServiceHistoryAdmin(Source, django_admin.site)
    with pytest.raises(NotAllowed) as refused:
        bare.restore_version(None, None, None)
    assert refused.value.code == "not_restorable"


def test_restoring_the_current_version_of_a_reviewed_source_writes_nothing(client_for, analyst, reviewer, make_claim, source):
    """An analyst's "Revert" to the version a source is at went around the reviewed-source
    guard (nothing changed, so nothing asked it) and still saved: a history row "Changed by
    analyst" and a public ``source.updated`` event. Now nothing changes, nothing is written."""
    from feed.models import Event

    make_claim(analyst, status="published", reviewer=reviewer)
    latest = source.history.order_by("-history_date", "-history_id").first()
    rows, events = source.history.count(), Event.objects.count()
    response = client_for(analyst).post(revert_url(source, latest), {"_save": "Revert"}, follow=True)
    assert response.status_code == 200
    assert (source.history.count(), Event.objects.count()) == (rows, events)
    assert any("Nothing to restore" in message for message in messages_of(response))
    assert not any("restored" in message for message in messages_of(response))


def test_restoring_an_older_version_of_a_reviewed_source_is_refused_for_an_analyst(client_for, analyst, reviewer, make_claim, source):
    source_update(source=source, user=analyst, notes="An analyst's note.")
    make_claim(analyst, status="published", reviewer=reviewer)
    response = client_for(analyst).post(revert_url(source, first_version(source)), {"_save": "Revert"}, follow=True)
    assert Source.objects.get(pk=source.pk).notes == "An analyst's note."
    assert any("only a reviewer may change it" in message for message in messages_of(response))


def test_an_update_that_changes_nothing_writes_no_history_and_no_event(analyst, source):
    from feed.models import Event

    rows, events = source.history.count(), Event.objects.count()
    assert source_update(source=source, user=analyst, title=source.title, text=source.text) == {}
    assert (source.history.count(), Event.objects.count()) == (rows, events)


def test_restoring_the_current_version_of_an_entity_says_there_is_nothing_to_restore(client_for, reviewer):
    from claims.models import Entity

    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    services.entity_update(entity=entity, user=reviewer, wikidata_id="Q159")
    latest = entity.history.order_by("-history_date", "-history_id").first()
    rows = entity.history.count()
    response = client_for(reviewer).post(revert_url(entity, latest), {"_save": "Revert"}, follow=True)
    assert entity.history.count() == rows
    assert any("Nothing to restore" in message for message in messages_of(response))
    # An older version is restored, through the service.
    response = client_for(reviewer).post(revert_url(entity, first_version(entity)), {"_save": "Revert"}, follow=True)
    assert Entity.objects.get(pk=entity.pk).wikidata_id == ""
    assert any("restored" in message for message in messages_of(response))


def test_restoring_a_source_text_that_orphans_cited_evidence_asks_first(client_for, analyst, source):
    """The version's page names the claims that would lose their evidence and offers
    "Restore anyway"; without it, nothing is restored (a revert orphaned a draft's evidence
    with an info message)."""
    source_update(source=source, user=analyst, text=source.text + "\nGamma words appear only later.")
    claim = draft_with_evidence(analyst, source, text="Gamma appears.", quote="Gamma words appear only later.")
    url = revert_url(source, first_version(source))
    client = client_for(analyst)
    page = client.get(url).content.decode()
    assert "no longer holds the words of 1 cited passage" in page and f"/admin/claims/claim/{claim.pk}/change/" in page
    assert 'name="orphans_confirmed"' in page
    refused = client.post(url, {"_save": "Revert"}, follow=True)
    assert any("Not restored" in message and "Restore anyway" in message for message in messages_of(refused))
    assert "Gamma words" in Source.objects.get(pk=source.pk).text
    client.post(url, {"_save": "Revert", "orphans_confirmed": "on"})
    assert "Gamma words" not in Source.objects.get(pk=source.pk).text
    assert Claim.objects.get(pk=claim.pk).needs_attention
