"""Artifacts for every platform: structure (IIS XML, Cloudflare payload), the rules every
artifact keeps (header, no secrets, no broken targets), and `adue-wizard generate`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from tests.support.commands import run_cli
from tests.support.constants import ORG_ID, WELL_KNOWN, WELL_KNOWN_FILE
from tests.support.generating import prepared
from wizard.core.artifacts.model import GenerateError, Plan
from wizard.core.artifacts.platforms import PLATFORMS, generate
from wizard.core.providers import PRESETS
from wizard.core.providers.jumpcloud import discovery_target as jumpcloud_target

DOMAIN = "example.org"
DOCUMENT = json.dumps(
    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.net/enroll"}]}
)
CLOUDFLARE_TARGET_KEYS = {"value", "expression"}


def plan_for(platform: str, method: str, **answers: object) -> Plan:
    if method == "self-host" and "document_text" not in answers and "base_url" not in answers:
        answers["document_text"] = DOCUMENT
    if "target" not in answers:
        answers.setdefault("org_id", ORG_ID)
    setup, _ = prepared(method, domains=[DOMAIN], today=date(2026, 3, 4), **answers)  # type: ignore[arg-type]
    return generate(platform, setup)


ALL_COMBINATIONS = [
    (name, method) for name, platform in PLATFORMS.items() for method in platform.methods
]


@pytest.mark.parametrize(("platform", "method"), ALL_COMBINATIONS)
@pytest.mark.parametrize("exact_seed", [False, True])
def test_every_artifact_is_labelled_and_well_formed(
    platform: str, method: str, exact_seed: bool
) -> None:
    plan = plan_for(platform, method, exact_seed=exact_seed)
    assert plan.steps, "every plan has numbered steps"
    for artifact in plan.artifacts:
        content = artifact.content
        if artifact.filename.endswith(WELL_KNOWN_FILE):
            assert content == DOCUMENT  # the document is never rewritten
            continue
        if artifact.filename.endswith((".csv", ".txt", "vercel.json")):  # no comments there
            continue
        # The header names the domain, the organization and the date, near the top.
        opening = "\n".join(content.splitlines()[:6])
        assert DOMAIN in opening and ORG_ID in opening and "2026-03-04" in opening, artifact
        for target in re.findall(r"https://apple\.mdm\.jumpcloud\.com[^\s\"'<>]*", content):
            assert target.count("?") == 1, target
            assert not target.endswith(("&", "?")), target


@pytest.mark.parametrize(("platform", "method"), ALL_COMBINATIONS)
def test_forwarding_is_explained_inside_forwarding_artifacts(platform: str, method: str) -> None:
    plan = plan_for(platform, method)
    if method == "redirect" and PLATFORMS[platform].forwards_query == "yes":
        primary = plan.primary
        assert primary is not None
        assert "do not carry their query" in primary.content or any(
            "do not carry their query" in note for note in plan.notes
        )


def test_iis_self_host_web_config_maps_extensionless_files_to_json() -> None:
    content = plan_for("iis", "self-host").artifacts[0].content
    lines = content.splitlines()
    assert lines[0].startswith("<?xml ")
    assert lines[1].startswith("<!--") and DOMAIN in lines[1]
    root = ET.fromstring(content.encode())
    assert root.tag == "configuration"
    [location] = root.findall("location")
    assert location.get("path") == WELL_KNOWN_FILE
    static = location.find("system.webServer/staticContent")
    assert static is not None
    assert [(child.tag, child.get("fileExtension")) for child in static] == [
        ("remove", "."),
        ("mimeMap", "."),
    ]
    assert static[1].get("mimeType") == "application/json"


@pytest.mark.parametrize("exact_seed", [False, True])
def test_iis_redirect_web_config(exact_seed: bool) -> None:
    content = plan_for("iis", "redirect", exact_seed=exact_seed).artifacts[0].content
    root = ET.fromstring(content.encode())
    rules = root.findall("system.webServer/rewrite/rules/rule")
    assert len(rules) == (1 if exact_seed else 2)
    for rule in rules:
        match = rule.find("match")
        assert match is not None
        assert re.search(match.get("url", ""), WELL_KNOWN_FILE)
        action = rule.find("action")
        assert action is not None
        assert action.get("type") == "Redirect" and action.get("redirectType") == "Permanent"
        assert action.get("url", "").startswith(jumpcloud_target(ORG_ID))
    # The last rule is the plain target: it must not need a query to be correct.
    last_action = rules[-1].find("action")
    assert last_action is not None and last_action.get("url") == jumpcloud_target(ORG_ID)
    if not exact_seed:
        condition = rules[0].find("conditions/add")
        assert condition is not None and condition.get("input") == "{QUERY_STRING}"
        first_action = rules[0].find("action")
        assert first_action is not None
        assert first_action.get("url") == jumpcloud_target(ORG_ID) + "&{C:0}"


def _valid_cloudflare_rule(rule: dict[str, object]) -> None:
    assert set(rule) == {"description", "expression", "action", "action_parameters"}
    assert rule["action"] == "redirect"
    expression = rule["expression"]
    assert isinstance(expression, str) and expression.count("(") == expression.count(")")
    assert expression.count('"') % 2 == 0
    parameters = rule["action_parameters"]
    assert isinstance(parameters, dict) and set(parameters) == {"from_value"}
    from_value = parameters["from_value"]
    assert set(from_value) == {"status_code", "target_url", "preserve_query_string"}
    assert from_value["status_code"] == 301
    target_url = from_value["target_url"]
    assert len(set(target_url) & CLOUDFLARE_TARGET_KEYS) == 1 and set(target_url) <= {
        "value",
        "expression",
    }
    # Error 10055: preserve_query_string cannot go with a target that has its own query.
    assert from_value["preserve_query_string"] is False


@pytest.mark.parametrize("exact_seed", [False, True])
def test_cloudflare_payload_has_the_documented_fields(exact_seed: bool) -> None:
    plan = plan_for("cloudflare", "redirect", exact_seed=exact_seed)
    [payload] = [a for a in plan.artifacts if a.filename.endswith(".json")]
    rules = json.loads(payload.content)["rules"]
    for rule in rules:
        _valid_cloudflare_rule(rule)
        assert f'http.host in {{"{DOMAIN}"}}' in rule["expression"]
        assert WELL_KNOWN in rule["expression"]
    if exact_seed:
        [rule] = rules
        assert rule["action_parameters"]["from_value"]["target_url"] == {
            "value": jumpcloud_target(ORG_ID)
        }
    else:
        with_query, without = rules
        assert 'uri.query ne ""' in with_query["expression"]
        assert with_query["action_parameters"]["from_value"]["target_url"] == {
            "expression": f'concat("{jumpcloud_target(ORG_ID)}&", http.request.uri.query)'
        }
        assert 'uri.query eq ""' in without["expression"]
    [script] = [a for a in plan.artifacts if a.filename.endswith(".sh")]
    assert "$CLOUDFLARE_API_TOKEN" in script.content and "$CLOUDFLARE_ZONE_ID" in script.content
    assert "http_request_dynamic_redirect" in script.content
    assert "Preserve query string" in " ".join(plan.steps)


def test_cloudflare_seed_steps_follow_the_vendor_doc() -> None:
    steps = " ".join(plan_for("cloudflare", "redirect", exact_seed=True).steps)
    assert f"https://{DOMAIN}{WELL_KNOWN}*" in steps
    assert "Wildcard pattern" in steps and "301" in steps and "unchecked" in steps


def test_shopify_csv_and_squarespace_line() -> None:
    csv_text = plan_for("shopify", "redirect").artifacts[0].content
    assert csv_text.splitlines() == [
        "Redirect from,Redirect to",
        f"{WELL_KNOWN},{jumpcloud_target(ORG_ID)}",
    ]
    line = plan_for("squarespace", "redirect").artifacts[0].content
    assert line == f"{WELL_KNOWN} -> {jumpcloud_target(ORG_ID)} 301\n"


def test_vercel_and_netlify_files() -> None:
    vercel = json.loads(plan_for("vercel", "redirect").artifacts[0].content)
    assert vercel["redirects"] == [
        {"source": WELL_KNOWN, "destination": jumpcloud_target(ORG_ID), "statusCode": 301}
    ]
    headers = json.loads(plan_for("vercel", "self-host").artifacts[0].content)["headers"]
    assert headers[0]["headers"] == [{"key": "Content-Type", "value": "application/json"}]
    redirects = plan_for("netlify", "redirect").artifacts[0].content
    assert f"{WELL_KNOWN}  {jumpcloud_target(ORG_ID)}  301!" in redirects
    netlify_headers = plan_for("netlify", "self-host").artifacts[0]
    assert netlify_headers.filename == "_headers"
    assert f"{WELL_KNOWN}\n  Content-Type: application/json" in netlify_headers.content


def test_cloudfront_function_forwards_without_a_dangling_separator() -> None:
    code = plan_for("cloudfront", "redirect").artifacts[0].content
    assert "function handler(event)" in code
    assert "if (parts.length > 0)" in code
    assert f'"{jumpcloud_target(ORG_ID)}"' in code
    steps = " ".join(plan_for("cloudfront", "self-host").steps)
    assert "--content-type application/json" in steps


def test_github_pages_explains_why_not() -> None:
    setup, _ = prepared("redirect", org_id=ORG_ID)
    plan = generate("github-pages", setup)
    assert plan.artifacts == ()
    assert "application/octet-stream" in plan.notes[0] and "Jekyll" in plan.notes[0]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"method": "redirect"}, "--org-id"),
        ({"method": "redirect", "target": "http://mdm.example.net/x"}, "https://"),
        ({"method": "self-host", "org_id": ORG_ID}, "Download JSON"),
        ({"method": "self-host", "document_text": '{"Servers": []}'}, "non-empty"),
        ({"method": "self-host", "document_text": "<html>"}, "not JSON"),
        ({"method": "self-host", "base_url": "http://x.example"}, "https://"),
        (
            {
                "method": "self-host",
                "org_id": ORG_ID,
                "document_text": DOCUMENT.replace("mdm-byod", "mdm-adde"),
            },
            "JumpCloud supports only",
        ),
    ],
)
def test_bad_answers_are_refused(answers: dict[str, object], message: str) -> None:
    method = answers.pop("method")
    with pytest.raises(GenerateError, match=re.escape(message)):
        prepared(method, **answers)  # type: ignore[arg-type]


def test_imported_document_is_kept_byte_for_byte() -> None:
    odd = '{ "Servers" : [ { "BaseURL" : "https://mdm.example.net/e", "Version" : "mdm-byod" } ] }'
    plan = plan_for("nginx", "self-host", document_text=odd)
    assert plan.artifacts[-1].content == odd


def test_built_document_from_base_url() -> None:
    plan = plan_for("other", "self-host", base_url="https://mdm.example.net/enroll")
    assert json.loads(plan.artifacts[0].content) == json.loads(DOCUMENT)


# -- the command line ----------------------------------------------------------------------


def test_list_names_every_platform_and_every_mdm_preset() -> None:
    result = run_cli("generate", "--list")
    assert result.returncode == 0
    platforms, presets = result.stdout.strip().split("\n\n")
    names = [line.split()[0] for line in platforms.splitlines()[1:]]
    assert [line.split()[0] for line in presets.splitlines()] == ["mdm", *PRESETS]
    intune = next(line for line in presets.splitlines() if line.startswith("intune "))
    assert "self-host" in intune and "redirect" not in intune and "--tenant-id" in intune
    assert names == [
        "apache",
        "nginx",
        "caddy",
        "iis",
        "cloudflare",
        "shopify",
        "squarespace",
        "netlify",
        "vercel",
        "cloudfront",
        "github-pages",
        "other",
    ]


def test_raw_prints_exactly_the_artifact() -> None:
    result = run_cli(
        "generate", "--method", "redirect", "--platform", "apache", "--org-id", ORG_ID, "--raw"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# adue-wizard: Apple account-driven enrollment (Redirect)")
    assert "RewriteRule" in result.stdout and "[R=301,QSA,NE,L]" in result.stdout
    assert "Steps:" not in result.stdout
    document = run_cli(
        "generate",
        "--method",
        "self-host",
        "--platform",
        "other",
        "--base-url",
        "https://mdm.example.net/enroll",
        "--raw",
    )
    assert json.loads(document.stdout) == json.loads(DOCUMENT)


def test_out_writes_files_and_never_overwrites_a_different_one(tmp_path: Path) -> None:
    source = tmp_path / "downloaded.json"
    source.write_text(DOCUMENT)
    args = [
        "--method",
        "self-host",
        "--platform",
        "nginx",
        "--org-id",
        ORG_ID,
        "--json-file",
        str(source),
        "--domain",
        DOMAIN,
        "--out",
        str(tmp_path / "site"),
    ]
    first = run_cli("generate", *args)
    assert first.returncode == 0, first.stderr
    document = tmp_path / "site" / WELL_KNOWN_FILE
    assert document.read_text() == DOCUMENT
    assert (
        "default_type application/json;"
        in (tmp_path / "site/nginx-remotemanagement.conf").read_text()
    )
    assert run_cli("generate", *args).returncode == 0  # identical files: fine
    document.write_text("edited by hand")
    refused = run_cli("generate", *args)
    assert refused.returncode == 2
    assert "exists and differs" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert document.read_text() == "edited by hand"
    assert run_cli("generate", *args, "--force").returncode == 0
    assert document.read_text() == DOCUMENT


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--method", "redirect", "--platform", "nginx", "--org-id", "ABC"], "24 lowercase hex"),
        (
            ["--method", "redirect", "--platform", "nginx", "--target", "http://x.example/d"],
            "https://",
        ),
        (
            ["--method", "self-host", "--platform", "nginx", "--json-file", "/nonexistent.json"],
            "no such file",
        ),
        (
            ["--method", "self-host", "--platform", "shopify", "--base-url", "https://x.example/"],
            "only --method redirect",
        ),
        (
            ["--method", "redirect", "--platform", "wordpress", "--org-id", ORG_ID],
            "unknown platform",
        ),
        (["--method", "redirect", "--platform", "github-pages", "--raw"], "cannot serve"),
        (["--method", "redirect", "--platform", "github-pages"], "cannot serve"),
        (["--method", "sideways", "--platform", "nginx"], "not a choice"),
        (
            [
                "--method",
                "redirect",
                "--platform",
                "nginx",
                "--target",
                "https://a.example",
                "--base-url",
                "https://b.example",
            ],
            "not allowed with",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], mentions: str) -> None:
    result = run_cli("generate", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mentions in result.stderr


def test_json_file_failing_the_schema_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"servers": [{"Version": "mdm-byod", "BaseURL": "https://x.example"}]}')
    result = run_cli(
        "generate", "--method", "self-host", "--platform", "apache", "--json-file", str(bad)
    )
    assert result.returncode == 2
    assert 'no "Servers" key (found "servers"; the key is case-sensitive)' in result.stderr
