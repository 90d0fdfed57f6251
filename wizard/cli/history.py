"""`adue-wizard history NAME`: a saved setup's verification runs, newest first."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
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
from wizard.core.shown import argument, printable

if TYPE_CHECKING:
    from wizard.core.setups.runs import Change, RecordedRun
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store

DEFAULT_LIMIT = 50

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
        **examples(
            "adue-wizard history example.com",
            "adue-wizard history example.com --json --limit 10",
        ),
    )
    history.add_argument("name", metavar="NAME", help="the setup (see adue-wizard status)")
    history.add_argument(
        "--json",
        action="store_true",
        help='one object per run per line: {"at", "ok", "unknown", "outcomes", "conditions"}; '
        'with --changes also "changes": [{"domain", "from", "to"}]',
    )
    history.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="runs shown, newest first (default 50; with --since, every run since)",
    )
    history.add_argument(
        "--since",
        type=since,
        metavar="WHEN",
        help="only runs made since then: a time back (90m, 12h, 7d, 2w; also s) or a date "
        "(2025-01-31, 2025-01-31T08:00; UTC unless it names an offset)",
    )
    history.add_argument(
        "--changes",
        action="store_true",
        help="only the runs where a domain's state (passed, or its failure code) changed "
        "from its run before; a domain's first run counts as a change",
    )
    add_state_dir(history)


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since(text: str) -> datetime:
    """--since: a time back from now (7d) or a date and time (UTC unless it names an offset)."""
    value = text.strip()
    number, unit = value[:-1], value[-1:].lower()
    try:
        if unit in _UNITS and number.isdigit():
            return datetime.now(UTC) - timedelta(**{_UNITS[unit]: int(number)})
        at = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"{argument(text)} is neither a time back (90m, 12h, 7d, 2w) nor a date "
            "(2025-01-31 or 2025-01-31T08:00)"
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    name = check_setup_name(args.name)
    store = open_store(args)
    state = store.load(name)
    if state is None:
        print_notices(store)
        raise InvalidInput(f"no saved setup named {name!r} in {printable(str(store.folder))}")
    limit = args.limit if args.limit is not None or args.since is not None else DEFAULT_LIMIT
    if args.changes:
        shown = _changed_runs(store, state, args.since, limit)
    else:
        shown = [(recorded, None) for recorded in store.runs(state, limit, args.since)]
    print_notices(store)
    if args.json:
        for recorded, changes in shown:
            item = recorded.to_json()
            if changes is not None:
                item["changes"] = [
                    {"domain": c.domain, "from": c.before, "to": c.after} for c in changes
                ]
            print(json.dumps(item, ensure_ascii=True))
        return 0
    from wizard.core.providers import title_of

    # The setup's MDM heads the runs: a run is judged against that preset.
    print(f"{name}: MDM {title_of(state.provider)} ({state.provider})")
    if not shown:
        if args.since is not None or args.changes:
            print(f"{name}: no runs {_which(args.since, args.changes)}")
        else:
            print(f"{name}: no verification runs yet (adue-wizard verify --setup {name})")
    for recorded, changes in shown:
        print(run_line(recorded))
        if changes is not None:
            # On a line of its own, so the run's line keeps to LINE_WIDTH columns.
            changed = [
                printable(f"{c.domain} {c.before or 'first run'} -> {c.after}") for c in changes
            ]
            print("    changed: " + _fitted(changed, LINE_WIDTH - len("    changed: ")))
    link_runs = store.link_runs(state, args.limit or DEFAULT_LIMIT)
    print_notices(store)
    if link_runs:
        print(
            f"{name}: Managed Apple Accounts written to JumpCloud (adue-wizard maid), newest first"
        )
    for link_run in link_runs:
        print(printable(f"{link_run.at:%Y-%m-%d %H:%M:%S} UTC  {link_run.describe()}"))
    return 0


def _changed_runs(
    store: Store, state: SetupState, since: datetime | None, limit: int | None
) -> list[tuple[RecordedRun, list[Change] | None]]:
    """The runs where a domain's state changed, newest first. The whole history is read:
    whether the first run since `since` is a change depends on the runs before it."""
    from wizard.core.setups.runs import changes

    oldest_first = list(reversed(store.runs(state, None)))
    found = [(run, c) for run, c in changes(oldest_first) if since is None or run.at >= since]
    newest_first: list[tuple[RecordedRun, list[Change] | None]] = list(reversed(found))
    return newest_first[:limit]


def _which(since: datetime | None, changes: bool) -> str:
    parts = ["with a change of state"] if changes else []
    if since is not None:
        parts.append(f"since {since.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC")
    return " ".join(parts)


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
