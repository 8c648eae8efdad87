"""``import_claims`` and ``export_claims``: round trip, idempotence, line numbers, all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tempfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims.models import Claim, Entity, Evidence, Review
from sources.models import Source, Span
from tests.support import search_rows_out_of_step

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
    # A file of this run's own: two suites at once on one machine must not share it.
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export.jsonl")
        call_command("export_claims", "--output", path, "--no-progress", *args, stderr=io.StringIO())
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


def test_import_reuses_the_oldest_anchored_span_and_never_an_orphaned_one(corpus, source, analyst, tmp_path):
    quote = source.text[0:6]
    orphan = Span.objects.create(source=source, start=0, end=6, quote=quote, anchor_state="orphaned", created_by=analyst)
    first = Span.objects.create(source=source, start=0, end=6, quote=quote, created_by=analyst)
    Span.objects.create(source=source, start=0, end=6, quote=quote, anchor_state="relocated", created_by=analyst)
    line = {"author": "analyst", "text": "Reuse.", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}
    _import(tmp_path, json.dumps(line))
    assert Claim.objects.get(text="Reuse.").evidence.get().span_id == first.pk
    orphans = set(Span.objects.filter(source=source, start=0, end=6).values_list("pk", flat=True))
    Span.objects.filter(pk__in=orphans).update(anchor_state="orphaned")
    line["text"] = "Not an orphan."
    _import(tmp_path, json.dumps(line))
    span = Claim.objects.get(text="Not an orphan.").evidence.get().span
    assert span.pk not in orphans | {orphan.pk} and span.anchor_state == "anchored"


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


def test_blank_and_whitespace_lines_are_skipped_and_still_counted(corpus, source, tmp_path):
    good = {"author": "analyst", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}
    content = "\n".join([
        json.dumps({**good, "text": "First of two."}), "", " \t ", json.dumps({**good, "text": "Second of two."}),
        "\r", "{not json",
    ])
    path = tmp_path / "blank.jsonl"
    path.write_text(content + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=errors)
    assert errors.getvalue().startswith("line 6: not valid JSON")
    path.write_text(content.rsplit("\n", 1)[0] + "\n")
    assert "2 claims imported" in _import(tmp_path, path.read_bytes())


def test_null_characters_are_refused_with_their_line_numbers(corpus, source, tmp_path):
    """PostgreSQL cannot store U+0000; every database refuses it the same way, as a bad line."""
    good = {"author": "analyst", "text": "Fine.", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}
    lines = [
        {**good, "text": "A \x00 claim."},
        {**good, "text": "Note.", "notes": "\x00"},
        {"type": "source", "title": "T\x00", "text": "Some new text."},
        {"type": "source", "title": "T", "text": "Text \x00."},
        {"type": "entity", "slug": "e", "name": "E", "aliases": ["a\x00"]},
        {**good, "text": "Review.", "reviews": [{"actor": "analyst", "action": "submit", "comment": "\x00"}]},
    ]
    path = tmp_path / "nul.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    errors = io.StringIO()
    claims, sources = Claim.objects.count(), Source.objects.count()
    with pytest.raises(CommandError, match="6 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=errors)
    for number in range(1, 7):
        assert f"line {number}: " in errors.getvalue()
    assert "null characters" in errors.getvalue()
    assert (Claim.objects.count(), Source.objects.count()) == (claims, sources)


def test_a_failure_half_way_leaves_nothing_imported_and_a_rerun_completes(corpus, source, tmp_path, monkeypatch):
    from claims import transfer

    lines = [
        json.dumps({"author": "analyst", "text": f"Claim {number}.",
                    "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
        for number in range(5)
    ]
    original = transfer.RowWriter.write
    calls = {"n": 0}

    def failing_write(self, prepared):
        # Fail on the second batch, after the first batch was written whole and the
        # second one's spans were written (in the writer thread, on PostgreSQL).
        if prepared.model is Evidence:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
        return original(self, prepared)

    monkeypatch.setattr(transfer.RowWriter, "write", failing_write)
    counts = (Claim.objects.count(), Span.objects.count(), Evidence.objects.count(), Review.objects.count())
    with pytest.raises(RuntimeError):
        _import(tmp_path, "\n".join(lines), "--batch-size", "2")
    assert calls["n"] == 2
    # One transaction: the first batch went with the second.
    assert (Claim.objects.count(), Span.objects.count(), Evidence.objects.count(), Review.objects.count()) == counts
    assert not Claim.history.filter(history_change_reason="Imported").exists()
    monkeypatch.setattr(transfer.RowWriter, "write", original)
    assert "5 claims imported (0 already present)" in _import(tmp_path, "\n".join(lines), "--batch-size", "2")
    for claim in Claim.objects.filter(text__startswith="Claim "):
        assert claim.evidence.count() == 1


def test_a_failure_in_the_writer_thread_reaches_the_command_and_rolls_everything_back(corpus, source, tmp_path, monkeypatch):
    from claims.transfer import rows

    lines = [
        json.dumps({"author": "analyst", "text": f"Claim {number}.",
                    "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
        for number in range(5)
    ]
    calls = {"n": 0}
    original = rows.SearchIndexDeferral.index

    def failing_index(self, claim_ids):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("index full")
        return original(self, claim_ids)

    monkeypatch.setattr(rows.SearchIndexDeferral, "index", failing_index)
    counts = (Claim.objects.count(), Span.objects.count(), Evidence.objects.count())
    with pytest.raises(RuntimeError, match="index full"):
        _import(tmp_path, "\n".join(lines), "--batch-size", "2")
    assert (Claim.objects.count(), Span.objects.count(), Evidence.objects.count()) == counts


def test_an_invalid_line_in_a_later_batch_leaves_nothing_of_the_earlier_ones(corpus, source, tmp_path):
    good = {"author": "analyst", "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}
    lines = [json.dumps({**good, "text": f"Claim {number}."}) for number in range(5)]
    lines.append(json.dumps({**good, "text": "Bad.", "author": "nobody"}))
    lines.append(json.dumps({**good, "text": "Also bad.", "status": "published"}))
    claims = Claim.objects.count()
    errors = io.StringIO()
    path = tmp_path / "late.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match="2 invalid line"):
        call_command("import_claims", str(path), "--no-progress", "--batch-size", "2", stderr=errors)
    assert "line 6: author 'nobody' is not a user" in errors.getvalue()
    assert "line 7: a published claim needs its reviewer" in errors.getvalue()
    assert Claim.objects.count() == claims


def test_claims_may_cite_sources_and_entities_defined_above_them_in_the_same_batch(corpus, tmp_path):
    text = "A new report. Tehran and Moscow signed the treaty in January."
    source_line = {"type": "source", "title": "New report", "text": text}
    entity_line = {"type": "entity", "slug": "treaty", "name": "The treaty", "kind": "event"}
    claim = {"author": "analyst", "text": "They signed the treaty.", "entities": ["treaty"],
             "evidence": [{"source_sha256": hashlib.sha256(text.encode()).hexdigest(), "quote": "signed the treaty"}]}
    output = _import(tmp_path, "\n".join(json.dumps(line) for line in (source_line, entity_line, claim)))
    assert "1 claims imported" in output and "1 sources" in output
    imported = Claim.objects.get(text=claim["text"])
    assert list(imported.entities.values_list("slug", flat=True)) == ["treaty"]
    span = imported.evidence.get().span
    assert span.source.title == "New report" and span.quote == "signed the treaty"
    # A claim citing a source defined only below it is refused.
    later = {**claim, "text": "Cited too early.", "evidence": [{"source_sha256": hashlib.sha256(b"Later.").hexdigest(), "quote": "Later"}]}
    lines = [json.dumps(later), json.dumps({"type": "source", "title": "Later", "text": "Later."})]
    path = tmp_path / "early.jsonl"
    path.write_text("\n".join(lines))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=errors)
    assert "line 1: evidence[0]: source" in errors.getvalue()


def test_imported_claims_are_found_by_full_text_search(corpus, source, tmp_path):
    from claims.search import search_claims

    line = {"author": "analyst", "text": "Zanzibar wombats voted.", "created_at": "2019-04-01T08:00:00Z",
            "evidence": [{"source_sha256": source.text_sha256, "quote": "Moscow later said"}]}
    _import(tmp_path, json.dumps(line))
    assert list(search_claims(Claim.objects.all(), "zanzibar").values_list("text", flat=True)) == [line["text"]]
    assert list(search_claims(Claim.objects.all(), "moscow zanzibar").values_list("text", flat=True)) == [line["text"]]
    if connection.vendor == "postgresql":
        # Indexed in bulk, the search rows carry the claims' status and date (as written).
        assert search_rows_out_of_step() == []


def test_after_an_import_claims_saved_the_usual_way_are_indexed_again(corpus, source, analyst, make_claim, tmp_path):
    """The import indexes its own claims in bulk; the triggers must be back for everyone else."""
    from claims.search import search_claims

    line = {"author": "analyst", "text": "Okapi herds grazed.", "evidence": [{"source_sha256": source.text_sha256, "quote": "Moscow later said"}]}
    _import(tmp_path, json.dumps(line))
    later = make_claim(analyst, text="Quokka colonies migrated.", quote="Moscow later said")
    assert list(search_claims(Claim.objects.all(), "quokka").values_list("pk", flat=True)) == [later.pk]
    later.evidence.get().delete()
    assert not search_claims(Claim.objects.all(), "moscow quokka").exists()


def test_export_filters_by_status_and_streams_one_claim_per_line(corpus):
    exported = _export("--status", "published")
    lines = exported.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["status"] == "published" and record["entities"] == ["iran"]
    assert record["evidence"][0]["quote"] == "Russia voted six times"
    assert [review["action"] for review in record["reviews"]] == ["submit", "approve"]


@pytest.mark.parametrize("value", [
    dt.datetime(2024, 3, 1, 12, 34, 56, 123456, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 1, 12, 34, 56, tzinfo=dt.UTC),
    dt.datetime.fromisoformat("2024-03-01T23:30:00.5+05:30"),
    dt.datetime.fromisoformat("2024-12-31T20:00:00-08:00"),
])
def test_bulk_rows_store_datetimes_as_the_sqlite_backend_does(value):
    from django.db import connection

    from claims.transfer.rows import _sqlite_datetime

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's text representation of datetimes")
    assert _sqlite_datetime(value) == connection.ops.adapt_datetimefield_value(value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_the_planner_counts_the_imports_own_rows_while_it_runs(corpus, tmp_path, monkeypatch):
    # Statistics refreshed in the writer thread, inside the import's transaction, see its
    # rows: the look-ups of later batches are planned for the tables as they now are.
    from claims.transfer import importing

    exported = _export("--with-sources")
    Review.objects.all()._raw_delete(Review.objects.db)
    Evidence.objects.all().delete()
    Claim.entities.through.objects.all().delete()
    Claim.objects.all().delete()
    Span.objects.all().delete()
    seen = []
    plan = importing.Importer._plan

    def planning(self, prepared):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'claims_evidence'")
            seen.append((self.report.claims_created, cursor.fetchone()[0]))
        return plan(self, prepared)

    monkeypatch.setattr(importing.Importer, "_plan", planning)
    assert "3 claims imported" in _import(tmp_path, exported, "--batch-size", "1")
    # Analyzed once one claim was in, then once two were: each claim cites one quote.
    assert seen[1:] == [(1, 1), (2, 2)], seen


def test_the_import_puts_back_pythons_thread_switch_interval(corpus, source, tmp_path, monkeypatch):
    # Shortened while the writer thread runs, then put back whether the import succeeds or not.
    import sys

    from claims.transfer import rows

    seen = []
    index = rows.SearchIndexDeferral.index

    def indexing(self, claim_ids):
        seen.append(sys.getswitchinterval())
        return index(self, claim_ids)

    monkeypatch.setattr(rows.SearchIndexDeferral, "index", indexing)
    before = sys.getswitchinterval()
    line = json.dumps({"author": "analyst", "text": "A claim.",
                       "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
    assert "1 claims imported" in _import(tmp_path, line)
    assert seen == [rows.WRITER_SWITCH_INTERVAL]
    assert sys.getswitchinterval() == before
    with pytest.raises(CommandError):
        _import(tmp_path, line + "\n{not json")
    assert sys.getswitchinterval() == before


def test_a_source_read_at_a_moment_no_time_zone_west_of_utc_shows_is_a_line_error(corpus, tmp_path):
    """Year 1, stored, made the source list fail for everybody where TIME_ZONE is west of
    UTC. An old date that can be shown is restored as exported."""
    line = {"type": "source", "title": "Read in year 1", "text": "A text.", "retrieved_at": "0001-01-01T00:00:00Z"}
    with pytest.raises(CommandError):
        _import(tmp_path, json.dumps(line))
    old = {"type": "source", "title": "Read in 1850", "text": "A text.", "retrieved_at": "1850-06-01T00:00:00Z"}
    assert "1 sources" in _import(tmp_path, json.dumps(old))


def test_a_source_dated_ahead_is_restored_as_exported(corpus, tmp_path):
    """The API refuses a publication date that has not begun (``_refuse_dates_ahead``); an
    export may hold one stored before that rule, and restores as it was."""
    line = {"type": "source", "title": "Dated ahead", "text": "A text dated ahead.", "published_on": "2999-01-01",
            "retrieved_at": "2998-01-01T00:00:00Z"}
    assert "1 sources" in _import(tmp_path, json.dumps(line))
    source = Source.objects.get(title="Dated ahead")
    assert (source.published_on, source.retrieved_at.year) == (dt.date(2999, 1, 1), 2998)
