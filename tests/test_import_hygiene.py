"""The core is headless: importing it must not pull in textual (see wizard/core/__init__)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import wizard.core


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
        " '--org-id', '5f1b2c3d4e5f6a7b8c9d0e1f']) == 0\n"
        "leaked = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
