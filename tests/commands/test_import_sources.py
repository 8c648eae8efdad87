"""``manage.py import_sources PATH...``: files and folders, one transaction per file, a
summary, and a reason for each file refused."""

from __future__ import annotations

import errno
import os
import signal
from io import StringIO
from pathlib import Path

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
    assert "5 path(s): 3 imported, 0 already present, 2 refused." in out
    assert "hidden" not in out
    assert error is not None and "2 path(s) refused" in str(error)


def test_importing_twice_changes_nothing(folder):
    (folder / "scan.pdf").unlink()
    (folder / "photo.png").unlink()
    run(str(folder))
    out, error = run(str(folder))
    assert error is None
    assert Source.objects.count() == 3
    assert "3 path(s): 0 imported, 3 already present, 0 refused." in out


def test_a_refused_file_leaves_nothing_behind_and_the_others_are_kept(folder):
    run(str(folder / "notes.txt"), str(folder / "scan.pdf"))
    assert list(Source.objects.values_list("title", flat=True)) == ["notes"]


def test_a_missing_path_is_named(tmp_path):
    out, error = run(str(tmp_path / "nowhere"))
    assert "no such file or folder" in out and error is not None


def test_an_unknown_user_is_an_error(folder):
    with pytest.raises(CommandError, match="No user named ghost"):
        call_command("import_sources", str(folder), "--user", "ghost", stdout=StringIO())


def test_a_user_the_api_would_refuse_cannot_be_named_the_creator(folder, outsider):
    with pytest.raises(CommandError, match="may not add sources"):
        call_command("import_sources", str(folder), "--user", outsider.username, stdout=StringIO())
    assert not Source.objects.exists()


def test_a_fault_on_one_file_refuses_that_file_and_the_others_are_imported(tmp_path, monkeypatch):
    from sources import ingest

    (tmp_path / "a.md").write_text("First file.")
    (tmp_path / "b.txt").write_text("Second file.")
    real = ingest.extract

    def extract(stream, **kwargs):
        if kwargs.get("filename") == "a.md":
            raise ValueError("day is out of range for month")
        return real(stream, **kwargs)

    monkeypatch.setattr(ingest, "extract", extract)
    out, error = run(str(tmp_path))
    assert "refused  " in out and "a.md: an unexpected error (ValueError: day is out of range for month)" in out
    assert "imported " in out and "b.txt" in out
    assert error is not None and list(Source.objects.values_list("title", flat=True)) == ["b"]


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


def refuse_access(monkeypatch, function: str, *paths: Path) -> None:
    """``os.<function>`` raises PermissionError for ``paths`` and what is under them, as it
    does for a user without the permissions (the tests may run as root, whom permissions
    do not stop)."""
    real = getattr(os, function)
    denied = [str(path) for path in paths]

    def guarded(target, *args, **kwargs):
        name = os.fsdecode(target) if isinstance(target, (str, bytes, os.PathLike)) else ""
        if any(name == path or name.startswith(path + os.sep) for path in denied):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, function, guarded)


def test_files_in_a_folder_that_cannot_be_entered_are_refused_and_the_others_imported(tmp_path, monkeypatch):
    # chmod 444: the folder lists its names, but nothing in it can be looked at.
    (tmp_path / "rnox").mkdir()
    (tmp_path / "rnox" / "b.txt").write_text("Behind a folder without search permission.")
    (tmp_path / "good.txt").write_text("A good note.")
    refuse_access(monkeypatch, "stat", tmp_path / "rnox")
    out, error = run(str(tmp_path))
    assert f"refused  {tmp_path / 'rnox' / 'b.txt'}: cannot be read (Permission denied)" in out
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]
    assert "2 path(s): 1 imported, 0 already present, 1 refused." in out
    assert error is not None and "1 path(s) refused" in str(error)


def test_a_file_named_in_a_folder_that_cannot_be_entered_is_refused_with_the_reason(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("Locked away.")
    (tmp_path / "good.txt").write_text("A good note.")
    refuse_access(monkeypatch, "stat", tmp_path / "locked")
    out, error = run(str(tmp_path / "locked" / "a.txt"), str(tmp_path / "good.txt"))
    assert f"refused  {tmp_path / 'locked' / 'a.txt'}: cannot be read (Permission denied)" in out
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]
    assert error is not None and "1 path(s) refused" in str(error)


def test_a_folder_that_cannot_be_read_is_refused_not_passed_over(tmp_path, monkeypatch):
    # chmod 000: not even the names of its files can be read; they must not vanish unsaid.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "locked").mkdir()
    (tmp_path / "sub" / "locked" / "a.txt").write_text("Locked away.")
    (tmp_path / "good.txt").write_text("A good note.")
    refuse_access(monkeypatch, "scandir", tmp_path / "sub" / "locked")
    out, error = run(str(tmp_path))
    assert f"refused  {tmp_path / 'sub' / 'locked'}: cannot be read (Permission denied)" in out
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]
    assert error is not None and "1 path(s) refused" in str(error)


@pytest.mark.parametrize("name", [b"caf\xe9.txt", b"bad\xff\xfename.txt"], ids=["latin-1", "not-utf-8"])
def test_a_file_whose_name_is_not_utf8_is_imported_with_the_bytes_replaced_in_its_title(tmp_path, name):
    path = tmp_path / os.fsdecode(name)
    try:
        path.write_text("A note under a name from another encoding.")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    out, error = run(str(tmp_path))
    assert error is None, out
    source = Source.objects.get()
    assert source.title == os.path.splitext(name)[0].decode("utf-8", "replace")
    assert "\ufffd" in source.title
    # Printed escaped: an output that refuses lone surrogates (a UTF-8 locale) takes it.
    printed = str(tmp_path / name.decode("utf-8", "backslashreplace"))
    assert f"imported {printed}: source #{source.pk}" in out
    out.encode("utf-8")


@pytest.fixture
def never_hang():
    """Fails the test, instead of hanging the run, if a FIFO is opened (the open blocks)."""

    def hung(signum, frame):
        raise TimeoutError("import_sources blocked: it opened a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_fifo_or_a_device_named_is_refused_as_not_a_regular_file(tmp_path, never_hang):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    device = tmp_path / "null.txt"
    device.symlink_to(os.devnull)
    out, error = run(str(fifo), str(device))
    assert f"refused  {fifo}: not a regular file" in out
    assert f"refused  {device}: not a regular file" in out
    assert "no such file or folder" not in out
    assert "2 path(s): 0 imported, 0 already present, 2 refused." in out
    assert error is not None and "2 path(s) refused" in str(error)


def test_a_fifo_or_a_device_inside_a_folder_is_passed_over_unopened(tmp_path, never_hang):
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "null.txt").symlink_to(os.devnull)
    (tmp_path / "good.txt").write_text("A good note.")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]
    # Passed over, and said so: nothing under a folder goes without a word.
    assert f"skipped  {tmp_path / 'fifo.txt'}: not a regular file" in out
    assert f"skipped  {tmp_path / 'null.txt'}: not a regular file" in out
    assert "3 path(s): 1 imported, 0 already present, 0 refused, 2 skipped." in out


def test_a_dangling_link_and_a_link_to_a_folder_inside_a_folder_are_named_as_passed_over(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far.txt").write_text("Not reached through the link.")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("A good note.")
    (tmp_path / "in" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "in" / "folder-link").symlink_to(tmp_path / "elsewhere")
    out, error = run(str(tmp_path / "in"))
    assert error is None, out
    assert f"skipped  {tmp_path / 'in' / 'gone.txt'}: a link to nothing" in out
    assert f"skipped  {tmp_path / 'in' / 'folder-link'}: a link to a folder (not followed)" in out
    assert "3 path(s): 1 imported, 0 already present, 0 refused, 2 skipped." in out
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]


def test_a_missing_path_is_counted_in_the_summary(tmp_path):
    out, error = run(str(tmp_path / "nowhere"))
    assert "1 path(s): 0 imported, 0 already present, 1 refused." in out and error is not None


def test_a_name_holding_a_line_break_or_an_escape_is_reported_on_one_line(tmp_path):
    (tmp_path / "two\nlines.txt").write_text("A note with an odd name.")
    (tmp_path / "esc\x1b[2J.txt").write_text("Another.")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert f"imported {tmp_path}/two\\nlines.txt: source #" in out
    assert f"imported {tmp_path}/esc\\x1b[2J.txt: source #" in out
    assert "\x1b" not in out and len(out.splitlines()) == 3
    # The name, as a title, is one line too.
    assert set(Source.objects.values_list("title", flat=True)) == {"two lines", "esc [2J"}


def test_a_name_holding_a_line_separator_is_titled_on_one_line(tmp_path):
    (tmp_path / "first\u2028second\u2029third.txt").write_text("Notes.")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert Source.objects.get().title == "first second third"


def test_a_name_holding_direction_controls_is_reported_with_them_escaped_and_titled_without(tmp_path):
    """U+202E showed "rtl\u202etxt.md" as "rtldm.txt" in the report, and stayed in the title
    (an upload's name has them taken out by the multipart parser)."""
    (tmp_path / "rtl\u202etxt.md").write_text("Notes.")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert f"imported {tmp_path}/rtl\\u202etxt.md: source #" in out and "\u202e" not in out
    assert Source.objects.get().title == "rtltxt"


def test_with_the_progress_bar_each_file_is_one_line_and_the_bar_stays_off_stdout(folder, capsys):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_sources", str(folder), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert "" not in lines  # no blank line after each report
    assert len(lines) == 6  # five files and the summary
    assert not any("file/s" in line or "%|" in line for line in lines)
    assert "/5 " in capsys.readouterr().err  # the bar ("2/5 [...]"), on the process's stderr


def test_a_file_named_with_invisible_characters_alone_is_untitled(tmp_path):
    """Its name is no title (``project.validation.readable``): "Untitled", as for no name."""
    (tmp_path / "\u200b\u2060.txt").write_text("A note with an invisible name.")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert list(Source.objects.values_list("title", flat=True)) == ["Untitled"]


def test_a_file_rewritten_while_it_is_imported_is_refused_and_nothing_is_kept(tmp_path, monkeypatch):
    """Its bytes are hashed, then extracted, then stored: a writer that changes the file in
    between would leave an original that its recorded hash does not name."""
    from django.core.files.storage import default_storage

    from sources import ingest, ingestion

    path = tmp_path / "growing.txt"
    path.write_text("The first version of a transcript, still being written.")
    extract = ingest.extract

    def extract_then_rewrite(stream, **kwargs):
        extraction = extract(stream, **kwargs)
        with path.open("r+b") as writer:
            writer.write(b"THE SECOND")
        return extraction

    monkeypatch.setattr(ingestion.ingest, "extract", extract_then_rewrite)
    out, error = run(str(path))
    assert f"refused  {path}: The file changed while it was being read" in out
    assert error is not None and not Source.objects.exists()
    assert not default_storage.exists("originals") or not any(
        files for _, files in (default_storage.listdir(f"originals/{folder}") for folder in default_storage.listdir("originals")[0])
    )

    monkeypatch.setattr(ingestion.ingest, "extract", extract)
    out, error = run(str(path))
    source = Source.objects.get()
    assert error is None and source.text.startswith("THE SECOND")
    with source.original.open("rb") as stored:
        assert stored.read() == path.read_bytes()


@pytest.fixture
def interruptible():
    """SIGINT as an interactive shell gives it (a test run in the background has it ignored,
    and the command leaves an ignored signal ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _three_files(tmp_path) -> Path:
    root = tmp_path / "three"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(f"The text of {name}.")
    return root


def test_a_first_interrupt_finishes_the_file_in_flight_and_stops_with_the_summary(tmp_path, analyst, monkeypatch, interruptible):
    """Ctrl+C printed a traceback and no summary. The first SIGINT lets the file being read
    finish and stops before the next one, saying what was not read."""
    from sources import ingestion

    stored = ingestion.store_original

    def interrupted_while_storing(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # the handler runs before the call returns
        return stored(*args, **kwargs)

    monkeypatch.setattr(ingestion, "store_original", interrupted_while_storing)
    out, error = run(str(_three_files(tmp_path)), "--user", "analyst")
    assert list(Source.objects.values_list("title", flat=True)) == ["a"]
    assert "SIGINT: stopping after the file in flight" in out
    assert "stopped  by SIGINT: 2 file(s) from" in out and "b.txt on were not read" in out
    assert "Stopped: 3 path(s): 1 imported, 0 already present, 0 refused, 2 not read." in out
    assert error is not None and error.returncode == 130
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back


def test_an_interrupt_the_parent_ignores_stays_ignored(tmp_path, analyst, monkeypatch):
    """Run with nohup, or in the background, SIGINT is ignored: the command leaves it so."""
    from sources import ingestion

    create, seen = ingestion.source_create, []

    def noting_the_handler(*args, **kwargs):
        seen.append(signal.getsignal(signal.SIGINT))
        return create(*args, **kwargs)

    monkeypatch.setattr(ingestion, "source_create", noting_the_handler)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        out, error = run(str(_three_files(tmp_path)), "--user", "analyst")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [signal.SIG_IGN] * 3
    assert error is None and "3 path(s): 3 imported" in out


def test_a_second_interrupt_abandons_the_file_in_flight_keeping_nothing_of_it(tmp_path, analyst, monkeypatch, settings, interruptible):
    from sources import ingestion

    create = ingestion.source_create

    def interrupted_twice_once_stored(*args, **kwargs):  # the original is stored by now
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        return create(*args, **kwargs)

    monkeypatch.setattr(ingestion, "source_create", interrupted_twice_once_stored)
    out, error = run(str(_three_files(tmp_path)), "--user", "analyst")
    assert not Source.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.txt")), "the abandoned file's original is deleted"
    assert "a.txt was abandoned, nothing of it kept; it and the 2 file(s) after it were not imported" in out
    assert "Stopped: 3 path(s): 0 imported, 0 already present, 0 refused, 3 not read." in out
    assert error is not None and error.returncode == 130


def test_a_link_inside_a_folder_to_a_file_outside_it_is_refused_unread(tmp_path):
    """A writer of the folder could otherwise import any file the operator may read (a
    secret becoming a source whose original every staff user can download)."""
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / ".env").write_text("SECRET_KEY=never-a-source")
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "good.txt").write_text("A good note.")
    (tmp_path / "drop" / "notes.txt").symlink_to(tmp_path / "secret" / ".env")
    (tmp_path / "drop" / "host.txt").symlink_to("/etc/hostname")
    out, error = run(str(tmp_path / "drop"))
    assert f"refused  {tmp_path / 'drop' / 'notes.txt'}: a link to {tmp_path / 'secret' / '.env'}, outside the folder(s) given" in out
    assert f"refused  {tmp_path / 'drop' / 'host.txt'}: a link to /etc/hostname, outside the folder(s) given" in out
    assert "3 path(s): 1 imported, 0 already present, 2 refused." in out
    assert error is not None and "2 path(s) refused" in str(error)
    assert list(Source.objects.values_list("title", flat=True)) == ["good"]


def test_a_link_inside_a_folder_to_a_hidden_file_is_skipped_like_the_file(tmp_path):
    (tmp_path / ".hidden.txt").write_text("Hidden, never imported.")
    (tmp_path / ".private").mkdir()
    (tmp_path / ".private" / "draft.txt").write_text("In a hidden folder, never imported.")
    (tmp_path / "visible.txt").symlink_to(".hidden.txt")
    (tmp_path / "draft.txt").symlink_to(tmp_path / ".private" / "draft.txt")
    out, error = run(str(tmp_path))
    assert error is None, out
    assert f"skipped  {tmp_path / 'visible.txt'}: a link to a hidden file" in out
    assert f"skipped  {tmp_path / 'draft.txt'}: a link to a hidden file" in out
    assert "2 path(s): 0 imported, 0 already present, 0 refused, 2 skipped." in out
    assert not Source.objects.exists()


def test_a_link_to_a_file_in_a_folder_given_is_imported_as_the_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "sub").mkdir()
    (tmp_path / "a" / "sub" / "note.txt").write_text("A note reached by a link in its own folder.")
    (tmp_path / "a" / "link.txt").symlink_to("sub/note.txt")
    (tmp_path / "b" / "other.txt").write_text("A note reached by a link from another folder given.")
    (tmp_path / "a" / "other-link.txt").symlink_to(tmp_path / "b" / "other.txt")
    out, error = run(str(tmp_path / "a"), str(tmp_path / "b"))
    assert error is None, out
    assert Source.objects.count() == 2
    assert "4 path(s): 2 imported, 2 already present, 0 refused." in out


def test_a_link_named_on_the_command_line_is_the_operators_choice(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / ".notes").write_text("Named by the operator, through a link.")
    (tmp_path / "chosen.txt").symlink_to(tmp_path / "elsewhere" / ".notes")
    out, error = run(str(tmp_path / "chosen.txt"))
    assert error is None, out
    assert "1 path(s): 1 imported, 0 already present, 0 refused." in out


def test_a_file_replaced_by_a_link_after_the_folder_was_listed_is_refused_unread(tmp_path, monkeypatch):
    """The folder is listed before the first file is read: a file swapped for a link to a
    secret meanwhile must not be read through its old name."""
    from sources.management.commands import import_sources

    (tmp_path / "secret.txt").write_text("SECRET_KEY=never-a-source")
    (tmp_path / "drop").mkdir()
    note = tmp_path / "drop" / "note.txt"
    note.write_text("An innocent note.")
    listed = import_sources.files_under

    def listed_then_swapped(paths):
        found = listed(paths)
        note.unlink()
        note.symlink_to(tmp_path / "secret.txt")
        return found

    monkeypatch.setattr(import_sources, "files_under", listed_then_swapped)
    out, error = run(str(tmp_path / "drop"))
    assert f"refused  {note}: replaced since it was listed (not read)" in out
    assert error is not None and not Source.objects.exists()


def test_an_empty_path_is_refused_and_the_current_folder_is_not_imported(tmp_path, monkeypatch):
    """``Path("")`` is the current folder: an unset variable in a cron line imported it."""
    (tmp_path / "app.txt").write_text("A file of the folder the command runs in.")
    monkeypatch.chdir(tmp_path)
    out, error = run("")
    assert 'refused  "": an empty path names no file or folder' in out
    assert "1 path(s): 0 imported, 0 already present, 1 refused." in out
    assert error is not None and not Source.objects.exists()
