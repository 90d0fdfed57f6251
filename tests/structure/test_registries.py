"""Each extension kind has one registry, a line per entry, read at start-up without importing
the modules it names (so `verify` and the wizard start fast): a preset's line in
`providers.LABELS`, a command's in `cli.main.COMMANDS`. A module added without its line would
be dead code no one notices; these tests notice."""

from __future__ import annotations

import ast
from pathlib import Path

import wizard.cli
import wizard.core.providers
from wizard.cli.main import COMMANDS
from wizard.core.providers import LABELS, PRESETS


def _defines(path: Path, *names: str) -> bool:
    tree = ast.parse(path.read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    defined |= {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return set(names) <= defined


def test_every_preset_module_is_registered_and_every_registered_one_exists() -> None:
    folder = Path(wizard.core.providers.__path__[0])
    modules = {path.stem for path in folder.glob("*.py") if _defines(path, "PRESET")}
    assert modules == set(LABELS)
    assert all(PRESETS[name].name == name for name in LABELS)


def test_every_command_module_is_registered_and_every_registered_one_exists() -> None:
    folder = Path(wizard.cli.__path__[0])
    modules = {path.stem for path in folder.glob("*.py") if _defines(path, "add_parser", "run")}
    assert modules == set(COMMANDS)
