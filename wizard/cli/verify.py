"""`adue-wizard verify`: check domains the way an Apple device does, or a saved setup's
domains with its settings (`--setup NAME`, or plain `verify` with one saved setup), and
record that run in the setup's history."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import ssl
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    non_negative_int,
    positive_float,
    positive_int,
)
from wizard.core.domains import InvalidInput, normalise_domain, validate_org_id
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.resolve import parse_resolve
from wizard.core.verify.text_report import printable

if TYPE_CHECKING:
    from wizard.core.verify.results import DomainReport
    from wizard.core.verify.verifier import VerifyOptions


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    verify = commands.add_parser(
        "verify",
        help="check domains the way an iPhone does",
        description="Check https://DOMAIN/.well-known/com.apple.remotemanagement the way an "
        "Apple device does. Exit status: 0 all passed (warnings allowed), 1 a check failed, "
        "2 bad usage or input.",
    )
    verify.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="domain, URL or Managed Apple Account e-mail",
    )
    verify.add_argument("--json", action="store_true", help="one JSON object per domain per line")
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
    add_state_dir(verify)


def run(args: argparse.Namespace) -> int:
    from wizard.core.verify.verifier import VerifyOptions

    given = given_verify_options(args)
    if args.setup is not None or not args.targets:
        return _run_setup(args, given)
    domains = [normalise_domain(target) for target in args.targets]
    reports = run_and_print(domains, VerifyOptions(**given), as_json=args.json)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def _run_setup(args: argparse.Namespace, given: dict[str, Any]) -> int:
    from wizard.core.setups.options import verify_options
    from wizard.core.setups.state import DomainResult
    from wizard.core.setups.store import Store, state_dir

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
    saved = verify_options(state)
    if args.no_saved_settings:
        saved = saved.without_test_settings()
    elif saved.conditions():
        # Never silently: a PASS under a saved --connect-to or private CA is not a device's.
        print(
            f"adue-wizard: setup {printable(name)!r} checks under its saved test settings: "
            f"{printable('; '.join(saved.conditions()))} "
            "(--no-saved-settings checks as a device on the internet would)",
            file=sys.stderr,
        )
    options = dataclasses.replace(saved, **given)
    reports = run_and_print(list(state.domains), options, as_json=args.json)
    state.record_results([DomainResult.from_report(report) for report in reports])
    store.save(state)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def given_verify_options(args: argparse.Namespace) -> dict[str, Any]:
    """The VerifyOptions fields set on the command line, validated; unset ones are left out,
    so a saved setup's settings (or the defaults) apply to them."""
    from wizard.core.verify.verifier import MODEL_FAMILIES

    given: dict[str, Any] = {"probe_enroll": args.probe_enroll}
    if args.org_id is not None:
        given["org_id"] = validate_org_id(args.org_id)
    if args.connect_to:
        given["connect_to"] = tuple(parse_connect_to(spec) for spec in args.connect_to)
    if args.resolve:
        given["resolve"] = tuple(parse_resolve(spec) for spec in args.resolve)
    if args.user_agent is not None:
        given["user_agent"] = _user_agent(args.user_agent)
    if args.ca_bundle is not None:
        given["ca_bundle"] = _ca_bundle(args.ca_bundle)
    if args.user is not None:
        if not args.user.strip() or any(c.isspace() for c in args.user):
            raise InvalidInput(f"--user {args.user!r} must be an e-mail address without spaces")
        given["user"] = args.user
    if args.model_family is not None:
        given["model_families"] = tuple(
            _model_family(name, MODEL_FAMILIES) for name in args.model_family.split(",")
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

    conditions = options.conditions()
    if conditions and not as_json:
        print(render_conditions(conditions), flush=True)

    async def check() -> list[DomainReport]:
        reports = []
        async with Verifier(options) as verifier:
            async for report in verifier.verify_all(domains):
                reports.append(report)
                if as_json:
                    print(render_json_line(report), flush=True)
                else:
                    print(render_report(report, colour=colour) + "\n", flush=True)
        if not as_json and len(reports) > 1:
            print(render_totals(reports))
        return reports

    return asyncio.run(check())


def _model_family(name: str, known: Sequence[str]) -> str:
    for family in known:
        if family.lower() == name.strip().lower():
            return family
    raise InvalidInput(f"--model-family {name!r} is not one of {', '.join(known)}")


def _user_agent(text: str) -> str:
    if not text.strip() or not text.isprintable():
        raise InvalidInput(
            f"--user-agent {printable(text)!r} must be printable text on one line, not empty"
        )
    return text


def _ca_bundle(path: str | None) -> str | None:
    if path is None:
        return None
    if not os.path.isfile(path):
        raise InvalidInput(f"--ca-bundle {path!r}: no such file")
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError):
        raise InvalidInput(f"--ca-bundle {path!r} holds no PEM certificates") from None
    return path
