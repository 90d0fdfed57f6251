"""Words for the MDM the admin uses: a fix names the console of the MDM the domain is judged
against (or points at), and an MDM portal's messages are quoted only for that MDM; without
one, the words are generic."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from tests.support.commands import routed, run_cli
from tests.support.constants import DOMAIN, GOOD, ORG_ID, TENANT, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import server_context
from wizard.core.codes import Code
from wizard.core.diagnosis.remedies import CATALOGUE, DOCUMENT_AGAIN, remedy_for
from wizard.core.providers import PRESETS

StartServer = Callable[[ssl.SSLContext], HTTPSServer]
# The one code only JumpCloud's rules produce: its words are JumpCloud's by nature.
JUMPCLOUD_ONLY = {Code.WRONG_ORG_ID}


@pytest.mark.parametrize("name", [None, *(name for name in PRESETS if name != "jumpcloud")])
def test_no_jumpcloud_words_in_any_fix_for_another_mdm(name: str | None) -> None:
    preset = PRESETS[name] if name else None
    for code in CATALOGUE:
        if code in JUMPCLOUD_ONLY:
            continue
        remedy = remedy_for(code, preset)
        assert "JumpCloud" not in remedy.problem + remedy.fix, (name, code)
        assert "{document_again}" not in remedy.fix, (name, code)
    if preset is not None:
        assert not preset.portal_messages and preset.portal is None


def test_each_mdm_says_where_its_document_comes_from_again() -> None:
    fixes = {name: remedy_for(Code.BAD_CONFIG, PRESETS[name]).fix for name in PRESETS}
    assert "Self Host > Download JSON" in fixes["jumpcloud"]
    assert "--mdm intune --tenant-id GUID" in fixes["intune"]
    assert "--mdm jamf --server-url URL" in fixes["jamf"]
    assert DOCUMENT_AGAIN in fixes["generic"] and DOCUMENT_AGAIN in fixes["ivanti"]
    assert DOCUMENT_AGAIN in remedy_for(Code.BAD_JSON).fix


def test_a_mismatched_certificate_quotes_the_portal_only_for_jumpcloud(
    start_server: StartServer, ca: trustme.CA, ca_bundle: Path
) -> None:
    """Without --mdm and with nothing pointing at JumpCloud, no "JumpCloud portal" line."""
    server = start_server(server_context(ca.issue_cert("other.test")))
    server.route(WELL_KNOWN, json_document(GOOD))

    def report(*args: str) -> str:
        result = run_cli("verify", DOMAIN, *routed(server, ca_bundle), *args)
        assert result.returncode == 1 and "tls_hostname_mismatch" in result.stdout, result
        return result.stdout

    assert "JumpCloud" not in report()
    assert "JumpCloud" not in report("--mdm", "intune", "--tenant-id", TENANT)
    assert 'JumpCloud portal: "Verification failed to get a well-known URL.' in report(
        "--org-id", ORG_ID
    )


@pytest.mark.parametrize(
    ("args", "says", "never"),
    [
        ((), DOCUMENT_AGAIN, "JumpCloud"),
        (("--mdm", "intune", "--tenant-id", TENANT), "--tenant-id GUID", "JumpCloud"),
        (("--org-id", ORG_ID), "Self Host > Download JSON", "your MDM again"),
    ],
)
def test_a_wrong_document_is_fixed_in_the_words_of_the_mdm_in_question(
    server: HTTPSServer, ca_bundle: Path, args: tuple[str, ...], says: str, never: str
) -> None:
    server.route(WELL_KNOWN, json_document('{"Servers": [{"Version": "mdm-byod"}]}'))
    result = run_cli("verify", DOMAIN, "--json", *routed(server, ca_bundle), *args)
    assert result.returncode == 1, result.stderr
    assert '"failure": "bad_config"' in result.stdout
    assert says in result.stdout and never not in result.stdout
