"""``sources.ingestion``: duplicates refused under concurrency, a crash between storing the
original and saving the source leaves nothing that blocks a retry."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from project.errors import Conflict, InvalidInput
from sources import ingestion, services
from sources.models import Source


# Threads need committed data; serialized_rollback restores what the flush after the test
# removes (the roles, the content types), as the other concurrency tests do.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("data", [
    b"Uploaded by two analysts in the same second.",
    # Long: the text reaches the database by its own way (sources.services._text_sent_in_slices).
    "Uploaded by two analysts, a long transcript.\n".encode() * (services.LONG_TEXT // 40),
], ids=["short", "long"])
def test_two_identical_uploads_at_once_make_one_source(data):
    barrier = threading.Barrier(2)
    outcomes: list = []

    def upload(name):
        try:
            barrier.wait(timeout=10)
            outcomes.append(ingestion.source_create_from_file(stream=io.BytesIO(data), filename=name))
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(f"{n}.txt",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Source.objects.count() == 1
    assert Source.objects.get().text == data.decode()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_largeobject_metadata")
            assert cursor.fetchone()[0] == 0  # the loser's went with its rollback
    assert sorted(str(type(outcome).__name__) if not isinstance(outcome, str) else outcome for outcome in outcomes) == ["Source", "duplicate_original"]
    # The loser's refusal left the file the winner names.
    with default_storage.open(Source.objects.get().original.name, "rb") as stored:
        assert stored.read() == data


@pytest.mark.django_db
def test_a_crash_after_the_original_was_stored_does_not_block_a_retry():
    data = b"Stored, then the process died before the source was saved."
    sha = hashlib.sha256(data).hexdigest()
    name = ingestion.store_original(io.BytesIO(data), sha256=sha, size=len(data), media_type="text/plain")
    source = ingestion.source_create_from_file(stream=io.BytesIO(data), filename="retry.txt")
    assert source.original.name == name
    assert default_storage.listdir(f"originals/{sha[:2]}")[1] == [f"{sha}.txt"]


@pytest.mark.django_db
def test_a_failed_save_leaves_no_source(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingestion, "source_create", fail)
    with pytest.raises(RuntimeError):
        ingestion.source_create_from_file(stream=io.BytesIO(b"Never saved."), filename="a.txt")
    assert not Source.objects.exists()
    assert stored_originals() == []


def stored_originals() -> list[str]:
    if not default_storage.exists("originals"):
        return []
    return [name for folder in default_storage.listdir("originals")[0] for name in default_storage.listdir(f"originals/{folder}")[1]]


@pytest.mark.django_db
def test_a_text_the_source_refuses_is_refused_before_its_file_is_stored():
    """A file whose text holds U+0000 (UTF-16: a character, not binary) is refused by the
    file's name, and nothing is kept: repeated, such uploads would fill the disk."""
    with pytest.raises(InvalidInput) as refused:
        ingestion.source_create_from_file(stream=io.BytesIO("Hi\x00there".encode("utf-16")), filename="nul.txt")
    assert refused.value.code == "null_character"
    assert refused.value.extra["errors"] == {"file": ["The file's text cannot be stored: null characters are not allowed."]}
    assert stored_originals() == []


@pytest.mark.django_db
def test_an_upload_that_loses_a_race_for_its_url_keeps_no_file(monkeypatch):
    """The URL was free when looked at, and taken when the source was saved: 409, and the
    file stored for it is gone (the winner's own is another file)."""
    services.source_create(title="Read first", text="Some text.", url="https://example.org/a")
    monkeypatch.setattr(ingestion, "_refuse_duplicate_url", lambda url, **named: None)
    monkeypatch.setattr(ingestion, "check_source_fields", lambda **fields: None)
    with pytest.raises(Conflict) as refused:  # the save's own look, as its one writer
        ingestion.source_create_from_file(stream=io.BytesIO(b"Other bytes of the same page."), filename="a.txt", url="https://example.org/a")
    assert refused.value.code == "duplicate_url" and list(refused.value.extra["errors"]) == ["url"]
    assert stored_originals() == []


@pytest.mark.django_db
def test_a_refused_upload_leaves_the_file_a_source_of_the_same_bytes_names(monkeypatch):
    """Two uploads of the same bytes: one is refused (its URL taken), the other is saved
    and names the stored file. Whichever order their last steps take, the file stays."""
    data = b"The same bytes, uploaded twice at once."
    sha = hashlib.sha256(data).hexdigest()
    original = {"original": ingestion.original_name(sha, "text/plain"), "original_sha256": sha,
                "original_size": len(data), "original_media_type": "text/plain"}
    ingestion.store_original(io.BytesIO(data), sha256=sha, size=len(data), media_type="text/plain")
    named = services.source_create(title="Saved", text="Some text.", original=original)
    # The refused one looks after the other committed: the file is left alone.
    ingestion._discard_original(io.BytesIO(data), **original)
    assert default_storage.exists(named.original.name)
    # It looked before the other committed, and deleted the file: it looks again after the
    # delete and puts the file back.
    looks = iter([False, True])
    monkeypatch.setattr(ingestion, "_named_by_a_source", lambda name: next(looks))
    ingestion._discard_original(io.BytesIO(data), **original)
    with default_storage.open(named.original.name, "rb") as stored:
        assert stored.read() == data


@pytest.mark.django_db
def test_a_saved_upload_whose_file_a_refused_one_deleted_meanwhile_stores_it_again(monkeypatch, django_capture_on_commit_callbacks):
    create = ingestion.source_create

    def then_deleted(**fields):
        source = create(**fields)
        default_storage.delete(source.original.name)  # by a refused upload of the same bytes
        return source

    monkeypatch.setattr(ingestion, "source_create", then_deleted)
    with django_capture_on_commit_callbacks(execute=True):  # the look once committed
        source = ingestion.source_create_from_file(stream=io.BytesIO(b"Saved, and its file deleted meanwhile."), filename="a.txt")
    with default_storage.open(source.original.name, "rb") as stored:
        assert stored.read() == b"Saved, and its file deleted meanwhile."


@pytest.mark.django_db
def test_metadata_that_does_not_fit_the_fields_is_cut_or_dropped():
    title = "T" * 900
    html = (
        f'<html lang="not a tag!"><head><title>{title}</title><link rel="canonical" href="javascript:alert(1)">'
        "</head><body><article><p>" + "Words of an article that is long enough to be its main text. " * 5 + "</p></article></body></html>"
    ).encode()
    source = ingestion.source_create_from_file(stream=io.BytesIO(html), filename="a.html")
    assert len(source.title) <= 500 and source.url is None and source.language == "en"


@pytest.mark.django_db
def test_an_original_is_stored_only_with_the_bytes_its_hash_names():
    hashed = b"The bytes that were hashed and extracted."
    sha = hashlib.sha256(hashed).hexdigest()
    with pytest.raises(InvalidInput) as refused:
        ingestion.store_original(io.BytesIO(b"Other bytes, written since."), sha256=sha, size=len(hashed), media_type="text/plain")
    assert refused.value.code == "file_changed"
    assert not default_storage.exists(ingestion.original_name(sha, "text/plain"))
    # Cut short: the same start, fewer bytes.
    with pytest.raises(InvalidInput):
        ingestion.store_original(io.BytesIO(hashed[:10]), sha256=sha, size=len(hashed), media_type="text/plain")
    assert not default_storage.exists(ingestion.original_name(sha, "text/plain"))
    name = ingestion.store_original(io.BytesIO(hashed), sha256=sha, size=len(hashed), media_type="text/plain")
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == hashed


@pytest.mark.django_db
def test_a_url_recorded_meanwhile_is_a_409_naming_it_whichever_check_sees_it(monkeypatch):
    """Two fetches of one URL at once: the second passes the first look (nothing recorded
    yet), then the first commits before the second validates: 409 naming the first."""
    first = services.source_create(title="Read first", text="Some text.", url="https://example.org/a")
    look = ingestion._refuse_duplicate_url
    looks = []

    def too_early(url, **named):
        looks.append(url)
        if len(looks) > 1:
            look(url, **named)

    monkeypatch.setattr(ingestion, "_refuse_duplicate_url", too_early)
    with pytest.raises(Conflict) as refused:
        ingestion.source_create_from_file(stream=io.BytesIO(b"Other bytes of the same page."), filename="a.txt", url="https://example.org/a")
    assert refused.value.code == "duplicate_url"
    assert refused.value.extra["existing_source"]["id"] == first.pk


def test_the_extractors_limits_are_the_source_fields_lengths():
    """``sources.ingest`` knows no model: its cut of each metadata value must be the field's."""
    from sources.ingest.extract import _MAX_LENGTHS

    assert _MAX_LENGTHS == {name: Source._meta.get_field(name).max_length for name in _MAX_LENGTHS}
