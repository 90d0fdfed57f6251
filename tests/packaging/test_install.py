"""Installing: the editable install `make` does is a plain path entry to the checkout (quick
to start: no import hook) and setuptools prints no deprecation banner for it; `make install`
puts a copy on the PATH, with pipx or in a virtual environment of its own; `make test` shows
each test as it finishes.

No network: the editable wheel is built by calling setuptools' PEP 660 hook directly, on
this environment's setuptools, from a clean copy of the sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["pyproject.toml", "README.md", "wizard"]

BUILD_EDITABLE = """
import sys, warnings
warnings.simplefilter("always")  # a deprecation must show, not be filtered away
from setuptools import build_meta
print(build_meta.build_editable(sys.argv[1]))
"""


def test_the_editable_install_is_a_path_entry_without_a_banner(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", BUILD_EDITABLE, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    said = result.stdout + result.stderr
    assert "transitional" not in said and "Deprecat" not in said, said[-3000:]
    wheel = out / result.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [pth] = [name for name in names if name.endswith(".pth")]
        entry = archive.read(pth).decode().strip()
    assert Path(entry) == source.resolve()  # the checkout itself on sys.path
    # No import hook (setuptools' __editable___*_finder module): nothing runs at start-up.
    assert not [name for name in names if "finder" in name], names


def test_make_never_asks_for_the_compat_mode() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "editable_mode" not in makefile
    assert "pip install --quiet -e ." in makefile


def dry_run(*arguments: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {**os.environ, "HOME": "/home/admin"}
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_install_without_pipx_uses_a_virtual_environment_of_its_own() -> None:
    lines = dry_run("install", "PIPX=")
    app = "/home/admin/.local/share/adue-wizard/venv"
    assert lines[:4] == [
        f"python3 -m venv {app}",
        f"{app}/bin/python -m pip install --quiet --upgrade .",
        "mkdir -p /home/admin/.local/bin",
        f"ln -sf {app}/bin/adue-wizard /home/admin/.local/bin/adue-wizard",
    ]
    assert dry_run("uninstall", "PIPX=", "PREFIX=/opt/x") == [
        "rm -f /opt/x/bin/adue-wizard",
        "rm -rf /opt/x/share/adue-wizard",
    ]


def test_make_install_with_pipx_uses_it() -> None:
    assert dry_run("install", "PIPX=/usr/bin/pipx") == ["/usr/bin/pipx install --force ."]


def test_make_test_shows_each_test_as_it_finishes() -> None:
    [pytest_line] = [line for line in dry_run("test") if "/pytest" in line]
    assert pytest_line.endswith("pytest --verbose")
