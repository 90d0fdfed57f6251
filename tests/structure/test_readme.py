"""The README shows every command: an admin reading it finds each one the parser has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard.cli.main import COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", COMMANDS)
def test_the_readme_shows_each_command(name: str) -> None:
    text = README.read_text(encoding="utf-8")
    # `adue-wizard NAME` as a word: `adue-wizard status` is not shown by `... statusbar`.
    assert re.search(rf"adue-wizard {re.escape(name)}(?![\w-])", text), name
