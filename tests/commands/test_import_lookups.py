"""What the import remembers between lines to spare work (``claims.transfer``): the uid of
each known source by the string evidence names it with, the hash of each source line's
text between ``prefetch`` and ``check_source``, and the garbage collector's pace. None of
it may let one line's answer leak into another's."""

from __future__ import annotations

import gc
import json
import uuid

import pytest

from claims.models import Claim
from claims.transfer import import_claims
from claims.transfer.records import Line, Resolver, SourceCache
from claims.transfer.rows import IMPORT_GC_THRESHOLD, fewer_collections
from sources.models import Source, sha256_of

pytestmark = pytest.mark.django_db

TEXTS = ("Russia voted six times against the draft.", "Iran abstained twice on the draft.")


def _source_line(text: str, **extra) -> dict:
    return {"type": "source", "uid": str(uuid.uuid4()), "title": "Votes", "text": text, **extra}


def _claim_line(source_line: dict, words: str, **evidence) -> dict:
    start = source_line["text"].index(words)
    item = {"source_uid": source_line["uid"], "start": start, "end": start + len(words), "quote": words, **evidence}
    return {"author": "analyst", "text": f"Claim on {words}", "status": "draft", "verdict": "supported",
            "evidence": [item]}


def _import(tmp_path, lines: list[dict], **options):
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return import_claims(str(path), **options)


def _cited(claim_text: str) -> tuple[str, str]:
    span = Claim.objects.get(text=claim_text).evidence.get().span
    return str(span.source.uid), span.quote


@pytest.mark.parametrize("batch_size", [1, 1000], ids=["sources-read-back", "sources-of-the-batch"])
def test_evidence_naming_sources_by_uid_cites_each_its_own_source(tmp_path, analyst, batch_size):
    """Two sources cited in turn, by their uid as exports write it, in capitals and in
    braces: each evidence item cites the source its uid names, whether the source was
    defined in the same batch or read back from the database."""
    first, second = (_source_line(text) for text in TEXTS)
    claims = [
        _claim_line(first, "Russia voted"),
        _claim_line(second, "Iran abstained"),
        _claim_line(first, "six times"),
        {**_claim_line(second, "twice"), "evidence": [
            {**_claim_line(second, "twice")["evidence"][0], "source_uid": second["uid"].upper()}]},
        {**_claim_line(first, "the draft"), "evidence": [
            {**_claim_line(first, "the draft")["evidence"][0], "source_uid": "{" + first["uid"] + "}"}]},
    ]
    report = _import(tmp_path, [first, second, *claims], batch_size=batch_size)
    assert report.claims_created == 5
    assert _cited("Claim on Russia voted") == (first["uid"], "Russia voted")
    assert _cited("Claim on Iran abstained") == (second["uid"], "Iran abstained")
    assert _cited("Claim on six times") == (first["uid"], "six times")
    assert _cited("Claim on twice") == (second["uid"], "twice")
    assert _cited("Claim on the draft") == (first["uid"], "the draft")


def test_the_source_cache_knows_uids_by_their_canonical_spelling_only():
    sources = SourceCache()
    first, second = uuid.uuid4(), uuid.uuid4()
    for uid, text in zip((first, second), TEXTS, strict=True):
        sources.define(uid, text, None, sha256_of(text))
    assert sources.known_uid(str(first)) == first
    assert sources.known_uid(str(second)) == second
    # Other spellings are parsed by the caller, each time: the cache holds one entry a source.
    assert sources.known_uid(str(first).upper()) is None
    assert sources.known_uid(str(uuid.uuid4())) is None
    assert sources.known_uid(None) is None and sources.known_uid(["not", "hashable"]) is None
    assert len(sources.uid_by_text) == 2


def test_each_source_line_is_checked_with_the_hash_of_its_own_text(analyst):
    """``prefetch`` hashes every source line of the batch, ``check_source`` takes each
    line's hash: checked in another order, or with a CR LF text made LF, each source is
    known by its own text's hash."""
    crlf = "Moscow said:\r\nRussia voted six times.\r\n"
    records = [_source_line(TEXTS[0]), _source_line(crlf), _source_line(TEXTS[1])]
    lines = [Line(number, record) for number, record in enumerate(records, start=1)]
    resolver = Resolver()
    resolver.prefetch(lines)
    for line in reversed(lines):
        assert resolver.check_source(line) is not None
    expected = [TEXTS[0], "Moscow said:\nRussia voted six times.\n", TEXTS[1]]
    for record, text in zip(records, expected, strict=True):
        assert resolver.sources.by_uid[uuid.UUID(record["uid"])].sha == sha256_of(text)
    assert resolver.text_shas == {}  # taken by the lines that were checked


def test_each_imported_source_stores_the_hash_of_its_own_text(tmp_path, analyst):
    lines = [_source_line(TEXTS[0]), _source_line("Moscow said:\r\nRussia voted.\r\n"), _source_line(TEXTS[1])]
    _import(tmp_path, lines)
    for source in Source.objects.all():
        assert source.text_sha256 == sha256_of(source.text)
    assert Source.objects.count() == 3


def test_fewer_collections_restores_the_collector_as_it_found_it():
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        assert gc.get_threshold()[0] == max(IMPORT_GC_THRESHOLD, threshold[0])
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with fewer_collections():  # a second import at once changes nothing more
            assert gc.get_threshold()[0] == max(IMPORT_GC_THRESHOLD, threshold[0])
            assert gc.get_freeze_count() == frozen
        assert gc.get_threshold()[0] == max(IMPORT_GC_THRESHOLD, threshold[0])
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_fewer_collections_leaves_what_the_process_froze_itself_frozen():
    gc.freeze()  # as gunicorn.conf.py does before it forks its workers
    try:
        frozen = gc.get_freeze_count()  # fewer as frozen objects are freed, never more
        with fewer_collections():
            assert gc.get_freeze_count() <= frozen  # nothing more frozen
        assert gc.get_freeze_count() > frozen // 2  # nor released
    finally:
        gc.unfreeze()


def test_fewer_collections_restores_the_collector_after_an_error():
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the import failed")
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_an_import_leaves_the_collector_as_it_found_it(tmp_path, analyst):
    threshold = gc.get_threshold()
    _import(tmp_path, [_source_line(TEXTS[0])])
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0
