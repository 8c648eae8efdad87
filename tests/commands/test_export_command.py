"""``export_claims`` as a command: a file is replaced whole or not at all; stdout that closes
or fills up ends the export cleanly."""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import types

import pytest
from django.core.management import CommandError, call_command

from claims.management.commands import export_claims as command

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(analyst, reviewer, make_claim):
    make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    make_claim(analyst, text="A draft.")


def test_an_export_interrupted_half_way_leaves_the_previous_file_whole(claims, tmp_path, monkeypatch):
    path = tmp_path / "export.jsonl"
    call_command("export_claims", "-o", str(path), "--no-progress", stderr=io.StringIO())
    good = path.read_bytes()
    os.chmod(path, 0o640)

    def killed(out, **options):
        out.write(b'{"a": "first line"}\n')
        raise KeyboardInterrupt  # as a kill would stop it: between two lines

    monkeypatch.setattr(command, "export_claims", killed)
    with pytest.raises(KeyboardInterrupt):
        call_command("export_claims", "-o", str(path), "--no-progress", stderr=io.StringIO())
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["export.jsonl"]  # no temporary file left behind
    monkeypatch.undo()
    call_command("export_claims", "-o", str(path), "--no-progress", "--status", "draft", stderr=io.StringIO())
    assert path.read_bytes() != good and path.stat().st_mode & 0o777 == 0o640  # replaced, its mode kept



def test_a_partial_file_left_by_a_killed_export_is_removed_by_the_next_one_but_not_one_being_written(claims, tmp_path):
    import fcntl

    path = tmp_path / "export.jsonl"
    abandoned, in_progress, fresh = (tmp_path / f".export.jsonl.{tag}.partial" for tag in ("dead0000", "live0000", "new00000"))
    for partial in (abandoned, in_progress, fresh):
        partial.write_bytes(b'{"half": "a line')
    # Named like a partial file, not one an export wrote: left alone, without a hang or a traceback.
    other_target = tmp_path / ".export.jsonl.1.dead0000.partial"  # the partial file of export.jsonl.1
    other_target.write_bytes(b"")
    folder = tmp_path / ".export.jsonl.folder00.partial"
    folder.mkdir()
    fifo = tmp_path / ".export.jsonl.fifo0000.partial"
    os.mkfifo(fifo)
    an_hour_ago = os.stat(abandoned).st_mtime - 3600
    for old in (abandoned, in_progress, other_target, folder, fifo):
        os.utime(old, (an_hour_ago, an_hour_ago))
    with open(in_progress, "rb") as writer:
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)  # as a running export holds its own
        call_command("export_claims", "-o", str(path), "--no-progress", stderr=io.StringIO())
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["export.jsonl", in_progress.name, fresh.name, other_target.name, folder.name, fifo.name]
    )

class _Failing(io.RawIOBase):
    def __init__(self, error: OSError) -> None:
        self.error = error

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise self.error


def _stdout(monkeypatch, error: OSError) -> None:
    monkeypatch.setattr(command.sys, "stdout", types.SimpleNamespace(buffer=io.BufferedWriter(_Failing(error), 16)))


def test_a_reader_that_stops_reading_ends_the_export_quietly(claims, monkeypatch):
    _stdout(monkeypatch, BrokenPipeError(errno.EPIPE, "Broken pipe"))
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("export_claims", "--no-progress", stderr=stderr)
    assert exited.value.code == 128 + signal.SIGPIPE
    assert stderr.getvalue() == ""


def test_a_full_disk_behind_stdout_is_a_command_error_that_says_so(claims, monkeypatch):
    _stdout(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(CommandError, match="Cannot write the export to stdout: No space left on device"):
        call_command("export_claims", "--no-progress", stderr=io.StringIO())


def test_an_output_that_is_not_a_regular_file_is_written_as_it_is(claims, tmp_path):
    """A pipe (as ``-o /dev/stdout`` or ``>(gzip ...)`` give) is written to, not replaced
    by a file renamed over it; a link to a file writes through to its target."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    call_command("export_claims", "--output", str(fifo), "--no-progress", stderr=io.StringIO())
    reader.join(timeout=10)
    if reader.is_alive():  # nothing ever opened the pipe: release the reader
        with open(fifo, "wb"):
            pass
        reader.join(timeout=10)
    assert os.path.exists(fifo) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].count(b"\n") >= 1

    # As the shell's /dev/stdout is: a link, through /proc, to the pipe itself (whose
    # resolved name, "pipe:[...]", is no path).
    read_end, write_end = os.pipe()
    stdout_like = tmp_path / "stdout"
    stdout_like.symlink_to(f"/proc/self/fd/{write_end}")
    piped = []
    reader = threading.Thread(target=lambda: piped.append(os.fdopen(read_end, "rb").read()), daemon=True)
    reader.start()
    call_command("export_claims", "--output", str(stdout_like), "--no-progress", stderr=io.StringIO())
    os.close(write_end)
    reader.join(timeout=10)
    assert piped and piped[0].count(b"\n") >= 1

    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    call_command("export_claims", "--output", str(link), "--no-progress", stderr=io.StringIO())
    assert link.is_symlink() and target.read_bytes().count(b"\n") >= 1 and target.read_text() != "old\n"


def test_outputs_that_name_no_file_are_refused_with_what_to_give(claims, tmp_path):
    with pytest.raises(CommandError, match="The output's name is empty"):
        call_command("export_claims", "-o", "", "--no-progress", stderr=io.StringIO())
    with pytest.raises(CommandError, match="is a folder; give the path of a file in it"):
        call_command("export_claims", "-o", str(tmp_path), "--no-progress", stderr=io.StringIO())
    missing = tmp_path / "missing"
    with pytest.raises(CommandError, match="there is no such folder"):
        call_command("export_claims", "-o", f"{missing}{os.sep}", "--no-progress", stderr=io.StringIO())
    assert os.listdir(tmp_path) == []  # no file named "missing"
    with pytest.raises(CommandError, match=f"there is no folder {missing}; nothing was written"):
        call_command("export_claims", "-o", str(missing / "export.jsonl"), "--no-progress", stderr=io.StringIO())


def test_a_folder_that_cannot_be_written_is_named_as_the_reason(claims, tmp_path, monkeypatch):
    """The folder refuses the temporary file (as a read-only folder does to anyone but
    root): the message says the export needs the folder, not only the file, writable."""
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"old\n")

    def refused(**kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(command.tempfile, "mkstemp", refused)
    with pytest.raises(CommandError, match="the folder must be writable. The file was left as it was."):
        call_command("export_claims", "-o", str(path), "--no-progress", stderr=io.StringIO())
    assert path.read_bytes() == b"old\n"
    with pytest.raises(CommandError, match=f"cannot create a file in {tmp_path}.*Nothing was written."):
        call_command("export_claims", "-o", str(tmp_path / "new.jsonl"), "--no-progress", stderr=io.StringIO())
