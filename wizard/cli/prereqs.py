"""`adue-wizard prereqs`: every prerequisite that can be checked, checked live (the DNS TXT
record of Apple's domain verification, the web server, and JumpCloud's side through its
API with a key); the rest listed with where to confirm them. Never writes to JumpCloud."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import TYPE_CHECKING

from wizard.cli.jumpcloud_access import add_api_arguments, api_access, remember_api
from wizard.cli.mdm_inputs import add_mdm_arguments, named_preset, preset_answers
from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    positive_float,
)
from wizard.cli.saved_setup import open_setup
from wizard.core.domains import InvalidInput, normalise_domain

# The checks (asyncio, httpx, dnspython) are imported inside `run`.
if TYPE_CHECKING:
    from wizard.core.prerequisites.run import PrereqRequest
    from wizard.core.verify.options import GivenOptions


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    prereqs = commands.add_parser(
        "prereqs",
        help="check every prerequisite that can be checked, live",
        description="Check the prerequisites of account-driven user enrollment: the domain's "
        "DNS TXT record of Apple's verification, its web server and certificate, and for "
        "JumpCloud with an API key the organization, personal enrollment, the ADUE "
        "configuration and every user's Managed Apple Account. Reads only. Exit status: 0 no "
        "check failed (warnings, skipped and manual checks allowed), 1 a check failed, "
        "2 bad usage.",
        **examples(
            "adue-wizard prereqs --setup corp",
            "adue-wizard prereqs example.com --org-id 5f1b2c3d4e5f6a7b8c9d0e1f",
            "adue-wizard prereqs --setup corp --json --nameserver 192.0.2.53",
        ),
    )
    prereqs.add_argument("domains", nargs="*", metavar="DOMAIN", help="the sign-in domain(s)")
    prereqs.add_argument(
        "--setup", metavar="NAME", help="a saved setup's MDM, organization and domains"
    )
    prereqs.add_argument("--json", action="store_true", help="one JSON object")
    prereqs.add_argument("--org-id", help="JumpCloud organization ID (JumpCloud is implied)")
    add_mdm_arguments(prereqs)
    add_api_arguments(prereqs, saved=True)
    prereqs.add_argument(
        "--nameserver",
        metavar="ADDR[:PORT]",
        help="ask this DNS server for the TXT record, as `dig @server` does (default: the "
        "system's resolver)",
    )
    prereqs.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="S",
        help="deadline for the API work (default 30)",
    )
    prereqs.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST1:PORT1:HOST2:PORT2",
        help="as for verify: where to connect for the web server checks (repeatable)",
    )
    prereqs.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR[,ADDR...]",
        help="as for verify: addresses to use instead of DNS (repeatable)",
    )
    prereqs.add_argument("--ca-bundle", metavar="PEM", help="as for verify: trust these roots")
    prereqs.add_argument(
        "--no-saved-settings",
        action="store_true",
        help="ignore the saved setup's test settings and check as a device on the internet",
    )
    add_state_dir(prereqs)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.core.prerequisites.run import check_prerequisites
    from wizard.core.prerequisites.text_report import render_prereqs

    request = _request(args)
    report = asyncio.run(check_prerequisites(request))
    if args.json:
        # ensure_ascii: names and e-mails come from JumpCloud; every control stays escaped.
        print(json.dumps(report.to_json(), ensure_ascii=True))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print(render_prereqs(report, colour=colour, width=width))
    return EXIT_FAILED if report.failed else EXIT_OK


def _request(args: argparse.Namespace) -> PrereqRequest:
    from wizard.core.prerequisites.dns_txt import parse_nameserver
    from wizard.core.prerequisites.run import PrereqRequest
    from wizard.core.setups.options import verify_options
    from wizard.core.verify.options import VerifyOptions

    given = _test_settings(args)
    nameserver = parse_nameserver(args.nameserver) if args.nameserver is not None else None
    if args.setup is not None or not args.domains:
        if args.domains:
            raise InvalidInput("give either domains or --setup NAME, not both")
        store, state = open_setup(args, args.setup, needs="prereqs needs a domain or --setup NAME")
        remember_api(args, store, state)
        options = verify_options(state, given, test_settings=not args.no_saved_settings)
        mdm, org_id, setup = state.provider, state.org_id, state.name
        domains = tuple(state.domains)
        if args.org_id is not None:
            raise InvalidInput("--org-id with --setup: the setup's organization is used")
    else:
        preset = named_preset(args)
        answers = preset_answers(args, preset, None) if preset is not None else None
        mdm = preset.name if preset is not None else "generic"
        org_id = answers.org_id if answers is not None else None
        setup = None
        domains = tuple(dict.fromkeys(normalise_domain(domain) for domain in args.domains))
        options = VerifyOptions(**given)
        state = None
    access = api_access(args, state, timeout=args.timeout) if mdm == "jumpcloud" else None
    return PrereqRequest(
        mdm=mdm,
        domains=domains,
        verify=options,
        org_id=org_id,
        setup=setup,
        nameserver=nameserver,
        jumpcloud=access,
    )


def _test_settings(args: argparse.Namespace) -> GivenOptions:
    from wizard.core.verify.connect_to import parse_connect_to
    from wizard.core.verify.resolve import parse_resolve

    given: GivenOptions = {}
    if args.connect_to:
        given["connect_to"] = tuple(parse_connect_to(spec) for spec in args.connect_to)
    if args.resolve:
        given["resolve"] = tuple(parse_resolve(spec) for spec in args.resolve)
    if args.ca_bundle is not None:
        from wizard.core.verify.tls import check_ca_bundle

        given["ca_bundle"] = check_ca_bundle(args.ca_bundle)
    return given
