"""What every command shares: the one-line usage error, exit statuses, number and path checks."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from wizard.core.setups.store import Store

from wizard.core.shown import argument, one_line, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# argparse's "invalid choice: 'VALUE' (choose from ...)", up to the list of choices.
_INVALID_CHOICE = re.compile(r"invalid choice: .*(?= \(choose from )", re.DOTALL)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block) and exit status 2, no option
    is taken from an abbreviation, and an unknown option is named without its value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # argparse would read `--api-key KEY` as `--api-key-file KEY` (a prefix of it), and
        # then echo KEY in its error: every option must be spelled out.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, unknown = self.parse_known_args(args, namespace)
        if unknown:
            self.error(f"unknown {_unknown(unknown)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        # argparse puts unrecognised arguments into the message as they are: a newline in
        # one would split the line, an escape sequence would reach the terminal. An invalid
        # choice is not repeated either: after `maid --api-key KEY`, the unknown option is
        # set aside and KEY is read as the choice of step.
        message = _INVALID_CHOICE.sub("invalid choice", message)
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def _unknown(arguments: list[str]) -> str:
    """What was not understood, without any value: `--password=hunter2` or a word after an
    unknown option may be a secret typed in the wrong place, and errors end up in logs."""
    options = [text.partition("=")[0] for text in arguments if text.startswith("-")]
    if not options:
        return "argument" if len(arguments) == 1 else f"arguments ({len(arguments)} of them)"
    named = ", ".join(argument(option) for option in options)
    return f"option {named}" if len(options) == 1 else f"options {named}"


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
