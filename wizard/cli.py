"""The `adue-wizard` command: the TUI with no arguments, or `verify`, `generate`, `status`.

Thin by design: it parses arguments, turns bad input into one line and exit status 2, and
calls the core. Textual is imported only when the TUI starts, so the plain commands start
fast over SSH.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from wizard import __version__
from wizard.core.connect_to import parse_connect_to
from wizard.core.domains import InvalidInput, normalise_domain, validate_org_id

if TYPE_CHECKING:
    from wizard.core.results import DomainReport
    from wizard.core.verifier import VerifyOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="adue-wizard",
        description="Set up and troubleshoot Apple account-driven user enrollment. "
        "With no command, opens the guided setup.",
    )
    parser.add_argument("--version", action="version", version=f"adue-wizard {__version__}")
    parser.add_argument("--state-dir", metavar="DIR", help=STATE_DIR_HELP)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_verify(commands)
    _add_generate(commands)
    _add_status(commands)
    return parser


STATE_DIR_HELP = "where saved setups live (default: $ADUE_WIZARD_STATE_DIR or the user state dir)"


def _add_state_dir(command: argparse.ArgumentParser) -> None:
    # SUPPRESS: given after the command it overrides, otherwise the top-level value stands.
    command.add_argument(
        "--state-dir", metavar="DIR", default=argparse.SUPPRESS, help=STATE_DIR_HELP
    )


def _add_status(commands: argparse._SubParsersAction[_Parser]) -> None:
    status = commands.add_parser(
        "status",
        help="list saved setups and where each stands",
        description="List every saved setup: organization, domains, step reached and the "
        "last verification.",
    )
    status.add_argument("--json", action="store_true", help="a JSON array, one object per setup")
    _add_state_dir(status)


def _add_verify(commands: argparse._SubParsersAction[_Parser]) -> None:
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
    verify.add_argument("--ca-bundle", metavar="PEM", help="trust these roots instead of certifi's")
    verify.add_argument(
        "--timeout",
        type=_positive_float,
        default=None,
        metavar="S",
        help="deadline for the whole check of one domain (default 10)",
    )
    verify.add_argument(
        "--max-redirects",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="redirects allowed (default 5; Apple does not document the device's limit)",
    )
    verify.add_argument(
        "--max-bytes",
        type=_positive_int,
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
        type=_positive_int,
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
    _add_state_dir(verify)


def _add_generate(commands: argparse._SubParsersAction[_Parser]) -> None:
    generate = commands.add_parser(
        "generate",
        help="write the redirect or self-host artifact for your platform",
        description="Print (or write with --out) the artifact and numbered steps that publish "
        "the discovery URL on your platform. `generate --list` shows the platforms.",
    )
    generate.add_argument("--list", action="store_true", help="print the platform table")
    generate.add_argument("--method", choices=["redirect", "self-host"])
    generate.add_argument("--platform", metavar="NAME", help="see --list")
    generate.add_argument(
        "--org-id", help="JumpCloud organization ID (24 lowercase hex characters)"
    )
    source = generate.add_mutually_exclusive_group()
    source.add_argument("--target", metavar="URL", help="redirect target of another MDM (https)")
    source.add_argument(
        "--base-url", metavar="URL", help="build the self-host document for this BaseURL"
    )
    source.add_argument(
        "--json-file", metavar="PATH", help="the self-host document downloaded from your MDM"
    )
    generate.add_argument("--domain", metavar="D", help="the domain users sign in with")
    generate.add_argument("--out", metavar="DIR", help="write the files into DIR")
    generate.add_argument(
        "--raw", action="store_true", help="print only the primary artifact, exactly"
    )
    generate.add_argument(
        "--exact-seed",
        action="store_true",
        help="JumpCloud's documented form to the letter (does not forward the device's query)",
    )
    generate.add_argument("--force", action="store_true", help="replace differing files in DIR")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "verify":
            return _run_verify(args)
        if args.command == "generate":
            from wizard.generate_command import run_generate

            return run_generate(args)
        if args.command == "status":
            from wizard.status_command import run_status

            return run_status(args)
    except InvalidInput as error:
        print(f"adue-wizard: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `verify ... | head` closed the pipe: stop quietly, like other Unix tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return _run_tui(args)


def _run_tui(args: argparse.Namespace) -> int:
    # Textual is imported only here: the plain commands must start fast over SSH.
    from wizard.tui.app import run_app

    exit_code: int = run_app(state_dir=args.state_dir)
    return exit_code


def _run_verify(args: argparse.Namespace) -> int:
    from wizard.core.verifier import VerifyOptions

    given = given_verify_options(args)
    if args.setup is not None or not args.targets:
        from wizard.setup_verify_command import run_setup_verify

        return run_setup_verify(args, given)
    domains = [normalise_domain(target) for target in args.targets]
    reports = run_and_print(domains, VerifyOptions(**given), as_json=args.json)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def given_verify_options(args: argparse.Namespace) -> dict[str, Any]:
    """The VerifyOptions fields set on the command line, validated; unset ones are left out,
    so a saved setup's settings (or the defaults) apply to them."""
    from wizard.core.verifier import MODEL_FAMILIES

    given: dict[str, Any] = {"probe_enroll": args.probe_enroll}
    if args.org_id is not None:
        given["org_id"] = validate_org_id(args.org_id)
    if args.connect_to:
        given["connect_to"] = tuple(parse_connect_to(spec) for spec in args.connect_to)
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
    from wizard.core.text_report import render_json_line, render_report, render_totals
    from wizard.core.verifier import Verifier

    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    async def run() -> list[DomainReport]:
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

    return asyncio.run(run())


def _model_family(name: str, known: Sequence[str]) -> str:
    for family in known:
        if family.lower() == name.strip().lower():
            return family
    raise InvalidInput(f"--model-family {name!r} is not one of {', '.join(known)}")


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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(text)
