"""`adue-wizard notify list|remove|test`, as an admin runs them; `test` against webhooks
over HTTPS (a trustme CA, named by SSL_CERT_FILE as for other tools) and plain HTTP."""

from __future__ import annotations

from pathlib import Path

from tests.support.commands import one_line, run_cli
from tests.support.constants import DOMAIN
from tests.support.https_server import HTTPSServer, respond
from tests.support.webhooks import SECRET, messages, refusing_url, webhook_on
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store


def saved(folder: Path, *names: str) -> None:
    for name in names or (DOMAIN,):
        Store(folder).save(SetupState(name=name, domains=[DOMAIN]))


def test_list_shows_each_url_hidden_with_its_index_and_remove_takes_it(
    isolated_state: Path,
) -> None:
    saved(isolated_state, "acme.example", "beta.example")
    for name, url in (
        ("beta.example", f"https://hooks.slack.com/{SECRET}"),
        ("acme.example", f"https://chat.example.org/hooks/{SECRET}"),
        ("acme.example", f"http://127.0.0.1:9000/{SECRET}"),
    ):
        assert run_cli("notify", "add", name, url, state=isolated_state).returncode == 0
    again = run_cli(
        "notify", "add", "acme.example", f"http://127.0.0.1:9000/{SECRET}", state=isolated_state
    )
    assert again.returncode == 0 and "already" in again.stdout
    listed = run_cli("notify", "list", state=isolated_state)
    assert listed.stdout.splitlines() == [
        "acme.example",
        "  1. https://chat.example.org/...",
        "  2. http://127.0.0.1:9000/...",
        "beta.example",
        "  1. https://hooks.slack.com/...",
    ]
    removed = run_cli("notify", "remove", "acme.example", "1", state=isolated_state)
    assert removed.returncode == 0
    assert (
        removed.stdout.strip()
        == "Removed webhook 1 of acme.example (https://chat.example.org/...)."
    )
    only = run_cli("notify", "list", "acme.example", state=isolated_state)
    assert only.stdout.splitlines() == ["acme.example", "  1. http://127.0.0.1:9000/..."]
    assert SECRET not in listed.stdout + removed.stdout + only.stdout


def test_bad_names_and_indexes_are_refused_in_one_line(isolated_state: Path) -> None:
    saved(isolated_state)
    url = f"https://hooks.example.com/{SECRET}"
    assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    for command, said in (
        (["notify", "add", "nope.example", url], "no saved setup named 'nope.example'"),
        (["notify", "list", "nope.example"], "no saved setup named 'nope.example'"),
        (["notify", "remove", DOMAIN, "2"], "has no webhook 2 (1 to 1)"),
        (["notify", "remove", DOMAIN, "0"], "must be 1 or more"),
        (["notify", "test", "nope.example"], "no saved setup named 'nope.example'"),
        (["notify", "add", "../x", url], "is not a setup name"),
        # The URL given where NAME goes: refused without repeating it.
        (["notify", "add", url], "NAME comes first"),
        (["notify", "test", url], "NAME comes first"),
        (["notify", "--api-key", url], "not a command"),
    ):
        result = run_cli(*command, state=isolated_state)
        assert result.returncode == 2, command
        line = one_line(result.stderr)
        assert said in line and SECRET not in line, line
    saved(isolated_state, "bare.example")
    bare = run_cli("notify", "test", "bare.example", state=isolated_state)
    assert bare.returncode == 2 and "has no saved webhooks" in bare.stderr
    assert run_cli("notify", "list", "bare.example", state=isolated_state).returncode == 0


def test_test_sends_to_each_over_https_and_http_and_says_which_failed(
    server: HTTPSServer, relay: HTTPSServer, ca_bundle: Path, isolated_state: Path
) -> None:
    saved(isolated_state)
    over_https = webhook_on(server, path="https/" + SECRET)
    over_http = webhook_on(relay)
    for url in (over_https, over_http):
        assert run_cli("notify", "add", DOMAIN, url, state=isolated_state).returncode == 0
    trusted = {"SSL_CERT_FILE": str(ca_bundle)}
    result = run_cli("notify", "test", DOMAIN, state=isolated_state, env=trusted)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"  1. https://127.0.0.1:{server.port}/... delivered",
        f"  2. http://127.0.0.1:{relay.port}/... delivered",
    ]
    [sent_https] = messages(server, "https/" + SECRET)
    [sent_http] = messages(relay)
    assert sent_https == sent_http
    assert sent_https["setup"] == DOMAIN and sent_https["domain"] is None
    assert "Test message" in sent_https["text"]

    # Without the test CA the HTTPS one is not delivered; a refusing one neither.
    refusing = refusing_url()
    assert run_cli("notify", "add", DOMAIN, refusing, state=isolated_state).returncode == 0
    failed = run_cli("notify", "test", DOMAIN, state=isolated_state)
    assert failed.returncode == 1
    lines = failed.stdout.splitlines()
    assert lines[0].startswith(f"  1. https://127.0.0.1:{server.port}/... not delivered: could not")
    assert "CERTIFICATE_VERIFY_FAILED" in lines[0]
    assert lines[1] == f"  2. http://127.0.0.1:{relay.port}/... delivered"
    assert lines[2].startswith("  3. http://127.0.0.1:") and "not delivered" in lines[2]
    assert one_line(failed.stderr) == "adue-wizard: 2 of 3 webhooks not delivered"
    assert SECRET not in failed.stdout + failed.stderr


def test_a_webhook_that_redirects_is_not_delivered_and_not_followed(
    relay: HTTPSServer, isolated_state: Path
) -> None:
    saved(isolated_state)
    elsewhere = webhook_on(relay, path="elsewhere")
    moved = webhook_on(relay, respond(302, "", {"Location": elsewhere}))
    assert run_cli("notify", "add", DOMAIN, moved, state=isolated_state).returncode == 0
    result = run_cli("notify", "test", DOMAIN, state=isolated_state)
    assert result.returncode == 1
    assert "it answered 302 (redirects are not followed)" in result.stdout
    assert messages(relay, "elsewhere") == []
