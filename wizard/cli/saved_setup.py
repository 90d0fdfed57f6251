"""Opening the saved setup a command names with `--setup NAME` (or the only one saved), with
the same one-line errors for every command."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from wizard.cli.parsing import open_store, print_notices
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import argument, printable

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store


def open_setup(
    args: argparse.Namespace, name: str | None, *, needs: str, results: bool = True
) -> tuple[Store, SetupState]:
    """The store and the setup named `name`; with None, the only saved setup (else `needs`,
    what the command wanted, with the setups saved). A missing setup, or one without
    domains, is InvalidInput in one line (the store's notices about damaged files are
    printed first, since they may be why). `results`: read the last run's reports too."""
    store = open_store(args)
    if name is None:
        names = store.names()
        if len(names) != 1:
            listed = f" (saved: {printable(', '.join(names))})" if names else " (no saved setups)"
            raise InvalidInput(f"{needs}{listed}")
        name = names[0]
    name = check_setup_name(name)
    state = store.load(name, results=results)
    if state is None:
        print_notices(store)
        raise InvalidInput(
            f"no saved setup named {argument(name)} in {argument(str(store.folder))}"
        )
    if not state.domains:
        print_notices(store)
        raise InvalidInput(f"setup {argument(name)} has no domains yet; add them in adue-wizard")
    return store, state
