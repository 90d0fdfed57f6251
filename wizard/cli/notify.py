"""`adue-wizard notify add|list|remove|test`: the webhooks a saved setup's runs post to when
a domain's state changes (see `verify --notify`).

A webhook URL is a secret: it is saved apart from the setup (mode 0600), shown only as its
scheme and host, and best kept off the command line, which every user of the machine can
read in the process list: `notify add NAME` (or `notify add NAME -`) reads it from a prompt
that does not echo, or from standard input.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    open_store,
    positive_int,
    print_notices,
)
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import argument, printable

if TYPE_CHECKING:
    from wizard.core.setups.store import Store
    from wizard.core.setups.webhooks import SavedWebhooks

# The core (the store, and httpx for `test`) is imported inside the functions: building this
# command's parser must stay cheap.

FROM_STDIN = "-"
# A webhook URL is far shorter; a longer line is not one.
MAX_STDIN_CHARS = 8192


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    notify = commands.add_parser(
        "notify",
        help="webhooks told when a setup's domain changes between pass and fail",
        description="Save, list, remove and test the webhooks (Slack, Mattermost, "
        "Rocket.Chat incoming webhooks, or any URL taking a JSON POST) that `verify --setup "
        "NAME` posts to when a domain's state changes from the previous recorded run. Each "
        "URL is saved apart from the setup, readable only by you, and never shown in full.",
        **examples(
            "adue-wizard notify add example.com",
            "adue-wizard notify list",
            "adue-wizard notify test example.com",
        ),
    )
    actions = notify.add_subparsers(
        dest="notify_command",
        metavar="ACTION",
        required=True,
        parser_class=Parser,
        help="add, list, remove or test (adue-wizard notify ACTION --help for its options)",
    )
    add = actions.add_parser(
        "add",
        help="save a webhook URL for a setup",
        description="Save a webhook URL for a setup. Without URL (or with -), it is read "
        "from a prompt that does not echo, or from standard input: a URL on the command "
        "line shows in the process list, and the URL is the webhook's secret.",
        **examples(
            "adue-wizard notify add example.com",
            "printf '%s\\n' \"$WEBHOOK_URL\" | adue-wizard notify add example.com -",
        ),
    )
    add.add_argument("name", metavar="NAME", help="the setup (see adue-wizard status)")
    add.add_argument(
        "url",
        metavar="URL",
        nargs="?",
        default=FROM_STDIN,
        help="https://... (http:// only to this machine); - or nothing: read it from "
        "standard input or a prompt",
    )
    add_state_dir(add)
    listing = actions.add_parser(
        "list",
        help="list the saved webhooks, each hidden, with its index",
        description="List the saved webhooks of every setup, or of NAME: each as its scheme "
        "and host only, with the index `notify remove` takes.",
        **examples(
            "adue-wizard notify list",
            "adue-wizard notify list example.com",
        ),
    )
    listing.add_argument("name", metavar="NAME", nargs="?", help="only this setup")
    add_state_dir(listing)
    remove = actions.add_parser(
        "remove",
        help="remove a saved webhook",
        description="Remove the webhook at INDEX (see notify list) from a setup.",
        **examples(
            "adue-wizard notify remove example.com 1",
            "adue-wizard --state-dir /srv/adue notify remove corp 2",
        ),
    )
    remove.add_argument("name", metavar="NAME", help="the setup")
    remove.add_argument("index", metavar="INDEX", type=positive_int, help="as notify list shows")
    add_state_dir(remove)
    test = actions.add_parser(
        "test",
        help="send a test message to each of a setup's webhooks",
        description="Send a test message to each saved webhook of NAME. Exit status: 0 "
        "every one delivered, 1 one was not, 2 bad usage or none saved.",
        **examples(
            "adue-wizard notify test example.com",
            "adue-wizard --state-dir /srv/adue notify test corp",
        ),
    )
    test.add_argument("name", metavar="NAME", help="the setup")
    add_state_dir(test)


def run(args: argparse.Namespace) -> int:
    from wizard.core.setups.webhooks import SavedWebhooks, WebhookFileError

    store = open_store(args)
    saved = SavedWebhooks(store.folder)
    action = {"add": _add, "list": _list, "remove": _remove, "test": _test}
    try:
        return action[args.notify_command](args, store, saved)
    except WebhookFileError as error:
        print(f"adue-wizard: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        print_notices(store)


def _add(args: argparse.Namespace, store: Store, saved: SavedWebhooks) -> int:
    from wizard.core.watch.webhooks import check_webhook_url, hidden

    name = _existing_setup(store, args.name)
    url = check_webhook_url(_read_url() if args.url == FROM_STDIN else args.url.strip())
    index, new = saved.add(name, url)
    if not new:
        print(f"Webhook {index} of {name} is already {hidden(url)}; nothing changed.")
        return EXIT_OK
    print(
        f"Saved webhook {index} of {name}: {hidden(url)} (in {printable(str(saved.path))}, "
        "readable only by you). `adue-wizard verify --setup` now posts to it when a "
        f"domain's state changes; `adue-wizard notify test {name}` sends a test message."
    )
    return EXIT_OK


def _list(args: argparse.Namespace, store: Store, saved: SavedWebhooks) -> int:
    from wizard.core.watch.webhooks import hidden

    every = saved.all()
    if args.name is not None:
        name = _setup_name(args.name)
        if name not in every:
            _existing_setup(store, name)  # no such setup: say so, exit 2
            print(f"No saved webhooks for {name} (adue-wizard notify add {name} saves one).")
            return EXIT_OK
        every = {name: every[name]}
    if not every:
        print("No saved webhooks (adue-wizard notify add NAME saves one).")
        return EXIT_OK
    setups = set(store.names())
    for name, urls in every.items():
        gone = "" if name in setups else "  (no saved setup of this name)"
        print(printable(name) + gone)
        for index, url in enumerate(urls, 1):
            print(f"  {index}. {hidden(url)}")
    return EXIT_OK


def _remove(args: argparse.Namespace, store: Store, saved: SavedWebhooks) -> int:
    from wizard.core.watch.webhooks import hidden

    name = _setup_name(args.name)
    if name not in saved.all():
        _existing_setup(store, name)
        raise InvalidInput(f"setup {argument(name)} has no saved webhooks")
    removed = saved.remove(name, args.index)
    print(f"Removed webhook {args.index} of {name} ({hidden(removed)}).")
    return EXIT_OK


def _test(args: argparse.Namespace, store: Store, saved: SavedWebhooks) -> int:
    from wizard.core.setups.state import now
    from wizard.core.watch.notify import deliver, sample_message
    from wizard.core.watch.webhooks import hidden

    name = _setup_name(args.name)
    urls = saved.urls(name)
    if not urls:
        _existing_setup(store, name)
        raise InvalidInput(
            f"setup {argument(name)} has no saved webhooks (adue-wizard notify add {name})"
        )
    deliveries = deliver(urls, [sample_message(name, now())])
    for index, delivery in enumerate(deliveries, 1):
        if delivery.delivered:
            print(f"  {index}. {hidden(delivery.url)} delivered")
        else:
            print(f"  {index}. {delivery.line(1).removeprefix('webhook ')}")
    failed = sum(1 for delivery in deliveries if not delivery.delivered)
    if failed:
        print(f"adue-wizard: {failed} of {len(deliveries)} webhooks not delivered", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _setup_name(text: str) -> str:
    """A setup name; a URL where the name goes (`notify add URL`) is refused without being
    repeated, since it is a secret."""
    if "://" in text:
        raise InvalidInput(
            "NAME comes first, then the URL: notify add NAME URL (the URL is not repeated "
            "here; `notify add NAME -` reads it from standard input)"
        )
    return check_setup_name(text)


def _existing_setup(store: Store, name: str) -> str:
    _setup_name(name)
    if name not in store.names():
        raise InvalidInput(
            f"no saved setup named {argument(name)} in {argument(str(store.folder))}"
        )
    return name


def _read_url() -> str:
    """The URL from a prompt that does not echo (a terminal), else one line of stdin."""
    if sys.stdin.isatty():
        import getpass

        text = getpass.getpass("Webhook URL (not shown): ")
    else:
        text = sys.stdin.readline(MAX_STDIN_CHARS + 1)
        if len(text) > MAX_STDIN_CHARS:
            raise InvalidInput("the line on standard input is too long for a webhook URL")
    text = text.strip()
    if not text:
        raise InvalidInput("no webhook URL given (on standard input, or after NAME)")
    return text
