"""A source's text is stored with LF breaks however it comes in: through the API, the admin,
a file, and an import. A source line of an import whose text holds CR LF or CR is stored
with LF, and what the file places in it by offsets (counted in the text as the file gives
it) is carried over to the same words."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction

from claims.models import Claim
from claims.transfer import ImportRefused, import_claims
from project.validation import normalise_line_endings
from sources.anchoring import lf_offsets, lf_piece, with_lf_breaks
from sources.models import Source, sha256_of
from sources.services import source_create

from .test_transfer_identity import _claim, _export, people  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

GIVEN = "Moscow said:\r\nRussia voted six times.\r\nIran\rabstained.\r\n"
STORED = "Moscow said:\nRussia voted six times.\nIran\nabstained.\n"


def _source_line(**overrides) -> dict:
    return {"type": "source", "uid": str(uuid.uuid4()), "title": "Votes", "text": GIVEN, **overrides}


def _claim_line(evidence: list[dict], text: str = "Russia voted six times.") -> dict:
    return {"author": "analyst", "text": text, "status": "draft", "verdict": "supported", "evidence": evidence}


def _import(tmp_path, *lines: dict):
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return import_claims(str(path))


def _by_offsets(source_line: dict, words: str, **extra) -> dict:
    """Evidence placing ``words`` by its offsets in the text as the file gives it."""
    start = GIVEN.index(words)
    return {"source_uid": source_line["uid"], "start": start, "end": start + len(words), "quote": words, **extra}


def test_a_source_given_with_cr_breaks_is_stored_with_lf_and_its_evidence_keeps_its_words(tmp_path, analyst):
    source_line = _source_line()
    words = "Russia voted six times.\r\nIran\rabstained"
    evidence = [_by_offsets(source_line, words, prefix="said:\r\n", suffix=".\r\n")]
    report = _import(tmp_path, source_line, _claim_line(evidence))
    assert (report.sources_created, report.claims_created) == (1, 1)
    source = Source.objects.get()
    assert source.text == STORED and source.text_sha256 == sha256_of(STORED)
    span = Claim.objects.get().evidence.get().span
    assert span.quote == "Russia voted six times.\nIran\nabstained"
    assert source.text[span.start : span.end] == span.quote
    assert span.start == STORED.index("Russia")


def test_a_span_that_began_or_ended_inside_a_cr_lf_keeps_the_break_where_it_was(tmp_path, analyst):
    source_line = _source_line()
    after_cr = GIVEN.index("\r\nRussia") + 1  # between the CR and its LF
    ends_at_cr = {"source_uid": source_line["uid"], "start": GIVEN.index("Moscow"), "end": after_cr,
                  "quote": "Moscow said:\r"}
    begins_at_lf = {"source_uid": source_line["uid"], "start": after_cr, "end": after_cr + 7, "quote": "\nRussia"}
    _import(tmp_path, source_line, _claim_line([ends_at_cr, begins_at_lf]))
    quotes = sorted(Claim.objects.get().evidence.values_list("span__quote", flat=True))
    assert quotes == ["\nRussia", "Moscow said:"]


def test_a_source_with_lone_cr_breaks_only_is_stored_with_lf_and_its_evidence_follows(tmp_path, analyst):
    given = "Moscow said:\rRussia voted six times.\rIran abstained.\r"
    source_line = _source_line(text=given)
    words = "said:\rRussia"
    start = given.index(words)
    evidence = [{"source_uid": source_line["uid"], "start": start, "end": start + len(words), "quote": words,
                 "prefix": "Moscow ", "suffix": " voted"}]
    _import(tmp_path, source_line, _claim_line(evidence))
    assert Source.objects.get().text == given.replace("\r", "\n")
    assert Claim.objects.get().evidence.get().span.quote == "said:\nRussia"


def test_an_export_of_a_database_that_stored_cr_lf_loads_into_an_empty_one(people, tmp_path):
    # Such an export names each source by its uid and the hash of its CR LF text: the hash
    # of the text as the file gives it is that source's, though it is stored with LF.
    with transaction.atomic():
        stored = source_create(user=people["analyst"], title="Votes", text="Its text, stored with CR LF below.")
        Source.objects.filter(pk=stored.pk).update(text=GIVEN, text_sha256=sha256_of(GIVEN), text_length=len(GIVEN))
        _claim(people, "Russia voted six times.", source=Source.objects.get(pk=stored.pk))
        exported = _export()
        transaction.set_rollback(True)
    evidence = next(line for line in map(json.loads, exported.splitlines()) if "evidence" in line)["evidence"][0]
    assert (evidence["source_uid"], evidence["source_sha256"]) == (str(stored.uid), sha256_of(GIVEN))
    path = tmp_path / "old.jsonl"
    path.write_bytes(exported)
    assert import_claims(str(path)).claims_created == 1
    span = Claim.objects.get().evidence.get().span
    assert (span.source.text, span.quote, span.start) == (STORED, "Russia voted six times", STORED.index("Russia"))


def test_a_quote_copied_with_cr_lf_names_its_words_without_offsets_too(tmp_path, analyst):
    source_line = _source_line()
    evidence = [{"source_uid": source_line["uid"], "quote": "six times.\r\nIran"}]
    _import(tmp_path, source_line, _claim_line(evidence))
    span = Claim.objects.get().evidence.get().span
    assert (span.quote, span.start) == ("six times.\nIran", STORED.index("six times"))


def test_a_quote_that_does_not_read_as_the_file_text_at_its_offsets_is_still_a_line_error(tmp_path, analyst):
    source_line = _source_line()
    evidence = [_by_offsets(source_line, "Russia voted six times.", quote="Russia voted five times.")]
    with pytest.raises(ImportRefused) as refused:
        _import(tmp_path, source_line, _claim_line(evidence))
    assert "does not match the text" in str(refused.value.errors[0])
    assert not Source.objects.exists()


def test_a_source_already_stored_with_lf_is_found_by_either_text_and_hash(tmp_path, analyst):
    stored = source_create(user=analyst, title="Votes", text=GIVEN)
    assert stored.text == STORED  # the API's and the admin's rule
    source_line = {"type": "source", "title": "Votes", "text": GIVEN}  # no uid: found by its text
    evidence = [{"source_sha256": sha256_of(GIVEN), "start": GIVEN.index("Iran"), "end": GIVEN.index("Iran") + 4}]
    report = _import(tmp_path, source_line, _claim_line(evidence, text="Iran abstained."))
    assert (report.sources_created, report.sources_existing) == (0, 1)
    span = Claim.objects.get().evidence.get().span
    assert (span.source_id, span.quote, span.start) == (stored.pk, "Iran", STORED.index("Iran"))


def test_a_source_stored_with_cr_lf_before_the_rule_keeps_its_offsets(tmp_path, analyst):
    stored = source_create(user=analyst, title="Votes", text="Its text, stored with CR LF below.")
    Source.objects.filter(pk=stored.pk).update(text=GIVEN, text_sha256=sha256_of(GIVEN), text_length=len(GIVEN))
    source_line = _source_line(uid=str(stored.uid))
    report = _import(tmp_path, source_line, _claim_line([_by_offsets(source_line, "Russia voted six times.")]))
    assert report.sources_existing == 1
    span = Claim.objects.get().evidence.get().span
    assert (span.start, span.quote) == (GIVEN.index("Russia"), "Russia voted six times.")


@pytest.mark.parametrize("text", [GIVEN, "\r\r\n\r\n\ra\r\nb\r", "no breaks", "\r\n"])
def test_every_place_in_a_text_is_carried_to_the_same_words_with_lf_breaks(text):
    stored, dropped = with_lf_breaks(text)
    # The rule every other path stores a source's text by (``source_create``).
    assert stored == normalise_line_endings(text) == text.replace("\r\n", "\n").replace("\r", "\n")
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            new_start, new_end = lf_offsets(dropped, start, end)
            assert stored[new_start:new_end] == lf_piece(dropped, start, text[start:end])
            if "\r" not in text[max(0, start - 1) : end + 1]:
                assert stored[new_start:new_end] == text[start:end]


@pytest.mark.parametrize("order", ["cr_lf_first", "lf_first"])
def test_evidence_naming_the_lf_text_by_its_hash_counts_in_it_whichever_line_came_first(tmp_path, analyst, order):
    """The same source given twice, once with CR LF and once with LF (no uid: the second is
    the first, found by its text): evidence that names the LF text's hash places its words
    by offsets in that text, and evidence naming the CR LF text's hash in that one."""
    given_lf = {"type": "source", "title": "Votes", "text": STORED}
    given_crlf = {"type": "source", "title": "Votes", "text": GIVEN}
    lines = [given_crlf, given_lf] if order == "cr_lf_first" else [given_lf, given_crlf]
    words = "Iran\nabstained"
    by_lf = {"source_sha256": sha256_of(STORED), "start": STORED.index(words), "end": STORED.index(words) + len(words),
             "quote": words}
    crlf_words = "Iran\rabstained"
    by_crlf = {"source_sha256": sha256_of(GIVEN), "start": GIVEN.index(crlf_words),
               "end": GIVEN.index(crlf_words) + len(crlf_words), "quote": crlf_words}
    report = _import(tmp_path, *lines, _claim_line([by_lf], text="By the LF text."),
                     _claim_line([by_crlf], text="By the CR LF text."))
    assert (report.sources_created, report.claims_created) == (1, 2)
    for claim in Claim.objects.all():
        span = claim.evidence.get().span
        assert span.quote == "Iran\nabstained" and STORED[span.start : span.end] == span.quote, claim.text


def test_offsets_holding_only_the_cr_of_a_cr_lf_are_refused_in_the_files_own_terms(tmp_path, analyst):
    source_line = _source_line()
    cr = GIVEN.index("\r\n")
    evidence = [{"source_uid": source_line["uid"], "start": cr, "end": cr + 1, "quote": "\r"}]
    with pytest.raises(ImportRefused) as refused:
        _import(tmp_path, source_line, _claim_line(evidence))
    assert f"start {cr} and end {cr + 1} hold only the CR of a line break" in str(refused.value.errors[0])
