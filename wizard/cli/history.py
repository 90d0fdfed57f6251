"""`adue-wizard history NAME`: a saved setup's verification runs, newest first."""

from __future__ import annotations

import argparse
import json

from wizard.cli.parsing import Parser, add_state_dir, positive_int, print_notices
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import printable

# The core is imported inside `run`: building this command's parser (for --help, or
# beside the other commands') must not load the store, SQLite or the verifier.


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    history = commands.add_parser(
        "history",
        help="a saved setup's verification runs, newest first",
        description="The setup's MDM, then one line per run, newest first: when, passed or "
        "failed, the failing domains and their codes, and whether test settings were in "
        "effect; then each plan of Managed Apple Accounts applied or undone (adue-wizard "
        "maid): when, how many users, by which plan file. Runs are kept for 90 days, and at "
        "least the last 1,000 per setup ($ADUE_WIZARD_KEEP_DAYS, $ADUE_WIZARD_KEEP_RUNS), "
        "always with the last passing one.",
    )
    history.add_argument("name", metavar="NAME", help="the setup (see adue-wizard status)")
    history.add_argument(
        "--json",
        action="store_true",
        help='one object per run per line: {"at", "ok", "outcomes", "conditions"}',
    )
    history.add_argument(
        "--limit", type=positive_int, default=50, metavar="N", help="runs shown (default 50)"
    )
    add_state_dir(history)


def run(args: argparse.Namespace) -> int:
    from wizard.core.setups.store import Store, state_dir

    name = check_setup_name(args.name)
    store = Store(state_dir(getattr(args, "state_dir", None)))
    state = store.load(name)
    if state is None:
        print_notices(store)
        raise InvalidInput(f"no saved setup named {name!r} in {printable(str(store.folder))}")
    runs = store.runs(state, args.limit)
    print_notices(store)
    if args.json:
        for recorded in runs:
            print(json.dumps(recorded.to_json(), ensure_ascii=True))
        return 0
    from wizard.core.providers import title_of

    # The setup's MDM heads the runs: a run is judged against that preset.
    print(f"{name}: MDM {title_of(state.provider)} ({state.provider})")
    if not runs:
        print(f"{name}: no verification runs yet (adue-wizard verify --setup {name})")
    for recorded in runs:
        line = f"{recorded.at:%Y-%m-%d %H:%M:%S} UTC  "
        if recorded.ok:
            line += "passed"
        else:
            failing = [f"{o.domain} {o.failure or 'failed'}" for o in recorded.outcomes if not o.ok]
            line += "FAILED  " + ", ".join(failing)
        if recorded.conditions:
            line += "  (under test conditions: " + "; ".join(recorded.conditions) + ")"
        print(printable(line))
    link_runs = store.link_runs(state, args.limit)
    print_notices(store)
    if link_runs:
        print(
            f"{name}: Managed Apple Accounts written to JumpCloud (adue-wizard maid), newest first"
        )
    for link_run in link_runs:
        print(printable(f"{link_run.at:%Y-%m-%d %H:%M:%S} UTC  {link_run.describe()}"))
    return 0
