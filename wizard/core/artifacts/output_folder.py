"""Write a plan's files into the folder the admin named, and nowhere else.

The folder itself may be a symbolic link (the admin chose it), but nothing below it may be:
a `.well-known` that links elsewhere, or a file that does, would make `--out DIR` write
outside DIR. Every step below the folder is taken from an open folder descriptor with
O_NOFOLLOW, so a link swapped in between the check and the write is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from wizard.core.artifacts.model import GENERATED_ON, FilesDiffer, GenerateError, Plan
from wizard.core.atomic_file import replace_file_at
from wizard.core.shown import argument

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO put where a file was expected must not hang the comparison.
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def write_plan(plan: Plan, folder: Path, *, force: bool = False) -> list[Path]:
    """Write every artifact under `folder`. Refuses, before writing anything, to replace a
    different existing file unless `force` (FilesDiffer names them all), and (even with
    `force`) to go through or replace a symbolic link or anything but a regular file. A
    file that differs only in its generated date is left as it is. Returns the paths
    written."""
    folder.mkdir(parents=True, exist_ok=True)
    root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        pending: list[tuple[list[str], bytes]] = []
        differing: list[Path] = []
        for artifact in plan.artifacts:
            names = _names(artifact.filename)
            data = artifact.content.encode("utf-8")
            existing = _existing(root, folder, names, len(data))
            if existing is not None and _undated(existing) == _undated(data):
                continue
            if existing is not None and not force:
                differing.append(folder.joinpath(*names))
            pending.append((names, data))
        if differing:
            raise FilesDiffer(differing)
        written = []
        for names, data in pending:
            parent = _open_folders(root, folder, names[:-1], create=True)
            assert parent is not None
            try:
                _check_file(parent, folder, names)  # again: the folder may have changed
                replace_file_at(parent, names[-1], data, 0o644)  # servers must read it
            finally:
                os.close(parent)
            written.append(folder.joinpath(*names))
        return written
    finally:
        os.close(root)


def _undated(data: bytes) -> bytes:
    """The content without the date in its header: saving on another day changes nothing
    else, and must not count as a different file."""
    return GENERATED_ON.sub(b"Generated.", data)


def _names(filename: str) -> list[str]:
    names = filename.split("/")
    if any(name in ("", ".", "..") for name in names):
        raise GenerateError(f"artifact name {argument(filename)} is not a relative path")
    return names


def _existing(root: int, folder: Path, names: list[str], size: int) -> bytes | None:
    """The first `size` + 1 bytes of the file at `names`, or None when it does not exist."""
    parent = _open_folders(root, folder, names[:-1], create=False)
    if parent is None:
        return None
    try:
        if not _check_file(parent, folder, names):
            return None
        handle = _open_at(parent, names[-1], _READ_FLAGS, folder, names)
        try:
            return os.read(handle, size + 1)
        finally:
            os.close(handle)
    finally:
        os.close(parent)


def _check_file(parent: int, folder: Path, names: list[str]) -> bool:
    """Whether the file exists; raises GenerateError unless it is a regular file."""
    try:
        status = os.stat(names[-1], dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return False
    _refuse_unless(status.st_mode, stat.S_ISREG, folder, names, "a file")
    return True


def _open_folders(root: int, folder: Path, names: list[str], *, create: bool) -> int | None:
    """A descriptor of the folder `names` below `root`, made when `create`; None when one
    is missing and not `create`. Raises GenerateError on a link or a non-folder."""
    current = os.dup(root)
    try:
        for depth, name in enumerate(names, 1):
            try:
                status = os.stat(name, dir_fd=current, follow_symlinks=False)
            except FileNotFoundError:
                if not create:
                    os.close(current)
                    return None
                os.mkdir(name, 0o755, dir_fd=current)
                status = os.stat(name, dir_fd=current, follow_symlinks=False)
            _refuse_unless(status.st_mode, stat.S_ISDIR, folder, names[:depth], "a folder")
            opened = _open_at(current, name, _FOLDER_FLAGS, folder, names[:depth])
            os.close(current)
            current = opened
    except BaseException:
        os.close(current)
        raise
    return current


def _open_at(parent: int, name: str, flags: int, folder: Path, names: list[str]) -> int:
    try:
        return os.open(name, flags, dir_fd=parent)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):  # a link swapped in since the check
            raise GenerateError(_link_message(folder, names)) from None
        raise


def _refuse_unless(
    mode: int, is_kind: Callable[[int], bool], folder: Path, names: list[str], kind: str
) -> None:
    if stat.S_ISLNK(mode):
        raise GenerateError(_link_message(folder, names))
    if not is_kind(mode):
        shown = argument(str(folder.joinpath(*names)))
        raise GenerateError(f"{shown} is not {kind}; cannot write the artifact there")


def _link_message(folder: Path, names: list[str]) -> str:
    return (
        f"{argument(str(folder.joinpath(*names)))} is a symbolic link; refusing to write "
        f"through it (it could lead outside {argument(str(folder))})"
    )
