"""Export, import into an empty database, export again: the same lines, every field.

Hypothesis draws small corpora through the services (claims in every state, by several
people, with the same author and text twice, corrections, entities, edits by a second
person, orphaned and relocated spans, relations between the claims, a source with its
original file); each example runs in transactions that are rolled
back, so the import starts from a database holding only the users.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import services
from claims.models import Claim, Entity
from claims.relation_services import relation_create
from claims.transfer import export_claims, import_claims
from project.errors import Conflict
from sources.ingestion import source_create_from_file
from sources.models import Span
from sources.services import source_create, source_update

from ..support import SAMPLE_TEXT, STATUS_PATHS

pytestmark = pytest.mark.django_db

STANCES_FOR = {
    "supported": [("Russia voted six times", "supports")],
    "refuted": [("Russia voted six times", "refutes")],
    "disputed": [("Russia voted six times", "supports"), ("the sanctions went too far", "refutes")],
    "unverifiable": [("Russia voted six times", "context")],
}
NOTES = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)

claims_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "author": st.sampled_from(["analyst", "reviewer"]),
            "text": st.sampled_from(["Same words twice.", "Curly “quotes” and 🙂.", "Another claim."]),
            "verdict": st.sampled_from(sorted(STANCES_FOR)),
            "confidence": st.sampled_from(["low", "moderate", "high"]),
            "context": st.booleans(),
            "entities": st.sets(st.sampled_from(["iran", "russia"])),
            "period": st.booleans(),
            "notes": NOTES,
            "status": st.sampled_from(sorted(STATUS_PATHS)),
            "edited_by_another": st.booleans(),
            "supersedes": st.none() | st.integers(min_value=0, max_value=3),
        }
    ),
    min_size=1,
    max_size=4,
)


def _user(username: str, group: str) -> User:
    user = User.objects.create(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people(db):
    return {
        "analyst": _user("analyst", "Analysts"),
        "reviewer": _user("reviewer", "Reviewers"),
        "editor": _user("editor", "Reviewers"),
        "decider": _user("decider", "Reviewers"),
    }


relations_strategy = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(["duplicate_of", "contradicts", "related"]), NOTES),
    max_size=3,
)


def _build(people, drawn, orphan: str | None, relations=(), original: bool = False) -> None:
    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT, url="https://example.org/a")
    if original:
        source_create_from_file(user=people["analyst"], stream=io.BytesIO(b"An original file.\n"), filename="original.txt")
    entities = {slug: Entity.objects.create(name=slug.title(), slug=slug, kind="country") for slug in ("iran", "russia")}
    made: list[Claim] = []
    for spec in drawn:
        author = people[spec["author"]]
        items = [services.EvidenceInput(source=source, quote=quote, stance=stance) for quote, stance in STANCES_FOR[spec["verdict"]]]
        if spec["context"]:
            items.append(services.EvidenceInput(source=source, quote="Moscow later said", stance="context"))
        supersedes = made[spec["supersedes"]] if spec["supersedes"] is not None and spec["supersedes"] < len(made) else None
        claim = services.claim_create(
            author=author,
            text=spec["text"],
            verdict=spec["verdict"],
            confidence=spec["confidence"],
            entities=[entities[slug] for slug in sorted(spec["entities"])],
            period_start="2006-06-01" if spec["period"] else None,
            period_end="2010-06-30" if spec["period"] else None,
            notes=spec["notes"],
            supersedes=supersedes,
            evidence=items,
        )
        if spec["edited_by_another"]:
            services.claim_update(claim=claim, user=people["editor"], text=spec["text"] + " (edited)")
        for action in STATUS_PATHS[spec["status"]]:
            actor = author if action == "submit" else people["decider"]
            claim = services.claim_transition(claim=claim, user=actor, action=action, comment=f"{action}.")
        made.append(claim)
    for first, second, kind, note in relations:
        if first < len(made) and second < len(made) and first != second:
            try:
                relation_create(from_claim=made[first], to_claim=made[second], kind=kind, user=people["decider"], note=note)
            except Conflict:
                pass  # the pair already has this relation
    if orphan == "replaced":
        # The words of one span leave the source, the others move: orphaned and relocated.
        text = "A new first line.\n" + source.text.replace("Moscow later said", "Moscow then said")
        source_update(source=source, user=people["decider"], text=text)
    elif orphan == "cut":
        # The text cut short before a span: orphaned, its old offsets now past the text's end.
        source_update(source=source, user=people["decider"], text=source.text[: source.text.index("Moscow later said") - 1])


def _export() -> bytes:
    out = io.BytesIO()
    export_claims(out, with_sources=True, with_originals=True)
    return out.getvalue()


def _imported_again(folder, exported: bytes):
    """(the report, the export again) of ``exported`` imported into the database as it is,
    rolled back after."""
    path = folder / "export.jsonl"
    path.write_bytes(exported)
    with transaction.atomic():
        report = import_claims(str(path))
        again = _export()
        transaction.set_rollback(True)
    return report, again


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=claims_strategy, orphan=st.sampled_from([None, "replaced", "cut"]), relations=relations_strategy, original=st.booleans())
def test_export_import_export_gives_identical_lines(people, tmp_path_factory, drawn, orphan, relations, original):
    with transaction.atomic():
        _build(people, drawn, orphan, relations, original)
        first = _export()
        transaction.set_rollback(True)
    path = tmp_path_factory.mktemp("round-trip") / "export.jsonl"
    path.write_bytes(first)
    with transaction.atomic():
        report = import_claims(str(path))
        second = _export()
        transaction.set_rollback(True)
    assert report.claims_created == len(drawn)
    assert second.splitlines() == first.splitlines()
    # Every field the format defines is there to compare (not silently left out).
    claim_line = json.loads([line for line in first.splitlines() if b'"author"' in line][0])
    assert {"uid", "supersedes", "contributors", "version", "updated_at", "reviews"} <= set(claim_line)


def test_a_span_orphaned_past_the_end_of_a_text_cut_short_goes_out_and_comes_back(people, tmp_path):
    """Its offsets are the old text's: past the end of the text as it is now. The import
    took them for a mistake and refused the whole file."""
    spec = {"author": "analyst", "text": "Another claim.", "verdict": "disputed", "confidence": "low", "context": True,
            "entities": set(), "period": False, "notes": "", "status": "draft", "edited_by_another": False, "supersedes": None}
    with transaction.atomic():
        _build(people, [spec], "cut")
        orphaned = Span.objects.get(quote="Moscow later said")
        assert orphaned.anchor_state == "orphaned" and orphaned.end > orphaned.source.text_length
        first = _export()
        transaction.set_rollback(True)
    report, second = _imported_again(tmp_path, first)
    assert report.claims_created == 1
    assert second.splitlines() == first.splitlines()


def test_an_offset_the_database_cannot_hold_is_refused_not_wrapped(people, tmp_path):
    """Rows go in by binary COPY on PostgreSQL, which would store 2**32 + 5000 as 5000."""
    from django.core.management import CommandError, call_command

    spec = {"author": "analyst", "text": "Another claim.", "verdict": "disputed", "confidence": "low", "context": True,
            "entities": set(), "period": False, "notes": "", "status": "draft", "edited_by_another": False, "supersedes": None}
    with transaction.atomic():
        _build(people, [spec], "cut")
        lines = _export().decode().splitlines()
        transaction.set_rollback(True)
    edited = []
    for line in lines:
        record = json.loads(line)
        for item in record.get("evidence") or ():
            if item.get("anchor_state") == "orphaned":
                item["end"] = 2**32 + 5000
        if record.get("type") == "span" and record.get("anchor_state") == "orphaned":
            record["end"] = 2**32 + 5000
        edited.append(json.dumps(record, ensure_ascii=False))
    assert edited != lines
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(edited) + "\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stdout=out, stderr=out)
    assert f"end {2**32 + 5000} is out of range: 0 to 2,147,483,647" in out.getvalue()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("how", ["edits the claim sent back", "edits a source it cites"])
def test_a_reviewer_who_contributed_after_deciding_goes_out_and_comes_back(people, tmp_path, how):
    """A reviewer who requested changes may change the claim then, or a source it cites:
    that contribution binds the decisions after it, not the one before. The import read any
    contribution as made before every decision, and refused such an export."""
    spec = {"author": "analyst", "text": "Russia voted six times.", "verdict": "supported", "confidence": "moderate",
            "context": False, "entities": set(), "period": False, "notes": "", "status": "changes_requested",
            "edited_by_another": False, "supersedes": None}
    with transaction.atomic():
        _build(people, [spec], None)
        claim = Claim.objects.get()
        if how == "edits the claim sent back":
            services.claim_update(claim=claim, user=people["decider"], text="Russia voted for sanctions six times.")
        else:
            source = claim.evidence.get().span.source
            source_update(source=source, user=people["decider"], title="Renamed by the reviewer who sent it back")
        services.claim_submit(claim=claim, user=people["analyst"])
        services.claim_approve(claim=claim, user=people["reviewer"], comment="Checked.")
        claim.refresh_from_db()
        assert "decider" in services.contributors(claim)
        first = _export()
        transaction.set_rollback(True)
    report, second = _imported_again(tmp_path, first)
    assert report.claims_created == 1
    assert second.splitlines() == first.splitlines()
