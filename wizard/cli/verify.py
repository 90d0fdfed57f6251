"""`adue-wizard verify`: check domains the way an Apple device does, or a saved setup's
domains with its settings (`--setup NAME`, or plain `verify` with one saved setup), or
every saved setup's (`--all`), and record each setup's run in its history. The run and
its outputs (text, JSON, `--quiet`, Nagios, Prometheus, JUnit) are in `verify_outputs`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from wizard.cli.jumpcloud_access import add_api_arguments, compared_with_jumpcloud
from wizard.cli.mdm_inputs import add_mdm_arguments, named_preset, preset_answers
from wizard.cli.parsing import (
    Parser,
    add_state_dir,
    examples,
    non_negative_int,
    open_store,
    positive_float,
    positive_int,
    print_notices,
)
from wizard.cli.saved_setup import open_setup
from wizard.core.domains import InvalidInput, domains_in
from wizard.core.protocol import MODEL_FAMILIES, WELL_KNOWN_PATH
from wizard.core.shown import argument, one_line, printable
from wizard.core.verify.connect_to import parse_connect_to
from wizard.core.verify.resolve import parse_resolve

# The formats --format takes (text and json are also the readable default and --json).
FORMATS = ("text", "json", "nagios")

# The verifier (asyncio, ssl, httpx) and the store are imported inside the functions that
# use them: building this command's parser (for --help, or beside the other commands') must
# not load them.
if TYPE_CHECKING:
    from wizard.cli.verify_outputs import Outputs, Part
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store
    from wizard.core.verify.options import GivenOptions


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    verify = commands.add_parser(
        "verify",
        help="check domains the way an iPhone does",
        description=f"Check https://DOMAIN{WELL_KNOWN_PATH} the way an "
        "Apple device does. Exit status: 0 all passed (warnings allowed), 1 a check failed "
        "(or a setup could not be checked or recorded), 2 bad usage or input. With --format "
        "nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad usage included).",
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
    verify.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per domain per line (the same as --format json)",
    )
    verify.add_argument(
        "--format",
        type=str.lower,
        choices=FORMATS,
        default=None,
        help="text (the default), json, or nagios: the monitoring-plugins output (status "
        "line with performance data, a line per failing or warning domain; exit 0 OK, "
        "1 WARNING, 2 CRITICAL, 3 UNKNOWN)",
    )
    verify.add_argument(
        "--quiet",
        action="store_true",
        help="print nothing when every domain passed without warnings, else one line per "
        "failing or warning domain (for cron, which mails only when there is output)",
    )
    verify.add_argument(
        "--prometheus",
        metavar="FILE.prom",
        help="also write the results for node_exporter's textfile collector (replaced "
        "atomically, mode 0644)",
    )
    verify.add_argument(
        "--junit",
        metavar="FILE.xml",
        help="also write JUnit XML for CI: a test suite per setup, a test case per domain",
    )
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
        "-t",
        "--timeout",
        type=positive_float,
        default=None,
        metavar="S",
        help="deadline for the whole check of one domain (default 10; -t as monitoring "
        "plugins take it)",
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
        "--notify",
        action="append",
        default=[],
        metavar="URL",
        help="with a saved setup: POST a JSON message to URL (a Slack, Mattermost or "
        "Rocket.Chat incoming webhook, or any) when a domain's state changes from the "
        "previous recorded run (repeatable; https://, or http:// to this machine). The URL "
        "is the webhook's secret and a command line shows in the process list: "
        "`adue-wizard notify add NAME` saves it out of sight instead",
    )
    verify.add_argument(
        "--all",
        action="store_true",
        help="check every saved setup with its settings, at once within --concurrency, and "
        "record each run; exit 2 when no setup is saved",
    )
    verify.add_argument(
        "--no-saved-settings",
        action="store_true",
        help="ignore the saved setup's test settings (--connect-to, --resolve, --ca-bundle, "
        "--user-agent) and check as a device on the internet would; its org ID still applies",
    )
    add_mdm_arguments(verify)
    add_api_arguments(verify)
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
    from wizard.cli.verify_outputs import Part, check, outputs_from
    from wizard.core.verify.options import VerifyOptions

    outputs = outputs_from(args)
    given = given_verify_options(args)
    if args.all:
        return _run_all(args, given, outputs)
    if args.setup is not None or not args.targets:
        return _run_setup(args, given, outputs)
    if args.notify:
        # Only a setup's runs are recorded: without one there is no state to change from.
        raise InvalidInput(
            "--notify needs a saved setup (--setup NAME or --all): a message is sent when a "
            "domain's state changes from the setup's previous recorded run"
        )
    domains = domains_in(args.targets)
    options = VerifyOptions(**given)
    return check([Part(None, domains, options)], outputs, options.concurrency)


def _run_setup(args: argparse.Namespace, given: GivenOptions, outputs: Outputs) -> int:
    from wizard.cli.verify_outputs import check

    if args.targets:
        raise InvalidInput("give either domains or --setup NAME, not both")
    store, state = open_setup(
        args,
        args.setup,
        needs="verify needs a domain, URL or e-mail, --setup NAME or --all",
        results=False,
    )
    part = _setup_part(state, given, args, outputs, store)
    return check([part], outputs, part.options.concurrency, store=store)


def _run_all(args: argparse.Namespace, given: GivenOptions, outputs: Outputs) -> int:
    """Every saved setup, each with its saved settings; a setup that cannot be checked is
    said in one line and fails the run, the others are checked all the same."""
    from wizard.cli.verify_outputs import check
    from wizard.core.verify.options import VerifyOptions

    if args.targets or args.setup is not None:
        raise InvalidInput("--all checks every saved setup: give no domains and no --setup")
    if outputs.report is not None:
        raise InvalidInput(
            "--report describes one setup or a list of domains; with --all use --junit "
            "(every setup), or --report with --setup NAME"
        )
    store = open_store(args)
    states = sorted(store.load_all(results=False), key=lambda state: state.name)
    if not states:
        print_notices(store)
        raise InvalidInput(f"no saved setups in {argument(str(store.folder))}")
    parts, troubles = [], []
    for state in states:
        if not state.domains:
            if outputs.format == "text" and not outputs.quiet:
                print(
                    f"adue-wizard: setup {argument(state.name)} has no domains yet; not checked",
                    file=sys.stderr,
                )
            continue
        try:
            parts.append(_setup_part(state, given, args, outputs, store))
        except InvalidInput as error:
            trouble = f"setup {argument(state.name)} not checked: {error}"
            troubles.append(trouble)
            if outputs.format != "nagios":
                print(f"adue-wizard: {one_line(trouble)}", file=sys.stderr)
    if not parts and not troubles:
        print_notices(store)
        raise InvalidInput(
            f"no saved setup in {argument(str(store.folder))} has domains yet; add them in "
            "adue-wizard"
        )
    concurrency = given.get("concurrency", VerifyOptions.concurrency)
    return check(parts, outputs, concurrency, store=store, troubles=troubles)


def _setup_part(
    state: SetupState,
    given: GivenOptions,
    args: argparse.Namespace,
    outputs: Outputs,
    store: Store,
) -> Part:
    """A saved setup's domains with its settings (`given` winning), its saved test settings
    announced on stderr: never silently, since a PASS under a saved --connect-to or private
    CA is not a device's. `--quiet` and Nagios name them in their own lines instead. With a
    JumpCloud key, judged against JumpCloud's configuration; what each domain served at its
    last pass is kept for the drift warning, and `--notify` for the messages."""
    from wizard.cli.verify_outputs import Part
    from wizard.core.setups.options import verify_options
    from wizard.core.verify.options import VerifyOptions
    from wizard.core.watch.drift import Baseline
    from wizard.core.watch.webhooks import check_webhook_url

    notify = [check_webhook_url(url, "--notify") for url in args.notify]
    options = verify_options(state, given, test_settings=not args.no_saved_settings)
    options = compared_with_jumpcloud(args, state, options)
    given_alone = VerifyOptions(**given).conditions()
    saved_in_effect = [c for c in options.conditions() if c not in given_alone]
    if saved_in_effect and outputs.format != "nagios" and not outputs.quiet:
        print(
            f"adue-wizard: setup {argument(state.name)} checks under its saved test settings: "
            f"{printable('; '.join(saved_in_effect))} "
            "(--no-saved-settings checks as a device on the internet would)",
            file=sys.stderr,
        )
    baseline = Baseline.load(store.history, state.name, options.conditions())
    return Part(state.name, list(state.domains), options, state, baseline=baseline, notify=notify)


def given_verify_options(args: argparse.Namespace) -> GivenOptions:
    """The VerifyOptions fields set on the command line, validated; unset ones are left out,
    so a saved setup's settings (or the defaults) apply to them."""
    given: GivenOptions = {"probe_enroll": args.probe_enroll}
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
    if args.timeout is not None:
        given["timeout"] = args.timeout
    if args.max_redirects is not None:
        given["max_redirects"] = args.max_redirects
    if args.max_bytes is not None:
        given["max_bytes"] = args.max_bytes
    if args.concurrency is not None:
        given["concurrency"] = args.concurrency
    return given


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
