"""The changes feed: what each change records, who sees it, and the cursor."""

from __future__ import annotations

import pytest
from django.db import transaction

from claims import services
from feed.models import Event
from feed.sequencing import sequence_pending
from feed.views import ChangesView
from sources.services import source_update

from .conftest import feed_types, read_feed


def _last_seq(client) -> int:
    results = read_feed(client, limit=1000)["results"]
    return results[-1]["seq"] if results else 0


def test_publication_is_public_but_the_draft_work_before_it_is_not(client_for, make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)

    assert feed_types(client_for(None)) == [("source.created", None), ("claim.published", claim.pk)]
    assert [t for t in feed_types(client_for(reviewer)) if t[1] == claim.pk] == [
        ("claim.created", claim.pk),
        ("claim.status_changed", claim.pk),
        ("claim.published", claim.pk),
    ]


def test_draft_edits_are_seen_by_staff_only(client_for, make_claim, analyst):
    claim = make_claim(analyst)
    start = _last_seq(client_for(analyst))
    services.claim_update(claim=claim, user=analyst, text="Russia voted six times, twice in 2010.")

    staff = read_feed(client_for(analyst), after=start)["results"]
    assert [(e["type"], e["claim"], e["version"], e["status"]) for e in staff] == [
        ("claim.updated", claim.pk, 2, "draft")
    ]
    assert read_feed(client_for(None), after=0)["results"] == [
        e for e in read_feed(client_for(None))["results"] if e["type"] == "source.created"
    ]


def test_people_outside_the_roles_see_public_events_only(client_for, make_claim, analyst, outsider):
    make_claim(analyst)
    assert {e["type"] for e in read_feed(client_for(outsider))["results"]} == {"source.created"}


def test_a_deleted_source_is_a_public_event_by_any_path(client_for, analyst, superuser):
    from sources.services import source_create, source_delete

    for delete in (
        lambda source: source_delete(source=source, user=analyst),
        lambda source: client_for(analyst).delete(f"/api/v1/sources/{source.pk}/"),
        lambda source: source.delete(),
    ):
        source = source_create(user=analyst, title="Doomed", text=f"Text of a source to delete, {delete}.")
        start, pk = _last_seq(client_for(None)), source.pk
        delete(source)
        assert [(e["type"], e["source"]) for e in read_feed(client_for(None), after=start)["results"]] == [
            ("source.deleted", pk)
        ]


def test_retraction_is_public_with_the_retracted_version(client_for, make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    claim.refresh_from_db()
    public = [e for e in read_feed(client_for(None))["results"] if e["claim"] == claim.pk]
    assert [(e["type"], e["version"], e["status"]) for e in public] == [
        ("claim.published", claim.version - 1, "published"),
        ("claim.retracted", claim.version, "retracted"),
    ]


def test_a_public_claim_leaving_public_view_is_public(client_for, make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    start = _last_seq(client_for(None))
    services.claim_reopen(claim=claim, user=reviewer, comment="Wrong date; reworking it.")
    assert [(e["type"], e["status"]) for e in read_feed(client_for(None), after=start)["results"]] == [
        ("claim.status_changed", "draft")
    ]


def test_rejection_is_not_public(client_for, make_claim, analyst, reviewer):
    make_claim(analyst, status="rejected", reviewer=reviewer)
    assert {e["type"] for e in read_feed(client_for(None))["results"]} == {"source.created"}


def test_source_edit_is_an_event_and_reanchoring_updates_public_claims(client_for, make_claim, source, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    start = _last_seq(client_for(None))
    source_update(source=source, user=reviewer, text="Preface. " + source.text)
    claim.refresh_from_db()

    events = read_feed(client_for(None), after=start)["results"]
    assert {(e["type"], e["claim"], e["source"]) for e in events} == {
        ("claim.updated", claim.pk, None),
        ("source.updated", None, source.pk),
    }
    # One for the reviewed source's change, one for the evidence it moved; the last has
    # the version the claim shows.
    updates = [e["version"] for e in events if e["type"] == "claim.updated"]
    assert updates == sorted(updates) and updates[-1] == claim.version


def test_deleting_a_draft_is_recorded_for_staff(client_for, make_claim, analyst):
    claim = make_claim(analyst)
    services.claim_delete(claim=claim, user=analyst)
    assert feed_types(client_for(analyst))[-1] == ("claim.deleted", claim.pk)


def test_a_change_that_rolls_back_leaves_no_event(client_for, make_claim, analyst):
    claim = make_claim(analyst)
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.claim_update(claim=claim, user=analyst, text="Never kept.")
        raise RuntimeError("crash after the write")
    assert Event.objects.count() == before


def test_a_refused_transition_leaves_no_event(make_claim, analyst):
    claim = make_claim(analyst, status="in_review")
    before = Event.objects.count()
    with pytest.raises(Exception):
        services.claim_approve(claim=claim, user=analyst)  # four eyes
    assert Event.objects.count() == before


def test_unnumbered_events_are_hidden_until_numbered_in_insertion_order(db):
    first = Event.objects.create(type="claim.created", claim=1)
    second = Event.objects.create(type="claim.created", claim=2)
    assert not Event.objects.filter(seq__isnull=False).exists()
    assert sequence_pending() == 2
    first.refresh_from_db(), second.refresh_from_db()
    assert second.seq == first.seq + 1
    third = Event.objects.create(type="claim.created", claim=3)
    assert sequence_pending() == 1
    third.refresh_from_db()
    assert third.seq == second.seq + 1
    assert sequence_pending() == 0


def test_many_pending_events_are_numbered_batch_after_batch_in_insertion_order(db):
    from feed.sequencing import BATCH

    numbered_before = Event.objects.create(type="claim.created", claim=0)
    sequence_pending()
    numbered_before.refresh_from_db()
    Event.objects.bulk_create(Event(type="claim.created", claim=n) for n in range(2 * BATCH + 7))
    assert sequence_pending() == 2 * BATCH + 7
    seqs = list(Event.objects.exclude(pk=numbered_before.pk).order_by("id").values_list("seq", flat=True))
    assert seqs == list(range(numbered_before.seq + 1, numbered_before.seq + 1 + 2 * BATCH + 7))
    assert sequence_pending() == 0


def test_the_cursor_pages_without_gaps_or_repeats(client_for, superuser):
    Event.objects.bulk_create(Event(type="claim.updated", claim=n, public=True) for n in range(25))
    client = client_for(superuser)
    seen, after, pages = [], 0, 0
    while True:
        page = read_feed(client, after=after, limit=10)
        pages += 1
        seen += [event["claim"] for event in page["results"]]
        assert f"after={page['results'][-1]['seq'] if page['results'] else after}" in page["next"]
        after = page["results"][-1]["seq"] if page["results"] else after
        if not page["has_more"]:
            break
    assert seen == list(range(25)) and pages == 3
    assert read_feed(client, after=after)["results"] == []


def test_types_filter_keeps_only_those_types(client_for, make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    page = read_feed(client_for(None), types="claim.retracted")
    assert [(e["type"], e["claim"]) for e in page["results"]] == [("claim.retracted", claim.pk)]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"after": "-1"}, "after"),
        ({"after": "ten"}, "after"),
        ({"after": "1" * 40}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"types": "claim.exploded"}, "types"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client_for, db, params, field):
    response = client_for(None).get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_page_costs_the_same_queries_at_any_depth(client_for, superuser, django_assert_max_num_queries, monkeypatch):
    # The feed's own queries; the throttles' counts live in the cache (a constant few more).
    monkeypatch.setattr(ChangesView, "throttle_classes", [])
    Event.objects.bulk_create(Event(type="claim.updated", claim=n, public=True) for n in range(300))
    sequence_pending()
    client = client_for(superuser)
    with django_assert_max_num_queries(6):
        read_feed(client, after=0, limit=50)
    with django_assert_max_num_queries(6):
        read_feed(client, after=250, limit=50)


def test_the_feed_shows_every_event_committed_before_the_request(client_for, superuser):
    # Nobody numbered these: the reader does, before it reads.
    Event.objects.bulk_create(Event(type="claim.updated", claim=n, public=True) for n in range(3))
    assert [e["claim"] for e in read_feed(client_for(superuser))["results"]] == [0, 1, 2]


def test_relating_claims_is_an_update_of_both_public_only_between_public_claims(client_for, make_claim, analyst, reviewer):
    from claims.relation_services import relation_create, relation_delete

    published = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    other = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted for sanctions.")
    draft = make_claim(analyst, text="Russia never voted for sanctions.")
    start, public_start = _last_seq(client_for(reviewer)), _last_seq(client_for(None))
    relation = relation_create(from_claim=draft, to_claim=published, kind="contradicts", user=analyst)
    published.refresh_from_db()
    draft.refresh_from_db()

    staff = read_feed(client_for(reviewer), after=start)["results"]
    assert sorted((e["type"], e["claim"], e["version"]) for e in staff) == sorted([
        ("claim.updated", published.pk, published.version), ("claim.updated", draft.pk, draft.version),
    ])
    # Nothing the public sees changed: a relation to a draft is not shown to it.
    assert read_feed(client_for(None), after=public_start)["results"] == []

    start = _last_seq(client_for(reviewer))
    relation_delete(relation=relation, user=analyst)
    published.refresh_from_db()
    after_removal = read_feed(client_for(reviewer), after=start)["results"]
    assert (published.pk, published.version) in [(e["claim"], e["version"]) for e in after_removal]
    assert read_feed(client_for(None), after=public_start)["results"] == []

    # Between two public claims, the public sees both change, with the versions that show it.
    relation_create(from_claim=other, to_claim=published, kind="related", user=reviewer)
    published.refresh_from_db()
    other.refresh_from_db()
    assert sorted((e["claim"], e["version"]) for e in read_feed(client_for(None), after=public_start)["results"]) == sorted([
        (published.pk, published.version), (other.pk, other.version),
    ])


def test_anonymous_callers_see_public_events_numbered_without_gaps(client_for, make_claim, analyst, reviewer):
    """Staff's numbers have a gap for every hidden event: shown to anonymous callers, they
    would count the draft work between two publications, and date it."""
    first = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    for number in range(3):
        draft = make_claim(analyst, text=f"A draft, number {number}.")
        services.claim_update(claim=draft, user=analyst, text=f"A draft, edited {number}.")
    second = make_claim(analyst, status="published", reviewer=reviewer, text="Iran voted against.")

    page = read_feed(client_for(None))
    public = page["results"]
    assert [e["seq"] for e in public] == list(range(1, len(public) + 1))
    assert page["numbering"] == "public" and read_feed(client_for(reviewer))["numbering"] == "all"
    assert [e["claim"] for e in public if e["type"] == "claim.published"] == [first.pk, second.pk]
    staff = read_feed(client_for(reviewer))["results"]
    assert len(staff) > len(public) and staff[-1]["seq"] > public[-1]["seq"]
    # Paging by those numbers: after the first publication, exactly what followed it.
    after_first = next(e["seq"] for e in public if e["claim"] == first.pk)
    assert read_feed(client_for(None), after=after_first)["results"] == [e for e in public if e["seq"] > after_first]
