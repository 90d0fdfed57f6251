"""`adue-wizard verify`: check domains the way an Apple device does, or a saved setup's
domains with its settings (`--setup NAME`, or plain `verify` with one saved setup), and
record that run in the setup's history."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.cli.mdm_inputs import add_mdm_arguments, named_preset, preset_answers
from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    non_negative_int,
    open_store,
    positive_float,
    positive_int,
    print_notices,
)
from wizard.core.atomic_file import write_atomically
from wizard.core.domains import InvalidInput, domains_in
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import argument, printable
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.resolve import parse_resolve

# The verifier (asyncio, ssl, httpx) and the store are imported inside the functions that
# use them: building this command's parser (for --help, or beside the other commands') must
# not load them.
if TYPE_CHECKING:
    from wizard.core.results import DomainReport
    from wizard.core.verify.options import VerifyOptions


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    verify = commands.add_parser(
        "verify",
        help="check domains the way an iPhone does",
        description="Check https://DOMAIN/.well-known/com.apple.remotemanagement the way an "
        "Apple device does. Exit status: 0 all passed (warnings allowed), 1 a check failed, "
        "2 bad usage or input.",
        **examples(
            "adue-wizard verify ada@example.com",
            "adue-wizard verify example.com --mdm intune --tenant-id "
            "00000000-0000-0000-0000-000000000000",
            "adue-wizard verify --setup example.com --json",
        ),
    )
    verify.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="domain, URL or Managed Apple Account e-mail",
    )
    verify.add_argument("--json", action="store_true", help="one JSON object per domain per line")
    verify.add_argument(
        "--report",
        metavar="FILE.md",
        help="also write a Markdown report for a ticket: each check with its cause and fix, "
        "each request's headers, the certificates, and a curl command per request",
    )
    verify.add_argument("--org-id", help="JumpCloud organization ID (24 lowercase hex characters)")
    verify.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST1:PORT1:HOST2:PORT2",
        help="connect to HOST2:PORT2 for HOST1:PORT1 (curl's meaning; repeatable; "
        "applies to redirect targets too)",
    )
    verify.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR[,ADDR...]",
        help="use these addresses for HOST:PORT instead of DNS (curl's meaning; repeatable; "
        "IPv6 bare or in brackets; a --connect-to target is looked up here too)",
    )
    verify.add_argument("--ca-bundle", metavar="PEM", help="trust these roots instead of certifi's")
    verify.add_argument(
        "--user-agent",
        metavar="TEXT",
        help="User-Agent to send (default DeviceManagementClient/1.0, as iOS 26's client code "
        "and a real device's trace show; unconfirmed by Apple)",
    )
    verify.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="S",
        help="deadline for the whole check of one domain (default 10)",
    )
    verify.add_argument(
        "--max-redirects",
        type=non_negative_int,
        default=None,
        metavar="N",
        help="redirects allowed (default 5; Apple does not document the device's limit)",
    )
    verify.add_argument(
        "--max-bytes",
        type=positive_int,
        default=None,
        metavar="N",
        help="largest body accepted (default 65536)",
    )
    verify.add_argument(
        "--user",
        metavar="EMAIL",
        help="user-identifier to send (default probe@DOMAIN; a bare name gets @DOMAIN)",
    )
    verify.add_argument(
        "--model-family",
        default=None,
        metavar="F[,F]",
        help="model-family to send; a comma list checks each (default iPhone)",
    )
    verify.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        metavar="N",
        help="domains checked at once (default 16)",
    )
    verify.add_argument(
        "--probe-enroll",
        action="store_true",
        help="also POST once to the BaseURL and expect an apple-as-web 401 challenge",
    )
    verify.add_argument(
        "--setup",
        metavar="NAME",
        help="check a saved setup's domains with its settings, and record the run "
        "(plain `verify` does this when exactly one setup is saved); options given here "
        "override the saved settings for this run",
    )
    verify.add_argument(
        "--no-saved-settings",
        action="store_true",
        help="ignore the saved setup's test settings (--connect-to, --resolve, --ca-bundle, "
        "--user-agent) and check as a device on the internet would; its org ID still applies",
    )
    add_mdm_arguments(verify)
    verify.add_argument(
        "--target", metavar="URL", help="generic: the redirect target the domain must reach"
    )
    verify.add_argument(
        "--base-url",
        metavar="URL",
        help="the BaseURL the document must have (generic, jumpcloud, fleet)",
    )
    verify.add_argument(
        "--json-file",
        metavar="PATH",
        help="the document downloaded from your MDM: the domain must serve exactly it",
    )
    add_state_dir(verify)


def run(args: argparse.Namespace) -> int:
    from wizard.core.verify.options import VerifyOptions

    given = given_verify_options(args)
    report_path = _report_path(args.report)
    if args.setup is not None or not args.targets:
        return _run_setup(args, given, report_path)
    domains = domains_in(args.targets)
    options = VerifyOptions(**given)
    reports = run_and_print(domains, options, as_json=args.json)
    if report_path is not None:
        write_evidence_report(report_path, reports, options)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def _run_setup(args: argparse.Namespace, given: dict[str, Any], report_path: Path | None) -> int:
    from wizard.core.setups.files import SaveError
    from wizard.core.setups.options import verify_options
    from wizard.core.verify.options import VerifyOptions

    if args.targets:
        raise InvalidInput("give either domains or --setup NAME, not both")
    store = open_store(args)
    name = check_setup_name(args.setup) if args.setup is not None else None
    if name is None:
        names = store.names()
        if len(names) != 1:
            listed = f" (saved: {printable(', '.join(names))})" if names else " (no saved setups)"
            raise InvalidInput(f"verify needs a domain, URL or e-mail, or --setup NAME{listed}")
        name = check_setup_name(names[0])
    state = store.load(name)
    if state is None:
        print_notices(store)
        raise InvalidInput(
            f"no saved setup named {argument(name)} in {argument(str(store.folder))}"
        )
    if not state.domains:
        print_notices(store)
        raise InvalidInput(f"setup {argument(name)} has no domains yet; add them in adue-wizard")
    options = verify_options(state, given, test_settings=not args.no_saved_settings)
    given_alone = VerifyOptions(**given).conditions()
    saved_in_effect = [c for c in options.conditions() if c not in given_alone]
    if saved_in_effect:
        # Never silently: a PASS under a saved --connect-to or private CA is not a device's.
        print(
            f"adue-wizard: setup {argument(name)} checks under its saved test settings: "
            f"{printable('; '.join(saved_in_effect))} "
            "(--no-saved-settings checks as a device on the internet would)",
            file=sys.stderr,
        )
    reports = run_and_print(list(state.domains), options, as_json=args.json)
    if report_path is not None:
        write_evidence_report(report_path, reports, options)
    try:
        store.record_run(state, reports, options.conditions())
    except SaveError as error:
        # The report is printed; say in one line what was not saved, and fail the run so a
        # cron job notices that its history stopped.
        print(f"adue-wizard: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        print_notices(store)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def given_verify_options(args: argparse.Namespace) -> dict[str, Any]:
    """The VerifyOptions fields set on the command line, validated; unset ones are left out,
    so a saved setup's settings (or the defaults) apply to them."""
    given: dict[str, Any] = {"probe_enroll": args.probe_enroll}
    preset = named_preset(args)
    if preset is not None:
        given["mdm"] = preset.name
        given["mdm_answers"] = preset_answers(args, preset, None)
    if args.connect_to:
        given["connect_to"] = tuple(parse_connect_to(spec) for spec in args.connect_to)
    if args.resolve:
        given["resolve"] = tuple(parse_resolve(spec) for spec in args.resolve)
    if args.user_agent is not None:
        given["user_agent"] = _user_agent(args.user_agent)
    if args.ca_bundle is not None:
        from wizard.core.verify.tls import check_ca_bundle  # ssl and certifi: only when asked

        given["ca_bundle"] = check_ca_bundle(args.ca_bundle)
    if args.user is not None:
        if not args.user.strip() or any(c.isspace() for c in args.user):
            raise InvalidInput(
                f"--user {argument(args.user)} must be an e-mail address without spaces"
            )
        given["user"] = args.user
    if args.model_family is not None:
        given["model_families"] = tuple(
            _model_family(name) for name in args.model_family.split(",")
        )
    for flag in ("timeout", "max_redirects", "max_bytes", "concurrency"):
        if getattr(args, flag) is not None:
            given[flag] = getattr(args, flag)
    return given


def run_and_print(
    domains: list[str], options: VerifyOptions, *, as_json: bool
) -> list[DomainReport]:
    """Verify `domains`, printing each report as soon as it is ready, in input order."""
    from wizard.core.verify.text_report import (
        render_conditions,
        render_json_line,
        render_report,
        render_totals,
    )
    from wizard.core.verify.verifier import Verifier

    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    # Wrapped to the terminal; whole lines when piped or redirected.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None

    conditions = options.conditions()
    if conditions and not as_json:
        line = render_conditions(conditions)
        wrapped = textwrap.wrap(line, width, break_long_words=False) if width else [line]
        print("\n".join(wrapped), flush=True)

    async def check() -> list[DomainReport]:
        reports = []
        async with Verifier(options) as verifier:
            async for report in verifier.verify_all(domains):
                reports.append(report)
                if as_json:
                    print(render_json_line(report), flush=True)
                else:
                    print(render_report(report, colour=colour, width=width) + "\n", flush=True)
        if not as_json and len(reports) > 1:
            print(render_totals(reports))
        return reports

    return asyncio.run(check())


def _report_path(value: str | None) -> Path | None:
    """The --report file, checked before the run so a typo does not cost a whole run."""
    if value is None:
        return None
    path = Path(value)
    if path.is_dir():
        raise InvalidInput(f"--report {value!r} is a folder; give a file name such as report.md")
    if not path.parent.is_dir():
        raise InvalidInput(f"--report {value!r}: the folder {str(path.parent)!r} does not exist")
    return path


def write_evidence_report(
    path: Path, reports: Sequence[DomainReport], options: VerifyOptions
) -> None:
    from wizard.core.diagnosis.evidence_report import ReproduceWith, render_report

    reproduce = ReproduceWith(
        connect_to=[str(rule) for rule in options.connect_to],
        resolve=[str(rule) for rule in options.resolve],
        ca_bundle=options.ca_bundle,
        timeout=options.timeout,
    )
    text = render_report(reports, reproduce)
    try:
        # 0600: the report names internal hosts and addresses; the admin decides who sees it.
        write_atomically(path, text.encode("utf-8"), 0o600)
    except OSError as error:
        raise InvalidInput(f"--report {str(path)!r}: cannot write ({error.strerror})") from None


def _model_family(name: str) -> str:
    for family in MODEL_FAMILIES:
        if family.lower() == name.strip().lower():
            return family
    raise InvalidInput(f"--model-family {argument(name)} is not one of {', '.join(MODEL_FAMILIES)}")


def _user_agent(text: str) -> str:
    from wizard.core.verify.transport import user_agent_problem

    problem = user_agent_problem(text)
    if problem:
        raise InvalidInput(f"--user-agent {argument(text)} {problem}")
    return text
