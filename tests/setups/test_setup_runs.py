"""A saved setup put to work: the artifact setup its answers describe, verifier options,
and the Markdown report (which must survive hostile server text)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.constants import ORG_ID
from wizard.core.artifacts.model import GenerateError
from wizard.core.codes import CheckId, Code
from wizard.core.domains import InvalidInput
from wizard.core.providers.jumpcloud import discovery_target as jumpcloud_target
from wizard.core.results import Advice, Check, DomainReport, Hop
from wizard.core.setups.options import artifact_setup, verify_options
from wizard.core.setups.report_markdown import markdown_report
from wizard.core.setups.runs import RecordedRun
from wizard.core.setups.state import SetupState, VerifySettings

DOCUMENT = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example/e"}]})


def test_jumpcloud_redirect_targets_the_organization_for_every_domain() -> None:
    domains = ["a.example", "redir.a.example", "b.example"]
    state = SetupState(name="a", org_id=ORG_ID, domains=domains, method="redirect")
    setup, _ = artifact_setup(state)
    assert setup.target == jumpcloud_target(ORG_ID) and setup.domains == tuple(domains)


def test_generic_provider_uses_its_own_urls() -> None:
    state = SetupState(
        name="g",
        provider="generic",
        org_id=ORG_ID,  # left from a JumpCloud answer: not this target's organization
        domains=["g.example"],
        method="redirect",
        generic_target="https://mdm.example/discover",
    )
    setup = artifact_setup(state)[0]
    assert setup.target == "https://mdm.example/discover"
    assert ORG_ID not in setup.mdm.header and "--org-id" not in setup.mdm.verify_arguments
    state.method = "self-host"
    state.generic_base_url = "https://mdm.example/enroll"
    built = artifact_setup(state)[0].document
    assert built is not None and json.loads(built)["Servers"][0]["BaseURL"].endswith("/enroll")


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (SetupState(name="x"), "Redirect or Self-Host"),
        (SetupState(name="x", org_id=ORG_ID, method="self-host"), "import the JSON"),
        (SetupState(name="x", provider="generic", method="redirect"), "discovery URL"),
        (SetupState(name="x", provider="generic", method="self-host"), "BaseURL"),
    ],
)
def test_what_is_missing_is_named(state: SetupState, message: str) -> None:
    with pytest.raises(GenerateError, match=message):
        artifact_setup(state)


def test_imported_document_is_used_as_is() -> None:
    state = SetupState(name="x", org_id=ORG_ID, method="self-host", document_text=DOCUMENT)
    assert artifact_setup(state)[0].document == DOCUMENT


def test_verify_options_from_settings() -> None:
    state = SetupState(
        name="x",
        org_id=ORG_ID,
        settings=VerifySettings(
            connect_to=["::127.0.0.1:8443"], timeout=3, user="ada", model_family="ipad,iPhone"
        ),
    )
    options = verify_options(state, probe_enroll=True)
    assert options.mdm == "jumpcloud" and options.mdm_answers.org_id == ORG_ID
    assert options.timeout == 3 and options.user == "ada"
    assert options.model_families == ("iPad", "iPhone") and options.probe_enroll
    assert options.connect_to[0].target_port == 8443
    state.provider = "generic"
    # JumpCloud's organization rule only for JumpCloud.
    assert verify_options(state).mdm_answers.org_id is None
    state.settings.connect_to = ["nonsense"]
    with pytest.raises(InvalidInput):
        verify_options(state)


def test_markdown_report_keeps_server_text_inert() -> None:
    state = SetupState(name="x.example", org_id=ORG_ID, domains=["x.example"])
    hostile = "a|b\x1b[31m\nc"
    failing = Check(CheckId.STATUS, "fail", hostile, Code.BAD_STATUS, None, Advice("", "Fix it."))
    result = DomainReport(
        domain="x.example",
        checks=[failing],
        hops=[Hop(url="https://x.example/" + hostile, status=404)],
    )
    state.show_run(RecordedRun.of([result], [], datetime(2026, 1, 1, tzinfo=UTC)), [result])
    report = markdown_report(state)
    assert "\x1b" not in report
    assert "a\\|b\\x1b[31m\\nc" in report
    assert "| status | fail |" in report and "failed (bad_status)" in report
