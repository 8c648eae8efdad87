"""What a command is given to read: a file, a folder, or a reason it cannot be read.

``import_claims`` reads one file, ``import_sources`` files and folders; both look before
they open, since opening a FIFO blocks and a device never ends, and both say why a path
is refused in the same words."""

from __future__ import annotations

import os
import stat

FILE = "file"
FOLDER = "folder"
NOT_FOUND = "no such file or folder"
NOT_A_FILE = "not a regular file"
# ``Path("")`` is ``Path(".")``: an empty argument (an unset shell variable in a cron line)
# would name the current folder.
EMPTY = "an empty path names no file or folder"


def cannot_be_read(error: OSError) -> str:
    return f"cannot be read ({error.strerror or error})"


def kind_of(path: str | os.PathLike) -> tuple[str | None, str | None]:
    """(``FILE`` or ``FOLDER``, None), or (None, the reason the path is refused): it does
    not exist, is empty, cannot be looked at, or is something else (a FIFO, a device, a
    socket). Nothing is opened. Give it the argument as typed: an empty one made a ``Path``
    first is already the current folder."""
    if not os.fspath(path):
        return None, EMPTY
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None, NOT_FOUND
    except OSError as error:
        return None, cannot_be_read(error)
    if stat.S_ISREG(mode):
        return FILE, None
    if stat.S_ISDIR(mode):
        return FOLDER, None
    return None, NOT_A_FILE
