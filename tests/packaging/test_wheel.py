"""The package as users get it: `python -m build` (an sdist, then a wheel built from that
sdist) of the repository's sources, installed into a fresh virtual environment, runs, and
carries every module and data file the wizard needs (the .tcss above all).

Slow-ish (about ten seconds): it builds and installs for real. No network: the build runs
without isolation on this environment's setuptools, and the fresh environment reaches the
dependencies through a path entry to this one's site-packages, never this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# What the sdist is made of: the project file, its readme, and the package.
SOURCES = ["pyproject.toml", "README.md", "wizard"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built from a clean copy of the sources (no build/ leftovers)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def package_files() -> set[str]:
    """Every file of the package in the repository, as a path inside the wheel."""
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / "wizard").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_module_and_data_file(dist: Path) -> None:
    [wheel] = dist.glob("adue_wizard-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        inside = {name for name in archive.namelist() if name.startswith("wizard/")}
    expected = package_files()
    assert "wizard/tui/wizard.tcss" in expected and "wizard/py.typed" in expected
    assert expected - inside == set(), "left out of the wheel"
    assert inside - expected == set(), "in the wheel but not in the repository"
    [sdist] = dist.glob("adue_wizard-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(name.endswith("/wizard/tui/wizard.tcss") for name in names)


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Dependencies (textual, httpx, ...) from this environment, as a plain path entry: the
    # .pth files there, such as this checkout's editable install, are not read from it.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    [wheel] = dist.glob("adue_wizard-*.whl")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return home / "bin"


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Away from the checkout, with no PYTHONPATH: only the installed package can answer.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_the_installed_command_runs(installed: Path, tmp_path: Path) -> None:
    version = run([str(installed / "adue-wizard"), "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("adue-wizard "), version
    table = run([str(installed / "adue-wizard"), "generate", "--list"], tmp_path)
    assert table.returncode == 0, table.stderr
    assert "nginx" in table.stdout and "github-pages" in table.stdout


def test_the_installed_wizard_finds_its_stylesheet_and_starts(
    installed: Path, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys
        from importlib.resources import files
        from pathlib import Path

        import wizard
        from wizard.core.setups.store import Store
        from wizard.tui.app import WizardApp

        assert Path(wizard.__file__).is_relative_to(sys.prefix), wizard.__file__
        assert (files("wizard.tui") / "wizard.tcss").is_file()

        async def start() -> None:
            app = WizardApp(Store(Path(sys.argv[1])), blink=False)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                print(type(app.screen).__name__, len(app.stylesheet.rules) > 0)

        asyncio.run(start())
        """
    )
    result = run([str(installed / "python"), "-c", script, str(tmp_path / "state")], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["StartScreen", "True"]
