"""`adue-wizard status`: every saved setup and where it stands."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from wizard.cli.parsing import Parser, add_state_dir, examples, open_store, print_notices
from wizard.core.domains import display_domain
from wizard.core.setups.steps import STEP_TITLES
from wizard.core.shown import printable

# The core is imported inside `run`: building this command's parser (for --help, or
# beside the other commands') must not load the store, SQLite or the verifier.


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    status = commands.add_parser(
        "status",
        help="list saved setups and where each stands",
        description="List every saved setup: organization, domains, step reached and the "
        "last verification.",
        **examples("adue-wizard status", "adue-wizard status --json"),
    )
    status.add_argument(
        "--json",
        action="store_true",
        help="a JSON array, one object per setup: name, mdm, domains, step, "
        "last_verified_at, last_failure, last_warnings, last_passed_at, failing_since, runs...",
    )
    add_state_dir(status)


def run(args: argparse.Namespace) -> int:
    from wizard.core.providers import title_of

    store = open_store(args)
    setups = store.load_all()
    print_notices(store)
    if args.json:
        # ensure_ascii: saved text is untrusted; every control character stays escaped.
        print(json.dumps([state.summary_row() for state in setups], ensure_ascii=True))
        return 0
    folder = printable(str(store.folder))
    if not setups:
        print(f"No saved setups in {folder}. Run adue-wizard to start one.")
        return 0
    print(f"Saved setups in {folder}:\n")
    for state in setups:
        summary = state.summary
        organization = state.org_id or "-"
        if state.last_verified_at is None:
            last = "never verified"
        else:
            failure = state.last_failure
            if summary.last_unknown:
                # This machine could not resolve names: nothing new is known of the domains.
                verdict = f"UNKNOWN ({failure}: this machine could not resolve names)"
            else:
                verdict = f"FAILED ({failure})" if failure else "passed"
            last = f"last check {_when(state.last_verified_at)} {verdict}"
            if summary.last_conditions:
                last += " under test settings (" + "; ".join(summary.last_conditions) + ")"
            if state.last_warnings:
                last += f"; warnings: {', '.join(state.last_warnings)}"
        if state.last_failure and summary.failing_since:
            known = "last known: " if summary.last_unknown else ""
            last += f"; {known}failing since {_when(summary.failing_since)}"
        if state.last_failure and summary.last_passed_at:
            last += f"; last passed {_when(summary.last_passed_at)}"
        lines = [
            state.name,
            f"  MDM: {title_of(state.provider)} ({state.provider}); organization: {organization}; "
            f"domains: {', '.join(display_domain(d) for d in state.domains) or '-'}",
            f"  method: {state.method or '-'}; platform: {state.platform or '-'}; "
            f"step: {STEP_TITLES[state.step]}",
            f"  {last}; runs kept: {summary.runs}",
            f"  file: {store.path_for(state.name)}",
        ]
        print("\n".join(printable(line) for line in lines) + "\n")
    print_notices(store)
    return 0


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
