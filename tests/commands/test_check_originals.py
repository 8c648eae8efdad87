"""``manage.py check_originals``: each source's original checked against storage, and the
stored files no source names listed (and deleted once old enough)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from sources import ingestion
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
