"""`adue-wizard maid`: link each JumpCloud user to their Managed Apple Account, in three
steps an admin can trust with their directory: `plan` (reads only, says what would change
and why), `apply` (writes the plan, journaled, resumable) and `undo` (puts back what the
plan replaced, where nobody changed it since)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.cli.jumpcloud_access import add_api_arguments
from wizard.cli.maid_output import ProgressLine, outcome_summary, plan_summary, short
from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    positive_float,
)
from wizard.core.domains import InvalidInput
from wizard.core.shown import argument, one_line, printable

# The core (asyncio, httpx, pydantic, the store) is imported inside the functions that run.
if TYPE_CHECKING:
    from wizard.core.jumpcloud.secret import ApiKey
    from wizard.core.linking.csv_source import CsvAccounts
    from wizard.core.linking.plan import Plan
    from wizard.core.linking.writing import ApiAccess, Finished, LinkingSession, Prepared
    from wizard.core.setups.state import SetupState

EXAMPLES = (
    "adue-wizard maid plan --setup corp --from accounts.csv --out plan.json",
    "adue-wizard maid apply plan.json",
    "adue-wizard maid undo plan.json --yes",
)
PLAN_EXAMPLES = (
    "adue-wizard maid plan --setup corp --from accounts.csv --out plan.json",
    "adue-wizard maid plan --setup corp --same-as-email --domain example.com --json",
    "JUMPCLOUD_API_KEY=... adue-wizard maid plan --setup corp --from abm.csv --overwrite",
)
APPLY_EXAMPLES = (
    "adue-wizard maid apply plan.json",
    "adue-wizard maid apply plan.json --yes --api-key-file ~/.jumpcloud-key",
)
UNDO_EXAMPLES = (
    "adue-wizard maid undo plan.json",
    "adue-wizard maid undo plan.json --yes --api-key-file ~/.jumpcloud-key",
)
TIMEOUT_HELP = "seconds each request to JumpCloud may take (default 30)"
NO_KEY = (
    "needs the JumpCloud API key: set $JUMPCLOUD_API_KEY or give --api-key-file FILE (on a "
    "terminal it is asked for)"
)


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    maid = commands.add_parser(
        "maid",
        help="link JumpCloud users to their Managed Apple Accounts: plan, apply, undo",
        description="Link each JumpCloud user to their Managed Apple Account (JumpCloud's "
        "managedAppleId). `plan` reads the users and a CSV (or takes each user's e-mail) and "
        "says what would change; `apply` writes the plan, recording every write in the state "
        "folder, so a run stopped at any moment continues where it stopped when started "
        "again; `undo` puts back what the plan replaced.",
        **examples(*EXAMPLES),
    )
    steps = maid.add_subparsers(
        dest="maid_command",
        parser_class=Parser,
        required=True,
        metavar="{plan,apply,undo}",
        help="plan (writes nothing), apply or undo (adue-wizard maid STEP --help for more)",
    )
    plan = steps.add_parser(
        "plan",
        help="say what would be written to JumpCloud, and why (writes nothing)",
        description="Read every JumpCloud user and the accounts wanted for them, and make a "
        "plan: one line per user with its action (set, unchanged, conflict, overwrite, "
        "duplicate, invalid, unmatched, suspended) and the counts. Nothing is written to "
        "JumpCloud. Exit status: 0 a plan was made, whatever it holds; 1 JumpCloud could "
        "not be read; 2 bad usage or a file that cannot be read at all.",
        **examples(*PLAN_EXAMPLES),
    )
    plan.add_argument("--setup", metavar="NAME", help="the saved JumpCloud setup")
    source = plan.add_mutually_exclusive_group()
    source.add_argument(
        "--from",
        dest="csv",
        metavar="FILE.csv",
        help="a CSV with an `email` or `username` column and a `managedAppleId`, `Managed "
        "Apple Account` or `Managed Apple ID` column (any case; `,` or `;`)",
    )
    source.add_argument(
        "--same-as-email",
        action="store_true",
        help="each user's account is their JumpCloud e-mail (federated accounts), for users "
        "whose e-mail is in the setup's domains",
    )
    plan.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="D",
        help="with --same-as-email: this domain instead of the setup's (repeatable)",
    )
    plan.add_argument("--out", metavar="FILE", help="write the plan to FILE (mode 0600)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an account a user already holds (action overwrite, not conflict)",
    )
    plan.add_argument("--include-suspended", action="store_true", help="plan suspended users too")
    add_api_arguments(plan, saved=True)
    _add_timeout(plan)
    add_state_dir(plan)
    for name, verb, shown in (
        ("apply", "write the plan's set and overwrite items to JumpCloud", APPLY_EXAMPLES),
        ("undo", "put back what the plan replaced, where nobody changed it since", UNDO_EXAMPLES),
    ):
        step = steps.add_parser(
            name,
            help=verb,
            description=f"{verb[0].upper()}{verb[1:]}. It reads every user first: a user "
            "already as the plan wants is done, one changed since is left alone and named. It "
            "asks first (or needs --yes without a terminal). Every write is recorded in the "
            "state folder before it is sent and when it is answered: run the same command "
            "again after an interruption and it continues where it stopped. One apply or "
            "undo writes to an organization at a time from a state folder. Exit status: 0 "
            "every user written or already done; 1 some skipped, refused or not written, "
            "each named; 2 bad usage.",
            **examples(*shown),
        )
        step.add_argument("plan", metavar="PLAN.json", help="a plan made by `maid plan --out`")
        step.add_argument("--yes", action="store_true", help="write without asking")
        add_api_arguments(step)
        _add_timeout(step)
        add_state_dir(step)


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    # Each request, not the run: writing thousands of users takes as long as it takes.
    parser.add_argument(
        "--timeout", type=positive_float, default=30.0, metavar="S", help=TIMEOUT_HELP
    )


def run(args: argparse.Namespace) -> int:
    if args.maid_command == "plan":
        return _plan(args)
    return _apply_or_undo(args)


# maid plan


def _plan(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.cli.jumpcloud_access import api_access, remember_api
    from wizard.cli.saved_setup import open_setup
    from wizard.core.domains import normalise_domain
    from wizard.core.linking.csv_source import read_accounts_csv

    if args.csv is None and not args.same_as_email:
        raise InvalidInput("say where the accounts come from: --from FILE.csv or --same-as-email")
    if args.domain and not args.same_as_email:
        raise InvalidInput(
            "--domain goes with --same-as-email (a CSV's accounts are checked "
            "against the setup's domains)"
        )
    out = _checked_out(args.out)
    store, state = open_setup(
        args, args.setup, needs=f"maid {args.maid_command} needs --setup NAME"
    )
    if state.provider != "jumpcloud":
        raise InvalidInput(
            f"setup {argument(state.name)} is for {argument(state.provider)}; maid links "
            "accounts in JumpCloud"
        )
    source = read_accounts_csv(Path(args.csv)) if args.csv is not None else None
    domains = [normalise_domain(domain) for domain in args.domain] or list(state.domains)
    domains = list(dict.fromkeys(domains))
    remember_api(args, store, state)
    access = api_access(args, state, timeout=args.timeout)
    if access is None:
        raise InvalidInput(NO_KEY)
    plan = asyncio.run(_make_plan(args, state, access, source, domains))
    if plan is None:
        return EXIT_FAILED
    if out is not None:
        from wizard.core.atomic_file import write_atomically

        try:
            write_atomically(out, plan.dumps().encode("ascii"), 0o600)
        except OSError as error:
            raise InvalidInput(
                f"cannot write the plan to {argument(str(out), 80)}: {error.strerror or error}"
            ) from None
    if args.json:
        print(plan.dumps(), end="")
    else:
        print(plan_summary(plan, out))
    return EXIT_OK


async def _make_plan(
    args: argparse.Namespace,
    state: SetupState,
    access: ApiAccess,
    source: CsvAccounts | None,
    domains: list[str],
) -> Plan | None:
    from wizard.core.jumpcloud.errors import ApiError
    from wizard.core.linking.making import read_and_plan
    from wizard.core.linking.plan import PlanOptions

    options = PlanOptions(overwrite=args.overwrite, include_suspended=args.include_suspended)
    try:
        return await read_and_plan(
            access,
            setup=state.name,
            org_id=state.org_id,
            domains=domains,
            source=source,
            source_name=args.csv,
            options=options,
            request_timeout=args.timeout,
        )
    except ApiError as error:
        _error(str(error))
        return None


def _checked_out(out: str | None) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.is_dir() or not path.parent.is_dir():
        raise InvalidInput(f"--out {argument(out, 80)}: give a file in an existing folder")
    return path


# maid apply, maid undo


def _apply_or_undo(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.cli.jumpcloud_access import api_access
    from wizard.cli.parsing import open_store
    from wizard.core.linking.plan import read_plan

    path = Path(args.plan)
    plan = read_plan(path)
    if not args.yes and not sys.stdin.isatty():
        raise InvalidInput(
            f"{args.maid_command} writes to JumpCloud: give --yes to do so without a terminal "
            "to ask on"
        )
    store = open_store(args)
    state = store.load(plan.setup) if plan.setup else None
    _check_api_url(plan, args, state)
    access = api_access(args, state, timeout=args.timeout)
    if access is None:
        raise InvalidInput(NO_KEY)
    return asyncio.run(_write(args, plan, access.key, store.folder, str(path.resolve())))


def _check_api_url(plan: Plan, args: argparse.Namespace, state: SetupState | None) -> None:
    """The plan names where the key goes: only to one of JumpCloud's regions, or to a URL
    the admin gave or saved (`--api-url`, `$JUMPCLOUD_API_URL`, the setup's), never to one
    only an edited or foreign plan file says. `--region` or `--api-url`, when given, must
    name the plan's."""
    import os

    from wizard.core.jumpcloud.regions import API_URL_VARIABLE, REGIONS, checked_api_url

    trusted = set(REGIONS.values())
    given = None
    if args.api_url is not None:
        given = checked_api_url(args.api_url, "--api-url")
    elif args.region is not None:
        given = REGIONS[args.region]
    if given is not None and given != plan.api_url:
        raise InvalidInput(f"the plan was made for JumpCloud's API at {plan.api_url}, not {given}")
    if given is not None:
        trusted.add(given)
    if os.environ.get(API_URL_VARIABLE, "").strip():
        trusted.add(checked_api_url(os.environ[API_URL_VARIABLE], f"${API_URL_VARIABLE}"))
    if state is not None and state.jumpcloud_api_url:
        trusted.add(state.jumpcloud_api_url)
    if plan.api_url not in trusted:
        raise InvalidInput(
            f"the plan would send the API key to {plan.api_url}, which is not one of "
            "JumpCloud's regions nor a URL given here: to use it, give --api-url "
            f"{plan.api_url}"
        )


async def _write(
    args: argparse.Namespace, plan: Plan, key: ApiKey, folder: Path, plan_file: str
) -> int:
    import asyncio

    from wizard.core.jumpcloud.access import JumpCloudAccess
    from wizard.core.jumpcloud.errors import ApiError
    from wizard.core.linking.org_lock import OrganizationBusy
    from wizard.core.linking.writing import LinkingSession
    from wizard.core.setups.files import SaveError

    undo = args.maid_command == "undo"
    access = JumpCloudAccess(plan.api_url, key, args.timeout)
    try:
        async with LinkingSession(
            plan, access, folder, plan_file=plan_file, request_timeout=args.timeout
        ) as session:
            prepared = await (session.prepare_undo() if undo else session.prepare_apply())
            if prepared.never_applied:
                print(
                    f"Nothing to undo: plan {short(plan.plan_id)} was never applied from "
                    "this state folder."
                )
                return EXIT_OK
            if prepared.writes and not await _confirmed(args, session, prepared):
                print("Nothing was written.")
                return EXIT_FAILED
            finished = await _with_progress(session, prepared)
    except (OrganizationBusy, ApiError, SaveError) as error:
        _error(str(error))
        return EXIT_FAILED
    except asyncio.CancelledError:  # Ctrl-C: the writes answered so far are recorded
        again = f"adue-wizard maid {args.maid_command}"
        _error(f"interrupted; run `{again}` with the same plan again to continue")
        raise
    print(outcome_summary(finished, plan, len(prepared.writes)))
    return EXIT_OK if finished.ok else EXIT_FAILED


async def _confirmed(args: argparse.Namespace, session: LinkingSession, prepared: Prepared) -> bool:
    import asyncio

    if args.yes:
        return True
    count = len(prepared.writes)
    plan = session.plan
    name = session.organization_name
    where = f"JumpCloud organization {plan.org_id}" + (f" ({name})" if name else "")
    accounts = f"{count:,} Managed Apple Account{'s' if count != 1 else ''}"
    if prepared.operation == "undo":
        question = f"Put back the previous value of {accounts} in {where}? [y/N] "
    else:
        question = f"Write {accounts} to {where}? [y/N] "

    def ask() -> str:
        sys.stderr.write(printable(question))
        sys.stderr.flush()
        return sys.stdin.readline()

    answer = await asyncio.to_thread(ask)
    return answer.strip().lower() in ("y", "yes")


async def _with_progress(session: LinkingSession, prepared: Prepared) -> Finished:
    verb = "put back" if prepared.operation == "undo" else "written"
    progress = ProgressLine(verb, sys.stderr)
    try:
        return await session.write(prepared, progress)
    finally:
        progress.close()


def _error(message: str) -> None:
    print(f"adue-wizard: {one_line(message)}", file=sys.stderr)
