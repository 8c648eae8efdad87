"""``manage.py export_claims``: write claims with their evidence as JSON Lines (see claims.transfer)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import signal
import stat
import sys
import tempfile
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.models import Claim
from claims.transfer import export_claims


class Command(BaseCommand):
    help = (
        "Export claims, with their evidence, entities and moderation log, as JSON Lines that "
        "import_claims reads back. Streams: memory does not grow with the number of claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-",
                            help="file to write (default: stdout); replaced whole, only once the export is complete")
        parser.add_argument("--with-sources", action="store_true",
                            help="write every source, entity and uncited span first, so the file loads into an empty database")
        parser.add_argument("--with-originals", action="store_true",
                            help="with --with-sources, and each source's original file inside its line "
                                 "(base64); without it, an original travels as its hash alone")
        parser.add_argument("--status", action="append", choices=Claim.Status.values,
                            help="only claims in this status (repeatable), and the claims they supersede")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **options):
        progress = None
        if not options["no_progress"]:
            def progress(total):
                return tqdm(total=total, unit="claim", unit_scale=True, file=sys.stderr, dynamic_ncols=True)
        def export(out):
            return export_claims(
                out, with_sources=options["with_sources"], with_originals=options["with_originals"],
                status=options["status"], progress=progress, warn=self.stderr.write,
            )

        if options["output"] == "-":
            _to_stdout(export)
        else:
            count = _to_file(options["output"], export)
            self.stderr.write(f"{count} claims written to {options['output']}")


def _to_stdout(export) -> None:
    """Stream to stdout. A reader that stops reading (``| head``) ends the export quietly,
    as Unix tools end, with SIGPIPE's status; any other write error is a CommandError."""
    out = sys.stdout.buffer
    try:
        export(out)
        out.flush()
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(128 + signal.SIGPIPE) from None
    except OSError as error:
        _silence_stdout()
        raise CommandError(f"Cannot write the export to stdout: {os.strerror(error.errno or errno.EIO)}.") from error


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again (and
    print a traceback) on what the buffer still holds."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


def _to_file(path: str, export) -> int:
    """Write to a temporary file beside the file ``path`` names (through a link, to its
    target), flushed to disk, then renamed over it: a crash or a kill leaves the previous
    file whole, never a truncated one. What is not a regular file (a pipe, a device,
    ``/dev/stdout``) has nothing to replace, and is written as it is."""
    if not path:
        raise CommandError("The output's name is empty: give a file's path, or - for standard output.")
    try:
        status = os.stat(path)  # through links: /dev/stdout is the pipe it names
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from error
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise CommandError(f"{path}: is a folder; give the path of a file in it.")
    if status is None and path.endswith(os.sep):
        raise CommandError(f"{path}: there is no such folder, and a file's path does not end with {os.sep}.")
    if status is not None and not stat.S_ISREG(status.st_mode):
        try:
            with open(path, "wb") as out:
                return export(out)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    if status is not None:
        mode = status.st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    if not os.path.isdir(folder):
        raise CommandError(f"{path}: there is no folder {folder}; nothing was written.")
    prefix = f".{os.path.basename(target)}."
    _remove_abandoned(folder, prefix)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=PARTIAL)
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # its own new file: never waits
    except OSError as error:
        raise CommandError(
            f"{path}: cannot create a file in {folder} ({error.strerror or error}): the export is "
            "written beside the file, then renamed over it, so the folder must be writable. "
            f"{'The file was left as it was.' if status is not None else 'Nothing was written.'}"
        ) from error
    try:
        with os.fdopen(descriptor, "wb") as out:
            count = export(out)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
            os.replace(temporary, target)  # before the file, and its lock, is let go
        _sync_folder(folder)
    except OSError as error:
        _remove(temporary)
        raise CommandError(f"{path}: {error.strerror or error}; the file was left as it was.") from error
    except BaseException:
        _remove(temporary)
        raise
    return count


PARTIAL = ".partial"
FRESH_SECONDS = 60


def _remove_abandoned(folder: str, prefix: str) -> None:
    """Remove what exports to the same file left when they were killed (``kill -9``, a
    power cut: nothing of theirs ran to remove it). An export holds a lock on its partial
    file while it writes, and the system lets it go with the process: a partial file that
    can be locked has no writer. One being written by another export is left to it."""
    # Exactly the names ``tempfile.mkstemp`` gives this target's partial files: not another
    # target's whose name begins with this one's (``export.jsonl.1``).
    ours = re.compile(re.escape(prefix) + r"[a-z0-9_]{8}" + re.escape(PARTIAL))
    try:
        names = [name for name in os.listdir(folder) if ours.fullmatch(name)]
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            # Non-blocking: a FIFO given that name does not stall the export.
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or time.time() - status.st_mtime < FRESH_SECONDS:
                continue  # not a file an export writes, or just made (not yet locked)
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(path)
        except OSError:
            continue  # another export is writing it, or it is not ours to remove
        finally:
            os.close(descriptor)


def _sync_folder(folder: str) -> None:
    """The rename itself, on disk (where the system allows a folder to be synced)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
