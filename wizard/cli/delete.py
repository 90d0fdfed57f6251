"""`adue-wizard delete NAME [--yes]`: move a saved setup aside (it can be restored)."""

from __future__ import annotations

import argparse
import sys

from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    open_store,
    print_notices,
)
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import SaveError, check_setup_name
from wizard.core.shown import printable

# The core is imported inside `run`: building this command's parser (for --help, or
# beside the other commands') must not load the store, SQLite or the verifier.


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    delete = commands.add_parser(
        "delete",
        help="delete a saved setup (its file is moved aside and can be restored)",
        description="Delete a saved setup: its file is moved aside in the state folder as "
        "NAME.setup.json.deleted-TIMESTAMP (adue-wizard setup restore NAME brings it back, "
        "with its history). On a terminal it asks first; elsewhere it needs --yes.",
        **examples(
            "adue-wizard delete example.com",
            "adue-wizard delete example.com --yes",
        ),
    )
    delete.add_argument("name", metavar="NAME", help="the setup's name (see adue-wizard status)")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    add_state_dir(delete)


def run(args: argparse.Namespace) -> int:
    name = check_setup_name(args.name)
    store = open_store(args)
    state = store.load(name)
    print_notices(store)
    if state is None:
        raise InvalidInput(f"no saved setup named {name!r} in {printable(str(store.folder))}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise InvalidInput(f"delete {name} asks first on a terminal; here, add --yes")
        domains = printable(", ".join(state.domains) or "no domains")
        answer = input(f"Delete setup {name} ({domains})? It can be restored. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not deleted.")
            return EXIT_OK
    try:
        aside = store.delete(name)
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    where = printable(str(aside))
    print(f"Deleted {name}: moved to {where} (adue-wizard setup restore {name} brings it back).")
    return EXIT_OK
