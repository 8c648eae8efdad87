"""``manage.py import_sources PATH...``: files and folders, one transaction per file, a
summary, and a reason for each file refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sources.ingest.text import SPOOLED_FROM
from sources.models import Source
from tests.documents import image_only_pdf, news_pages, one_column_pdf, report_paragraphs

pytestmark = pytest.mark.django_db



@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "notes.txt").write_text("Plain notes to import.")
    (root / "sub" / "page.html").write_bytes(news_pages()[1].html.encode())
    (root / "sub" / "report.pdf").write_bytes(one_column_pdf(report_paragraphs(3), info={"Title": "Imported report"}))
    (root / "scan.pdf").write_bytes(image_only_pdf())
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (root / ".hidden.txt").write_text("never imported")
    return root


def run(*args):
    out = StringIO()
    try:
        call_command("import_sources", *args, "--no-progress", stdout=out, stderr=StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_a_folder_is_imported_file_by_file_with_reasons_for_the_refused(folder, analyst):
    out, error = run(str(folder), "--user", "analyst", "--reliability", "B")
    assert Source.objects.count() == 3
    assert set(Source.objects.values_list("original_media_type", flat=True)) == {"text/plain", "text/html", "application/pdf"}
    assert set(Source.objects.values_list("reliability", flat=True)) == {"B"}
    assert all(source.created_by == analyst for source in Source.objects.all())
    assert f"refused  {folder / 'scan.pdf'}: The PDF has no text layer" in out
    assert f"refused  {folder / 'photo.png'}: Unsupported type: it is a PNG image" in out
    assert "5 file(s): 3 imported, 0 already present, 2 refused." in out
    assert "hidden" not in out
    assert error is not None and "2 file(s) refused" in str(error)


def test_importing_twice_changes_nothing(folder):
    (folder / "scan.pdf").unlink()
    (folder / "photo.png").unlink()
    run(str(folder))
    out, error = run(str(folder))
    assert error is None
    assert Source.objects.count() == 3
    assert "3 file(s): 0 imported, 3 already present, 0 refused." in out


def test_a_refused_file_leaves_nothing_behind_and_the_others_are_kept(folder):
    run(str(folder / "notes.txt"), str(folder / "scan.pdf"))
    assert list(Source.objects.values_list("title", flat=True)) == ["notes"]


def test_a_missing_path_is_named(tmp_path):
    out, error = run(str(tmp_path / "nowhere"))
    assert "no such file or folder" in out and error is not None


def test_an_unknown_user_is_an_error(folder):
    with pytest.raises(CommandError, match="No user named ghost"):
        call_command("import_sources", str(folder), "--user", "ghost", stdout=StringIO())


def test_a_file_over_max_source_mb_is_refused_with_its_size(tmp_path, settings):
    settings.MAX_SOURCE_MB = 0.001
    big = tmp_path / "big.txt"
    big.write_bytes(b"w" * 5000)
    out, error = run(str(big))
    assert "refused" in out and "5,000 bytes" in out and "MAX_SOURCE_MB" in out
    assert not Source.objects.exists()


def test_a_large_text_file_is_imported_whole_and_its_length_reported(tmp_path):
    text = "Transcript, line after line, with “quotes” and ümlauts.\n" * (SPOOLED_FROM // 40)
    (tmp_path / "transcript.txt").write_text(text, encoding="utf-8")
    (tmp_path / "small.txt").write_text("A short note.", encoding="utf-8")
    out, error = run(str(tmp_path))
    assert error is None
    large = Source.objects.get(title="transcript")
    assert large.text == text and large.text_length == len(text)
    assert f"source #{large.pk} (text/plain, {len(text):,} characters)" in out
    assert "(text/plain, 13 characters)" in out
