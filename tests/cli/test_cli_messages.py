"""What the command line says when it is given something odd: the bound that was crossed,
the value a clearly meant input was taken as, where to go instead; and its help: every
option explained, every command's --help ending with examples that work."""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.commands import one_line, routed, run_cli, run_in_process
from tests.support.constants import DOMAIN, ORG_ID, TENANT, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from wizard.cli.main import COMMANDS, build_parser


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["verify", "a.example", "--timeout", "1e12"], "must be less than 86400 seconds"),
        (["verify", "a.example", "--timeout", "0"], "must be more than 0 seconds"),
        (["verify", "a.example", "--timeout", "nan"], "not a number of seconds"),
        (["history", "a.example", "--limit", "-5"], "'-5' must be 1 or more"),
        (["history", "a.example", "--limit", "0"], "'0' must be 1 or more"),
        (["verify", "a.example", "--max-redirects", "-1"], "'-1' must be 0 or more"),
        (
            ["verify", "https://a.example:8443/x"],
            "give a.example with --connect-to a.example:443:a.example:8443",
        ),
    ],
)
def test_a_bad_value_names_the_bound_or_the_way(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    code, out, err = run_in_process(capsys, *args)
    assert code == 2 and out == ""
    assert says in one_line(err)


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["history", "a.example"],
        ["verify", "--setup", "a.example"],
        ["rename", "a.example", "b.example"],
        ["delete", "a.example", "--yes"],
    ],
)
def test_a_state_dir_that_is_a_file_is_bad_input(tmp_path: Path, args: list[str]) -> None:
    not_a_folder = tmp_path / "state"
    not_a_folder.write_text("")
    for placed in (
        ["--state-dir", str(not_a_folder), *args],
        [*args, "--state-dir", str(not_a_folder)],
    ):
        result = run_cli(*placed)
        assert result.returncode == 2 and result.stdout == ""
        assert one_line(result.stderr) == (
            f"adue-wizard: --state-dir {str(not_a_folder)!r} is not a folder"
        )
    result = run_cli(*args, env={"ADUE_WIZARD_STATE_DIR": str(not_a_folder)})
    assert result.returncode == 2
    assert "$ADUE_WIZARD_STATE_DIR" in one_line(result.stderr)


@pytest.mark.parametrize(
    ("args", "typed", "taken", "in_artifact"),
    [
        (
            ["--method", "redirect"],
            ["--org-id", ORG_ID.upper()],
            ORG_ID,
            f"organization_id={ORG_ID}",
        ),
        (
            ["--method", "self-host", "--mdm", "intune"],
            ["--tenant-id", "{" + TENANT.upper() + "}"],
            TENANT,
            f"aadTenantId={TENANT}",
        ),
        (
            ["--method", "self-host", "--mdm", "intune"],
            ["--tenant-id", f" {TENANT} "],
            TENANT,
            f"aadTenantId={TENANT}",
        ),
    ],
)
def test_a_clearly_meant_id_is_taken_as_it_is_written_with_a_note(
    args: list[str], typed: list[str], taken: str, in_artifact: str
) -> None:
    # --raw: the artifact alone (nginx's redirect block; the document for `other`).
    platform = "nginx" if "redirect" in args else "other"
    result = run_cli("generate", "--platform", platform, *args, *typed, "--raw")
    assert result.returncode == 0, result.stderr
    assert in_artifact in result.stdout
    assert typed[1] not in result.stdout or typed[1].strip() == taken
    notes = [line for line in result.stderr.splitlines() if "taken as" in line]
    if typed[1].strip() == taken:
        assert notes == []  # only spaces around it: nothing to say
    else:
        assert notes == [f"adue-wizard: note: {typed[0]} {typed[1]!r} taken as {taken}"]


def test_verify_judges_against_the_normalised_tenant(server: HTTPSServer, ca_bundle: Path) -> None:
    """The value taken is the one the checks use: a braced, upper-case tenant ID passes
    against the document Microsoft's form of it builds."""
    base_url = (
        "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
        f"?aadTenantId={TENANT}"
    )
    document = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]})
    server.route(WELL_KNOWN, json_document(document))
    typed = "{" + TENANT.upper() + "}"
    result = run_cli(
        "verify", DOMAIN, "--mdm", "intune", "--tenant-id", typed, *routed(server, ca_bundle)
    )
    assert result.returncode == 0, result.stdout
    assert f"adue-wizard: note: --tenant-id {typed!r} taken as {TENANT}" in result.stderr


def listed_commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = (), dests: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and nested sub-command its parent's --help lists (not the unlisted
    `setup names`, which has no help): its words, the argument each word is parsed into,
    and its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest for choice in action._choices_actions}
            for name, command in action.choices.items():
                if name in listed:
                    path, kept_in = (*words, name), (*dests, action.dest)
                    yield path, kept_in, command
                    yield from listed_commands(command, path, kept_in)


# The whole command line, then every command and sub-command under it.
EVERY_HELP = [((), (), build_parser()), *listed_commands(build_parser())]


def test_every_option_of_every_command_has_help() -> None:
    missing = [
        f"{' '.join(('adue-wizard', *words))} {'/'.join(action.option_strings) or action.dest}"
        for words, _, command in EVERY_HELP
        for action in command._actions
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert missing == []


def test_the_walk_reaches_every_command_and_sub_command() -> None:
    words = {" ".join(path) for path, _, _ in EVERY_HELP}
    assert set(COMMANDS) <= words
    assert {"setup add", "notify test", "maid undo"} <= words
    assert "setup names" not in words  # completion's, unlisted


def example_words(line: str) -> list[str]:
    """What an example line gives adue-wizard: the words after `adue-wizard` in the last
    command of a pipeline, without an environment assignment before it (`VAR=... adue-wizard`)
    or a comment after it."""
    words = shlex.split(line, comments=True)
    if "|" in words:
        words = words[len(words) - words[::-1].index("|") :]
    while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
        words = words[1:]
    assert words[:1] == ["adue-wizard"], line
    return words[1:]


def help_examples(capsys: pytest.CaptureFixture[str], words: tuple[str, ...]) -> list[str]:
    """The example lines that end `adue-wizard WORDS --help`."""
    code, out, err = run_in_process(capsys, *words, "--help")
    assert code == 0 and err == "", err
    help_text, _, examples = out.rpartition("\nExamples:\n")
    assert help_text, out
    return examples.strip("\n").splitlines()


@pytest.mark.parametrize(
    ("words", "dests"),
    [(words, dests) for words, dests, _ in EVERY_HELP],
    ids=[" ".join(("adue-wizard", *words)) for words, _, _ in EVERY_HELP],
)
def test_each_help_ends_with_examples_that_parse(
    capsys: pytest.CaptureFixture[str], words: tuple[str, ...], dests: tuple[str, ...]
) -> None:
    lines = help_examples(capsys, words)
    assert 2 <= len(lines) <= 3, lines
    for line in lines:
        try:
            args = build_parser().parse_args(example_words(line))
        except SystemExit:  # the parser's one-line usage error is on stderr
            pytest.fail(f"{line!r} does not parse: {capsys.readouterr().err.strip()}")
        # Each example runs the command whose help shows it.
        assert tuple(getattr(args, dest, None) for dest in dests) == words, line


def test_the_generate_examples_run(tmp_path: Path) -> None:
    examples = run_cli("generate", "--help").stdout.rpartition("\nExamples:\n")[2]
    for line in examples.strip().splitlines():
        words = shlex.split(line)[1:]
        if "--out" in words:
            words[words.index("--out") + 1] = str(tmp_path / "site")
        result = run_cli(*words)
        assert result.returncode == 0, (line, result.stderr)


def test_the_setup_examples_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`setup add`'s examples, then `setup edit`'s, on an empty state folder: the wizard's
    checks accept each of them, not only the parser."""
    for words in (("setup", "add"), ("setup", "edit")):
        for line in help_examples(capsys, words):
            given = [*example_words(line), "--state-dir", str(tmp_path)]
            code, _, err = run_in_process(capsys, *given)
            assert code == 0, (line, err)


def test_a_usage_error_stays_one_line() -> None:
    result = run_cli("generate", "--method", "sideways")
    assert result.returncode == 2
    assert "Examples:" not in result.stderr
    one_line(result.stderr)
