"""What the commands that talk to JumpCloud share: where its API is (`--region`,
`--api-url`, `$JUMPCLOUD_API_URL`, or the setup's), the API key (`--api-key-file`,
`$JUMPCLOUD_API_KEY`, or asked for without echo on a terminal; never a value on the
command line, where every user of the machine can read it) and `--timeout`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from wizard.cli.parsing import positive_float

if TYPE_CHECKING:
    from wizard.core.jumpcloud.secret import ApiKey
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store

REGIONS = ("us", "eu", "in")
KEY_FILE_HELP = (
    "read the JumpCloud API key from the first line of FILE (else $JUMPCLOUD_API_KEY, else "
    "asked without echo on a terminal); never a value on the command line, where every user "
    "of the machine can see it"
)


def add_api_arguments(
    parser: argparse.ArgumentParser,
    *,
    region: bool = True,
    timeout_help: str = "deadline for the API work (default 30)",
) -> None:
    """`--region` (when `region`), `--api-url`, `--api-key-file` and `--timeout`."""
    if region:
        parser.add_argument(
            "--region",
            choices=REGIONS,
            help="JumpCloud's region (default us, or the setup's; saved with --setup)",
        )
    parser.add_argument(
        "--api-url",
        metavar="URL",
        help="another https base URL for JumpCloud's API (or $JUMPCLOUD_API_URL)",
    )
    parser.add_argument("--api-key-file", metavar="FILE", help=KEY_FILE_HELP)
    parser.add_argument(
        "--timeout", type=positive_float, default=30.0, metavar="S", help=timeout_help
    )


def api_base_for(args: argparse.Namespace, state: SetupState | None) -> str:
    """The API's base URL: `--api-url`, else the setup's URL, else `$JUMPCLOUD_API_URL`,
    else the region given or saved (us when neither)."""
    from wizard.core.jumpcloud.regions import api_base

    region = getattr(args, "region", None) or (state.jumpcloud_region if state else None)
    api_url = args.api_url if args.api_url is not None else None
    if api_url is None and state is not None:
        api_url = state.jumpcloud_api_url
    return api_base(region, api_url, os.environ)


def remember_api(args: argparse.Namespace, store: Store, state: SetupState) -> None:
    """Save `--region` / `--api-url` with the setup (never the key): the next command and
    the wizard use them."""
    from wizard.core.jumpcloud.regions import api_base

    region = getattr(args, "region", None)
    if region is None and args.api_url is None:
        return
    state.jumpcloud_region = region or state.jumpcloud_region
    if args.api_url is not None:
        state.jumpcloud_api_url = api_base(None, args.api_url, {})
    store.save(state)


def api_key(args: argparse.Namespace) -> ApiKey | None:
    """The key from `--api-key-file`, `$JUMPCLOUD_API_KEY`, or a no-echo prompt when stdin
    is a terminal (a cron job must not hang on a prompt nobody sees); None without one."""
    from pathlib import Path

    from wizard.core.jumpcloud.secret import read_api_key

    key_file = Path(args.api_key_file) if args.api_key_file is not None else None
    ask = _ask if sys.stdin.isatty() else None
    return read_api_key(os.environ, key_file, ask)


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)
