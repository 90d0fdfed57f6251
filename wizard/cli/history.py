"""`adue-wizard history NAME`: a saved setup's verification runs, newest first."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from wizard.cli.parsing import (
    Parser,
    add_state_dir,
    examples,
    open_store,
    positive_int,
    print_notices,
)
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import printable

if TYPE_CHECKING:
    from wizard.core.setups.history import RecordedRun

# The core is imported inside `run`: building this command's parser (for --help, or
# beside the other commands') must not load the store, SQLite or the verifier.


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    history = commands.add_parser(
        "history",
        help="a saved setup's verification runs, newest first",
        description="The setup's MDM, then one line per run, newest first: when, passed or "
        "failed, the failing domains and their codes, and whether test settings were in "
        "effect. Runs are kept for 90 days, and at least the last 1,000 per setup "
        "($ADUE_WIZARD_KEEP_DAYS, $ADUE_WIZARD_KEEP_RUNS), always with the last passing one.",
        **examples(
            "adue-wizard history example.com",
            "adue-wizard history example.com --json --limit 10",
        ),
    )
    history.add_argument("name", metavar="NAME", help="the setup (see adue-wizard status)")
    history.add_argument(
        "--json",
        action="store_true",
        help='one object per run per line: {"at", "ok", "unknown", "outcomes", "conditions"}',
    )
    history.add_argument(
        "--limit", type=positive_int, default=50, metavar="N", help="runs shown (default 50)"
    )
    add_state_dir(history)


def run(args: argparse.Namespace) -> int:
    name = check_setup_name(args.name)
    store = open_store(args)
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
        return 0
    for recorded in runs:
        print(run_line(recorded))
    return 0


# A run's line fits this many columns (an SSH window, a ticket, a pager without wrapping).
LINE_WIDTH = 100


def run_line(recorded: RecordedRun) -> str:
    """One run on one line of at most LINE_WIDTH columns: when, the verdict, the failing
    domains with their codes (as many as fit, then how many more), whether test settings
    shaped it. `history --json` has every domain and setting."""
    head = f"{recorded.at:%Y-%m-%d %H:%M:%S} UTC  "
    if recorded.ok:
        verdict, items = "passed", []
    elif recorded.unknown:
        # The machine's failure, not the domains': they follow when there is room.
        verdict = "UNKNOWN  this machine could not resolve names"
        items = [printable(o.domain) for o in recorded.outcomes if not o.ok]
    else:
        verdict = "FAILED  "
        items = [
            printable(f"{o.domain} {o.failure or 'failed'}") for o in recorded.outcomes if not o.ok
        ]
    # The settings themselves when they fit beside the first failing domain, else the words.
    tails = [""]
    if recorded.conditions:
        settings = printable("; ".join(recorded.conditions))
        tails = [f"  (under test settings: {settings})", "  (under test settings)"]
    first = min((len(item) for item in items), default=0)
    for tail in tails:
        room = LINE_WIDTH - len(head) - len(verdict) - len(tail)
        if room >= first or tail == tails[-1]:
            break
    if recorded.unknown:
        room -= 2  # ": " before the domains, when they fit at all
        listed = f": {_fitted(items, room)}" if room >= first + len(", +9 more") else ""
        return head + verdict + listed + tail
    return head + verdict + _fitted(items, room) + tail


def _fitted(items: list[str], room: int) -> str:
    """`items` joined by commas in at most `room` columns: those that fit, then "+N more"
    (the first one cut short with "..." if even it does not fit)."""
    shown: list[str] = []
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        more = f", +{rest} more" if rest else ""
        candidate = ", ".join([*shown, item]) + more
        if len(candidate) <= room:
            shown.append(item)
            continue
        if not shown:
            more = f", +{len(items) - 1} more" if len(items) > 1 else ""
            cut = max(room - len(more) - 3, 1)
            return item[:cut] + "..." + more
        return ", ".join(shown) + f", +{len(items) - len(shown)} more"
    return ", ".join(shown)
