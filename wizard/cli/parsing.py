"""What every command shares: the one-line usage error, exit statuses, number and path checks."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from wizard.core.setups.store import Store

from wizard.core.shown import argument, one_line, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        # argparse puts unrecognised arguments into the message as they are: a newline in
        # one would split the line, an escape sequence would reach the terminal.
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


STATE_DIR_HELP = "where saved setups live (default: $ADUE_WIZARD_STATE_DIR or the user state dir)"


def add_state_dir(command: argparse.ArgumentParser) -> None:
    # SUPPRESS: given after the command it overrides, otherwise the top-level value stands.
    command.add_argument(
        "--state-dir", metavar="DIR", default=argparse.SUPPRESS, help=STATE_DIR_HELP
    )


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{argument(text)} is not a number") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"{argument(text)} must be a positive number of seconds")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{argument(text)} must be at least 1")
    return value


def non_negative_int(text: str) -> int:
    stripped = text.strip()
    if stripped.startswith("-") and stripped[1:].isdigit():
        raise argparse.ArgumentTypeError(f"{argument(text)} must be 0 or more")
    if not stripped.isdigit():
        raise argparse.ArgumentTypeError(f"{argument(text)} is not a whole number")
    return int(text)


def print_notices(store: Store) -> None:
    """The store's one-line notices (a damaged file moved aside, ...) on stderr, escaped."""
    for notice in store.all_notices():
        print(f"adue-wizard: {printable(notice)}", file=sys.stderr)
