"""The presets' rules without a network: inputs checked with words that say where the value
is, documents judged with the expected value named, MDMs recognised from URLs, and the
command line's exit-2 rules for --mdm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.commands import routed, run_cli, run_in_process
from tests.support.constants import (
    DISCOVERY,
    DOMAIN,
    JUMPCLOUD,
    ORG_ID,
    TENANT,
    WELL_KNOWN,
    WELL_KNOWN_FILE,
)
from tests.support.https_server import HTTPSServer, json_document
from wizard.core.providers import NAMES, PRESETS, Answers, Preset, preset_named, recognise
from wizard.core.providers.intune import tenant_problem

INTUNE = f"https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId={TENANT}"


def test_the_presets_are_the_issue_names_with_jumpcloud_first() -> None:
    assert NAMES == ("jumpcloud", "intune", "jamf", "fleet", "manageengine", "ivanti", "generic")
    assert PRESETS["intune"].methods == ("self-host",)
    assert PRESETS["ivanti"].methods == ("redirect",)
    assert [name for name in NAMES if "device" in PRESETS[name].enrollments] == ["jamf", "generic"]
    assert "third-party" in " ".join(PRESETS["jamf"].unconfirmed)
    assert "The Enrollment SSO application has been installed on the device" in " ".join(
        PRESETS["intune"].traps
    )
    assert "Unassigned" in " ".join(PRESETS["fleet"].traps)


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "empty"),
        ("contoso.onmicrosoft.com", "looks like a domain"),
        (f"https://x/?aadTenantId={TENANT}", "URL"),
        ("1234", "not a GUID"),
    ],
)
def test_a_wrong_tenant_id_says_what_is_wrong_and_where_it_is(typed: str, words: str) -> None:
    problem = tenant_problem(typed)
    assert problem is not None and words in problem
    assert "Microsoft Entra admin center" in problem
    assert tenant_problem(TENANT) is None


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (INTUNE, "intune"),
        ("https://manage.microsoft.us/EnrollmentServer/x", "intune"),
        (f"https://{JUMPCLOUD}{DISCOVERY}?x=1", "jumpcloud"),
        ("https://jamf.acme.test:8443/servicediscoveryenrollment/v1/userenroll", "jamf"),
        ("https://fleet.acme.test/api/mdm/apple/account_driven_enroll/tok3n", "fleet"),
        ("https://mdm.manageengine.eu/mdm/client/v1/enroll?templateToken=a", "manageengine"),
        ("https://na1.ivanti.test/c/i/reg/userenroll.mobileconfig", "ivanti"),
        ("https://mdm.acme.test/enroll", None),
    ],
)
def test_recognise(url: str, name: str | None) -> None:
    found = recognise(url)
    assert (found.name if found else None) == name


def test_intune_document_judged_with_the_expected_value_named() -> None:
    intune = PRESETS["intune"]
    answers = Answers(tenant_id=TENANT)
    assert intune.document_problem(answers, "mdm-byod", INTUNE) is None
    other = INTUNE.replace("0f0e", "aaaa")
    problem = intune.document_problem(answers, "mdm-byod", other)
    assert problem is not None and INTUNE in problem
    problem = intune.document_problem(Answers(tenant_id=TENANT, cloud="usgov"), "mdm-byod", INTUNE)
    assert problem is not None and "manage.microsoft.us" in problem
    problem = intune.document_problem(answers, "mdm-adde", INTUNE)
    assert problem is not None and '"mdm-byod"' in problem


def test_jamf_versions_follow_the_enrollment_type() -> None:
    jamf = PRESETS["jamf"]
    user = "https://acme.jamfcloud.com/servicediscoveryenrollment/v1/userenroll"
    device = user.replace("userenroll", "deviceenroll")
    assert jamf.document_problem(Answers(), "mdm-byod", user) is None
    device_answers = Answers(enrollment="device")
    assert jamf.document_problem(device_answers, "mdm-adde", device) is None
    problem = jamf.document_problem(Answers(), "mdm-adde", device)
    assert problem is not None and "--enrollment device" in problem
    problem = jamf.document_problem(device_answers, "mdm-adde", user)
    assert problem is not None and "deviceenroll" in problem


def test_fleet_accepts_the_path_with_and_without_a_token() -> None:
    fleet = PRESETS["fleet"]
    answers = Answers(server_url="https://fleet.acme.test")
    base = "https://fleet.acme.test/api/mdm/apple/account_driven_enroll"
    assert fleet.document_problem(answers, "mdm-byod", base) is None
    assert fleet.document_problem(answers, "mdm-byod", base + "/abc123") is None
    problem = fleet.document_problem(answers, "mdm-byod", base + "/a/b")
    assert problem is not None
    problem = fleet.document_problem(answers, "mdm-byod", base.replace("acme", "other"))
    assert problem is not None and base in problem


def redirect_problem(
    preset: Preset, answers: Answers, domain: str, visited: list[str]
) -> str | None:
    """The preset's judgement of a chain, as words (the code is bad_config for these)."""
    judged = preset.redirect_problem(answers, domain, visited)
    if judged is None:
        return None
    assert judged[0] == "bad_config"
    return judged[1]


def test_ivanti_redirect_must_carry_the_device_query_to_the_cluster() -> None:
    ivanti = PRESETS["ivanti"]
    answers = Answers(server_url="https://na1.ivanti.test")
    target = f"https://na1.ivanti.test{WELL_KNOWN}"
    start = f"https://{DOMAIN}{WELL_KNOWN}?user-identifier=a"
    query = f"?user-identifier=a%40{DOMAIN}&model-family=iPhone"
    assert redirect_problem(ivanti, answers, DOMAIN, [start, target + query]) is None
    problem = redirect_problem(ivanti, answers, DOMAIN, [start, target])
    assert problem is not None and "query" in problem
    problem = redirect_problem(ivanti, answers, DOMAIN, [start])
    assert problem is not None and target in problem


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--mdm", "mobileiron"], "jumpcloud intune jamf fleet manageengine ivanti generic"),
        (["--mdm", "intune", "--org-id", ORG_ID], "--org-id is not an input"),
        (
            ["--mdm", "intune", "--method", "redirect", "--tenant-id", TENANT],
            "only --method self-host",
        ),
        (["--mdm", "ivanti", "--method", "self-host"], "only --method redirect"),
        (["--mdm", "intune"], "--tenant-id"),
        (["--mdm", "intune", "--tenant-id", "nope"], "--tenant-id"),
        (["--mdm", "intune", "--tenant-id", TENANT, "--cloud", "mars"], "--cloud"),
        (["--mdm", "jamf", "--server-url", "http://jamf.acme.test"], "https://"),
        (["--mdm", "jamf"], "--server-url"),
        (["--mdm", "fleet", "--server-url", "https://f.test", "--enrollment", "device"], "user"),
        (["--mdm", "manageengine"], "--json-file"),
        (["--tenant-id", TENANT], "--mdm"),
    ],
)
def test_generate_exit_2_rules(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    method = [] if "--method" in args else ["--method", "self-host"]
    code, out, err = run_in_process(capsys, "generate", "--platform", "nginx", *method, *args)
    assert (code, out) == (2, "")
    assert words in err and len(err.splitlines()) == 1


def test_verify_refuses_what_the_preset_does_not_take(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys, "verify", DOMAIN, "--mdm", "intune", "--server-url", "https://x.test"
    )
    assert (code, out) == (2, "") and "--server-url is not an input of --mdm intune" in err
    code, out, err = run_in_process(capsys, "verify", DOMAIN, "--mdm", "nope")
    assert (code, out) == (2, "") and "unknown MDM" in err


def test_generate_intune_writes_the_exact_base_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_in_process(
        capsys,
        "generate",
        "--mdm",
        "intune",
        "--tenant-id",
        TENANT,
        "--cloud",
        "china",
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    written = json.loads((tmp_path / WELL_KNOWN_FILE).read_text())
    assert written == {
        "Servers": [{"Version": "mdm-byod", "BaseURL": INTUNE.replace(".com/", ".cn/")}]
    }


def test_generate_jamf_device_enrollment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_in_process(
        capsys,
        "generate",
        "--mdm",
        "jamf",
        "--server-url",
        "https://jamf.acme.test:8443/",
        "--enrollment",
        "device",
        "--method",
        "self-host",
        "--platform",
        "caddy",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    written = json.loads((tmp_path / WELL_KNOWN_FILE).read_text())
    assert written["Servers"][0] == {
        "Version": "mdm-adde",
        "BaseURL": "https://jamf.acme.test:8443/servicediscoveryenrollment/v1/deviceenroll",
    }


def test_preset_names_are_case_insensitive_and_unknown_lists_all() -> None:
    assert preset_named("Intune").name == "intune"


@pytest.mark.parametrize(
    ("saved", "mdm"),
    [
        ({"provider": "generic"}, "generic"),
        ({"provider": "jumpcloud"}, "jumpcloud"),
        ({}, "jumpcloud"),
    ],
)
def test_setups_saved_before_the_presets_open_as_saved(
    saved: dict[str, str], mdm: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schema-2 file written before the presets (no tenant, server URL or enrollment)
    loads, lists and reports its MDM."""
    raw = {
        "schema_version": 2,
        "name": "old.example",
        "domains": ["old.example"],
        "step": "method",
        "created_at": "2026-01-02T03:04:00+00:00",
        "updated_at": "2026-01-02T03:04:00+00:00",
        **saved,
    }
    (tmp_path / "old.example.setup.json").write_text(json.dumps(raw))
    code, out, err = run_in_process(capsys, "status", "--json", "--state-dir", str(tmp_path))
    assert code == 0, err
    [row] = json.loads(out)
    assert row["mdm"] == mdm and row["provider"] == mdm
    code, out, _ = run_in_process(capsys, "history", "old.example", "--state-dir", str(tmp_path))
    assert out.splitlines()[0] == f"old.example: MDM {PRESETS[mdm].title} ({mdm})"

    from wizard.core.setups.store import Store

    [listed] = Store(tmp_path).list_setups()
    assert listed.provider == mdm


def test_the_text_report_names_the_mdm() -> None:
    from wizard.core.results import DomainReport
    from wizard.core.verify.text_report import render_report

    report = DomainReport(DOMAIN, mdm="intune")
    assert "MDM: Microsoft Intune (intune)" in render_report(report, colour=False)
    assert "MDM:" not in render_report(DomainReport(DOMAIN), colour=False)


def test_generic_target_must_be_reached_with_its_own_query() -> None:
    generic = PRESETS["generic"]
    answers = Answers(target="https://mdm.acme.test/discover?tenant=7")
    start = f"https://{DOMAIN}{WELL_KNOWN}?model-family=iPhone"
    reached = "https://mdm.acme.test/discover?tenant=7&model-family=iPhone"
    assert redirect_problem(generic, answers, DOMAIN, [start, reached]) is None
    wrong = reached.replace("tenant=7", "tenant=8")
    problem = redirect_problem(generic, answers, DOMAIN, [start, wrong])
    assert problem is not None and "https://mdm.acme.test/discover?tenant=7" in problem


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--mdm", "intune", "--tenant-id", TENANT], "The Enrollment SSO application"),
        (["--mdm", "fleet", "--server-url", "https://fleet.acme.test"], '"Unassigned"'),
        (["--mdm", "jamf", "--server-url", "https://acme.jamfcloud.com"], "unconfirmed: "),
    ],
)
def test_generate_says_the_mdm_traps_and_unconfirmed_facts(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_in_process(
        capsys, "generate", "--method", "self-host", "--platform", "nginx", "--raw", *args
    )
    assert code == 0 and "location" in out  # stdout is the artifact alone
    assert said in err


def test_intune_judges_the_public_cloud_when_none_is_given() -> None:
    """`--cloud` defaults to public for `verify` as for `generate`: a document on the US
    Government host used to pass `verify --mdm intune --tenant-id` without `--cloud`."""
    intune = PRESETS["intune"]
    us = INTUNE.replace("manage.microsoft.com", "manage.microsoft.us")
    problem = intune.document_problem(Answers(tenant_id=TENANT), "mdm-byod", us)
    assert problem is not None and "--cloud usgov" in problem and INTUNE in problem
    assert intune.document_problem(Answers(tenant_id=TENANT, cloud="usgov"), "mdm-byod", us) is None


def test_verify_of_an_intune_document_on_another_cloud_fails(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    us = INTUNE.replace("manage.microsoft.com", "manage.microsoft.us")
    document = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": us}]})
    server.route(WELL_KNOWN, json_document(document))
    args = ("verify", DOMAIN, "--mdm", "intune", "--tenant-id", TENANT, "--json")
    result = run_cli(*args, *routed(server, ca_bundle))
    assert result.returncode == 1, result.stderr
    line = json.loads(result.stdout)
    assert line["failure"] == "bad_config" and line["mdm"] == "intune"


@pytest.mark.parametrize(
    ("mdm", "where"),
    [
        ("jamf", "the address you sign in to Jamf Pro at"),
        ("fleet", "Fleet > Settings > Organization settings"),
        ("ivanti", "Ivanti Neurons for MDM cluster"),
    ],
)
def test_a_server_url_is_checked_alike_saying_where_each_mdm_shows_it(
    capsys: pytest.CaptureFixture[str], mdm: str, where: str
) -> None:
    preset = PRESETS[mdm]
    assert where in (preset.input_problem("server-url", " ") or "")
    assert preset.input_problem("server-url", "https://mdm.example.test") is None
    code, out, err = run_in_process(
        capsys, "verify", DOMAIN, "--mdm", mdm, "--server-url", "http://mdm.example.test"
    )
    assert (code, out) == (2, "")
    assert "must start with https:// and name the host" in err and where in err, err
