"""``export_claims`` and ``import_claims`` carry relations between claims and sources'
original files, losslessly; imported rows reach the changes feed."""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from claims.models import Claim, ClaimRelation, Entity, Evidence, Review
from claims.relation_services import relation_create
from feed.models import Event
from sources.ingestion import source_create_from_file
from sources.services import source_create
from sources.models import Source, Span

pytestmark = pytest.mark.django_db

ORIGINAL = b"An original report.\nRussia voted six times for sanctions on Iran.\n"


def _export(tmp_path, *args) -> bytes:
    path = tmp_path / "export.jsonl"
    call_command("export_claims", "--output", str(path), "--no-progress", *args, stderr=io.StringIO())
    return path.read_bytes()


def _import(tmp_path, content: bytes, *args) -> str:
    path = tmp_path / "import.jsonl"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_claims", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def _lines(content: bytes) -> list[dict]:
    return [json.loads(line) for line in content.splitlines()]


def _empty_the_database() -> None:
    """Remove the content (users stay), as a database the export is loaded into."""
    ClaimRelation.objects.all().delete()
    Review.objects.all()._raw_delete(Review.objects.db)
    Evidence.objects.all().delete()
    Claim.entities.through.objects.all().delete()
    Claim.objects.filter(supersedes__isnull=False).delete()
    Claim.objects.all().delete()
    Span.objects.all().delete()
    Source.objects.all().delete()
    Entity.objects.all().delete()
    Event.objects.all().delete()


@pytest.fixture
def related(analyst, reviewer, make_claim):
    first = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    second = make_claim(analyst, status="published", reviewer=reviewer, text="Russia never voted for sanctions.")
    draft = make_claim(analyst, text="Russia voted for sanctions six times.")
    relation_create(from_claim=second, to_claim=first, kind="contradicts", user=reviewer, note="Opposite counts.")
    relation_create(from_claim=draft, to_claim=first, kind="duplicate_of", user=analyst)
    return first, second, draft


def _relations() -> list[tuple]:
    return sorted(
        ClaimRelation.objects.values_list("from_claim__uid", "to_claim__uid", "kind", "note", "created_by__username", "created_at")
    )


# ---------------------------------------------------------------------------------------------
# Relations


def test_relations_round_trip_into_an_empty_database(related, tmp_path):
    exported = _export(tmp_path, "--with-sources")
    relation_lines = [line for line in _lines(exported) if line.get("type", "claim") == "relation"]
    assert {line["kind"] for line in relation_lines} == {"contradicts", "duplicate_of"}
    before, attention = _relations(), dict(Claim.objects.values_list("uid", "needs_attention"))
    assert any(attention.values())  # two published claims contradict each other

    _empty_the_database()
    output = _import(tmp_path, exported)

    assert "2 relations (0 present)" in output
    assert _relations() == before
    # The emergency is back: both published claims need attention again.
    assert dict(Claim.objects.values_list("uid", "needs_attention")) == attention
    assert ClaimRelation.history.filter(history_change_reason="Imported").count() == 2
    assert _export(tmp_path, "--with-sources") == exported


def test_a_second_import_of_relations_changes_nothing(related, tmp_path):
    exported = _export(tmp_path, "--with-sources")
    versions = dict(Claim.objects.values_list("pk", "version"))
    output = _import(tmp_path, exported)
    assert "0 relations (2 present)" in output
    assert ClaimRelation.objects.count() == 2
    assert dict(Claim.objects.values_list("pk", "version")) == versions


def test_a_status_filtered_export_keeps_only_relations_between_exported_claims(related, tmp_path):
    first, second, _ = related
    exported = _export(tmp_path, "--status", "published")
    relation_lines = [line for line in _lines(exported) if line.get("type", "claim") == "relation"]
    assert [(line["from_claim"], line["to_claim"], line["kind"]) for line in relation_lines] == [
        (str(second.uid), str(first.uid), "contradicts")
    ]


def test_a_relation_onto_claims_already_present_bumps_their_versions_and_reaches_the_feed(related, tmp_path):
    first, second, draft = related
    ClaimRelation.objects.filter(kind="contradicts").delete()
    versions = dict(Claim.objects.values_list("pk", "version"))
    last_event = Event.objects.order_by("id").last().id
    line = {"type": "relation", "from_claim": str(second.uid), "to_claim": str(first.uid), "kind": "contradicts"}
    output = _import(tmp_path, json.dumps(line).encode())
    assert "1 relations (0 present)" in output
    after = dict(Claim.objects.values_list("pk", "version"))
    assert after[first.pk] == versions[first.pk] + 1 and after[second.pk] == versions[second.pk] + 1
    assert after[draft.pk] == versions[draft.pk]
    assert Claim.objects.get(pk=first.pk).needs_attention
    updates = Event.objects.filter(type="claim.updated", id__gt=last_event)
    assert sorted((event.claim, event.version, event.public) for event in updates) == [
        (first.pk, after[first.pk], True), (second.pk, after[second.pk], True)
    ]


def test_an_imported_relation_of_a_public_claim_to_a_draft_leaves_the_public_claims_version(related, tmp_path):
    """As ``relation_create``: only staff see the relation, so nothing anybody else sees of
    the public claim changed; the draft gets a new version."""
    first, second, draft = related
    ClaimRelation.objects.all().delete()
    versions = dict(Claim.objects.values_list("pk", "version"))
    last_event = Event.objects.order_by("id").last().id
    line = {"type": "relation", "from_claim": str(draft.uid), "to_claim": str(first.uid), "kind": "duplicate_of"}
    assert "1 relations (0 present)" in _import(tmp_path, json.dumps(line).encode())
    after = dict(Claim.objects.values_list("pk", "version"))
    assert after[first.pk] == versions[first.pk] and after[draft.pk] == versions[draft.pk] + 1
    updates = Event.objects.filter(type="claim.updated", id__gt=last_event)
    assert [(event.claim, event.public) for event in updates] == [(draft.pk, False)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "contrary"}, "kind: Unknown kind 'contrary'"),
        ({"to_claim": "FROM"}, "to_claim: A claim cannot be related to itself."),
        ({"to_claim": "00000000-0000-4000-8000-000000000000"}, "no such claim 00000000-0000-4000-8000-000000000000"),
        ({"to_claim": "not-a-uuid"}, "to_claim must be a UUID"),
        ({"note": "x" * 10_001}, "note: The note is longer than 10000 characters."),
        ({"created_by": "nobody"}, "created_by 'nobody' is not a user"),
        ({"from_claim": None}, "a relation names its claims by uid"),
        ({"colour": "red"}, "unknown field(s) of a relation line: colour"),
    ],
)
def test_invalid_relation_lines_are_refused_with_their_line_numbers(related, tmp_path, change, message):
    first, second, _ = related
    ClaimRelation.objects.all().delete()
    line = {"type": "relation", "from_claim": str(second.uid), "to_claim": str(first.uid), "kind": "related", **change}
    if line.get("to_claim") == "FROM":
        line["to_claim"] = line["from_claim"]
    errors = io.StringIO()
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + json.dumps(line) + "\n")
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stderr=errors, stdout=io.StringIO())
    assert "line 2: " in errors.getvalue() and message in errors.getvalue()
    assert not ClaimRelation.objects.exists()


def test_the_same_relation_twice_either_way_round_is_refused(related, tmp_path):
    first, second, _ = related
    ClaimRelation.objects.all().delete()
    forward = {"type": "relation", "from_claim": str(second.uid), "to_claim": str(first.uid), "kind": "related"}
    backward = {**forward, "from_claim": str(first.uid), "to_claim": str(second.uid)}
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(forward) + "\n" + json.dumps(backward) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stderr=errors, stdout=io.StringIO())
    assert "line 2: the same relation as line 1" in errors.getvalue()
    assert not ClaimRelation.objects.exists()


def test_a_relation_may_name_claims_further_down_the_file(analyst, reviewer, make_claim, tmp_path):
    first = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    second = make_claim(analyst, text="Russia voted six times, said Moscow.")
    relation_create(from_claim=second, to_claim=first, kind="related", user=analyst)
    exported = _lines(_export(tmp_path, "--with-sources"))
    _empty_the_database()
    reordered = [line for line in exported if line.get("type", "claim") in ("source", "entity")]
    reordered += [line for line in exported if line.get("type", "claim") == "relation"]
    reordered += [line for line in exported if line.get("type", "claim") == "claim"]
    output = _import(tmp_path, b"\n".join(json.dumps(line).encode() for line in reordered))
    assert "1 relations" in output
    assert ClaimRelation.objects.get().kind == "related"


# ---------------------------------------------------------------------------------------------
# Originals


@pytest.fixture
def uploaded(analyst):
    return source_create_from_file(user=analyst, stream=io.BytesIO(ORIGINAL), filename="report.txt")


def _source_line(content: bytes) -> dict:
    return next(line for line in _lines(content) if line.get("type", "claim") == "source" and line.get("original_sha256"))


def test_an_export_with_originals_carries_the_bytes_and_an_import_restores_them(uploaded, tmp_path, settings):
    exported = _export(tmp_path, "--with-originals")
    line = _source_line(exported)
    assert base64.b64decode(line["original"]) == ORIGINAL
    assert line["original_sha256"] == hashlib.sha256(ORIGINAL).hexdigest()
    assert (line["original_media_type"], line["original_size"]) == ("text/plain", len(ORIGINAL))

    _empty_the_database()
    settings.MEDIA_ROOT = str(tmp_path / "another-storage")  # a database whose storage lacks it
    output = _import(tmp_path, exported)

    assert "1 originals stored" in output
    source = Source.objects.get()
    with default_storage.open(source.original.name, "rb") as handle:
        assert handle.read() == ORIGINAL
    assert (source.original_sha256, source.original_media_type, source.original_size) == (
        line["original_sha256"], "text/plain", len(ORIGINAL)
    )
    assert _export(tmp_path, "--with-originals") == exported


def test_without_originals_the_hash_travels_and_the_storage_is_linked_when_it_holds_the_file(uploaded, tmp_path, settings):
    exported = _export(tmp_path, "--with-sources")
    line = _source_line(exported)
    assert line["original"] is None and line["original_sha256"] == uploaded.original_sha256

    _empty_the_database()
    _import(tmp_path, exported)  # the same storage: the file is there under its hash
    assert Source.objects.get().original.name == uploaded.original.name

    _empty_the_database()
    settings.MEDIA_ROOT = str(tmp_path / "empty-storage")
    output = _import(tmp_path, exported)
    assert "(1 known by their hash only)" in output
    source = Source.objects.get()
    assert source.original_sha256 == uploaded.original_sha256 and not source.original
    assert _export(tmp_path, "--with-sources") == exported  # still lossless: the hash, flagged


RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю.\n"


@pytest.mark.parametrize("flag", ["--with-originals", "--with-sources"])
def test_the_charset_an_original_was_read_in_travels_with_it(analyst, tmp_path, flag):
    data = RUSSIAN.encode("koi8_r")
    source_create_from_file(user=analyst, stream=io.BytesIO(data), filename="pangram.txt", charset="koi8-r")
    exported = _export(tmp_path, flag)
    line = _source_line(exported)
    assert (line["original_media_type"], line["original_charset"]) == ("text/plain", "koi8-r")

    _empty_the_database()
    _import(tmp_path, exported)
    source = Source.objects.get()
    assert (source.text, source.original_charset) == (RUSSIAN, "koi8-r")
    assert _export(tmp_path, flag) == exported


def test_a_source_line_without_an_original_says_nothing_of_one(analyst, tmp_path):
    source_create(user=analyst, title="Pasted", text="Pasted text, read from no file.")
    line = next(line for line in _lines(_export(tmp_path, "--with-sources")) if line.get("type") == "source")
    assert not [name for name in line if name.startswith("original")]


def test_a_source_line_written_before_charsets_travelled_imports_without_one(uploaded, tmp_path, settings):
    line = _source_line(_export(tmp_path, "--with-originals"))
    del line["original_charset"]
    _empty_the_database()
    settings.MEDIA_ROOT = str(tmp_path / "another-storage")
    assert "1 originals stored" in _import(tmp_path, json.dumps(line).encode() + b"\n")
    source = Source.objects.get()
    assert (source.original_sha256, source.original_charset) == (line["original_sha256"], "")


def test_a_label_of_an_encoding_is_imported_as_its_name(uploaded, tmp_path):
    line = _source_line(_export(tmp_path, "--with-sources"))
    _empty_the_database()
    _import(tmp_path, json.dumps({**line, "original_charset": " Latin1 "}).encode() + b"\n")
    assert Source.objects.get().original_charset == "windows-1252"


def test_an_original_whose_bytes_do_not_match_its_hash_is_refused(uploaded, tmp_path, settings):
    line = _source_line(_export(tmp_path, "--with-originals"))
    _empty_the_database()
    settings.MEDIA_ROOT = str(tmp_path / "fresh")
    cases = [
        ({"original": base64.b64encode(b"x" * len(ORIGINAL)).decode()}, "do not match original_sha256"),
        ({"original": "%" * len(line["original"])}, "must be the file's bytes in base64"),
        ({"original_sha256": "ABC"}, "64 lowercase hexadecimal digits"),
        ({"original_media_type": "image/png"}, "original_media_type 'image/png' is not one of"),
        ({"original_size": -1}, "original_size must be a number of bytes"),
        ({"original_sha256": None}, "an original needs its original_sha256"),
        ({"original_size": 10**12}, "larger than the limit of MAX_SOURCE_MB"),
        ({"original": line["original"] + "AAAA"}, "base64 characters, not the"),
        ({"original_charset": "klingon"}, "original_charset 'klingon' names no encoding"),
        ({"original_charset": 8}, "original_charset 8 names no encoding"),
        ({"original_media_type": "application/pdf", "original_charset": "utf-8"}, "a PDF original has no charset"),
        ({"original_sha256": None, "original": None, "original_media_type": None, "original_size": None}, "an original needs its original_sha256"),
    ]
    for change, message in cases:
        path = tmp_path / "bad.jsonl"
        path.write_text(json.dumps({**line, **change}) + "\n")
        errors = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_claims", str(path), "--no-progress", stderr=errors, stdout=io.StringIO())
        assert "line 1: " in errors.getvalue() and message in errors.getvalue(), (change, errors.getvalue())
    assert not Source.objects.exists()
    assert not default_storage.exists(f"originals/{line['original_sha256'][:2]}/{line['original_sha256']}.txt")


def test_a_refused_import_deletes_the_originals_it_stored_and_no_other(uploaded, tmp_path, settings):
    """The file's good source line stored its original; a later line is invalid, and the
    rollback took the source: the file goes too. A file a source names stays."""
    line = _source_line(_export(tmp_path, "--with-originals"))
    kept = uploaded.original.name
    other = b"Another original, imported."
    new_line = {**line, "uid": None, "url": None, "text": "Another text.", "original": base64.b64encode(other).decode(),
                "original_sha256": hashlib.sha256(other).hexdigest(), "original_size": len(other)}
    path = tmp_path / "refused.jsonl"
    path.write_text(json.dumps(new_line) + "\n" + json.dumps({"type": "entity", "slug": "x"}) + "\n")
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stderr=io.StringIO(), stdout=io.StringIO())
    assert not default_storage.exists(f"originals/{new_line['original_sha256'][:2]}/{new_line['original_sha256']}.txt")
    assert default_storage.exists(kept)


def test_an_original_that_another_source_holds_is_a_line_error_not_a_crash(uploaded, tmp_path):
    line = _source_line(_export(tmp_path, "--with-originals"))
    line.update(text="A different text with the same original.", uid=None, url=None)
    path = tmp_path / "taken.jsonl"
    path.write_text(json.dumps(line) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stderr=errors, stdout=io.StringIO())
    assert f"belongs to source #{uploaded.pk}" in errors.getvalue()


def test_an_original_missing_from_storage_is_exported_as_its_hash_with_a_warning(uploaded, tmp_path):
    default_storage.delete(uploaded.original.name)
    path = tmp_path / "export.jsonl"
    warnings = io.StringIO()
    call_command("export_claims", "--output", str(path), "--no-progress", "--with-originals", stderr=warnings)
    assert _source_line(path.read_bytes())["original"] is None
    assert f"The original of source {uploaded.uid}" in warnings.getvalue()


def _check_originals() -> str:
    out = io.StringIO()
    try:
        call_command("check_originals", stdout=out, stderr=out)
    except CommandError as error:
        out.write(str(error))
    return out.getvalue()


def test_an_export_with_originals_restores_a_present_sources_missing_or_damaged_original(analyst, tmp_path):
    """That export is the natural backup of the storage: importing it again stored nothing
    for sources already present, and ``check_originals`` still named their files."""
    lost = source_create_from_file(user=analyst, stream=io.BytesIO(ORIGINAL), filename="lost.txt")
    damaged = source_create_from_file(user=analyst, stream=io.BytesIO(b"A second report.\n"), filename="damaged.txt")
    whole = source_create_from_file(user=analyst, stream=io.BytesIO(b"A third report, whole.\n"), filename="whole.txt")
    exported = _export(tmp_path, "--with-originals")
    default_storage.delete(lost.original.name)
    with default_storage.open(damaged.original.name, "wb") as handle:
        handle.write(b"A second REPORT.\n")  # the same size, other bytes
    whole_time = default_storage.get_modified_time(whole.original.name)
    assert "2 missing, damaged or unreadable" in _check_originals()

    output = _import(tmp_path, exported)

    assert "0 sources (3 present)" in output and "0 originals stored, 2 originals restored;" in output
    for source, content in ((lost, ORIGINAL), (damaged, b"A second report.\n")):
        with default_storage.open(source.original.name, "rb") as handle:
            assert handle.read() == content
    assert default_storage.get_modified_time(whole.original.name) == whole_time  # left alone
    assert "0 missing, damaged or unreadable" in _check_originals()
    assert "originals restored" not in _import(tmp_path, exported)  # nothing left to restore


def test_a_present_sources_original_known_by_its_hash_only_is_restored_and_taken(uploaded, tmp_path):
    exported = _export(tmp_path, "--with-originals")
    default_storage.delete(uploaded.original.name)
    Source.objects.filter(pk=uploaded.pk).update(original="")  # as imported without its bytes
    output = _import(tmp_path, exported)
    assert "1 originals restored" in output
    assert Source.objects.get().original.name == uploaded.original.name
    assert "0 missing, damaged or unreadable" in _check_originals()


def test_a_present_sources_original_is_never_replaced_by_bytes_of_another_hash(uploaded, tmp_path):
    line = _source_line(_export(tmp_path, "--with-originals"))
    default_storage.delete(uploaded.original.name)
    other = b"Other bytes, with their own hash."
    changed = {**line, "original": base64.b64encode(other).decode(), "original_sha256": hashlib.sha256(other).hexdigest(),
               "original_size": len(other)}
    output = _import(tmp_path, json.dumps(changed).encode())
    assert "originals restored" not in output
    assert not default_storage.exists(uploaded.original.name)
    assert not default_storage.exists(f"originals/{changed['original_sha256'][:2]}/{changed['original_sha256']}.txt")
    assert Source.objects.get().original_sha256 == uploaded.original_sha256


def test_bytes_that_do_not_match_a_present_sources_recorded_hash_are_a_line_error(uploaded, tmp_path):
    line = _source_line(_export(tmp_path, "--with-originals"))
    default_storage.delete(uploaded.original.name)
    forged = {**line, "original": base64.b64encode(b"x" * len(ORIGINAL)).decode()}  # the recorded hash, other bytes
    path = tmp_path / "forged.jsonl"
    path.write_text(json.dumps(forged) + "\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_claims", str(path), "--no-progress", stderr=errors, stdout=io.StringIO())
    assert "line 1: original: its bytes do not match original_sha256 and original_size" in errors.getvalue()
    assert not default_storage.exists(uploaded.original.name)


# ---------------------------------------------------------------------------------------------
# The changes feed


def test_imported_claims_and_sources_reach_the_changes_feed(analyst, reviewer, make_claim, tmp_path):
    published = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    draft = make_claim(analyst, text="A draft.")
    exported = _export(tmp_path, "--with-sources")
    uids = {published.uid: "published", draft.uid: "draft"}
    _empty_the_database()

    _import(tmp_path, exported)

    assert not Event.objects.filter(seq__isnull=True).exists()  # numbered once the import committed
    created = {Claim.objects.get(pk=event.claim).uid: (event.status, event.public) for event in Event.objects.filter(type="claim.created")}
    assert created == {uid: (status, status == "published") for uid, status in uids.items()}
    assert Event.objects.filter(type="source.created", source=Source.objects.get().pk, public=True).exists()
    anonymous = APIClient().get("/api/v1/changes/").json()["results"]
    assert {(event["type"], event["status"]) for event in anonymous} == {("claim.created", "published"), ("source.created", None)}
