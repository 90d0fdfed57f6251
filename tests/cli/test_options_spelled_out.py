"""Every option must be spelled out, and an error about an unknown option never repeats the
value given with it: a secret typed in the wrong place must not reach a log or a terminal
scrollback through our error line."""

from __future__ import annotations

import pytest

from tests.support.commands import run_in_process
from wizard.cli.main import COMMANDS

SECRET = "s3cr3t-Value-42"


@pytest.mark.parametrize(
    "args",
    [
        # An abbreviation of a real option is refused, not taken for the option.
        ["verify", "example.com", "--jso"],
        ["history", "--lim", "5"],
        ["status", "--js"],
    ],
)
def test_an_abbreviation_is_refused(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run_in_process(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown option" in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "unknown", [["--api-key", SECRET], [f"--api-key={SECRET}"], ["--password", SECRET]]
)
def test_an_unknown_option_is_named_without_its_value(
    capsys: pytest.CaptureFixture[str], command: str, unknown: list[str]
) -> None:
    code, out, err = run_in_process(capsys, command, *unknown)
    assert code == 2
    assert SECRET not in out + err
    assert err.count("\n") == 1 and out == ""


@pytest.mark.parametrize("before", [[], ["setup"], ["completion"]])
def test_a_word_taken_for_a_command_is_not_repeated(
    capsys: pytest.CaptureFixture[str], before: list[str]
) -> None:
    """`--api-key KEY` before any command (or before `setup`'s action, or `completion`'s
    shell) makes KEY the command word: the error lists the choices, never the word."""
    code, out, err = run_in_process(capsys, *before, "--api-key", SECRET)
    assert code == 2 and out == ""
    assert SECRET not in err and "choose from" in err
    assert err.count("\n") == 1
