"""``import_claims`` and ``export_claims``: round trip, idempotence, line numbers, all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Entity, Evidence, Review
from sources.models import Source, Span

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def corpus(analyst, reviewer, source, make_claim):
    Entity.objects.create(name="Russia", slug="russia", kind="country")
    Entity.objects.create(name="Iran", slug="iran", kind="country")
    published = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    Claim.entities.through.objects.create(claim_id=published.pk, entity=Entity.objects.get(slug="iran"))
    make_claim(analyst, status="retracted", reviewer=reviewer, text="A retracted claim.", quote="Moscow later said")
    make_claim(analyst, text="A draft with “curly quotes” and an emoji 🙂.", quote="an emoji 🙂 sits")
    return published


def _export(*args) -> bytes:
    out = io.StringIO()
    path = "/tmp/claimbase-test-export.jsonl"
    call_command("export_claims", "--output", path, "--no-progress", *args, stderr=out)
    with open(path, "rb") as handle:
        return handle.read()


def _import(tmp_path, content: bytes | str, *args) -> str:
    path = tmp_path / "claims.jsonl"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = io.StringIO()
    call_command("import_claims", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> list:
    """Everything a claim carries that survives a round trip, by natural keys."""
    rows = []
    for claim in Claim.objects.order_by("id"):
        rows.append((
            claim.author.username, claim.text, claim.status, claim.verdict, claim.confidence,
            claim.reviewer.username if claim.reviewer else None, claim.created_at, claim.published_at,
            sorted(claim.entities.values_list("slug", flat=True)),
            [(e.span.source.text_sha256, e.span.start, e.span.end, e.span.quote, e.stance)
             for e in claim.evidence.select_related("span__source").order_by("id")],
            list(claim.reviews.order_by("created_at", "id").values_list("actor__username", "action", "from_status", "to_status", "comment", "created_at")),
        ))
    return rows


def test_export_then_import_into_an_empty_database_round_trips(corpus, tmp_path):
    exported = _export("--with-sources")
    before = _snapshot()
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [line.get("type", "claim") for line in lines].count("claim") == 3
    # Empty the content (users stay), then load the export back.
    Review.objects.all()._raw_delete(Review.objects.db)
    Evidence.objects.all().delete()
    Claim.entities.through.objects.all().delete()
    Claim.objects.all().delete()
    Span.objects.all().delete()
    Source.objects.all().delete()
    Entity.objects.all().delete()
    output = _import(tmp_path, exported)
    assert "3 claims imported" in output
    assert _snapshot() == before
    assert Claim.history.filter(history_change_reason="Imported").count() == 3


def test_second_import_of_the_same_file_changes_nothing(corpus, tmp_path):
    exported = _export("--with-sources")
    counts = (Claim.objects.count(), Evidence.objects.count(), Span.objects.count(), Review.objects.count(), Source.objects.count())
    output = _import(tmp_path, exported)
    assert "0 claims imported (3 already present)" in output
    assert (Claim.objects.count(), Evidence.objects.count(), Span.objects.count(), Review.objects.count(), Source.objects.count()) == counts


def test_import_finds_spans_by_quote_and_reuses_existing_spans(corpus, source, tmp_path):
    spans = Span.objects.count()
    line = {
        "author": "analyst", "text": "Moscow said the sanctions went too far.",
        "evidence": [
            {"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports"},
            {"source_url": None, "source_sha256": source.text_sha256, "quote": "went too far"},
        ],
    }
    assert "1 claims imported" in _import(tmp_path, json.dumps(line))
    claim = Claim.objects.get(text=line["text"])
    assert claim.status == "draft"
    quotes = [e.span.quote for e in claim.evidence.order_by("id")]
    assert quotes == ["Russia voted six times", "went too far"]
    assert Span.objects.count() == spans + 1  # "Russia voted six times" was already a span


def test_invalid_lines_are_reported_with_their_numbers_and_nothing_is_imported(corpus, source, tmp_path):
    good = {"author": "analyst", "text": "A good claim.", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "text": "Unknown author.", "author": "nobody"}),
        "",
        json.dumps({**good, "text": "Quote mismatch.", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6, "quote": "Moscow"}]}),
        json.dumps({**good, "text": "Published without reviewer.", "status": "published", "verdict": "supported", "confidence": "high"}),
        json.dumps({**good, "text": "x" * 501}),
        json.dumps({**good, "text": "Four eyes.", "author": "reviewer", "status": "published", "verdict": "supported", "confidence": "high", "reviewer": "reviewer"}),
        json.dumps({**good, "text": "Ambiguous quote.", "evidence": [{"source_sha256": source.text_sha256, "quote": "Russia voted"}]}),
        json.dumps({**good, "text": "Unknown entity.", "entities": ["atlantis"]}),
    ]
    claims = Claim.objects.count()
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="8 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=errors)
    reported = errors.getvalue()
    for number, words in [(2, "not valid JSON"), (3, "not a user"), (5, "quote"), (6, "reviewer"),
                          (7, "longer than 500"), (8, "four-eyes"), (9, "occurs 2 times"), (10, "atlantis")]:
        assert f"line {number}: " in reported and words in reported.split(f"line {number}: ")[1].splitlines()[0], (number, reported)
    assert "line 1:" not in reported and "line 4:" not in reported
    assert Claim.objects.count() == claims  # not even the good first line


def test_no_claim_is_left_without_its_evidence_when_a_batch_fails(corpus, source, tmp_path, monkeypatch):
    from claims import transfer

    lines = [
        json.dumps({"author": "analyst", "text": f"Claim {number}.",
                    "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
        for number in range(5)
    ]
    original = transfer.RowWriter.insert
    calls = {"n": 0}

    def failing_insert(self, model, columns, rows):
        # Fail on the second batch, after its claims' spans were written.
        if model is Evidence:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
        return original(self, model, columns, rows)

    monkeypatch.setattr(transfer.RowWriter, "insert", failing_insert)
    claims = Claim.objects.count()
    with pytest.raises(RuntimeError):
        _import(tmp_path, "\n".join(lines), "--batch-size", "2")
    # The first batch (2 claims) is in, whole; the second rolled back, whole.
    assert Claim.objects.count() == claims + 2
    assert not Claim.objects.filter(evidence__isnull=True).exclude(status="draft").exists()
    for claim in Claim.objects.filter(text__startswith="Claim "):
        assert claim.evidence.count() == 1
    monkeypatch.setattr(transfer.RowWriter, "insert", original)
    # Run again: it completes what was missing, nothing twice.
    assert "3 claims imported (2 already present)" in _import(tmp_path, "\n".join(lines), "--batch-size", "2")


def test_imported_claims_are_found_by_full_text_search(corpus, source, tmp_path):
    from claims.search import search_claims

    line = {"author": "analyst", "text": "Zanzibar wombats voted.", "evidence": [{"source_sha256": source.text_sha256, "quote": "Moscow later said"}]}
    _import(tmp_path, json.dumps(line))
    assert list(search_claims(Claim.objects.all(), "zanzibar").values_list("text", flat=True)) == [line["text"]]
    assert list(search_claims(Claim.objects.all(), "moscow zanzibar").values_list("text", flat=True)) == [line["text"]]


def test_export_filters_by_status_and_streams_one_claim_per_line(corpus):
    exported = _export("--status", "published")
    lines = exported.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["status"] == "published" and record["entities"] == ["iran"]
    assert record["evidence"][0]["quote"] == "Russia voted six times"
    assert [review["action"] for review in record["reviews"]] == ["submit", "approve"]
