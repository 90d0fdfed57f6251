"""The options every command that reads JumpCloud takes (`--region`, `--api-url`,
`--api-key-file`), and the key read from where they say. There is deliberately no option
that takes the key itself: a process list shows every argument to every user."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.jumpcloud.access import JumpCloudAccess
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store
    from wizard.core.verify.options import VerifyOptions

REGIONS = ("us", "eu", "in")
# Two reads before a verify run: bounded well inside a cron job's patience.
CONFIGURATION_TIMEOUT = 15.0


def add_api_arguments(parser: argparse.ArgumentParser, *, saved: bool = False) -> None:
    """The three options; `saved`: the command saves --region/--api-url with --setup."""
    parser.add_argument(
        "--region",
        choices=REGIONS,
        help="JumpCloud's region (default us, or the saved setup's"
        + ("; saved with --setup)" if saved else ")"),
    )
    parser.add_argument(
        "--api-url",
        metavar="URL",
        help="another https base URL for JumpCloud's API (or $JUMPCLOUD_API_URL)",
    )
    parser.add_argument(
        "--api-key-file",
        metavar="FILE",
        help="read the JumpCloud API key from the first line of FILE (else "
        "$JUMPCLOUD_API_KEY, else asked without echo on a terminal); never give the key "
        "itself on the command line, where every user of the machine can see it",
    )


def remember_api(args: argparse.Namespace, store: Store, state: SetupState) -> None:
    """A --region or --api-url given with --setup is saved with it (never the key), so the
    next run and the wizard reach the same JumpCloud."""
    from wizard.core.jumpcloud.regions import checked_api_url

    if args.region is None and args.api_url is None:
        return
    if args.region is not None:
        state.jumpcloud_region = args.region
        state.jumpcloud_api_url = None
    if args.api_url is not None:
        state.jumpcloud_api_url = checked_api_url(args.api_url, "--api-url")
    store.save(state)


def api_access(
    args: argparse.Namespace,
    state: SetupState | None,
    *,
    timeout: float,
    ask: bool = True,
) -> JumpCloudAccess | None:
    """Where JumpCloud is (the options, else the saved setup's, else us) and the key; None
    when no key was given. `ask`: prompt without echo when stdin is a terminal."""
    # The JumpCloud modules load only for a command that talks to JumpCloud.
    from wizard.core.jumpcloud.access import JumpCloudAccess
    from wizard.core.jumpcloud.regions import api_base
    from wizard.core.jumpcloud.secret import read_api_key

    region = args.region or (state.jumpcloud_region if state is not None else None)
    api_url = args.api_url or (state.jumpcloud_api_url if state is not None else None)
    base = api_base(region, api_url, os.environ)
    key_file = Path(args.api_key_file) if args.api_key_file is not None else None
    # Asked only on a terminal: a cron job must not hang on a prompt nobody sees.
    prompt = _ask if ask and sys.stdin.isatty() else None
    key = read_api_key(os.environ, key_file, prompt)
    return JumpCloudAccess(base, key, timeout) if key is not None else None


def _ask(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def compared_with_jumpcloud(
    args: argparse.Namespace, state: SetupState, options: VerifyOptions
) -> VerifyOptions:
    """For a saved JumpCloud setup, when a key is available (never asked for: `verify` runs
    from cron): the options with JumpCloud's own configuration as what the domain must
    serve (self-host) or reach (redirect), so a mismatch names it. Without a key, or when
    JumpCloud cannot be read (one line on stderr), the options as they were."""
    import asyncio

    from wizard.core.jumpcloud.access import read_adue_configuration
    from wizard.core.jumpcloud.errors import ApiError
    from wizard.core.setups.options import with_jumpcloud_configuration
    from wizard.core.shown import printable

    if state.provider != "jumpcloud" or state.method is None:
        return options
    access = api_access(args, state, timeout=CONFIGURATION_TIMEOUT, ask=False)
    if access is None:
        return options
    try:
        config = asyncio.run(read_adue_configuration(access, state.org_id))
    except ApiError as error:
        print(
            f"adue-wizard: not compared with JumpCloud's configuration: {printable(str(error))}",
            file=sys.stderr,
        )
        return options
    return with_jumpcloud_configuration(state, options, config)
