"""Files that appear whole or not at all.

Django's ``FileSystemStorage`` writes a file at its final name as the bytes arrive: a full
disk, a killed worker or a power cut leaves a file cut short under that name. For the
originals of sources, named by their SHA-256, such a file would be served (and reused by
the next upload of the same bytes) as the original itself. ``AtomicFileSystemStorage``
writes each file under a temporary name beside its own, flushes it to disk, and only then
gives it its name, with a hard link (atomic, and refused if the name is taken, as Django's
exclusive create is; ``allow_overwrite`` replaces instead). Object stores (django-storages'
S3 and the like) show an object only once it is whole, so they need nothing of the sort.
"""

from __future__ import annotations

import os
import secrets

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content) -> str:
        directory, base = os.path.split(name)
        # Dot-prefixed and suffixed: never a name the storage hands out.
        partial = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.partial")
        try:
            partial = super()._save(partial, content)
            _flush_to_disk(self.path(partial))
            return self._name(partial, name)
        finally:
            try:
                os.unlink(self.path(partial))
            except FileNotFoundError:
                pass

    def _name(self, partial: str, name: str) -> str:
        """Give the written file ``name`` (or the next free one), at once."""
        while True:
            try:
                if getattr(self, "_allow_overwrite", False):
                    os.replace(self.path(partial), self.path(name))
                else:
                    os.link(self.path(partial), self.path(name))
            except FileExistsError:
                name = self.get_available_name(name)
            else:
                return name


def _flush_to_disk(path: str) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
