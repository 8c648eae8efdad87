from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from project.errors import Conflict, DomainError

from ...ingestion import source_create_from_file
from ...models import Source


def files_under(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files named and those inside the folders named (recursively, in name order,
    hidden ones left out), and the paths that are neither."""
    found, missing = [], []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        else:
            missing.append((path, "no such file or folder"))
    return found, missing


class Command(BaseCommand):
    help = (
        "Create sources from files and folders (plain text, Markdown, HTML, PDF with a text "
        "layer), keeping each original. One transaction per file; files already imported "
        "(the same bytes) are skipped, so running it twice changes nothing. Prints a reason "
        "for every file refused and exits non-zero when any was."
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
        fields = {name: value for name, value in (("kind", kind), ("reliability", reliability)) if value}
        files, refused = files_under(paths)
        imported = present = 0
        bar = tqdm(files, unit="file", disable=no_progress, file=self.stderr)
        for path in bar:
            try:
                with path.open("rb") as stream:
                    source = source_create_from_file(user=creator, stream=stream, filename=path.name, **fields)
            except Conflict as error:
                if error.code != "duplicate_original":
                    refused.append((path, error.message))
                    bar.write(f"refused  {path}: {error.message}", file=self.stdout)
                    continue
                present += 1
                bar.write(f"present  {path}: {error.message}", file=self.stdout)
            except DomainError as error:
                refused.append((path, error.message))
                bar.write(f"refused  {path}: {error.message}", file=self.stdout)
            except OSError as error:
                refused.append((path, f"cannot be read ({error.strerror or error})"))
                bar.write(f"refused  {path}: cannot be read ({error.strerror or error})", file=self.stdout)
            else:
                imported += 1
                bar.write(f"imported {path}: source #{source.pk} ({source.original_media_type}, {source.text_length:,} characters)", file=self.stdout)
                # Not held while the next file is read: a folder of large files costs one.
                del source
        bar.close()
        for path, reason in refused:
            if not path.exists():
                self.stdout.write(f"refused  {path}: {reason}")
        self.stdout.write(
            f"{len(files)} file(s): {imported} imported, {present} already present, {len(refused)} refused."
        )
        if refused:
            raise CommandError(f"{len(refused)} file(s) refused; reasons above.")
