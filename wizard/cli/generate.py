"""`adue-wizard generate`: argument checks and output for the artifact generators."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.cli.jumpcloud_access import add_api_arguments, api_access
from wizard.cli.mdm_inputs import add_mdm_arguments, named_preset, preset_answers
from wizard.cli.parsing import Parser, examples
from wizard.core.domains import InvalidInput, domains_in
from wizard.core.shown import argument, one_line

if TYPE_CHECKING:
    from wizard.core.artifacts.model import Plan
    from wizard.core.providers import Answers

# Reading JumpCloud's configuration: two requests, bounded as `prereqs` bounds API work.
API_TIMEOUT = 30.0


class JumpCloudUnreadable(Exception):
    """JumpCloud could not give what --from-jumpcloud needs: exit status 1, one line."""


# The generators are imported inside the functions below: building the parser for any
# command must not pay for them (xml.sax pulls in urllib.request, ~50 ms).


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    generate = commands.add_parser(
        "generate",
        help="write the redirect or self-host artifact for your platform",
        description="Print (or write with --out) the artifact and numbered steps that publish "
        "the discovery URL on your platform. `generate --list` shows the platforms and the "
        "MDM presets.",
        **examples(
            "adue-wizard generate --list",
            "adue-wizard generate --platform nginx --method redirect --org-id "
            "5f1b2c3d4e5f6a7b8c9d0e1f --domain example.com",
            "adue-wizard generate --platform apache --method self-host --mdm intune "
            "--tenant-id 00000000-0000-0000-0000-000000000000 --out site",
        ),
    )
    generate.add_argument(
        "--list", action="store_true", help="print the platforms and the MDM presets"
    )
    generate.add_argument(
        "--method",
        choices=["redirect", "self-host"],
        help="redirect to your MDM's discovery URL, or self-host (serve the document "
        "itself); --list shows which each platform and MDM allows",
    )
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
    source.add_argument(
        "--from-jumpcloud",
        action="store_true",
        help="read JumpCloud's ADUE configuration through its API (its JSON for self-host, "
        "its redirect URL for redirect) instead of the file downloaded from the portal; "
        "needs an API key",
    )
    generate.add_argument(
        "--domain",
        metavar="D",
        action="append",
        default=[],
        help="a domain users sign in with (repeat for each domain; every artifact covers all)",
    )
    generate.add_argument("--out", metavar="DIR", help="write the files into DIR")
    generate.add_argument(
        "--raw", action="store_true", help="print only the primary artifact, exactly"
    )
    generate.add_argument(
        "--vendor-form",
        "--exact-seed",  # the first name it had; kept so existing scripts work
        dest="vendor_form",
        action="store_true",
        help="the vendor's documented form to the letter (JumpCloud's guide); it does not "
        "forward the device's query (--exact-seed is an alias)",
    )
    generate.add_argument("--force", action="store_true", help="replace differing files in DIR")
    add_mdm_arguments(generate)
    add_api_arguments(generate)


def run(args: argparse.Namespace) -> int:
    try:
        return _generate(args)
    except JumpCloudUnreadable as error:
        print(f"adue-wizard: {one_line(str(error))}", file=sys.stderr)
        return 1


def _generate(args: argparse.Namespace) -> int:
    from wizard.core.artifacts.hosted import GITHUB_PAGES_REFUSAL
    from wizard.core.artifacts.model import FilesDiffer, GenerateError
    from wizard.core.artifacts.output_folder import write_plan
    from wizard.core.artifacts.platforms import PLATFORMS, generate
    from wizard.core.artifacts.prepare import prepare_setup

    if args.list:
        print(platform_table() + "\n\n" + preset_table())
        return 0
    if not args.platform:
        raise InvalidInput("generate needs --platform NAME (see generate --list)")
    platform = PLATFORMS.get(args.platform)
    if platform is None:
        raise InvalidInput(
            f"unknown platform {argument(args.platform)}; choose one of {', '.join(PLATFORMS)}"
        )
    if not platform.methods:
        # GitHub Pages: nothing can be generated. Like a method a platform does not support,
        # that is a usage error, with or without --raw, so a script never takes an
        # explanation for an artifact.
        raise InvalidInput(GITHUB_PAGES_REFUSAL)
    if not args.method:
        raise InvalidInput("generate needs --method redirect or --method self-host")
    domains = domains_in(args.domain)
    if args.org_id is not None and args.target is not None:
        raise InvalidInput(
            "give --org-id (JumpCloud's target) or --target (another MDM's), not both"
        )

    if args.method not in platform.methods:
        raise InvalidInput(
            f"{platform.title} supports only --method {' or '.join(platform.methods)}"
        )

    inputs = _preset_inputs(args)
    try:
        setup, warnings = prepare_setup(
            args.method, domains=domains, exact_seed=args.vendor_form, **inputs
        )
        plan = generate(platform.name, setup)
        for warning in warnings:
            print(f"adue-wizard: warning: {warning}", file=sys.stderr)
        for note in _preset_notes(args):
            print(f"adue-wizard: note: {note}", file=sys.stderr)
        if args.raw:
            if plan.primary is None:
                raise InvalidInput(f"{platform.title} has no artifact to print; drop --raw")
            sys.stdout.write(plan.primary.content)
            return 0
        if args.out:
            written = write_plan(plan, Path(args.out), force=args.force)
            print(render_plan(plan, written=written, folder=Path(args.out)))
            return 0
    except FilesDiffer as error:
        them = "them" if len(error.paths) > 1 else "it"
        raise InvalidInput(f"{error}; use --force to replace {them}") from None
    except GenerateError as error:
        raise InvalidInput(str(error)) from None
    except OSError as error:
        raise InvalidInput(
            f"cannot write into {argument(args.out)}: {error.strerror or error}"
        ) from None
    print(render_plan(plan))
    return 0


def _preset_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """prepare_setup's target, base_url, document_text, version and what the artifacts say
    of the MDM, as the preset (--mdm, or the one the inputs name) produces them from its
    inputs (checked, exit 2 when wrong); nothing without a preset."""
    from wizard.core.providers import PRESETS

    preset = named_preset(args)
    if args.from_jumpcloud:
        if preset is not None and preset.name != "jumpcloud":
            raise InvalidInput(f"--from-jumpcloud reads JumpCloud, not {preset.title}")
        preset = PRESETS["jumpcloud"]
    if preset is None:
        return {}
    answers = preset_answers(args, preset, args.method)
    if args.from_jumpcloud:
        answers = _from_jumpcloud(args, answers)
    produced = preset.artifact_inputs(answers, args.method)
    return {
        "target": produced.target,
        "base_url": produced.base_url,
        "document_text": produced.document_text,
        "version": produced.version,
        "mdm": preset.mdm_notes(answers, args.json_file),
    }


def _from_jumpcloud(args: argparse.Namespace, answers: Answers) -> Answers:
    """The answers with JumpCloud's own configuration in place of a downloaded file: its JSON
    for self-host, its redirect URL (and organization) for redirect."""
    import asyncio
    import dataclasses

    from wizard.core.jumpcloud.access import read_adue_configuration
    from wizard.core.jumpcloud.errors import ApiError

    access = api_access(args, None, timeout=API_TIMEOUT)
    if access is None:
        raise InvalidInput(
            "--from-jumpcloud needs a JumpCloud API key: set $JUMPCLOUD_API_KEY or give "
            "--api-key-file FILE (or run on a terminal to be asked)"
        )
    try:
        config = asyncio.run(read_adue_configuration(access, answers.org_id))
    except ApiError as error:
        raise JumpCloudUnreadable(str(error)) from None
    where = "DEVICE MANAGEMENT > MDM > Apple > iOS Enrollment"
    if args.method == "self-host":
        if config.json_config is None:
            raise JumpCloudUnreadable(
                f"JumpCloud has no Self Host JSON configuration for organization "
                f"{config.org_id}: in the Admin Portal, {where}, choose Self Host"
            )
        return dataclasses.replace(answers, org_id=config.org_id, document_text=config.json_config)
    if config.redirect_url is None:
        raise JumpCloudUnreadable(
            f"JumpCloud has no redirect URL for organization {config.org_id}: in the Admin "
            f"Portal, {where}, choose Redirect"
        )
    return dataclasses.replace(answers, org_id=config.org_id, target=config.redirect_url)


def _preset_notes(args: argparse.Namespace) -> list[str]:
    """With --mdm: the MDM's known traps and its unconfirmed facts, said before they bite."""
    preset = named_preset(args)
    if preset is None:
        return []
    return [*preset.traps, *(f"unconfirmed: {fact}" for fact in preset.unconfirmed)]


def render_plan(
    plan: Plan, *, written: list[Path] | None = None, folder: Path | None = None
) -> str:
    from wizard.core.artifacts.platforms import PLATFORMS

    method = "Redirect" if plan.method == "redirect" else "Self-Host"
    title = f"{method} on {PLATFORMS[plan.platform].title}"
    lines = [title, "=" * len(title), f"What it does: {plan.does}.", ""]
    if folder is not None:
        for artifact in plan.artifacts:
            path = folder / artifact.filename
            state = "wrote" if written is not None and path in written else "unchanged"
            lines.append(f"{state}: {one_line(str(path))}  ({artifact.title})")
        lines.append("")
    else:
        for artifact in plan.artifacts:
            lines.append(f"==> {artifact.filename}: {artifact.title}")
            lines.append(artifact.content.rstrip("\n"))
            lines.append("")
    if plan.steps:
        lines.append("Steps:")
        lines.extend(f"  {number}. {step}" for number, step in enumerate(plan.steps, 1))
    if plan.notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in plan.notes)
    return "\n".join(lines)


def platform_table() -> str:
    from wizard.core.artifacts.platforms import PLATFORMS

    rows = [("platform", "methods", "forwards query", "how")]
    for platform in PLATFORMS.values():
        methods = ", ".join(platform.methods) or "none"
        rows.append((platform.name, methods, platform.forwards_query, platform.summary))
    widths = [max(len(row[index]) for row in rows) for index in range(3)]
    return "\n".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
        for row in rows
    )


def preset_table() -> str:
    """The MDM presets (`--mdm NAME`): the methods each allows and the inputs it takes."""
    from wizard.core.providers import PRESETS

    rows = [("mdm", "methods", "inputs", "MDM")]
    for preset in PRESETS.values():
        inputs = " ".join(f"--{name}" for name in preset.inputs) or "-"
        rows.append((preset.name, ", ".join(preset.methods), inputs, preset.title))
    widths = [max(len(row[index]) for row in rows) for index in range(3)]
    return "\n".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
        for row in rows
    )
