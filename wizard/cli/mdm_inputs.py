"""`--mdm NAME` and the preset inputs, shared by `generate` and `verify`: the flags, and the
rules that turn them into a preset and its answers (exit status 2 on anything wrong)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from wizard.core.domains import InvalidInput, validate_org_id
from wizard.core.providers import NAMES
from wizard.core.shown import argument

# The presets and the document reader are imported when the inputs are read: building a
# parser that has these options (`setup names`, on every Tab of a completion) must not
# load them.
if TYPE_CHECKING:
    from wizard.core.providers import Answers, Preset
    from wizard.core.providers.preset import InputName

# Inputs that only mean something for a named preset; --org-id, --target, --base-url and
# --json-file alone name one (JumpCloud, or another MDM).
PRESET_ONLY = {
    "tenant_id": "--tenant-id",
    "cloud": "--cloud",
    "server_url": "--server-url",
    "enrollment": "--enrollment",
}


def add_mdm_arguments(parser: argparse.ArgumentParser) -> None:
    """--mdm and the inputs that only a named preset takes (--org-id, --target, --base-url
    and --json-file are each command's own, with their meaning unchanged)."""
    parser.add_argument(
        "--mdm",
        metavar="NAME",
        help=f"the MDM: {' '.join(NAMES)} (default: jumpcloud with --org-id, else generic)",
    )
    parser.add_argument("--tenant-id", metavar="GUID", help="intune: the Microsoft Entra tenant ID")
    parser.add_argument(
        "--cloud", metavar="public|usgov|china", help="intune: the Intune cloud (default public)"
    )
    parser.add_argument(
        "--server-url",
        metavar="URL",
        help="jamf, fleet: the server's https URL; ivanti: the cluster's",
    )
    parser.add_argument(
        "--enrollment",
        metavar="user|device",
        help="user (default) or device (jamf only; its device path is unconfirmed by Jamf)",
    )


def named_preset(args: argparse.Namespace) -> Preset | None:
    """The preset asked for with --mdm, or the one the inputs name without it: JumpCloud for
    --org-id, another MDM for a --target, --base-url or --json-file alone. None when nothing
    names one (then the preset-only inputs are refused: each belongs to a named MDM)."""
    from wizard.core.providers import PRESETS, preset_named

    if args.mdm is not None:
        return preset_named(args.mdm)
    for attr, flag in PRESET_ONLY.items():
        if getattr(args, attr, None) is not None:
            raise InvalidInput(f"{flag} needs --mdm NAME ({' '.join(NAMES)})")
    if args.org_id is not None:
        return PRESETS["jumpcloud"]
    if any(getattr(args, attr, None) for attr in ("target", "base_url", "json_file")):
        return PRESETS["generic"]
    return None


def preset_answers(args: argparse.Namespace, preset: Preset, method: str | None) -> Answers:
    """The answers given for `preset`, checked: an input it does not take, a malformed
    value, an enrollment type or method it does not have: InvalidInput in one line."""
    from wizard.core.providers import Answers

    enrollment = args.enrollment or "user"
    if enrollment not in ("user", "device"):
        raise InvalidInput(f"--enrollment {argument(enrollment)} is not user or device")
    json_file = getattr(args, "json_file", None)
    org_id = _normalised(preset, "org-id", args.org_id)
    answers = Answers(
        org_id=validate_org_id(org_id) if org_id is not None else None,
        tenant_id=_normalised(preset, "tenant-id", args.tenant_id),
        cloud=args.cloud,
        server_url=args.server_url.strip() if args.server_url is not None else None,
        base_url=getattr(args, "base_url", None),
        target=getattr(args, "target", None),
        document_text=read_document(json_file) if json_file is not None else None,
        enrollment=enrollment,  # type: ignore[arg-type]
    )
    preset.check_answers(answers, method)
    return answers


def _normalised(preset: Preset, name: InputName, value: str | None) -> str | None:
    """The value as the preset writes it (an upper-case ID in lower case, a GUID without
    braces), with a note on stderr when that is not what was typed."""
    if value is None:
        return None
    written = preset.normalised(name, value)
    if written != value.strip():
        print(f"adue-wizard: note: --{name} {argument(value)} taken as {written}", file=sys.stderr)
    return written


def read_document(path: str) -> str:
    """The --json-file's text, for generate and verify (exit 2 with one line when it cannot
    be read)."""
    from pathlib import Path

    from wizard.core.document import DocumentFileError, read_document_file

    try:
        return read_document_file(Path(path))
    except DocumentFileError as error:
        raise InvalidInput(f"--json-file {argument(path)}: {error}") from None
