"""Replace a file so that a crash leaves the old content or the new, never half of one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to a temporary file beside `path` (with `mode`), fsync it, rename it over
    `path`, then fsync the folder so the rename itself survives a power cut."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        replace_file_at(folder, path.name, data, mode)
    finally:
        os.close(folder)


def replace_file_at(folder: int, name: str, data: bytes, mode: int) -> None:
    """`write_atomically` for `name` inside the already opened folder `folder` (a file
    descriptor), so no path is looked up again: the temporary file is created with
    O_EXCL | O_NOFOLLOW and renamed over `name`, and a rename replaces a symbolic link
    itself, never the file it points to."""
    # os.urandom, not `secrets`: the name only has to be unguessable, and `secrets` pulls in
    # hashlib and hmac at the wizard's start.
    temporary = f".{name}.{os.urandom(8).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(temporary, flags, 0o600, dir_fd=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)
        raise
    os.fsync(folder)
