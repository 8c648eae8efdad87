import logging
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from project.paths import FILE, FOLDER, NOT_A_FILE, NOT_FOUND, cannot_be_read, kind_of
from project.errors import Conflict, DomainError
from project.validation import escaped

from ...ingestion import source_create_from_file
from ...models import Source

logger = logging.getLogger(__name__)


@contextmanager
def _stopped_by_signals(report):
    """A dict that gets ``signal`` (its name) at the first SIGINT or SIGTERM: the caller
    stops before its next file. A second raises ``KeyboardInterrupt`` in the file in flight,
    whose transaction rolls back and whose original is deleted (``sources.ingestion``).
    Outside the main thread (no signals there), or for a signal ignored by the process's
    parent, the dict stays empty."""
    stopping: dict = {}

    def on_signal(signum, frame):
        if stopping:
            raise KeyboardInterrupt
        stopping["signal"] = signal.Signals(signum).name
        report(f"{stopping['signal']}: stopping after the file in flight (again to abandon it)")

    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return
    # A signal its parent ignores (a job run with nohup) stays ignored.
    caught = [signum for signum in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(signum) is not signal.SIG_IGN]
    previous = {signum: signal.signal(signum, on_signal) for signum in caught}
    try:
        yield stopping
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def shown(path: Path | str) -> str:
    """The path as text any UTF-8 output takes, on one line (``escaped``): the bytes of a
    name that are not UTF-8 (decoded by Python as lone surrogates, which a strict output
    refuses) as in ``caf\\xe9.txt``, and control characters and direction controls escaped
    (a line break in a name would split its report line in two; an escape would rewrite
    the terminal; U+202E shows "rtl\\u202etxt.md" as "rtldm.txt"). An empty argument shows
    as ``""``."""
    return escaped(str(path)) if str(path) else '""'


# A file to read and what it was when listed (device, inode): the one opened must be that
# file, not what a writer of the folder put under its name since (a link to a secret).
Found = tuple[Path, tuple[int, int]]


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def files_under(paths: list[str]) -> tuple[list[Found], list[tuple[Path | str, str]], list[tuple[Path, str]]]:
    """The regular files named and those inside the folders named (recursively, in name
    order, hidden ones left out), and the paths refused with the reason: missing, empty,
    not a regular file, or not readable (a folder that cannot be listed or entered is
    refused, never passed over, so its files are not lost without a word).

    Inside a folder, what is not a regular file (a FIFO, a device, a socket, a link to a
    folder, a dangling link) is passed over, and returned third with the reason; named on
    the command line, it is refused. A link inside a folder to a file outside every folder
    named is refused (whoever may write in a folder must not choose what else is read); a
    path named is the operator's choice, link or not. Nothing here opens a file: opening a
    FIFO would block."""
    found, refused, passed_over = [], [], []
    # Of each name as given, not of ``Path(name)``: ``Path("")`` is the current folder.
    kinds = [(name, *kind_of(name)) for name in paths]
    # Where the folders named are, links followed: a link's target must lie under one.
    roots = [Path(os.path.realpath(name)) for name, kind, _ in kinds if kind == FOLDER]
    for name, kind, reason in kinds:
        if kind == FILE:
            try:
                found.append((Path(name), _identity(os.stat(name))))
            except OSError as error:  # removed, or made unreadable, since
                refused.append((Path(name), cannot_be_read(error)))
        elif kind == FOLDER:
            in_folder, refused_in_folder, passed_over_in_folder = files_in(Path(name), roots)
            found.extend(in_folder)
            refused.extend(refused_in_folder)
            passed_over.extend(passed_over_in_folder)
        else:
            refused.append((Path(name) if name else name, reason))
    return found, refused, passed_over


PASSED_OVER = {
    NOT_FOUND: "a link to nothing",
    NOT_A_FILE: "not a regular file (a FIFO, a device or a socket)",
}


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _link_problem(path: Path, roots: list[Path]) -> tuple[str, str] | None:
    """For a link to a file inside a folder: ("refused", why) when its target lies outside
    every folder named, ("skipped", why) when it is a hidden file there (or in a hidden
    folder), which is left out as the file itself would be; None for any other target."""
    target = Path(os.path.realpath(path))
    for root in roots:
        if target.is_relative_to(root):
            if _hidden(target.relative_to(root)):
                return "skipped", "a link to a hidden file"
            return None
    return "refused", f"a link to {shown(target)}, outside the folder(s) given"


def files_in(folder: Path, roots: list[Path] | None = None) -> tuple[list[Found], list[tuple[Path, str]], list[tuple[Path, str]]]:
    """The regular files under ``folder``; the files and folders under it that could not
    be looked at, or links to files outside ``roots`` (the folders named, resolved;
    default: ``folder``); and what is passed over (a dangling link, a FIFO, device or
    socket, a link to a folder, which is not followed, a link to a hidden file), each with
    its reason and in name order. Hidden files and folders are left out (a hidden folder is
    not entered)."""
    if roots is None:
        roots = [Path(os.path.realpath(folder))]
    found, refused, passed_over = [], [], []

    def refuse_folder(error: OSError) -> None:
        refused.append((Path(error.filename or folder), cannot_be_read(error)))

    for parent, folders, names in os.walk(folder, onerror=refuse_folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in folders:
            if os.path.islink(os.path.join(parent, name)):
                passed_over.append((Path(parent, name), "a link to a folder (not followed)"))
        for name in names:
            if name.startswith("."):
                continue
            path = Path(parent, name)
            kind, reason = kind_of(path)
            if kind == FILE:
                problem = _link_problem(path, roots) if path.is_symlink() else None
                if problem is None:
                    try:
                        found.append((path, _identity(os.stat(path))))
                    except OSError as error:  # removed, or made unreadable, since
                        refused.append((path, cannot_be_read(error)))
                elif problem[0] == "refused":
                    refused.append((path, problem[1]))
                else:
                    passed_over.append((path, problem[1]))
            elif kind is None and reason in PASSED_OVER:
                passed_over.append((path, PASSED_OVER[reason]))
            elif kind is None:
                # In a folder that can be listed but not entered (no search permission).
                refused.append((path, reason))
    return sorted(found), sorted(refused), sorted(passed_over)


class Command(BaseCommand):
    help = (
        "Create sources from files and folders (plain text, Markdown, HTML, PDF with a text "
        "layer), keeping each original. One transaction per file; files already imported "
        "(the same bytes) are skipped, so running it twice changes nothing. Prints a reason "
        "for every file refused and exits non-zero when any was. The first SIGINT (Ctrl+C) or "
        "SIGTERM lets the file in flight finish and stops before the next, with the summary; "
        "a second abandons that file (its transaction rolls back, nothing of it is kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders.")
        parser.add_argument("--user", help="Username recorded as the sources' creator.")
        parser.add_argument("--kind", choices=Source.Kind.values, help="Kind of every source.")
        parser.add_argument("--reliability", choices=Source.Reliability.values, help="Reliability grade of every source.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, paths, user=None, kind=None, reliability=None, no_progress=False, **options):
        creator = None
        if user:
            try:
                creator = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user named {user}.") from error
            # The API's rule for adding a source (its model permission), on this path too.
            if not (creator.is_active and creator.has_perm("sources.add_source")):
                raise CommandError(
                    f"{user} may not add sources (the API would refuse them): choose an analyst, or give "
                    f"{user} that role first."
                )
        fields = {name: value for name, value in (("kind", kind), ("reliability", reliability)) if value}
        files, refused, passed_over = files_under(paths)
        for path, reason in refused:
            self.stdout.write(f"refused  {shown(path)}: {reason}")
        for path, reason in passed_over:
            self.stdout.write(f"skipped  {shown(path)}: {reason}")
        imported = present = 0
        # On the process's stderr: Django's wrapper would end each of the bar's redraws with
        # a new line. Each report line is written with the bar cleared, then the bar redrawn.
        bar = tqdm(files, unit="file", disable=no_progress, file=sys.stderr, leave=False)

        def report(line: str) -> None:
            bar.clear()
            self.stdout.write(line)
            bar.refresh()

        left = 0  # files not read, when a signal stops the command
        with _stopped_by_signals(report) as stopping:
            for done, (path, listed) in enumerate(bar):
                if stopping:
                    left = len(files) - done
                    report(f"stopped  by {stopping['signal']}: {left} file(s) from {shown(path)} on were not read; "
                           "run the command again to go on (what was imported is present)")
                    break
                try:
                    with path.open("rb") as stream:
                        if _identity(os.fstat(stream.fileno())) != listed:
                            reason = "replaced since it was listed (not read); run the command again to import it"
                            refused.append((path, reason))
                            report(f"refused  {shown(path)}: {reason}")
                            continue
                        source = source_create_from_file(user=creator, stream=stream, filename=path.name, **fields)
                except Conflict as error:
                    if error.code != "duplicate_original":
                        refused.append((path, error.message))
                        report(f"refused  {shown(path)}: {error.message}")
                        continue
                    present += 1
                    report(f"present  {shown(path)}: {error.message}")
                except DomainError as error:
                    refused.append((path, error.message))
                    report(f"refused  {shown(path)}: {error.message}")
                except OSError as error:
                    refused.append((path, cannot_be_read(error)))
                    report(f"refused  {shown(path)}: {cannot_be_read(error)}")
                except DatabaseError:
                    raise  # the database is gone or refuses: no later file would fare better
                except KeyboardInterrupt:  # a second signal: the file in flight is abandoned
                    left = len(files) - done
                    report(f"stopped  by {stopping.get('signal', 'SIGINT')} again: {shown(path)} was abandoned, nothing "
                           f"of it kept; it and the {left - 1} file(s) after it were not imported")
                    stopping.setdefault("signal", "SIGINT")
                    break
                except Exception as error:  # noqa: BLE001 - a fault of ours on one file is that file's refusal
                    logger.exception("import_sources: %s failed unexpectedly", path)
                    reason = f"an unexpected error ({type(error).__name__}: {error}); the other files go on"
                    refused.append((path, reason))
                    report(f"refused  {shown(path)}: {reason}")
                else:
                    imported += 1
                    report(f"imported {shown(path)}: source #{source.pk} ({source.original_media_type}, {source.text_length:,} characters)")
                    # Not held while the next file is read: a folder of large files costs one.
                    del source
        bar.close()
        # Every path reported once: the counts add up to the total. Paths, not files: what
        # is refused may be a missing path or a folder, what is skipped a FIFO or a link.
        looked_at = imported + present + len(refused) + len(passed_over)
        summary = f"{looked_at} path(s): {imported} imported, {present} already present, {len(refused)} refused"
        if left:
            summary = f"Stopped: {looked_at + left} path(s): {imported} imported, {present} already present, " \
                      f"{len(refused)} refused, {left} not read"
        self.stdout.write(summary + (f", {len(passed_over)} skipped." if passed_over else "."))
        if left:
            raise CommandError(f"Stopped by {stopping['signal']} before every file was read.", returncode=130)
        if refused:
            raise CommandError(f"{len(refused)} path(s) refused; reasons above.")
