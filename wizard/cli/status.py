"""`adue-wizard status`: every saved setup and where it stands."""

from __future__ import annotations

import argparse
import json
import sys

from wizard.cli.parsing import Parser, add_state_dir
from wizard.core.setups.steps import STEP_TITLES
from wizard.core.setups.store import Store, state_dir


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    status = commands.add_parser(
        "status",
        help="list saved setups and where each stands",
        description="List every saved setup: organization, domains, step reached and the "
        "last verification.",
    )
    status.add_argument("--json", action="store_true", help="a JSON array, one object per setup")
    add_state_dir(status)


def run(args: argparse.Namespace) -> int:
    store = Store(state_dir(args.state_dir))
    setups = store.load_all()
    for notice in store.notices:
        print(f"adue-wizard: {notice}", file=sys.stderr)
    if args.json:
        print(json.dumps([state.summary_row() for state in setups], ensure_ascii=True))
        return 0
    if not setups:
        print(f"No saved setups in {store.folder}. Run adue-wizard to start one.")
        return 0
    print(f"Saved setups in {store.folder}:\n")
    for state in setups:
        row = state.summary_row()
        organization = state.org_id or ("Generic MDM" if state.provider == "generic" else "-")
        if state.last_verified_at is None:
            last = "never verified"
        else:
            when = f"{state.last_verified_at:%Y-%m-%d %H:%M} UTC"
            failure = row["last_failure"]
            last = f"last check {when} " + (f"FAILED ({failure})" if failure else "passed")
        passed = state.last_passed_at()
        if row["last_failure"] and passed:
            last += f"; last passed {passed:%Y-%m-%d %H:%M} UTC"
        print(f"{state.name}")
        print(f"  organization: {organization}; domains: {', '.join(state.domains) or '-'}")
        print(
            f"  method: {state.method or '-'}; platform: {state.platform or '-'}; "
            f"step: {STEP_TITLES[state.step]}"
        )
        print(f"  {last}; file: {store.path_for(state.name)}\n")
    return 0
