"""The `adue-wizard` command: the TUI with no arguments, or one of the plain commands.

Thin by design: it builds the parser from each command's module, turns bad input into one
line and exit status 2, and runs the command. Textual is imported only when the TUI starts,
so the plain commands start fast over SSH; the command modules are imported only when a
command is given, so the wizard starts fast too.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from wizard import __version__
from wizard.cli.parsing import (
    EXIT_UNKNOWN,
    EXIT_USAGE,
    STATE_DIR_HELP,
    Parser,
    PluginParser,
    examples,
    plugin_unknown,
    wants_plugin_output,
)
from wizard.core.domains import InvalidInput
from wizard.core.shown import one_line

COMMANDS = (
    "verify",
    "prereqs",
    "generate",
    "status",
    "history",
    "rename",
    "delete",
    "setup",
    "notify",
    "maid",
    "schedule",
    "completion",
)


class Command(Protocol):
    """What each module under wizard/cli/ named in COMMANDS provides."""

    def add_parser(self, commands: argparse._SubParsersAction[Parser]) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def command(name: str) -> Command:
    return cast(Command, importlib.import_module(f"wizard.cli.{name}"))


def build_parser(only: str | None = None, *, plugin: bool = False) -> argparse.ArgumentParser:
    """The whole parser, or with `only` the parser of that one command (and the top-level
    options): each command's module is imported to add its parser, and verify's brings
    asyncio and ssl, which `status` in a cron job has no use for. With `plugin`, usage
    errors are a monitoring plugin's UNKNOWN line (see PluginParser)."""
    parser_class = PluginParser if plugin else Parser
    parser = parser_class(
        prog="adue-wizard",
        description="Set up and troubleshoot Apple account-driven user enrollment. "
        "With no command, opens the guided setup.",
        **examples(
            "adue-wizard",
            "adue-wizard verify ada@example.com",
            "adue-wizard status",
        ),
    )
    parser.add_argument("--version", action="version", version=f"adue-wizard {__version__}")
    parser.add_argument("--state-dir", metavar="DIR", help=STATE_DIR_HELP)
    commands = parser.add_subparsers(
        dest="command",
        parser_class=parser_class,
        help="one of the commands below (adue-wizard COMMAND --help for its options)",
    )
    for name in COMMANDS if only is None else (only,):
        command(name).add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    wizard_args = _wizard_only(arguments)
    if wizard_args is not None:
        return _run_tui(wizard_args)
    named = _command_named(arguments)
    # Only `verify` runs as a monitoring plugin; `schedule` passes --format nagios on to it.
    plugin = named in (None, "verify") and wants_plugin_output(arguments)
    args = build_parser(named, plugin=plugin).parse_args(arguments)
    try:
        if args.command in COMMANDS:
            exit_code: int = command(args.command).run(args)
            return exit_code
    except InvalidInput as error:
        if plugin:
            print(plugin_unknown(f"adue-wizard: {error}"), flush=True)
            return EXIT_UNKNOWN
        print(f"adue-wizard: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `verify ... | head` closed the pipe: stop quietly, like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:
        if not plugin:
            raise
        # A check that crashed could not run: UNKNOWN, never the WARNING that exit 1 (a
        # traceback's) would mean to a monitoring system. The traceback stays on stderr.
        import traceback

        traceback.print_exc()
        print(plugin_unknown(f"adue-wizard: internal error: {error!r}"), flush=True)
        return EXIT_UNKNOWN
    return _run_tui(args)


def _command_named(arguments: list[str]) -> str | None:
    """The command the arguments run, when it is certain without parsing: the first
    argument after any --state-dir DIR. Anything else before it (--help, --version, an
    abbreviation, a typo) gets the whole parser, so help and errors list every command."""
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument in COMMANDS:
            return argument
        if argument == "--state-dir":
            index += 2
        elif argument.startswith("--state-dir="):
            index += 1
        else:
            return None
    return None


def _wizard_only(arguments: list[str]) -> argparse.Namespace | None:
    """The arguments when they only open the wizard (nothing, or --state-dir DIR), else None:
    then the whole parser, with every command's module, reads them (and says what is wrong)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False, allow_abbrev=False)
    parser.add_argument("--state-dir")
    try:
        args, unknown = parser.parse_known_args(arguments)
    except argparse.ArgumentError:
        return None
    return None if unknown else args


def _run_tui(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Without a terminal the wizard would wait for keys that never come, writing escape
        # codes into a pipe or a log.
        print(
            "adue-wizard: the guided setup needs a terminal; for scripts use "
            "`adue-wizard verify`, `generate` or `status` (see adue-wizard --help)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Textual is imported only here: the plain commands must start fast over SSH.
    from wizard.tui.app import run_app

    exit_code: int = run_app(state_dir=args.state_dir)
    return exit_code
