"""Files appear whole or not at all, and a full disk is said as such: an original cut short
is never served or reused as the original (``project.storage``, ``store_original``), and a
disk that fills up during an upload, a fetch or an extraction is a 507 with nothing
created, in the API and in the admin."""

from __future__ import annotations

import errno
import hashlib
import io

import pytest
from django.core.files import uploadedfile, uploadhandler
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from rest_framework.test import APIClient

from project.middleware import TemporaryFailureMiddleware
from project.storage import AtomicFileSystemStorage
from sources import ingestion
from sources.models import Source

SOURCES = "/api/v1/sources/"
def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


DATA = b"A transcript of the briefing, kept as it was read.\n" * 2000


class _DiskFillsUp(io.BytesIO):
    """A stream whose second read finds the disk full."""

    reads = 0

    def read(self, size=-1):
        self.reads += 1
        if self.reads == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().read(1000)


def test_a_file_whose_write_fails_midway_is_not_left_under_any_name(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError):
        storage.save("originals/ab/abc.txt", File(_DiskFillsUp(DATA), name="abc.txt"))
    assert list(tmp_path.rglob("*.*")) == []


def test_a_saved_file_has_its_name_and_its_bytes(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    assert storage.save("originals/ab/abc.txt", ContentFile(DATA)) == "originals/ab/abc.txt"
    assert storage.save("originals/ab/abc.txt", ContentFile(b"other")) != "originals/ab/abc.txt"
    assert storage.open("originals/ab/abc.txt").read() == DATA
    assert len(storage.listdir("originals/ab")[1]) == 2
    assert not [path for path in tmp_path.rglob("*") if "partial" in path.name]


@pytest.mark.django_db
def test_an_original_left_cut_short_is_replaced_not_served(analyst):
    sha = hashlib.sha256(DATA).hexdigest()
    name = ingestion.original_name(sha, "text/plain")
    # As an earlier version left it when the disk filled up: the hash's name, a part of its bytes.
    default_storage.save(name, ContentFile(DATA[:65536]))
    response = client_for(analyst).post(
        SOURCES, {"file": SimpleUploadedFile("briefing.txt", DATA, content_type="text/plain")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    original = client_for(analyst).get(f"{SOURCES}{response.json()['id']}/original/")
    assert b"".join(original.streaming_content) == DATA


@pytest.mark.django_db
def test_a_full_disk_where_originals_go_is_a_507_with_nothing_created(analyst, monkeypatch):
    def full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(AtomicFileSystemStorage, "_save", full)
    response = client_for(analyst).post(
        SOURCES, {"file": SimpleUploadedFile("briefing.txt", DATA, content_type="text/plain")}, format="multipart"
    )
    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert "no room left" in response.json()["detail"]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_full_disk_where_uploads_are_spooled_is_a_507(analyst, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", full)
    response = client_for(analyst).post(
        SOURCES, {"file": SimpleUploadedFile("briefing.txt", DATA, content_type="text/plain")}, format="multipart"
    )
    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert not Source.objects.exists()


def _no_room(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["originals", "spooled upload", "upload's last write"])
def test_a_full_disk_in_the_admin_is_said_on_the_form(client, superuser, monkeypatch, where):
    if where == "originals":
        monkeypatch.setattr(AtomicFileSystemStorage, "_save", _no_room)
    elif where == "spooled upload":
        monkeypatch.setattr(uploadedfile.tempfile, "NamedTemporaryFile", _no_room)
    else:
        monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "file_complete", _no_room)
    client.force_login(superuser)
    response = client.post(
        "/admin/sources/source/add/from-file/",
        {"file": SimpleUploadedFile("briefing.txt", DATA, content_type="text/plain"), "kind": "transcript", "reliability": "B"},
    )
    assert response.status_code == 200
    assert "no room left to store files" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize("path, content_type", [("/api/v1/claims/", "application/json"), ("/admin/", "text/plain")])
def test_a_full_disk_anywhere_else_is_a_507_not_a_500(path, content_type):
    middleware = TemporaryFailureMiddleware(lambda request: None)
    try:
        raise OSError(errno.EDQUOT, "Disk quota exceeded")
    except OSError as error:
        try:
            raise ValueError("while writing") from error
        except ValueError as wrapped:
            response = middleware.process_exception(RequestFactory().get(path), wrapped)
    assert response.status_code == 507
    assert response["Content-Type"].startswith(content_type)
    other = middleware.process_exception(RequestFactory().get(path), OSError(errno.EACCES, "Permission denied"))
    assert other is None


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_is_a_503_with_nothing_created(analyst, settings, tmp_path):
    """A read-only, unmounted or misnamed volume: every upload was a bare 500, and the
    downloads said each original "missing", to be restored by an upload that failed too."""
    uploaded = client_for(analyst).post(
        SOURCES, {"file": SimpleUploadedFile("kept.txt", b"Stored while the volume was there.\n")}, format="multipart"
    )
    assert uploaded.status_code == 201
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = str(tmp_path / "a-file" / "media")  # ENOTDIR below it, as root too
    response = client_for(analyst).post(
        SOURCES, {"file": SimpleUploadedFile("briefing.txt", DATA, content_type="text/plain")}, format="multipart"
    )
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "storage_unavailable" and "Tell the site's administrators" in response.json()["detail"]
    assert response.headers["Retry-After"]
    assert Source.objects.count() == 1
    download = client_for(analyst).get(f"{SOURCES}{uploaded.json()['id']}/original/")
    assert download.status_code == 503 and download.json()["code"] == "original_unavailable"
