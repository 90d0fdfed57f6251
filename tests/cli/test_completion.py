"""`completion`: the scripts loaded into a real bash and fish complete commands, options,
MDM and platform names and the saved setups' names (asked of `setup names` as one types,
on the --state-dir typed); zsh reads its script without error."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import wizard
from tests.support.commands import one_line, run_cli
from tests.support.system_tools import tool
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

SOURCE = str(Path(wizard.__file__).resolve().parent.parent)


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """PATH with an `adue-wizard` that runs this code (as an installed one would), and a
    state folder with two saved setups."""
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "adue-wizard"
    program.write_text(f'#!/bin/sh\nPYTHONPATH={SOURCE} exec "{sys.executable}" -m wizard "$@"\n')
    program.chmod(0o755)
    state = tmp_path / "state"
    for name in ("acme.example", "beta.example"):
        Store(state).save(SetupState(name=name, domains=[name]))
    other = tmp_path / "other"
    Store(other).save(SetupState(name="other.example", domains=["other.example"]))
    return {
        **os.environ,
        "PATH": f"{folder}:{os.environ['PATH']}",
        "ADUE_WIZARD_STATE_DIR": str(state),
        "OTHER_STATE": str(other),
    }


@pytest.fixture
def bash_script(tmp_path: Path) -> Path:
    result = run_cli("completion", "bash")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "adue-wizard.bash"
    path.write_text(result.stdout)
    return path


def bash_completes(
    script: Path, line: str, env: dict[str, str], words: list[str] | None = None
) -> list[str]:
    """What bash offers at the end of `line`, as it calls the completion function when Tab
    is pressed: COMP_LINE, COMP_POINT, COMP_WORDS (the line's words, or `words` where
    readline splits them further, as at an `=`) and COMP_CWORD set, COMPREPLY read."""
    if words is None:  # after a space, the word being completed is an empty one
        words = line.split() + ([""] if line.endswith(" ") else [])
    split = " ".join(shlex.quote(word) for word in words)
    code = (
        f"source {script}\n"
        f"COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}\n"
        f"COMP_WORDS=({split})\n"
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        "_shtab_adue_wizard\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        [tool("bash", "bash"), "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return sorted(set(result.stdout.split()))


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("adue-wizard hi", ["history"]),
        ("adue-wizard s", ["schedule", "setup", "status"]),
        ("adue-wizard setup ", ["add", "edit", "import", "restore"]),  # not `names`
        ("adue-wizard verify --js", ["--json", "--json-file"]),
        ("adue-wizard history --", ["--changes", "--help", "--json", "--limit", "--since",
                                    "--state-dir"]),
        ("adue-wizard verify --mdm j", ["jamf", "jumpcloud"]),
        ("adue-wizard setup add x --mdm ", ["fleet", "generic", "intune", "ivanti", "jamf",
                                            "jumpcloud", "manageengine"]),
        ("adue-wizard generate --platform c", ["caddy", "cloudflare", "cloudfront"]),
        ("adue-wizard schedule --every 1", ["12h", "15m", "1d", "1h", "1w"]),
        ("adue-wizard completion ", ["bash", "fish", "zsh"]),
    ],
)  # fmt: skip
def test_bash_completes_commands_options_and_names(
    bash_script: Path, shell_env: dict[str, str], line: str, offered: list[str]
) -> None:
    assert bash_completes(bash_script, line, shell_env) == offered


@pytest.mark.parametrize(
    "line",
    [
        "adue-wizard history ",
        "adue-wizard delete a",
        "adue-wizard rename ",
        "adue-wizard verify --setup ",
        "adue-wizard setup edit ",
        "adue-wizard setup restore ",
        "adue-wizard schedule --cron --setup ",
    ],
)
def test_bash_completes_the_saved_setups_names(
    bash_script: Path, shell_env: dict[str, str], line: str
) -> None:
    offered = bash_completes(bash_script, line, shell_env)
    assert "acme.example" in offered and "other.example" not in offered
    assert set(offered) <= {"acme.example", "beta.example"}


def test_bash_names_come_from_the_state_folder_typed(
    bash_script: Path, shell_env: dict[str, str]
) -> None:
    other = shell_env["OTHER_STATE"]
    for line in (
        f"adue-wizard --state-dir {other} history ",
        f"adue-wizard history --state-dir {other} ",
        f"adue-wizard --state-dir={other} delete ",
    ):
        assert bash_completes(bash_script, line, shell_env) == ["other.example"], line
    # As readline splits it: at the `=`.
    words = ["adue-wizard", "--state-dir", "=", other, "delete", ""]
    line = f"adue-wizard --state-dir={other} delete "
    assert bash_completes(bash_script, line, shell_env, words) == ["other.example"]


def test_fish_completes_commands_and_names(tmp_path: Path, shell_env: dict[str, str]) -> None:
    script = tmp_path / "adue-wizard.fish"
    script.write_text(run_cli("completion", "fish").stdout)

    def fish_completes(line: str) -> list[str]:
        result = subprocess.run(
            [tool("fish", "fish"), "--no-config", "-c", f"source {script}; complete -C {line!r}"],
            capture_output=True,
            text=True,
            env=shell_env,
            timeout=60,
        )
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return sorted(candidate.split("\t")[0] for candidate in result.stdout.splitlines())

    assert "history" in fish_completes("adue-wizard hi")
    assert fish_completes("adue-wizard history ") == ["acme.example", "beta.example"]
    assert fish_completes("adue-wizard verify --setup ") == ["acme.example", "beta.example"]
    other = shell_env["OTHER_STATE"]
    assert fish_completes(f"adue-wizard --state-dir {other} delete ") == ["other.example"]
    assert "intune" in fish_completes("adue-wizard verify --mdm ")
    assert "nginx" in fish_completes("adue-wizard generate --platform ")


def test_zsh_registers_its_script(tmp_path: Path, shell_env: dict[str, str]) -> None:
    """zsh completes only inside its line editor, which a test cannot drive simply; here
    the script is read as the README says (eval, after compinit) and registers itself for
    adue-wizard, without an error."""
    script = tmp_path / "_adue-wizard"
    script.write_text(run_cli("completion", "zsh").stdout)
    zsh = tool("zsh", "zsh")
    assert subprocess.run([zsh, "-n", str(script)], capture_output=True).returncode == 0
    code = (
        f"autoload -U compinit && compinit -u -d {tmp_path / 'zcompdump'} && "
        f'eval "$(<{script})" && print -r -- $_comps[adue-wizard] && '
        "whence -w _adue_wizard_setup_names"
    )
    result = subprocess.run(
        [zsh, "-f", "-c", code], capture_output=True, text=True, env=shell_env, timeout=60
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines() == [
        "_shtab_adue_wizard",
        "_adue_wizard_setup_names: function",
    ]


def test_an_unknown_shell_is_refused(tmp_path: Path) -> None:
    result = run_cli("completion", "tcsh")
    assert result.returncode == 2
    assert "not a choice (choose from 'bash', 'zsh', 'fish')" in one_line(result.stderr)
