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
# A monitoring plugin's UNKNOWN: what bad usage exits with under `--format nagios`.
EXIT_UNKNOWN = 3


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
        # A word that is not one of its choices may be a secret typed in the wrong place
        # (`setup --api-key KEY` makes KEY the step; a key pasted after `--region`): name
        # the choices, never the word. Unlisted commands (no help) stay unlisted.
        choices = action.choices
        if choices is None or value in choices:
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
        message = _without_given_value(message)
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


class PluginParser(Parser):
    """The parser when the arguments ask for a monitoring plugin's output (`--format
    nagios`): a monitoring system reads a plugin's stdout and exit status only, so a usage
    error is its UNKNOWN line there, exit 3."""

    def error(self, message: str) -> NoReturn:
        print(plugin_unknown(f"{self.prog}: {message} (see {self.prog} --help)"), flush=True)
        self.exit(EXIT_UNKNOWN)


def _without_given_value(message: str) -> str:
    """argparse's own messages that quote a value given to a flag (`--json=VALUE`) or of the
    wrong type (`--timeout VALUE`), without it: the value may be a key pasted in the wrong
    place. Our own checks (domains, addresses, paths) name what they refuse on purpose."""
    message = re.sub(r"ignored explicit argument .*\Z", "takes no value", message, flags=re.S)
    return re.sub(r"(invalid \w+ value): .*\Z", r"\1", message, flags=re.S)


def plugin_unknown(message: str) -> str:
    """`ADUE UNKNOWN - message`, in one line."""
    from wizard.core.watch.nagios import unknown

    return unknown(message)


def wants_plugin_output(arguments: Sequence[str]) -> bool:
    """Whether the arguments ask for a monitoring plugin's output (`--format nagios`):
    decided before they are parsed, so that even a usage error comes out as the plugin's."""
    for index, text in enumerate(arguments):
        if text == "--":
            break
        value = None
        if text == "--format" and index + 1 < len(arguments):
            value = arguments[index + 1]
        elif text.startswith("--format="):
            value = text.partition("=")[2]
        if value is not None and value.lower() == "nagios":
            return True
    return False


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


# The longest deadline taken: a day. Beyond it a check is not a check but a hang.
MAX_SECONDS = 86400


def positive_float(text: str) -> float:
    """Seconds: more than 0, less than a day; the message names the bound that was crossed."""
    try:
        value = float(text)
    except ValueError:  # not repeated: a word here may be a key pasted in the wrong place
        raise argparse.ArgumentTypeError("not a number of seconds") from None
    if value != value:  # NaN
        raise argparse.ArgumentTypeError("not a number of seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{argument(text)} must be more than 0 seconds")
    if value >= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{argument(text)} must be less than {MAX_SECONDS} seconds (one day)"
        )
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0)


def _whole_number(text: str, least: int) -> int:
    """A whole number of at least `least`; one message for every value below it (-5 and 0
    alike for a count that starts at 1)."""
    stripped = text.strip()
    digits = stripped.removeprefix("-").removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise argparse.ArgumentTypeError("not a whole number")  # not repeated, as above
    value = int(stripped)
    if value < least:
        raise argparse.ArgumentTypeError(f"{argument(text)} must be {least} or more")
    return value


def open_store(args: argparse.Namespace) -> Store:
    """The store of the state folder the command was given (--state-dir, before or after the
    command, else $ADUE_WIZARD_STATE_DIR, else the user state folder); a path that exists and
    is not a folder is bad input: one line, exit status 2, not an empty list."""
    # Here, not at the top: `--help` and usage errors never need the store's modules.
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
