"""The state folder's files, treated as untrusted: names that are names, reads that are
bounded and never block, private folders and locks, and damaged files moved aside.

A saved file is as untrusted as a server: it may be a symlink to a FIFO (a read would hang),
to /dev/zero (a read would never end), a directory, or a file from another program.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

# Letters, digits, dot, dash and underscore; no leading dot (hidden files, "." and "..").
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class SaveError(Exception):
    """Something could not be saved: the message says what and where, in one line."""


class UnreadableFile(ValueError):
    """A file that is not a regular file, or is larger than allowed."""


def check_setup_name(name: str) -> str:
    """A setup name is a name, never a path; raises InvalidInput (exit 2) otherwise."""
    if not _NAME.fullmatch(name) or ".." in name:
        raise InvalidInput(
            f"setup name {argument(name)} is not a setup name "
            "(letters, digits, '.', '-' and '_'; see adue-wizard status)"
        )
    return name


def is_setup_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and ".." not in name


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`, only if it is a regular file (not a link, FIFO, device or
    directory) of at most `limit` bytes; opened without following links or blocking."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableFile("it is a symbolic link, not a file") from None
        raise
    with os.fdopen(handle, "rb") as file:
        kind = os.fstat(handle).st_mode
        if not stat.S_ISREG(kind):
            raise UnreadableFile(f"it is {_kind(kind)}, not a file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"it is larger than {limit // (1024 * 1024)} MiB")
    return data


def move_aside(path: Path) -> str:
    """Rename `path` (the link itself, for a link) to PATH.corrupt-STAMP; never deletes.
    Returns what happened, for the one-line notice."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.rename(path, aside)
    except OSError as error:
        return f"could not move it aside ({error.strerror})"
    return f"moved it to {aside}"


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parent with mode 0700 (whatever the umask), and make
    `folder` itself 0700."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        with contextlib.suppress(OSError):
            path.chmod(0o700)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it is not a folder", str(folder))
    with contextlib.suppress(OSError):
        folder.chmod(0o700)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder's `.lock` file (created 0600, whatever the umask)."""
    handle = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with contextlib.suppress(OSError):  # not ours to change (made by another user)
            os.fchmod(handle, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
