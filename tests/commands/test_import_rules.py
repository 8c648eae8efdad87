"""The importer asks the predicates the services enforce (``claims.rules``) and reports what
the services refuse as line errors, never a traceback, and accepts what they accept."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from claims.models import Claim, Review
from claims.transfer import ImportRefused, export_claims, import_claims
from sources.models import Source

pytestmark = pytest.mark.django_db


def _line(source, **overrides) -> dict:
    line = {
        "author": "analyst", "text": "Russia voted six times.", "status": "published",
        "verdict": "supported", "confidence": "high", "reviewer": "reviewer",
        "published_at": "2024-05-01T12:00:00+00:00",
        "evidence": [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports"}],
        "reviews": [
            {"actor": "analyst", "action": "submit", "from_status": "draft", "to_status": "in_review"},
            {"actor": "reviewer", "action": "approve", "from_status": "in_review", "to_status": "published"},
        ],
    }
    line.update(overrides)
    return line


def _refusal(tmp_path, *lines: dict) -> str:
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert not Claim.objects.filter(text__startswith="Russia voted six times.").exists()
    return "\n".join(str(error) for error in refused.value.errors)


def _imports(tmp_path, *lines: dict):
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return import_claims(str(path))


def test_a_well_formed_published_line_imports(tmp_path, source, analyst, reviewer):
    assert _imports(tmp_path, _line(source)).claims_created == 1
    claim = Claim.objects.get()
    assert list(claim.contributions.values_list("user__username", flat=True)) == ["analyst"]


def test_a_log_where_the_author_approved_their_own_claim_is_a_line_error(tmp_path, source, analyst, reviewer):
    reviews = [
        {"actor": "reviewer", "action": "submit", "from_status": "draft", "to_status": "in_review"},
        {"actor": "reviewer", "action": "approve", "from_status": "in_review", "to_status": "published"},
    ]
    message = _refusal(tmp_path, _line(source, author="reviewer", reviewer="reviewer", reviews=reviews))
    assert "line 1" in message and "four-eyes" in message


def test_a_contributor_named_as_reviewer_is_a_line_error(tmp_path, source, analyst, reviewer):
    assert "four-eyes" in _refusal(tmp_path, _line(source, contributors=["analyst", "reviewer"]))


def test_a_log_whose_last_entry_contradicts_the_status_is_a_line_error(tmp_path, source, analyst, reviewer):
    reviews = [{"actor": "analyst", "action": "submit", "from_status": "draft", "to_status": "in_review"}]
    message = _refusal(tmp_path, _line(source, status="rejected", reviews=reviews))
    assert "ends at in_review, but the status is rejected" in message


def test_a_published_claim_without_an_approval_in_its_log_is_a_line_error(tmp_path, source, analyst, reviewer):
    message = _refusal(tmp_path, _line(source, reviews=[]))
    assert "needs an approval in its log" in message


def test_a_published_claim_whose_stances_disagree_with_its_verdict_is_a_line_error(tmp_path, source, analyst, reviewer):
    message = _refusal(tmp_path, _line(source, verdict="refuted"))
    assert "'refutes' evidence for a refuted verdict" in message


def test_a_period_ending_before_it_starts_is_a_line_error(tmp_path, source, analyst, reviewer):
    message = _refusal(tmp_path, _line(source, period_start="2010-01-02", period_end="2010-01-01"))
    assert "cannot end before it starts" in message


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "not a date"])
def test_a_created_at_out_of_range_is_a_line_error_not_a_traceback(tmp_path, source, analyst, reviewer, created_at):
    assert "created_at" in _refusal(tmp_path, _line(source, created_at=created_at))


def test_an_unknown_field_is_a_line_error(tmp_path, source, analyst, reviewer):
    assert "unknown field(s) of a claim line: colour" in _refusal(tmp_path, _line(source, colour="red"))


def test_lone_surrogates_are_a_line_error(tmp_path, source, analyst, reviewer):
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(_line(source, notes="\ud800")) + "\n")  # json.dumps escapes it
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert "surrogate" in str(refused.value.errors[0])  # the JSON reader refuses it already


def test_two_claims_with_the_same_author_and_text_are_two_claims(tmp_path, source, analyst, reviewer):
    first, second = (_line(source, uid=str(uuid.uuid4())) for _ in range(2))
    assert _imports(tmp_path, first, second).claims_created == 2
    assert Claim.objects.filter(text="Russia voted six times.").count() == 2
    # Importing the same file again changes nothing: claims are known by their uid.
    assert _imports(tmp_path, first, second).claims_existing == 2


def test_a_correction_is_linked_to_the_claim_it_supersedes_even_above_it(tmp_path, source, analyst, reviewer):
    old_uid, new_uid = str(uuid.uuid4()), str(uuid.uuid4())
    draft = {"author": "analyst", "text": "The correction.", "uid": new_uid, "supersedes": old_uid}
    _imports(tmp_path, draft, _line(source, uid=old_uid))
    assert Claim.objects.get(uid=new_uid).supersedes == Claim.objects.get(uid=old_uid)


def test_superseding_an_unknown_claim_is_a_line_error(tmp_path, source, analyst, reviewer):
    line = {"author": "analyst", "text": "Russia voted six times. Corrected.", "supersedes": str(uuid.uuid4())}
    assert "no such claim" in _refusal(tmp_path, line)


def test_a_source_of_one_space_accepted_by_the_api_re_imports(tmp_path, analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/sources/", {"title": "Blank", "text": " "}, format="json")
    assert response.status_code == 201
    out = io.BytesIO()
    export_claims(out, with_sources=True)
    Source.objects.all().delete()
    path = tmp_path / "sources.jsonl"
    path.write_bytes(out.getvalue())
    report = import_claims(str(path))
    assert report.sources_created == 1
    assert Source.objects.get().text == " "


def test_the_command_reports_line_errors_not_a_traceback(tmp_path, source, analyst, reviewer):
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(_line(source, created_at="0001-01-01T00:00:00+01:00")) + "\n")
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"evidence": 5}, "evidence must be a list"),
        ({"evidence": {"source_sha256": "0"}}, "evidence must be a list"),
        ({"entities": 5}, "entities must be a list of slugs"),
        ({"entities": True}, "entities must be a list of slugs"),
        ({"entities": [["iran"]]}, "entities must be a list of slugs, not ['iran']"),
        ({"entities": [{"slug": "iran"}]}, "entities must be a list of slugs"),
        ({"reviews": 5}, "reviews must be a list"),
        ({"contributors": "analyst"}, "contributors must be a list"),
        # A value of the wrong type is refused, never read as the default.
        ({"supersedes": 12345}, "supersedes must be a UUID, not 12345"),
        ({"uid": 7}, "uid must be a UUID, not 7"),
        ({"status": []}, "status [] is not one of"),
        ({"verdict": {}}, "verdict {} is not one of"),
        ({"confidence": []}, "confidence [] is not one of"),
        ({"confidence": 0}, "confidence 0 is not one of"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_line_error_not_a_traceback_or_a_default(
    tmp_path, source, analyst, reviewer, overrides, words
):
    assert words in _refusal(tmp_path, _line(source, **overrides))


def test_a_span_uid_of_the_wrong_type_is_a_line_error(tmp_path, source, analyst, reviewer):
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "span_uid": 42}]
    assert "evidence[0]: span_uid must be a UUID, not 42" in _refusal(tmp_path, _line(source, evidence=evidence))


@pytest.mark.parametrize("field", ["title", "publisher", "authors", "language", "notes", "kind", "reliability"])
@pytest.mark.parametrize("value", [1, 1.5, True, [], {}])
def test_a_source_field_that_is_not_text_is_a_line_error_not_its_string(tmp_path, analyst, field, value):
    line = {"type": "source", "title": "A report", "text": "Sanctions were tightened in 2010.", field: value}
    path = tmp_path / "sources.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert f"{field} must be a string, not {value!r}" in str(refused.value.errors[0])
    assert not Source.objects.exists()


def test_an_entity_whose_aliases_are_not_a_list_is_a_line_error(tmp_path, analyst):
    path = tmp_path / "entities.jsonl"
    path.write_text(json.dumps({"type": "entity", "slug": "iran", "name": "Iran", "aliases": {}}) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert "aliases must be a list of strings" in str(refused.value.errors[0])


def test_a_uid_on_two_lines_is_a_line_error_not_a_lost_claim(tmp_path, source, analyst, reviewer):
    uid = str(uuid.uuid4())
    first = _line(source, uid=uid)
    second = _line(source, uid=uid, text="Russia voted six times. A different text, the same uid.")
    message = _refusal(tmp_path, first, second)
    assert f"line 2: uid {uid} is also the uid of the claim on line 1" in message


def test_one_span_uid_for_two_passages_is_a_line_error(tmp_path, source, analyst, reviewer):
    span_uid = str(uuid.uuid4())
    first = _line(source, uid=str(uuid.uuid4()), evidence=[
        {"source_sha256": source.text_sha256, "quote": "Russia voted six times", "span_uid": span_uid}])
    second = _line(source, uid=str(uuid.uuid4()), status="draft", reviewer=None, reviews=[], evidence=[
        {"source_sha256": source.text_sha256, "start": 0, "end": 6, "span_uid": span_uid}])
    message = _refusal(tmp_path, first, second)
    assert f"line 2: evidence[0]: span_uid {span_uid} names another passage on line 1" in message


def test_one_span_uid_cited_twice_by_a_claim_is_a_line_error_not_a_refused_row(tmp_path, source, analyst, reviewer):
    span_uid = str(uuid.uuid4())
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "span_uid": span_uid},
                {"source_sha256": source.text_sha256, "start": 0, "end": 6, "span_uid": span_uid}]
    message = _refusal(tmp_path, _line(source, status="draft", reviewer=None, reviews=[], evidence=evidence))
    assert "evidence[1]:" in message


def test_one_span_uid_cited_by_two_claims_for_the_same_passage_is_one_span(tmp_path, source, analyst, reviewer):
    span_uid = str(uuid.uuid4())
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "span_uid": span_uid}]
    first, second = (_line(source, uid=str(uuid.uuid4()), evidence=evidence) for _ in range(2))
    assert _imports(tmp_path, first, second).claims_created == 2
    assert source.spans.filter(uid=span_uid).count() == 1


@pytest.mark.parametrize("length", [2, 3])
def test_a_cycle_of_corrections_is_a_line_error_on_each_of_its_lines(tmp_path, source, analyst, reviewer, length):
    uids = [str(uuid.uuid4()) for _ in range(length)]
    lines = [
        {"author": "analyst", "uid": uid, "text": f"Russia voted six times. Correction {n}.",
         "supersedes": uids[(n + 1) % length]}
        for n, uid in enumerate(uids)
    ]
    message = _refusal(tmp_path, *lines)
    for number in range(1, length + 1):
        assert f"line {number}: supersedes {uids[number % length]}: A claim cannot supersede itself, directly or through" in message


def test_a_chain_of_corrections_into_the_database_imports(tmp_path, source, analyst, reviewer):
    old_uid, middle_uid, new_uid = (str(uuid.uuid4()) for _ in range(3))
    _imports(tmp_path, _line(source, uid=old_uid))
    report = _imports(tmp_path, {"author": "analyst", "uid": new_uid, "text": "Newest.", "supersedes": middle_uid},
                      {"author": "analyst", "uid": middle_uid, "text": "Middle.", "supersedes": old_uid})
    assert report.claims_created == 2
    assert Claim.objects.get(uid=new_uid).supersedes.supersedes.uid == uuid.UUID(old_uid)


@pytest.mark.parametrize("kind, reason", [("directory", "a folder"), ("fifo", "not a regular file"),
                                          ("device", "not a regular file"), ("missing", "no such file or folder")])
def test_the_command_refuses_what_is_not_a_regular_file_without_waiting(tmp_path, analyst, kind, reason):
    import os

    import signal

    path = {"directory": tmp_path, "fifo": tmp_path / "claims.jsonl", "device": "/dev/zero",
            "missing": tmp_path / "nowhere.jsonl"}[kind]
    if kind == "fifo":
        os.mkfifo(path)  # opening it would wait for a writer for ever

    def waited(signum, frame):
        raise AssertionError(f"import_claims waited on {kind}")

    previous = signal.signal(signal.SIGALRM, waited)  # a regression fails, it does not hang
    signal.alarm(20)
    try:
        with pytest.raises(CommandError, match=f"{path}: {reason}; give the .jsonl file to import"):
            call_command("import_claims", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_command_says_when_a_file_cannot_be_read(tmp_path, analyst, monkeypatch):
    import builtins

    path = tmp_path / "claims.jsonl"
    path.write_text("{}\n")
    real_open = builtins.open

    def refusing_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    with pytest.raises(CommandError, match=r"claims.jsonl: cannot be read \(Permission denied\). Nothing was imported"):
        call_command("import_claims", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("language", ["1.5", "en_US", "english language"])
def test_a_source_language_that_is_not_a_bcp47_tag_is_a_line_error_as_in_the_api(tmp_path, analyst, language):
    line = {"type": "source", "title": "A report", "text": "Sanctions were tightened in 2010.", "language": language}
    path = tmp_path / "sources.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert "language: Give a BCP 47 language tag" in str(refused.value.errors[0])
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/sources/", {"title": "A report", "text": "x", "language": language}, format="json")
    assert response.status_code == 400 and "BCP 47" in response.json()["errors"]["language"][0]


@pytest.mark.parametrize("field", ["action", "from_status", "to_status"])
@pytest.mark.parametrize("value", [None, ""])
def test_a_review_without_its_action_or_statuses_is_a_line_error(tmp_path, source, analyst, reviewer, field, value):
    reviews = [
        {"actor": "analyst", "action": "submit", "from_status": "draft", "to_status": "in_review"},
        {"actor": "reviewer", "action": "approve", "from_status": "in_review", "to_status": "published", field: value},
    ]
    assert f"reviews[1]: {field} '' is not one of" in _refusal(tmp_path, _line(source, reviews=reviews))


@pytest.mark.parametrize("text, key", [
    ('{"type": "claim", "type": "claim"}', "type"),
    ('{"text": "Russia voted six times.", "status": "draft", "text": "Russia voted five times."}', "text"),
    ('{"evidence": [{"quote": "Russia", "quote" : "Iran"}]}', "quote"),
])
def test_a_key_given_twice_in_one_object_is_a_line_error_not_the_last_value(tmp_path, source, analyst, text, key):
    path = tmp_path / "claims.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert f"line 1: the key {key!r} is given twice in one object" in str(refused.value.errors[0])
    assert not Claim.objects.exists()


def test_quoted_words_in_a_claim_are_not_mistaken_for_keys(tmp_path, source, analyst, reviewer):
    line = _line(source, text='Russia voted six times: "yes": "no" ', notes='"a": "b"\t"c" :')
    assert _imports(tmp_path, line).claims_created == 1


def test_a_quote_copied_with_crlf_breaks_is_found_by_the_importer_too(tmp_path, analyst):
    from sources.services import source_create

    source = source_create(user=analyst, title="Two lines", text="The council met.\nIt voted twice.\n")
    line = {
        "author": "analyst", "text": "The council voted twice.", "status": "draft", "verdict": "supported",
        "evidence": [{"source_sha256": source.text_sha256, "quote": "met.\r\nIt voted", "stance": "supports"}],
    }
    assert _imports(tmp_path, line).spans_created == 1
    assert Claim.objects.get().evidence.get().span.quote == "met.\nIt voted"


def _context_refused_by_the_api(analyst, source, context: dict) -> str:
    """What the API answers to a span by offsets with ``context``: its message, having checked
    that it refused with ``context_mismatch``."""
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/spans/", {"source": source.pk, "start": 0, "end": 6, **context}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "context_mismatch", response.json()
    return response.json()["detail"]


@pytest.mark.parametrize("context", [{"prefix": "Moscow said that "}, {"suffix": ", Iran's ally,"}],
                         ids=["prefix", "suffix"])
def test_evidence_whose_context_contradicts_its_offsets_is_a_line_error_as_in_the_api(
    tmp_path, source, analyst, reviewer, context
):
    message = _context_refused_by_the_api(analyst, source, context)
    evidence = [{"source_sha256": source.text_sha256, "start": 0, "end": 6, "stance": "supports", **context}]
    assert _refusal(tmp_path, _line(source, evidence=evidence)) == f"line 1: evidence[0]: {message}"


def test_a_span_line_whose_context_contradicts_its_offsets_is_a_line_error_as_in_the_api(tmp_path, source, analyst):
    message = _context_refused_by_the_api(analyst, source, {"prefix": "Moscow said that "})
    line = {"type": "span", "uid": str(uuid.uuid4()), "source_uid": str(source.uid), "start": 0, "end": 6,
            "prefix": "Moscow said that "}
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert [str(error) for error in refused.value.errors] == [f"line 1: {message}"]
    assert not source.spans.exists()



def test_an_occurrence_with_offsets_is_a_line_error_as_in_the_api(tmp_path, source, analyst, reviewer):
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/spans/", {"source": source.pk, "start": 0, "end": 6, "occurrence": 1}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "occurrence_with_offsets"
    evidence = [{"source_sha256": source.text_sha256, "start": 0, "end": 6, "occurrence": 1}]
    assert _refusal(tmp_path, _line(source, evidence=evidence)) == f"line 1: evidence[0]: {response.json()['detail']}"


@pytest.mark.parametrize("occurrence", ["2", 0, -1, 1.5, True, [1]])
def test_an_occurrence_that_is_not_a_positive_integer_is_a_line_error_that_says_so(tmp_path, source, analyst, reviewer, occurrence):
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia", "occurrence": occurrence}]
    assert _refusal(tmp_path, _line(source, evidence=evidence)) == (
        f"line 1: evidence[0]: occurrence must be a positive integer, not {occurrence!r}"
    )


def test_an_empty_quote_with_offsets_is_refused_as_the_api_refuses_it(tmp_path, source, analyst, reviewer):
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/spans/", {"source": source.pk, "start": 0, "end": 6, "quote": ""}, format="json")
    assert response.status_code == 400, response.json()
    evidence = [{"source_sha256": source.text_sha256, "start": 0, "end": 6, "quote": ""}]
    # The API's serializer refuses a blank quote; the import, by the one rule, as words that
    # are not the text's (it had taken "" as no quote, and the offsets alone).
    assert _refusal(tmp_path, _line(source, evidence=evidence)) == (
        "line 1: evidence[0]: The quote does not match the text at [0, 6), which reads 'Russia'."
    )

def test_context_that_agrees_with_the_offsets_imports(tmp_path, source, analyst, reviewer):
    from sources.anchoring import context_of

    start = source.text.index("Moscow")
    prefix, suffix = context_of(source.text, start, start + 6)
    evidence = [{"source_sha256": source.text_sha256, "start": start, "end": start + 6,
                 "prefix": prefix, "suffix": suffix}]
    span_line = {"type": "span", "uid": str(uuid.uuid4()), "source_uid": str(source.uid), "start": 0, "end": 6,
                 "prefix": "", "suffix": source.text[6:20]}
    assert _imports(tmp_path, span_line, _line(source, evidence=evidence)).claims_created == 1
    assert sorted(source.spans.values_list("quote", flat=True)) == ["Moscow", "Russia"]


@pytest.mark.parametrize("by", [{"quote": "Russia voted six times"}, {"start": 0, "end": 6}], ids=["quote", "offsets"])
def test_a_prefix_that_is_not_text_is_a_line_error_not_a_traceback(tmp_path, source, analyst, reviewer, by):
    evidence = [{"source_sha256": source.text_sha256, "prefix": 5, **by}]
    assert _refusal(tmp_path, _line(source, evidence=evidence)) == "line 1: evidence[0]: prefix must be a string"


def test_evidence_that_ends_inside_a_character_is_a_line_error(tmp_path, analyst, reviewer):
    from sources.services import source_create

    source = source_create(user=analyst, title="Decomposed", text="Russia voted six times at the cafe\u0301.")
    start = source.text.index("cafe")
    line = _line(source, evidence=[{"source_sha256": source.text_sha256, "start": start, "end": start + 4, "stance": "supports"}])
    assert "falls inside a character" in _refusal(tmp_path, line)
