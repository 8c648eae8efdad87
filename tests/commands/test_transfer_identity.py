"""Export, then import into an empty database: the same sources, spans and claims, whatever
the batches, whichever sources share a text, whatever was filtered, every date and creator
kept (``claims.transfer``)."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.db import transaction

from claims import services
from claims.models import Claim, ClaimContributor, ClaimRelation, Evidence
from claims.relation_services import relation_create
from claims.transfer import ImportRefused, export_claims, import_claims
from sources.models import Source, Span
from sources.services import source_create, span_create

from ..support import SAMPLE_TEXT, STATUS_PATHS
from .test_round_trip_property import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {name: _user(name, group) for name, group in
            (("analyst", "Analysts"), ("editor", "Reviewers"), ("decider", "Reviewers"))}


def _claim(people, text: str, *, status: str = "published", evidence=None, supersedes=None, source=None) -> Claim:
    items = evidence or [services.EvidenceInput(source=source, quote="Russia voted six times", stance="supports")]
    claim = services.claim_create(author=people["analyst"], text=text, verdict="supported", confidence="high",
                                  evidence=items, supersedes=supersedes)
    for action in STATUS_PATHS[status]:
        actor = people["analyst"] if action == "submit" else people["decider"]
        claim = services.claim_transition(claim=claim, user=actor, action=action, comment=f"{action}.")
    return claim


def _export(**options) -> bytes:
    out = io.BytesIO()
    export_claims(out, with_sources=True, **options)
    return out.getvalue()


def _round_trip(tmp_path, build, *, batch_size: int = 1000, **options) -> tuple[bytes, bytes]:
    """Build and export in a transaction rolled back (the database keeps only the users),
    import the file, export again; both exports."""
    with transaction.atomic():
        build()
        first = _export(**options)
        transaction.set_rollback(True)
    path = tmp_path / "export.jsonl"
    path.write_bytes(first)
    import_claims(str(path), batch_size=batch_size)
    return first, _export(**options)


def test_claims_citing_one_span_in_different_batches_load_with_its_source(people, tmp_path):
    def build():
        source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
        first = _claim(people, "Russia voted six times.", source=source)
        span = first.evidence.get().span
        _claim(people, "Russia voted six times, again.", evidence=[services.EvidenceInput(span=span, stance="supports")])

    first, second = _round_trip(tmp_path, build, batch_size=1)
    assert second.splitlines() == first.splitlines()
    assert Span.objects.count() == 1 and Evidence.objects.count() == 2


def test_two_sources_with_the_same_text_stay_two_sources_each_cited_by_its_claims(people, tmp_path):
    def build():
        one = source_create(user=people["analyst"], title="One", text=SAMPLE_TEXT, url="https://one.example/a",
                            publisher="One", reliability="B")
        other = source_create(user=people["analyst"], title="Other", text=SAMPLE_TEXT, url="https://other.example/a",
                              publisher="Other", reliability="E")
        _claim(people, "Cites the first.", source=one)
        _claim(people, "Cites the second.", source=other)

    first, second = _round_trip(tmp_path, build)
    assert second.splitlines() == first.splitlines()
    assert list(Source.objects.order_by("id").values_list("title", "url", "publisher", "reliability")) == [
        ("One", "https://one.example/a", "One", "B"), ("Other", "https://other.example/a", "Other", "E")]
    cited = dict(Claim.objects.values_list("text", "evidence__span__source__title"))
    assert cited == {"Cites the first.": "One", "Cites the second.": "Other"}


def test_a_source_line_without_a_uid_is_still_known_by_its_text(people, tmp_path):
    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
    path = tmp_path / "sources.jsonl"
    path.write_text(json.dumps({"type": "source", "title": "Again", "text": SAMPLE_TEXT}) + "\n")
    report = import_claims(str(path))
    assert (report.sources_created, report.sources_existing) == (0, 1)
    assert list(Source.objects.values_list("pk", flat=True)) == [source.pk]


def test_evidence_naming_a_source_uid_and_another_texts_hash_is_a_line_error(people, tmp_path):
    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
    line = {"author": "analyst", "text": "A draft.", "evidence": [
        {"source_uid": str(source.uid), "source_sha256": "0" * 64, "quote": "Russia voted six times"}]}
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert f"line 1: evidence[0]: source_sha256 {'0' * 64} is not the hash of the text of source {source.uid}" in str(
        refused.value.errors[0])


def test_one_source_uid_on_two_lines_is_a_line_error(people, tmp_path):
    uid = str(uuid.uuid4())
    path = tmp_path / "sources.jsonl"
    path.write_text("".join(json.dumps({"type": "source", "uid": uid, "title": "T", "text": text}) + "\n"
                            for text in ("One text.", "Another text.")))
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert [str(error) for error in refused.value.errors] == [
        f"line 2: uid {uid} is also the uid of the source on line 1: a file holds each source once"]
    assert not Source.objects.exists()


def test_dates_creators_and_uncited_spans_survive_the_round_trip(people, tmp_path):
    def build():
        source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
        span_create(source=source, user=people["editor"], quote="Moscow later said")  # cited by nobody
        claim = _claim(people, "Russia voted six times.", source=source, status="draft")
        services.claim_update(claim=claim, user=people["editor"], text="Russia voted six times, twice.")
        other = _claim(people, "Another.", source=source, status="published")
        relation_create(from_claim=claim, to_claim=other, kind="related", user=people["decider"])
        # Time passes between the rows: a round trip that re-dated them would show.
        Source.objects.update(created_at="2020-01-01T00:00:00Z", updated_at="2020-01-02T00:00:00Z")
        Span.objects.update(created_at="2020-01-03T00:00:00Z", updated_at="2020-01-04T00:00:00Z")
        Evidence.objects.update(created_at="2020-01-05T00:00:00Z")
        ClaimContributor.objects.filter(user=people["editor"]).update(first_contributed_at="2020-01-06T00:00:00Z")

    first, second = _round_trip(tmp_path, build)
    assert second.splitlines() == first.splitlines()
    source = Source.objects.get()
    assert (source.created_by.username, source.created_at.isoformat(), source.updated_at.isoformat()) == (
        "analyst", "2020-01-01T00:00:00+00:00", "2020-01-02T00:00:00+00:00")
    uncited = Span.objects.get(quote="Moscow later said")
    assert (uncited.created_by.username, uncited.created_at.isoformat(), uncited.updated_at.isoformat()) == (
        "editor", "2020-01-03T00:00:00+00:00", "2020-01-04T00:00:00+00:00")
    assert {e.created_at.isoformat() for e in Evidence.objects.all()} == {"2020-01-05T00:00:00+00:00"}
    assert ClaimContributor.objects.get(user=people["editor"]).first_contributed_at.isoformat() == "2020-01-06T00:00:00+00:00"
    assert source.history.get().history_user.username == "analyst"
    assert ClaimRelation.objects.get().history.get().history_user.username == "decider"


def test_a_file_from_before_the_new_keys_still_imports(people, tmp_path):
    def build():
        source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
        _claim(people, "Russia voted six times.", source=source)

    with transaction.atomic():
        build()
        exported = _export()
        transaction.set_rollback(True)
    new_keys = {"created_by", "created_at", "updated_at", "contributed_at"}
    evidence_keys = {"source_uid", "created_at", "span_created_by", "span_created_at", "span_updated_at"}
    old = []
    for raw in exported.splitlines():
        line = json.loads(raw)
        if line.get("type") == "span":
            continue
        if line.get("type") == "source":
            line = {key: value for key, value in line.items() if key not in new_keys}
        elif line.get("type", "claim") == "claim":
            line.pop("contributed_at")
            line["evidence"] = [{k: v for k, v in item.items() if k not in evidence_keys} for item in line["evidence"]]
        old.append(json.dumps(line))
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(old) + "\n")
    assert import_claims(str(path)).claims_created == 1


def test_an_export_filtered_by_status_loads_into_an_empty_database(people, tmp_path):
    def build():
        source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
        old = _claim(people, "The first version.", source=source)
        _claim(people, "The correction.", source=source, supersedes=old)  # retracts the first version
        _claim(people, "A draft left out.", source=source, status="draft")

    first, second = _round_trip(tmp_path, build, status=["published"])
    assert second.splitlines() == first.splitlines()
    assert dict(Claim.objects.values_list("text", "status")) == {
        "The first version.": "retracted", "The correction.": "published"}
    assert Claim.objects.get(text="The correction.").supersedes.text == "The first version."


@pytest.mark.parametrize("fields, message", [
    ({"created_by": "nobody"}, "created_by 'nobody' is not a user"),
    ({"created_at": "yesterday"}, "created_at must be an ISO 8601 date and time, not 'yesterday'"),
    ({"updated_at": "2020-01-01T00:00:00"}, "updated_at '2020-01-01T00:00:00' has no UTC offset"),
    ({"source_uid": None}, "name the source by source_uid or source_sha256"),
    ({"quote": None, "start": 0, "end": 6}, "uid {uid} names another passage on line 1"),
], ids=["created_by", "created_at", "updated_at", "source", "uid"])
def test_a_span_lines_errors_name_its_fields_as_a_span_line_spells_them(people, tmp_path, fields, message):
    """Not as evidence spells them (``span_created_by``, ``source_url``...): a span line has
    no such fields."""
    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
    uid = str(uuid.uuid4())
    span = {"type": "span", "uid": uid, "source_uid": str(source.uid), "quote": "Moscow later said"}
    lines = [span, {**span, **fields}]
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    [error] = refused.value.errors
    assert str(error).startswith(f"line 2: {message.format(uid=uid)}"), error
    assert not Span.objects.exists()




def _uid_whose_hash_collides(uid: uuid.UUID, start: int, end: int, other_start: int, other_end: int) -> uuid.UUID | None:
    """A source uid ``u`` such that Python's ``hash((u, other_start, other_end, ...))``
    equals ``hash((uid, start, end, ...))`` when what follows is the same: a uid and offsets
    hash as plain numbers, unkeyed, so CPython's tuple hash (xxHash-like lanes) can be run
    backwards. None when the number found is not a hash an int can have."""
    modulus, p1, p2, p5 = 2**64, 11400714785074694791, 14029467366897019727, 2870177450012600261

    def rotl(x):
        return ((x << 31) | (x >> 33)) % modulus

    def rotr(x):
        return ((x >> 31) | (x << 33)) % modulus

    def step(acc, lane):
        return rotl((acc + lane * p2) % modulus) * p1 % modulus

    def unstep(acc, lane):
        return (rotr(acc * pow(p1, -1, modulus) % modulus) - lane * p2) % modulus

    target = p5
    for lane in (hash(uid) % modulus, start, end):
        target = step(target, lane)
    first = unstep(unstep(target, other_end), other_start)
    value = (rotr(first * pow(p1, -1, modulus) % modulus) - p5) * pow(p2, -1, modulus) % modulus
    return uuid.UUID(int=value) if value < 2**61 - 1 else None


def test_a_span_uid_naming_the_same_words_in_two_sources_is_a_line_error_even_when_their_hashes_agree(
    people, tmp_path
):
    # The passages a span uid names are compared by a keyed digest: a file cannot choose a
    # source uid whose passage hashes (Python's hash) as another source's does.
    quote, span_uid = "Russia voted six times", str(uuid.uuid4())
    first_uid = uuid.UUID("11111111-1111-4111-8111-111111111111")
    second_start, second_uid = next(
        (start, found) for start in range(1000)
        if (found := _uid_whose_hash_collides(first_uid, 100, 100 + len(quote), start, start + len(quote)))
    )
    passages = [(first_uid, 100), (second_uid, second_start)]
    assert len({hash((uid, start, start + len(quote), "anchored", quote)) for uid, start in passages}) == 1
    lines = []
    for number, (source_uid, start) in enumerate(passages):
        lines.append({"type": "source", "uid": str(source_uid), "title": f"S{number}",
                      "text": "xy"[number] * start + quote + " ."})
        lines.append({"type": "claim", "author": "analyst", "text": f"Claim {number}.", "status": "draft",
                      "verdict": "supported", "evidence": [{"span_uid": span_uid, "source_uid": str(source_uid),
                                                             "start": start, "end": start + len(quote)}]})
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert f"span_uid {span_uid} names another passage on line 2" in str(refused.value.errors[0])


def _claim_naming_span(span_uid: str, source: Source, start: int, end: int, **fields) -> dict:
    return {"type": "claim", "author": "analyst", "text": "Cites a stored span by its uid.", "status": "draft",
            "verdict": "supported", **fields,
            "evidence": [{"span_uid": span_uid, "source_uid": str(source.uid), "start": start, "end": end,
                          "quote": source.text[start:end]}]}


def _import_lines(tmp_path, *lines: dict):
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return import_claims(str(path))


def test_evidence_naming_a_stored_span_by_uid_with_other_words_or_another_source_is_a_line_error(people, tmp_path):
    """A span of the database is the passage it holds: a line that names its uid with other
    words, or in another source, would cite what the database does not show."""
    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
    other = source_create(user=people["analyst"], title="Other", text="Russia voted six times, said another.")
    span, _ = span_create(source=source, quote="Russia voted six times")
    elsewhere = SAMPLE_TEXT.index("sanctions") if "sanctions" in SAMPLE_TEXT else 0
    for line, expected in (
        (_claim_naming_span(str(span.uid), source, elsewhere, elsewhere + 9), "is a span of this database that quotes"),
        (_claim_naming_span(str(span.uid), other, 0, len("Russia voted six times")), "of another source"),
    ):
        with pytest.raises(ImportRefused) as refused:
            _import_lines(tmp_path, line)
        assert f"evidence[0]: span_uid {span.uid} is a span of this database" in str(refused.value.errors[0])
        assert expected in str(refused.value.errors[0])
    assert Claim.objects.count() == 0


def test_evidence_naming_a_stored_span_by_uid_cites_it_as_stored_and_flags_it_when_orphaned(people, tmp_path):
    """A line naming a span of the database by its uid, with its words: the claim cites the
    span as stored. Its words moved since (the line gives them by quote): the span where
    they are now. Its words left the source (the line gives the span as an export made since
    does: orphaned, with its old words), and the line naming it as anchored, with words of
    the text that are not the span's, is refused: the claim would show other words."""
    from sources.services import source_update

    source = source_create(user=people["analyst"], title="Sample", text=SAMPLE_TEXT)
    quote = "Russia voted six times"
    span, _ = span_create(source=source, quote=quote)
    source_update(source=source, user=people["analyst"], text="A new first line.\n" + SAMPLE_TEXT)
    span.refresh_from_db()
    assert span.anchor_state == Span.AnchorState.RELOCATED
    by_quote = {"type": "claim", "uid": str(uuid.uuid4()), "author": "analyst", "text": "Cites it by its words.",
                "status": "draft", "verdict": "supported",
                "evidence": [{"span_uid": str(span.uid), "source_uid": str(source.uid), "quote": quote}]}
    assert _import_lines(tmp_path, by_quote).claims_created == 1
    claim = Claim.objects.get()
    assert claim.evidence.get().span_id == span.pk and not claim.needs_attention

    source_update(source=source, user=people["analyst"], text=source.text.replace(quote, "Moscow abstained"))
    span.refresh_from_db()
    assert span.anchor_state == Span.AnchorState.ORPHANED
    as_exported = dict(by_quote, uid=str(uuid.uuid4()), text="Cites it once its words are gone.", evidence=[{
        "span_uid": str(span.uid), "source_uid": str(source.uid), "start": span.start, "end": span.end,
        "quote": quote, "anchor_state": "orphaned",
    }])
    _import_lines(tmp_path, as_exported)
    flagged = Claim.objects.get(text="Cites it once its words are gone.")
    assert flagged.evidence.get().span_id == span.pk and flagged.needs_attention

    other_words = dict(by_quote, uid=str(uuid.uuid4()), text="Cites other words.", evidence=[{
        "span_uid": str(span.uid), "source_uid": str(source.uid), "quote": "Moscow abstained",
    }])
    with pytest.raises(ImportRefused) as refused:
        _import_lines(tmp_path, other_words)
    assert f"span_uid {span.uid} is a span of this database that quotes {quote!r}" in str(refused.value.errors[0])


def test_one_claim_citing_the_same_words_in_two_sources_with_the_same_text_round_trips(people, tmp_path):
    """Two sources with the same text are two sources: the same words in each are two
    passages, which one claim may cite (the API accepts it); the export loads."""
    def build():
        one = source_create(user=people["analyst"], title="One", text=SAMPLE_TEXT)
        other = source_create(user=people["analyst"], title="Other", text=SAMPLE_TEXT)
        _claim(people, "Cites both.", evidence=[
            services.EvidenceInput(source=one, quote="Russia voted six times", stance="supports"),
            services.EvidenceInput(source=other, quote="Russia voted six times", stance="supports"),
        ])

    first, second = _round_trip(tmp_path, build)
    assert second.splitlines() == first.splitlines()
    assert Evidence.objects.count() == 2 and Span.objects.count() == 2
