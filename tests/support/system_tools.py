"""Programs of the system the tests run for real (systemd-analyze, bash, fish, zsh, groff,
mandoc, flock): the path, or a loud skip; under CI (CI=true) a failure, since there they
must run (`make test` installs them with apt, see scripts/install-servers.sh)."""

from __future__ import annotations

import os
import shutil

import pytest


def tool(name: str, package: str) -> str:
    """The path of `name`, or skip (fail under CI) saying which package brings it."""
    found = shutil.which(name)
    if found:
        return found
    message = (
        f"{name} is not installed: this test did NOT run (Debian package {package}; as "
        "root, `make test` installs it with apt)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
