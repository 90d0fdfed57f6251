"""One writer per JumpCloud organization at a time, from this state folder.

Two runs writing the same users at once could each find a user's old value, and both
write: so an apply or undo holds an exclusive lock on a file named after the organization
for its whole run, from its re-read to its last answer. The lock is the kernel's (`flock`):
a run killed with SIGKILL, or whose SSH session was lost, releases it as it dies, so no
stale lock is ever left to clear by hand. The file holds the holder's process id, to name
it to the run that is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from wizard.core.setups.files import make_private_folder


class OrganizationBusy(Exception):
    """Another run holds the organization's lock; `pid` is its process id when known."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        holder = f" (process {pid})" if pid else ""
        super().__init__(
            f"another `maid apply` or `maid undo` is writing to this JumpCloud organization"
            f"{holder}; nothing was written: run it again once that one has finished"
        )


def lock_path(folder: Path, api_url: str, org_id: str) -> Path:
    digest = hashlib.sha256(f"{api_url}\n{org_id}".encode()).hexdigest()[:16]
    return folder / f".maid-{digest}.lock"


@contextlib.contextmanager
def organization_lock(folder: Path, api_url: str, org_id: str) -> Iterator[None]:
    """Hold the organization's lock, or raise OrganizationBusy at once (never wait: a cron
    job must not queue behind a run left at its confirmation prompt)."""
    make_private_folder(folder)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(lock_path(folder, api_url, org_id), flags, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OrganizationBusy(_holder(handle)) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _holder(handle: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(handle, 32, 0).decode("ascii").strip())
    return None
