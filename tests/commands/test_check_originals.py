"""``manage.py check_originals``: each source's original checked against storage, and the
stored files no source names listed (and deleted once old enough)."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connections

from sources import ingestion, integrity
from sources.models import Source

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("check_originals", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def upload(data: bytes, name: str = "a.txt") -> Source:
    return ingestion.source_create_from_file(stream=io.BytesIO(data), filename=name)


def stored_alone(data: bytes) -> str:
    """An original stored with no source saved after it (a crash in between)."""
    return ingestion.store_original(io.BytesIO(data), sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="text/plain")


def test_whole_originals_pass_and_an_orphan_is_listed_not_deleted(settings):
    upload(b"First original.")
    upload(b"Second original.", "b.txt")
    orphan = stored_alone(b"Stored, never saved.")
    out, err, error = run()
    assert error is None and err == ""
    assert f"orphan   {orphan}" in out
    assert "2 original(s) checked: 0 missing, damaged or unreadable; 1 stored file(s) no source names." in out
    assert default_storage.exists(orphan)


def test_a_missing_or_damaged_original_is_named_and_the_command_fails(settings):
    missing, damaged, whole = upload(b"Lost."), upload(b"Garbled later.", "b.txt"), upload(b"Whole.", "c.txt")
    os.unlink(settings.MEDIA_ROOT / missing.original.name)
    (settings.MEDIA_ROOT / damaged.original.name).write_bytes(b"Garbled now!!!")  # other bytes, same length
    out, err, error = run()
    assert f"source {missing.pk}: its original {missing.original.name} is missing" in err
    assert f"source {damaged.pk}: its original {damaged.original.name} is damaged" in err
    assert f"source {whole.pk}:" not in err and err.count("\n") == 2
    assert error is not None and "3 original(s) checked: 2 missing, damaged or unreadable" in str(error)
    # Sizes only: the garbled file of the same length passes, the lost one does not.
    out, err, error = run("--quick")
    assert "is missing" in err and "is damaged" not in err and "(sizes only)" in str(error)


def test_orphans_are_deleted_once_old_enough(settings):
    kept = upload(b"Named by a source.")
    old, young = stored_alone(b"An old orphan."), stored_alone(b"A young orphan.")
    an_hour_ago = time.time() - 3700
    os.utime(settings.MEDIA_ROOT / old, (an_hour_ago, an_hour_ago))
    out, err, error = run("--delete-orphans")
    assert error is None
    assert f"deleted  {old}" in out and f"orphan   {young}" in out
    assert not default_storage.exists(old) and default_storage.exists(young) and default_storage.exists(kept.original.name)
    assert "2 stored file(s) no source names, 1 deleted." in out


def test_an_old_orphan_reused_for_a_new_source_is_new_again_and_kept(settings):
    """The same bytes uploaded again reuse the stored file: a sweep must not take it for an
    old orphan while its new source is being saved."""
    data = b"Stored long ago, then uploaded again."
    orphan = stored_alone(data)
    an_hour_ago = time.time() - 3700
    os.utime(settings.MEDIA_ROOT / orphan, (an_hour_ago, an_hour_ago))
    assert stored_alone(data) == orphan
    assert os.path.getmtime(settings.MEDIA_ROOT / orphan) > an_hour_ago + 3000
    out, err, error = run("--delete-orphans")
    assert f"orphan   {orphan}" in out and "0 deleted" in out and default_storage.exists(orphan)


def test_a_storage_that_fails_to_answer_is_reported_unreadable_in_both_modes(monkeypatch):
    upload(b"An original the storage will fail to read.")

    def refuse(*args, **kwargs):
        raise PermissionError("the storage refused")

    monkeypatch.setattr(default_storage, "open", refuse)
    monkeypatch.setattr(default_storage, "size", refuse)
    for args in ((), ("--quick",)):
        out, err, error = run(*args)
        assert "is unreadable" in err and error is not None, args


def known_by_its_hash_only(data: bytes) -> Source:
    """A source imported with its original's hash and size, not its bytes."""
    source = upload(data)
    os.unlink(default_storage.path(source.original.name))
    Source.objects.filter(pk=source.pk).update(original="")
    return Source.objects.get(pk=source.pk)


def test_an_original_known_by_its_hash_only_is_missing_until_its_bytes_come_and_then_restored(settings):
    from rest_framework.test import APIClient

    from tests.conftest import _user

    data = b"Second variant bytes\n"
    source = known_by_its_hash_only(data)
    name = ingestion.original_name_of(source)
    staff = APIClient()
    staff.force_authenticate(_user("analyst", "Analysts", is_staff=True))
    url = f"/api/v1/sources/{source.pk}/original/"
    answer = staff.get(url)
    assert answer.status_code == 404 and answer.json()["code"] == "original_missing"
    assert "imported by its hash only" in answer.json()["detail"]
    out, err, error = run()
    assert f"source {source.pk}: its original {name} is missing" in err and error is not None
    # The same bytes uploaded again restore it.
    again = staff.post("/api/v1/sources/", {"file": io.BytesIO(data)}, format="multipart")
    assert again.status_code == 409 and "is restored from these bytes" in again.json()["detail"]
    assert b"".join(staff.get(url).streaming_content) == data
    source.refresh_from_db()
    assert source.original.name == name
    assert run()[2] is None


def test_a_file_put_where_a_hash_only_original_belongs_is_adopted_never_an_orphan(settings):
    data = b"Restored from a backup by hand.\n"
    source = known_by_its_hash_only(data)
    name = ingestion.original_name_of(source)
    (settings.MEDIA_ROOT / name).parent.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / name).write_bytes(b"Other bytes entirely, not these.")
    out, err, error = run("--quick", "--delete-orphans", "--older-than", "0")
    assert "orphan" not in out and "is missing" in err  # other bytes: not its original, and not deleted
    assert default_storage.exists(name)
    (settings.MEDIA_ROOT / name).write_bytes(data)
    out, err, error = run("--delete-orphans", "--older-than", "0")
    assert error is None and "orphan" not in out and default_storage.exists(name)
    source.refresh_from_db()
    assert source.original.name == name


def test_a_reused_file_whose_time_cannot_be_renewed_is_still_used_and_the_failure_logged(monkeypatch, caplog):
    data = b"Stored once, reused on a read-only clock."
    orphan = stored_alone(data)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(ingestion.os, "utime", refuse)
    with caplog.at_level("WARNING", logger="sources.ingestion"):
        assert stored_alone(data) == orphan
    assert f"Original {orphan} reused, but its modification time could not be renewed" in caplog.text


def test_a_partial_file_left_by_a_killed_worker_is_an_orphan_deleted_once_old_enough(settings, source):
    """Its name read as an empty hash, which every source without an original has (the
    pasted ``source`` here): it was listed and never deleted, each crash leaking up to
    ``MAX_SOURCE_MB``."""
    data = b"Half written when the worker was killed."
    sha256 = hashlib.sha256(data).hexdigest()
    partial = f"originals/{sha256[:2]}/.{sha256}.txt.0123456789abcdef.partial"
    (settings.MEDIA_ROOT / partial).parent.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / partial).write_bytes(data[:10])
    an_hour_ago = time.time() - 3700
    os.utime(settings.MEDIA_ROOT / partial, (an_hour_ago, an_hour_ago))
    out, err, error = run("--delete-orphans")
    assert error is None and f"deleted  {partial}" in out
    assert not default_storage.exists(partial)


@pytest.mark.parametrize("older_than", ["0", "5"])
def test_a_file_still_being_written_is_left_whatever_older_than_says(settings, older_than):
    """``--older-than 0`` deleted the ``.partial`` file an upload was writing at that moment:
    the upload then failed. A partial changes as its bytes arrive: one unchanged for
    ``PARTIAL_IDLE`` has no writer left, and only such a one is deleted."""
    sha256 = hashlib.sha256(b"whole").hexdigest()
    folder = settings.MEDIA_ROOT / "originals" / sha256[:2]
    folder.mkdir(parents=True, exist_ok=True)
    writing, left = folder / f".{sha256}.txt.00000000000000aa.partial", folder / f".{sha256}.txt.00000000000000bb.partial"
    writing.write_bytes(b"being wri")
    left.write_bytes(b"left by a")
    idle = time.time() - integrity.PARTIAL_IDLE.total_seconds() - 60
    os.utime(left, (idle, idle))
    minutes = time.time() - int(older_than) * 60 - 60  # old enough for --older-than, young for a partial
    os.utime(writing, (minutes, minutes))
    orphan = stored_alone(b"A whole orphan.")
    os.utime(settings.MEDIA_ROOT / orphan, (minutes, minutes))
    out, err, error = run("--delete-orphans", "--older-than", older_than)
    assert error is None
    assert writing.exists() and not left.exists() and not default_storage.exists(orphan)
    assert "3 stored file(s) no source names, 2 deleted." in out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_leaves_the_originals_of_an_import_still_running(settings, tmp_path, monkeypatch):
    """An import stores each original as it reads its line, and names it at its commit: a
    sweep in between (``--older-than 0``, or any age for an import long enough) found the
    file named by no source it could see and deleted it, and the committed source named a
    missing file. The sweep waits for the import (``SWEEP_LOCK_SECONDS``), then leaves such
    files for its next run, and says so."""
    monkeypatch.setattr(integrity, "SWEEP_LOCK_SECONDS", 1)
    data = b"An original imported while an orphan sweep ran."
    uploaded = upload(data)
    export = tmp_path / "export.jsonl"
    call_command("export_claims", "--output", str(export), "--no-progress", "--with-sources", "--with-originals",
                 stderr=StringIO())
    name = uploaded.original.name
    uploaded.delete()
    default_storage.delete(name)

    stored, swept = threading.Event(), threading.Event()
    failures = []

    store_original = ingestion.store_original

    def stored_then_wait_for_the_sweep(*args, **kwargs):
        # Between the file's store and its source's row: no source of the import written yet.
        name = store_original(*args, **kwargs)
        if threading.current_thread() is importer:
            stored.set()
            swept.wait(30)
        return name

    def run_import():
        try:
            call_command("import_claims", str(export), "--no-progress", stdout=StringIO())
        except BaseException as error:  # noqa: BLE001 - reported by the test's thread
            failures.append(error)
        finally:
            stored.set()
            connections.close_all()

    monkeypatch.setattr(ingestion, "store_original", stored_then_wait_for_the_sweep)
    importer = threading.Thread(target=run_import)
    try:
        importer.start()
        assert stored.wait(30)
        assert default_storage.exists(name)  # stored by the import, named by no committed source
        out, err, error = run("--delete-orphans", "--older-than", "0")
        swept.set()
        importer.join(30)
    finally:
        swept.set()
    assert not failures
    assert error is None and f"orphan   {name}" in out and "0 deleted." in out
    assert "1 old enough were not deleted: sources were being saved" in out
    assert Source.objects.get().original.name == name and default_storage.exists(name)
    out, err, error = run("--delete-orphans", "--older-than", "0")
    assert error is None and "1 original(s) checked: 0 missing" in out and "0 stored file(s) no source names" in out


@pytest.mark.parametrize("args, message", [
    (("--delete-orphans", "--older-than", "10000000000"), "--older-than takes a number of minutes from 0 to 52,704,000"),
    (("--delete-orphans", "--older-than", "-5"), "--older-than takes a number of minutes from 0 to"),
    (("--older-than", "5"), "--older-than says which orphans --delete-orphans deletes; give both, or neither."),
])
def test_an_older_than_that_cannot_apply_is_refused_in_words(args, message):
    """A number of minutes past what a date holds ended in an OverflowError traceback, and
    ``--older-than`` without ``--delete-orphans`` was silently ignored (nothing deleted, exit 0)."""
    orphan = stored_alone(b"An orphan the refused run leaves.")
    out, err, error = run(*args)
    assert error is not None and message in str(error)
    assert default_storage.exists(orphan)
