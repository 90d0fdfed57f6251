"""`adue-wizard setup add|edit|restore|import`: saved setups made and changed without the
wizard, with the wizard's checks (see wizard/core/setups/editing.py); and `setup names`,
unlisted, the saved setups' names for shell completion."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from wizard.cli.mdm_inputs import add_mdm_arguments, named_preset, preset_answers
from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    add_state_dir,
    examples,
    open_store,
    print_notices,
)
from wizard.core.domains import InvalidInput, display_domain
from wizard.core.protocol import METHODS
from wizard.core.setups.files import check_setup_name
from wizard.core.setups.steps import STEP_TITLES
from wizard.core.shown import argument, printable

# The core is imported inside the functions: building this command's parser (for --help,
# or beside the other commands') must not load the store, pydantic or the verifier.
if TYPE_CHECKING:
    from wizard.core.providers import Preset
    from wizard.core.setups.editing import SetupChange
    from wizard.core.setups.importing import Row
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store

# Bad rows named one per line, up to this many; the rest are counted.
SHOWN_PROBLEMS = 20
MAX_CSV_BYTES = 16 * 1024 * 1024


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    setup = commands.add_parser(
        "setup",
        help="add, change, restore or import saved setups without the wizard",
        description="Saved setups made and changed from the command line, with the wizard's "
        "checks: a setup added here opens in the wizard and `verify --setup NAME` checks it. "
        "Exit status: 0 done, 1 it could not be saved, 2 bad usage or input (nothing saved).",
        **examples(
            "adue-wizard setup add acme --domain acme.com --org-id 5f1b2c3d4e5f6a7b8c9d0e1f",
            "adue-wizard setup edit acme --add-domain shop.acme.com",
            "adue-wizard setup import customers.csv",
        ),
    )
    # `names` (for shell completion) is left out of the list and the help.
    actions = setup.add_subparsers(
        dest="action",
        metavar="{add,edit,restore,import}",
        required=True,
        parser_class=Parser,
        help="what to do (adue-wizard setup ACTION --help for its options)",
    )
    add = actions.add_parser(
        "add",
        help="add a setup",
        description="Add a setup named NAME (exit 2 if one exists). Without --mdm or an "
        "MDM's input it is judged against the protocol alone until an MDM is chosen.",
        **examples(
            "adue-wizard setup add acme --domain acme.com --org-id 5f1b2c3d4e5f6a7b8c9d0e1f "
            "--method redirect --platform nginx",
            "adue-wizard setup add contoso --domain contoso.com --mdm intune --tenant-id "
            "00000000-0000-0000-0000-000000000000",
            "adue-wizard setup add staging --domain staging.acme.com "
            "--connect-to staging.acme.com:443:10.0.0.5:443",
        ),
    )
    add.add_argument("name", metavar="NAME", help="letters, digits, '.', '-' and '_'")
    _add_fields(add, editing=False)

    edit = actions.add_parser(
        "edit",
        help="change a setup's fields (only those given)",
        description="Change the fields given; the others stay as they are. --domain "
        "replaces the list, --add-domain and --remove-domain change it; --connect-to and "
        "--resolve replace theirs, and '' clears them, as it clears --ca-bundle.",
        **examples(
            "adue-wizard setup edit acme --add-domain shop.acme.com",
            "adue-wizard setup edit acme --mdm intune --tenant-id "
            "00000000-0000-0000-0000-000000000000",
            "adue-wizard setup edit staging --connect-to ''",
        ),
    )
    edit.add_argument("name", metavar="NAME", help="the setup (see adue-wizard status)")
    _add_fields(edit, editing=True)

    restore = actions.add_parser(
        "restore",
        help="bring back the newest deleted copy of a setup",
        description="Bring back the setup most recently deleted under NAME (adue-wizard "
        "delete moves it aside); its history comes back with it.",
        **examples(
            "adue-wizard setup restore acme",
            "adue-wizard --state-dir /srv/adue setup restore corp",
        ),
    )
    restore.add_argument("name", metavar="NAME", help="the deleted setup's name")
    add_state_dir(restore)

    import_ = actions.add_parser(
        "import",
        help="add many setups from a CSV file, all or none",
        description="Add one setup per row of a CSV file with the header "
        "name,domains,mdm,org_id,tenant_id,server_url,method,platform (only name and "
        "domains are required; domains separated by spaces). Each row is checked as "
        "`setup add` checks its options; if any row is wrong, the bad rows are named with "
        "their line numbers and nothing is added.",
        **examples(
            "adue-wizard setup import customers.csv",
            "adue-wizard --state-dir /srv/adue setup import customers.csv",
        ),
    )
    import_.add_argument("file", metavar="FILE.csv", help="the CSV file (- reads stdin)")
    add_state_dir(import_)

    names = actions.add_parser("names")  # no help: not listed
    add_state_dir(names)


def _add_fields(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    parser.add_argument(
        "--domain",
        action="append",
        metavar="D",
        help="a domain users sign in with (repeatable; an e-mail or URL names its domain)"
        + ("; replaces the list" if editing else ""),
    )
    if editing:
        parser.add_argument(
            "--add-domain", action="append", default=[], metavar="D", help="add a domain"
        )
        parser.add_argument(
            "--remove-domain", action="append", default=[], metavar="D", help="remove a domain"
        )
    add_mdm_arguments(parser)
    parser.add_argument("--org-id", help="jumpcloud: the organization ID (24 hex characters)")
    parser.add_argument("--target", metavar="URL", help="generic: the MDM's discovery URL")
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="the BaseURL the document must have (generic, jumpcloud, fleet)",
    )
    parser.add_argument(
        "--json-file", metavar="PATH", help="the Self-Host document downloaded from your MDM"
    )
    parser.add_argument("--method", choices=METHODS, help="how the domain answers")
    parser.add_argument(
        "--platform", metavar="NAME", help="where the domain's website runs (see generate --list)"
    )
    parser.add_argument(
        "--connect-to",
        action="append",
        metavar="HOST1:PORT1:HOST2:PORT2",
        help="test setting: connect to HOST2:PORT2 for HOST1:PORT1 (curl's meaning; repeatable)",
    )
    parser.add_argument(
        "--resolve",
        action="append",
        metavar="HOST:PORT:ADDR[,ADDR...]",
        help="test setting: these addresses for HOST:PORT instead of DNS (curl's meaning; "
        "repeatable)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PEM", help="test setting: trust these roots instead of certifi's"
    )
    add_state_dir(parser)


def run(args: argparse.Namespace) -> int:

    store = open_store(args)
    try:
        if args.action == "names":
            return _names(store)
        if args.action == "add":
            return _add(store, args)
        if args.action == "edit":
            return _edit(store, args)
        if args.action == "restore":
            return _restore(store, check_setup_name(args.name))
        return _import(store, args.file)
    finally:
        print_notices(store)


def _names(store: Store) -> int:
    """One name a line, for shell completion: the folder's names only (no file is opened),
    and only names that are names, so nothing else reaches the shell."""
    from wizard.core.setups.files import is_setup_name

    for name in store.names():
        if is_setup_name(name):
            print(name)
    store.notices.clear()  # a completion prints nothing else
    return EXIT_OK


def _add(store: Store, args: argparse.Namespace) -> int:
    from wizard.core.setups.files import SaveError

    name = check_setup_name(args.name)
    if store.path_for(name).exists():
        raise InvalidInput(
            f"a setup named {name!r} already exists (change it with adue-wizard setup edit {name})"
        )
    state, notes = _new(args)
    try:
        store.create([state])
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    _print_notes([*notes, *_earlier_runs(store, name)])
    print(f"Added setup {name}: {_described(state)}.")
    print(f"Check it with: adue-wizard verify --setup {name}")
    return EXIT_OK


def _new(args: argparse.Namespace) -> tuple[SetupState, list[str]]:
    """The setup `setup add` (or a CSV row) describes, checked; InvalidInput in one line."""
    from wizard.core.setups.editing import new_setup

    preset = named_preset(args)
    return new_setup(args.name, _change(args, preset, switch=True))


def _edit(store: Store, args: argparse.Namespace) -> int:
    from wizard.core.providers import preset_named
    from wizard.core.setups.editing import SetupChange, apply_change
    from wizard.core.setups.files import SaveError

    name = check_setup_name(args.name)
    state = store.load(name)
    if state is None:
        raise InvalidInput(f"no saved setup named {name!r} in {printable(str(store.folder))}")
    # The inputs given belong to the MDM named here, or else to the setup's own.
    preset = preset_named(args.mdm) if args.mdm is not None else state.preset
    change = _change(args, preset, switch=args.mdm is not None)
    if change == SetupChange():
        raise InvalidInput("nothing to change: give the fields to change (see setup edit --help)")
    edited = state.model_copy(deep=True)
    notes = apply_change(edited, change)
    try:
        store.save(edited)
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    _print_notes(notes)
    print(f"Changed setup {name}: {_described(edited)}.")
    return EXIT_OK


def _change(args: argparse.Namespace, preset: Preset | None, *, switch: bool) -> SetupChange:
    """What the options give, the MDM's inputs checked against `preset` (as `verify` and
    `generate` check them); `switch` says whether the preset is chosen here."""
    from wizard.core.setups.editing import SetupChange

    inputs = {}
    if preset is not None:
        answers = preset_answers(args, preset, None)
        inputs = {name: value for name in answers.given() if (value := answers.value(name))}
        if args.enrollment is not None:
            inputs["enrollment"] = answers.enrollment
    return SetupChange(
        domains=tuple(args.domain) if args.domain else None,
        add_domains=tuple(getattr(args, "add_domain", ())),
        remove_domains=tuple(getattr(args, "remove_domain", ())),
        mdm=preset.name if preset is not None and switch else None,
        inputs=inputs,
        document_path=_absolute(args.json_file),
        method=args.method,
        platform=args.platform,
        connect_to=_rules(args.connect_to),
        resolve=_rules(args.resolve),
        ca_bundle=args.ca_bundle,
    )


def _rules(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(value for value in values if value.strip())


def _absolute(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(os.path.expanduser(path))


def _restore(store: Store, name: str) -> int:
    from wizard.core.setups.files import SaveError

    try:
        copy = store.restore(name)
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    state = store.load(name)
    if state is None:  # the copy was damaged: moved aside again, and the notice says so
        print(
            f"adue-wizard: the deleted copy {printable(copy.name)} could not be read",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        f"Restored {name} from {printable(copy.name)}: {_described(state)}; "
        f"runs kept: {state.summary.runs}."
    )
    return EXIT_OK


def _import(store: Store, file: str) -> int:
    from wizard.core.setups.files import SaveError
    from wizard.core.setups.importing import read_rows

    rows = read_rows(_read_csv(file))
    taken = set(store.names())
    seen: dict[str, int] = {}
    states: list[SetupState] = []
    problems: list[str] = []
    notes: list[str] = []
    for row in rows:
        try:
            state, row_notes = _from_row(row, taken, seen)
        except InvalidInput as error:
            problems.append(f"line {row.line}: {error}")
            continue
        states.append(state)
        notes.extend(f"line {row.line}: {note}" for note in row_notes)
    if problems:
        for problem in problems[:SHOWN_PROBLEMS]:
            print(f"adue-wizard: {argument(file)} {printable(problem)}", file=sys.stderr)
        more = len(problems) - SHOWN_PROBLEMS
        also = f" ({more} more not shown)" if more > 0 else ""
        print(
            f"adue-wizard: nothing imported: {len(problems)} of {len(rows)} rows are wrong{also}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not states:
        raise InvalidInput(f"{argument(file)} has a header but no rows; nothing imported")
    try:
        store.create(states)
    except SaveError as error:
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    _print_notes([*notes, *(note for state in states for note in _earlier_runs(store, state.name))])
    print(f"Imported {len(states)} setups into {printable(str(store.folder))}:")
    for state in states:
        print(printable(f"  {state.name}: {_described(state)}"))
    return EXIT_OK


def _from_row(row: Row, taken: set[str], seen: dict[str, int]) -> tuple[SetupState, list[str]]:
    """A row's setup, checked as `setup add` with the row's cells as its options."""
    if row.problem is not None:
        raise InvalidInput(row.problem)
    name = row.get("name")
    if name is None:
        raise InvalidInput("no name")
    check_setup_name(name)
    if name in seen:
        raise InvalidInput(f"{name} is named on line {seen[name]} too")
    seen[name] = row.line
    if name in taken:
        raise InvalidInput(f"a setup named {name!r} already exists")
    if row.get("domains") is None:
        raise InvalidInput(f"{name} has no domains")
    args = argparse.Namespace(
        name=name,
        domain=[row.get("domains")],
        mdm=row.get("mdm"),
        org_id=row.get("org_id"),
        tenant_id=row.get("tenant_id"),
        server_url=row.get("server_url"),
        method=row.get("method"),
        platform=row.get("platform"),
        cloud=None,
        enrollment=None,
        target=None,
        base_url=None,
        json_file=None,
        connect_to=None,
        resolve=None,
        ca_bundle=None,
    )
    return _new(args)


def _read_csv(file: str) -> str:
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_CSV_BYTES + 1)
        else:
            with open(file, "rb") as handle:
                data = handle.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise InvalidInput(f"{argument(file)}: cannot read it ({error.strerror})") from None
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(f"{argument(file)} is larger than {MAX_CSV_BYTES // 2**20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{argument(file)} is not UTF-8 text (byte {error.start + 1}); save it as CSV UTF-8"
        ) from None


def _earlier_runs(store: Store, name: str) -> list[str]:
    """A new setup takes a deleted one's name: the runs kept under that name are now its
    own (history, status), which is said once, here."""
    runs = store.history.summary(name).runs
    if not runs:
        return []
    return [
        f"{name}: the history holds {runs} earlier run{'s' if runs > 1 else ''} under this "
        "name (of a setup deleted before); history and status count them as this setup's"
    ]


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"adue-wizard: note: {printable(note)}", file=sys.stderr)


def _described(state: SetupState) -> str:
    from wizard.core.providers import title_of

    domains = ", ".join(display_domain(domain) for domain in state.domains)
    return printable(
        f"{domains}; MDM {title_of(state.provider)} ({state.provider}); "
        f"method {state.method or '-'}; platform {state.platform or '-'}; "
        f"opens in the wizard at {STEP_TITLES[state.step]}"
    )
