"""The man page `make man` builds from the parser: groff and mandoc read it without a
warning, `man -l` shows every command and its options, and what --help leaves out (the
completion's `setup names`) it leaves out too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.system_tools import tool
from wizard.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("man") / "adue-wizard.1"
    # What `make man` runs, with a fixed date, as a reproducible build sets it.
    built = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_man.py"), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767323040"},
    )
    assert built.returncode == 0, built.stderr
    return out


def test_make_man_runs_the_build_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(
        r"^man: .*\n\t.*scripts/build_man\.py build/man/adue-wizard\.1$", makefile, re.M
    )


def test_groff_reads_the_page_without_a_warning(page: Path) -> None:
    result = subprocess.run(
        [tool("groff", "groff"), "-man", "-Tutf8", "-ww", "-z", str(page)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_mandoc_finds_nothing_to_warn_about(page: Path) -> None:
    # -W warning: warnings and errors (mandoc's style hints, such as long source lines,
    # are below that level).
    result = subprocess.run(
        [tool("mandoc", "mandoc"), "-Tlint", "-W", "warning", str(page)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout + result.stderr == ""


def test_man_shows_every_command_and_its_options(page: Path) -> None:
    result = subprocess.run(
        [tool("man", "man-db"), "--warnings", "-l", str(page)],
        capture_output=True,
        text=True,
        env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "80", "LC_ALL": "C.UTF-8"},
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    text = result.stdout
    assert text.startswith("ADUE-WIZARD(1)") and "January 2, 2026" in text
    for command in COMMANDS:
        assert f"adue-wizard {command}" in text, command
    for option in ("--since", "--changes", "--every", "--prometheus", "--add-domain", "--org-id"):
        assert option in text, option
    for section in ("EXIT STATUS", "ENVIRONMENT", "FILES", "ADUE_WIZARD_STATE_DIR"):
        assert section in text, section
    assert "setup names" not in text
