"""The layers are written down as import-linter contracts (pyproject.toml) and checked by the
README's test command; these tests hold that the check passes on the code as it is and
fails on a deliberately wrong import, and that tests stay apart from each other."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_the_code_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        # The diagnosis reaching up into the verifier: the circle this layout removed.
        (
            "wizard/core/diagnosis/causes.py",
            "import wizard.core.verify.options",
            "Core capabilities in layers",
        ),
        # A shared piece at the bottom reaching a capability.
        (
            "wizard/core/results.py",
            "import wizard.core.providers",
            "Core capabilities in layers",
        ),
        # The two top capabilities side by side: neither may use the other.
        (
            "wizard/core/watch/drift.py",
            "import wizard.core.linking.plan",
            "Core capabilities in layers",
        ),
        ("wizard/core/domains.py", "import textual", "Core is headless"),
        (
            "wizard/core/setups/store.py",
            "import wizard.tui.app",
            "Commands and wizard above the core",
        ),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, wrong_import: str, contract: str
) -> None:
    shutil.copytree(ROOT / "wizard", tmp_path / "wizard", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text(path.read_text() + f"\n{wrong_import}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert broken and contract in " ".join(broken), result.stdout


def test_no_test_module_imports_another() -> None:
    """Tests share `tests.support` (and conftest fixtures), never each other's modules."""
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                last = name.rsplit(".", 1)[-1]
                assert not (name.startswith("tests.") and last.startswith("test_")), (path, name)
                assert not name.startswith("tests.conftest"), (path, name)


def test_every_test_folder_has_its_conftest() -> None:
    folders = {path.parent for path in (ROOT / "tests").rglob("test_*.py")}
    assert len(folders) >= 8
    for folder in folders:
        assert (folder / "conftest.py").is_file(), folder
        assert (folder / "__init__.py").is_file(), folder
