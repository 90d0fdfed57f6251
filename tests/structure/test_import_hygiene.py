"""The core is headless: importing it must not pull in textual (see wizard/core/__init__)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import wizard.core
from tests.support.constants import ORG_ID


def test_core_modules_never_import_textual() -> None:
    modules = [info.name for info in pkgutil.walk_packages(wizard.core.__path__, "wizard.core.")]
    assert "wizard.core.verify.verifier" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaked = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_generate_command_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import wizard.cli as cli\n"
        "assert cli.main(['generate', '--list']) == 0\n"
        "assert cli.main(['generate', '--method', 'redirect', '--platform', 'nginx',"
        f" '--org-id', {ORG_ID!r}]) == 0\n"
        "leaked = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_command_modules_do_not_import_each_other() -> None:
    """One module per command (those named in COMMANDS); the other modules are shared
    helpers (`parsing`, `mdm_inputs`, verify's outputs) that import no command, so no
    command can form an import cycle with another or with `main` (cli.py and the
    saved-setup verify module once imported each other)."""
    import ast

    import wizard.cli
    from wizard.cli.main import COMMANDS

    folder = Path(wizard.cli.__path__[0])
    commands = {f"wizard.cli.{name}" for name in COMMANDS}
    assert {"wizard.cli.verify", "wizard.cli.history"} <= commands
    for path in folder.glob("*.py"):
        module = f"wizard.cli.{path.stem}"
        if module in ("wizard.cli.main", "wizard.cli.__init__"):
            continue
        tree = ast.parse(path.read_text())
        if module == "wizard.cli.completion":
            # It completes the whole command line, so it reads main's parser, inside its
            # `run` only: main has imported it by then, and no import cycle can form.
            assert "wizard.cli.main" not in _imported(tree.body), module
            continue
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                imported |= {node.module, *names}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        assert "wizard.cli.main" not in imported, module
        assert not (imported & (commands - {module})), (module, imported & commands)


def _imported(statements: list[ast.stmt]) -> set[str]:
    """The modules imported by these statements themselves (not inside functions)."""
    names: set[str] = set()
    for node in statements:
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


def test_opening_the_wizard_imports_no_command_module(tmp_path: Path) -> None:
    """`adue-wizard` (or with --state-dir) goes straight to the wizard: the command modules
    and what they import cost about 8 ms of its start-up, so they are read only for a command."""
    code = (
        "import sys\n"
        "from wizard.cli.main import main\n"
        f"assert main(['--state-dir', {str(tmp_path)!r}]) == 2\n"  # no terminal: exits 2 at once
        "shared = {'wizard.cli', 'wizard.cli.main', 'wizard.cli.parsing'}\n"
        "loaded = [m for m in sys.modules if m.startswith('wizard.cli') and m not in shared]\n"
        "assert not loaded, loaded\n"
        f"assert main(['status', '--state-dir', {str(tmp_path)!r}]) == 0\n"
        "assert 'wizard.cli.status' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr
    assert "needs a terminal" in result.stderr


def test_a_plain_command_reads_only_its_own_module(tmp_path: Path) -> None:
    """`status` and `history` run from cron and over SSH: they must not pay for verify's
    asyncio, ssl and httpx (about 30 ms a run), which building every command's parser
    imported; help and errors still list every command."""
    code = (
        "import sys\n"
        "from wizard.cli.main import main\n"
        f"assert main(['--state-dir', {str(tmp_path)!r}, 'status']) == 0\n"
        f"assert main(['history', '--state-dir', {str(tmp_path)!r}, 'x.example']) == 2\n"
        "heavy = ('asyncio', 'ssl', 'httpx', 'wizard.cli.verify', 'shtab')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "wizard", "--help"], capture_output=True, text=True
    )
    from wizard.cli.main import COMMANDS

    assert "{" + ",".join(COMMANDS) + "}" in listed.stdout
    typo = subprocess.run(
        [sys.executable, "-m", "wizard", "--state-dir", str(tmp_path), "stauts"],
        capture_output=True,
        text=True,
    )
    assert typo.returncode == 2 and "choose from 'verify', " in typo.stderr
    assert "'status'" in typo.stderr


def test_completion_costs_the_other_commands_nothing() -> None:
    """shtab is imported by `completion` when it runs, never by building the parser (every
    command's module), so no other command pays for it."""
    code = (
        "import sys\n"
        "from wizard.cli.main import build_parser\n"
        "build_parser()\n"
        "assert 'shtab' not in sys.modules, 'shtab imported by building the parser'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
