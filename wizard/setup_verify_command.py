"""`adue-wizard verify --setup NAME` (or plain `verify` with one saved setup): check a saved
setup's domains with its settings (options given on the command line win, for this run
only) and append the run to its history."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from wizard.core.domains import InvalidInput
from wizard.core.state import DomainResult
from wizard.core.store import Store, state_dir


def run_setup_verify(args: argparse.Namespace, given: dict[str, Any]) -> int:
    from wizard.cli import EXIT_FAILED, EXIT_OK, run_and_print
    from wizard.core.setup_runs import verify_options

    if args.targets:
        raise InvalidInput("give either domains or --setup NAME, not both")
    store = Store(state_dir(getattr(args, "state_dir", None)))
    names = store.names()
    name = args.setup
    if name is None:
        if len(names) != 1:
            listed = f" (saved: {', '.join(names)})" if names else " (no saved setups)"
            raise InvalidInput(f"verify needs a domain, URL or e-mail, or --setup NAME{listed}")
        name = names[0]
    state = store.load(name)
    for notice in store.notices:
        print(f"adue-wizard: {notice}", file=sys.stderr)
    if state is None:
        raise InvalidInput(f"no saved setup named {name!r} in {store.folder}")
    if not state.domains:
        raise InvalidInput(f"setup {name!r} has no domains yet; add them in adue-wizard")
    options = dataclasses.replace(verify_options(state), **given)
    reports = run_and_print(list(state.domains), options, as_json=args.json)
    state.record_results([DomainResult.from_report(report) for report in reports])
    store.save(state)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED
