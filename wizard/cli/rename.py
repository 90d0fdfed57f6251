"""`adue-wizard rename OLD NEW`: rename a saved setup; its history follows it."""

from __future__ import annotations

import argparse
import sys

from wizard.cli.parsing import (
    EXIT_FAILED,
    Parser,
    add_state_dir,
    examples,
    open_store,
    print_notices,
)
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import printable

# The core is imported inside `run`: building this command's parser (for --help, or
# beside the other commands') must not load the store, SQLite or the verifier.


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    rename = commands.add_parser(
        "rename",
        help="rename a saved setup (its history follows it)",
        description="Rename a saved setup. Its verification history follows it.",
        **examples(
            "adue-wizard rename example.com corp",
            "adue-wizard --state-dir /srv/adue rename corp corp-eu",
        ),
    )
    rename.add_argument("old", metavar="OLD", help="the setup's name (see adue-wizard status)")
    rename.add_argument("new", metavar="NEW", help="letters, digits, '.', '-' and '_'")
    add_state_dir(rename)


def run(args: argparse.Namespace) -> int:
    from wizard.core.setups.files import SaveError

    old, new = check_setup_name(args.old), check_setup_name(args.new)
    store = open_store(args)
    try:
        store.rename(old, new)
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        print_notices(store)
    print(f"Renamed {old} to {new}.")
    return 0
