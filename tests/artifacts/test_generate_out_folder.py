"""`generate --out DIR` writes inside DIR and nowhere else: a symbolic link anywhere below
DIR (a folder on the way, or the file itself) is refused in one line, with or without
--force, and nothing is written on either side of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.support.constants import ORG_ID, WELL_KNOWN_FILE
from wizard.core.artifacts.model import GenerateError
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import generate
from wizard.core.artifacts.prepare import prepare_setup

DOCUMENT = json.dumps(
    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.net/enroll"}]}
)
FORCE = [pytest.param([], id="without-force"), pytest.param(["--force"], id="with-force")]


def generate_into(out: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "downloaded.json"
    source.write_text(DOCUMENT)
    command = [sys.executable, "-m", "wizard", "generate", "--method", "self-host"]
    command += ["--platform", "nginx", "--org-id", ORG_ID, "--json-file", str(source)]
    command += ["--domain", "example.org", "--out", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def contents(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (links not followed), with a file's text or a link's target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = "-> " + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_text()
    return found


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("force", FORCE)
def test_a_linked_well_known_folder_is_refused(tmp_path: Path, force: list[str]) -> None:
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / ".well-known").symlink_to(elsewhere)
    result = generate_into(out, tmp_path, *force)
    assert_refused(result)
    assert contents(elsewhere) == {}
    # Refused before anything was written, on this side of the link too.
    assert contents(out) == {".well-known": f"-> {elsewhere}"}


@pytest.mark.parametrize("force", FORCE)
@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_linked_artifact_file_is_refused(
    tmp_path: Path, force: list[str], dangling: bool
) -> None:
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    (out / ".well-known").mkdir(parents=True)
    elsewhere.mkdir()
    victim = elsewhere / "victim.conf"
    if not dangling:
        victim.write_text("the admin's own file\n")
    (out / "nginx-remotemanagement.conf").symlink_to(victim)
    before = contents(elsewhere)
    result = generate_into(out, tmp_path, *force)
    assert_refused(result)
    assert contents(elsewhere) == before
    assert (out / "nginx-remotemanagement.conf").is_symlink()
    assert not (out / WELL_KNOWN_FILE).exists()


@pytest.mark.parametrize("force", FORCE)
def test_a_linked_document_file_is_refused(tmp_path: Path, force: list[str]) -> None:
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    (out / ".well-known").mkdir(parents=True)
    elsewhere.mkdir()
    (elsewhere / "passwd").write_text("root:x:0:0\n")
    (out / WELL_KNOWN_FILE).symlink_to(elsewhere / "passwd")
    assert_refused(generate_into(out, tmp_path, *force))
    assert (elsewhere / "passwd").read_text() == "root:x:0:0\n"


def test_a_fifo_in_place_of_a_file_is_refused_without_hanging(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    os.mkfifo(out / "nginx-remotemanagement.conf")
    result = generate_into(out, tmp_path, "--force")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "not a file" in result.stderr


def test_the_named_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    """DIR is the admin's choice: a link there is followed, as for any path they type."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "site").symlink_to(real)
    result = generate_into(tmp_path / "site", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (real / WELL_KNOWN_FILE).read_text() == DOCUMENT
    assert oct((real / "nginx-remotemanagement.conf").stat().st_mode & 0o777) == "0o644"


def test_the_shared_function_refuses_a_link_swapped_in_after_the_check(tmp_path: Path) -> None:
    """The write itself goes through O_NOFOLLOW descriptors, not a second path lookup:
    a `.well-known` link that appears after the comparison is still refused."""
    setup, _ = prepare_setup("self-host", document_text=DOCUMENT, today=date(2026, 1, 2))
    plan = generate("nginx", setup)
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    original = os.stat

    def swap_in_a_link(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = original(path, *args, **kwargs)  # type: ignore[arg-type]
        if path == ".well-known" and not (out / ".well-known").is_symlink():
            (out / ".well-known").rmdir()
            (out / ".well-known").symlink_to(elsewhere)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", swap_in_a_link)
        with pytest.raises(GenerateError, match="symbolic link"):
            write_plan(plan, out)
    assert contents(elsewhere) == {}
