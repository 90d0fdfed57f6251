"""Reading a file the admin names (a CSV, a plan): bounded, and never stuck on a FIFO."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def read_given_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (a link to one is followed: the admin named it), at
    most `limit` of them; opened without blocking, so a FIFO or a device is refused rather
    than read without end. OSError when it cannot be opened; ValueError saying what it is
    instead of a file, or that it is too large."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise ValueError("it is not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it is larger than {limit // (1024 * 1024)} MiB")
    return data
