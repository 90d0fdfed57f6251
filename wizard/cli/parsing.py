"""What every command shares: the one-line usage error, exit statuses, number and path checks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from wizard.core.setups.store import Store

from wizard.core.shown import argument, one_line, printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # A positional word that is not one of its choices may be a secret typed after an
        # unknown option (`setup --api-key KEY`): name the choices, never the word. Unlisted
        # commands (no help) stay unlisted. An option's own value is named as usual.
        choices = action.choices
        if action.option_strings or choices is None or value in choices:
            super()._check_value(action, value)
        elif isinstance(action, argparse._SubParsersAction):
            listed = ", ".join(repr(choice.dest) for choice in action._choices_actions)
            raise argparse.ArgumentError(action, f"not a command (choose from {listed})")
        else:
            listed = ", ".join(repr(choice) for choice in choices)
            raise argparse.ArgumentError(action, f"not a choice (choose from {listed})")

    def error(self, message: str) -> NoReturn:
        # argparse puts unrecognised arguments into the message as they are: a newline in
        # one would split the line, an escape sequence would reach the terminal.
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


class ExamplesFormatter(argparse.HelpFormatter):
    """argparse's formatter, but an "Examples:" epilog keeps its lines as written (one
    command per line, never wrapped into each other); the rest is wrapped as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("Examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def examples(*commands: str) -> dict[str, Any]:
    """The `add_parser` arguments that end a command's --help with these example commands."""
    return {
        "epilog": "Examples:\n" + "\n".join(f"  {command}" for command in commands),
        "formatter_class": ExamplesFormatter,
    }


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


def open_store(args: argparse.Namespace) -> Store:
    """The store of the state folder the command was given (--state-dir, before or after the
    command, else $ADUE_WIZARD_STATE_DIR, else the user state folder); a path that exists and
    is not a folder is bad input: one line, exit status 2, not an empty list."""
    from wizard.core.domains import InvalidInput
    from wizard.core.setups.store import ENVIRONMENT_VARIABLE, Store, state_dir

    given = getattr(args, "state_dir", None)
    folder = state_dir(given)
    if folder.exists() and not folder.is_dir():
        source = "--state-dir" if given else f"${ENVIRONMENT_VARIABLE}"
        raise InvalidInput(f"{source} {argument(str(folder))} is not a folder")
    return Store(folder)


def print_notices(store: Store) -> None:
    """The store's one-line notices (a damaged file moved aside, ...) on stderr, escaped."""
    for notice in store.all_notices():
        print(f"adue-wizard: {printable(notice)}", file=sys.stderr)
