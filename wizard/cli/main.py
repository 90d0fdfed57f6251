"""The `adue-wizard` command: the TUI with no arguments, or one of the plain commands.

Thin by design: it builds the parser from each command's module, turns bad input into one
line and exit status 2, and runs the command. Textual is imported only when the TUI starts,
so the plain commands start fast over SSH.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.cli import delete, generate, history, rename, status, verify
from wizard.cli.parsing import EXIT_USAGE, STATE_DIR_HELP, Parser
from wizard.core.domains import InvalidInput
from wizard.core.shown import one_line

COMMANDS = {
    "verify": verify,
    "generate": generate,
    "status": status,
    "history": history,
    "rename": rename,
    "delete": delete,
}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="adue-wizard",
        description="Set up and troubleshoot Apple account-driven user enrollment. "
        "With no command, opens the guided setup.",
    )
    parser.add_argument("--version", action="version", version=f"adue-wizard {__version__}")
    parser.add_argument("--state-dir", metavar="DIR", help=STATE_DIR_HELP)
    commands = parser.add_subparsers(dest="command", parser_class=Parser)
    for module in COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in COMMANDS:
            exit_code: int = COMMANDS[args.command].run(args)
            return exit_code
    except InvalidInput as error:
        print(f"adue-wizard: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `verify ... | head` closed the pipe: stop quietly, like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return _run_tui(args)


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
