"""Several domains in one setup: every artifact and every step covers each of them, by name;
no domain at all says "your domain" instead of inventing one; headings and files say what
the artifact really does; and `generate`'s command-line rules for these."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.support.commands import run_in_process
from tests.support.constants import ORG_ID, WELL_KNOWN, WELL_KNOWN_FILE
from tests.support.generating import prepared
from wizard.core.artifacts.model import FilesDiffer, GenerateError, Plan
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import PLATFORMS, generate
from wizard.core.providers.jumpcloud import discovery_target as jumpcloud_target

DOMAINS = ["example.org", "redir.example.net", "xn--bcher-kva.example"]
DOCUMENT = json.dumps(
    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.net/enroll"}]}
)
ALL_COMBINATIONS = [
    (name, method) for name, platform in PLATFORMS.items() for method in platform.methods
]
# Where a redirect (or a file) is set up once per store, site, server block or zone.
SERVERS = {"nginx", "apache", "caddy", "iis"}
FORWARDS = "forwards the device's query"


def plan_for(
    platform: str,
    method: str,
    domains: list[str] = DOMAINS,
    *,
    exact_seed: bool = False,
    day: date = date(2026, 3, 4),
) -> Plan:
    answers: dict[str, object] = {"org_id": ORG_ID}
    if method == "self-host":
        answers["document_text"] = DOCUMENT
    setup, _ = prepared(
        method,  # type: ignore[arg-type]
        domains=domains,
        exact_seed=exact_seed,
        today=day,
        **answers,  # type: ignore[arg-type]
    )
    return generate(platform, setup)


def everything(plan: Plan) -> str:
    return "\n".join([*(a.content for a in plan.artifacts), *plan.steps, *plan.notes, plan.does])


def assert_usage_error(code: int, out: str, err: str, mention: str) -> None:
    assert code == 2, err
    assert out == ""
    assert len(err.splitlines()) == 1 and mention in err, err


# -- every domain, by name ---------------------------------------------------------------


@pytest.mark.parametrize(("platform", "method"), ALL_COMBINATIONS)
@pytest.mark.parametrize("exact_seed", [False, True])
def test_every_artifact_and_the_steps_name_every_domain(
    platform: str, method: str, exact_seed: bool
) -> None:
    plan = plan_for(platform, method, exact_seed=exact_seed)
    steps = "\n".join(plan.steps)
    for domain in DOMAINS:
        assert domain in steps, (domain, steps)
        for artifact in plan.artifacts:
            if artifact.filename.endswith((".csv", ".txt", "vercel.json")):
                continue  # formats without a comment: their header is in the steps
            if artifact.filename.endswith(WELL_KNOWN_FILE):
                continue  # the document itself, never rewritten
            opening = "\n".join(artifact.content.splitlines()[:6])
            # An XML comment cannot hold the `--` of an IDNA name: IIS shows it as typed.
            shown = "bücher.example" if artifact.filename == "web.config" else domain
            assert shown in opening, artifact
            assert "- -" not in opening
    # The command it suggests checks every domain.
    assert f"adue-wizard verify {' '.join(DOMAINS)} --org-id {ORG_ID}" in steps


@pytest.mark.parametrize("platform", sorted(SERVERS | {"cloudfront", "netlify", "vercel"}))
@pytest.mark.parametrize("method", ["redirect", "self-host"])
def test_servers_and_hosts_get_one_step_per_domain(platform: str, method: str) -> None:
    """Where each domain has its own server block, site, project or distribution, a step
    for each says where the lines go, domain by domain."""
    plan = plan_for(platform, method)
    for domain in DOMAINS:
        others = [other for other in DOMAINS if other != domain]
        [own] = [
            step
            for step in plan.steps
            if domain in step and not any(other in step for other in others)
        ]
        assert own.count(domain) == 1, own
    assert any("several of these domains" in step for step in plan.steps)


@pytest.mark.parametrize("platform", ["shopify", "squarespace"])
def test_one_entry_per_domain_where_a_redirect_belongs_to_one_store(platform: str) -> None:
    plan = plan_for(platform, "redirect")
    entries = [step for step in plan.steps if step.startswith(tuple(DOMAINS))]
    assert [entry.split(":")[0] for entry in entries] == [
        "example.org",
        "redir.example.net",
        "xn--bcher-kva.example (bücher.example)",  # the form users type, beside it
    ]
    # The file itself is path-based: the same line serves every store or site.
    assert plan.artifacts[0].content.count(WELL_KNOWN) == 1


def test_a_single_domain_gets_no_per_domain_noise() -> None:
    plan = plan_for("nginx", "redirect", ["example.org"])
    assert not any("several of these domains" in step for step in plan.steps)
    assert plan_for("shopify", "redirect", ["example.org"]).steps[0].startswith("From your")


def test_duplicate_domains_are_named_once() -> None:
    plan = plan_for("nginx", "redirect", ["example.org", "example.org"])
    assert plan.artifacts[0].content.splitlines()[0].endswith("for example.org")


# -- Cloudflare: one expression for all hosts ------------------------------------------------


@pytest.mark.parametrize("exact_seed", [False, True])
def test_every_cloudflare_rule_covers_every_host(exact_seed: bool) -> None:
    plan = plan_for("cloudflare", "redirect", exact_seed=exact_seed)
    rules = json.loads(plan.artifacts[0].content)["rules"]
    assert len(rules) == (1 if exact_seed else 2)
    hosts = 'http.host in {"example.org" "redir.example.net" "xn--bcher-kva.example"}'
    for rule in rules:
        assert rule["expression"].startswith(f"({hosts} and http.request.uri.path eq ")
        # Cloudflare's set syntax: quoted strings separated by spaces, no commas.
        [members] = re.findall(r"http\.host in \{([^}]*)\}", rule["expression"])
        assert re.fullmatch(r'"[^"]+"( "[^"]+")*', members)
    steps = "\n".join(plan.steps)
    if exact_seed:
        # The dashboard's wildcard pattern takes one URL: one rule per domain.
        for domain in DOMAINS:
            assert f"https://{domain}{WELL_KNOWN}*" in steps
    else:
        assert hosts in steps
    assert any("different zones" in note for note in plan.notes)


def test_cloudflare_without_a_domain_matches_the_path_on_any_host() -> None:
    setup, _ = prepared("redirect", org_id=ORG_ID, today=date(2026, 3, 4))
    rules = json.loads(generate("cloudflare", setup).artifacts[0].content)["rules"]
    assert all("http.host" not in rule["expression"] for rule in rules)
    assert rules[0]["expression"].startswith(f'(http.request.uri.path eq "{WELL_KNOWN}"')


def test_too_many_domains_for_one_cloudflare_expression_is_one_line() -> None:
    many = [f"d{number}.example.org" for number in range(300)]
    with pytest.raises(GenerateError, match="do not fit one Cloudflare rule expression"):
        plan_for("cloudflare", "redirect", many)


# -- no domain: "your domain", never an invented one ----------------------------------------


@pytest.mark.parametrize(("platform", "method"), ALL_COMBINATIONS)
def test_without_a_domain_nothing_invents_one(platform: str, method: str) -> None:
    text = everything(plan_for(platform, method, []))
    assert "example.com" not in text
    assert "your domain" in text
    if "adue-wizard verify" in text:
        assert f"adue-wizard verify YOUR-DOMAIN --org-id {ORG_ID}" in text


def test_cli_without_a_domain_says_your_domain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys, "generate", "--method", "redirect", "--platform", "apache", "--org-id", ORG_ID
    )
    assert code == 0, err
    assert "example.com" not in out
    assert "for your domain" in out
    assert "adue-wizard verify YOUR-DOMAIN" in out and "YOUR-DOMAIN: your domain" in out


# -- what the artifact does, and files their platform accepts ------------------------------


@pytest.mark.parametrize(("platform", "method"), [*ALL_COMBINATIONS, ("github-pages", "redirect")])
@pytest.mark.parametrize("exact_seed", [False, True])
def test_only_a_forwarding_artifact_says_it_forwards(
    platform: str, method: str, exact_seed: bool
) -> None:
    plan = plan_for(platform, method, exact_seed=exact_seed)
    forwards = (
        method == "redirect" and PLATFORMS[platform].forwards_query == "yes" and not exact_seed
    )
    assert (plan.does == FORWARDS) is forwards, plan.does
    assert (FORWARDS in plan.does) is forwards
    if forwards:
        # The artifact really carries the query on, in its own syntax.
        assert any(
            marker in artifact.content
            for artifact in plan.artifacts
            for marker in ("$args", "QSA", "{query}", "{C:0}", "http.request.uri.query", "parts")
        )


@pytest.mark.parametrize("method", ["redirect", "self-host"])
def test_vercel_json_holds_only_keys_of_vercels_schema(method: str) -> None:
    plan = plan_for("vercel", method)
    config = json.loads(plan.artifacts[0].content)
    assert set(config) <= {"redirects", "headers"}, config
    # What the header said is in the steps instead.
    assert any(
        "It has no room for a comment" in step and ORG_ID in step and "2026-03-04" in step
        for step in plan.steps
    )


@pytest.mark.parametrize(("platform", "method"), ALL_COMBINATIONS)
def test_no_json_artifact_carries_a_comment_key(platform: str, method: str) -> None:
    for artifact in plan_for(platform, method).artifacts:
        if not artifact.filename.endswith(".json"):
            continue

        def keys(value: object) -> list[str]:
            if isinstance(value, dict):
                return [*value, *(k for v in value.values() for k in keys(v))]
            if isinstance(value, list):
                return [k for v in value for k in keys(v)]
            return []

        found = keys(json.loads(artifact.content))
        assert not [key for key in found if key.startswith(("/", "_", "#", "$"))], found


# -- saving again --------------------------------------------------------------------------


def test_saving_again_on_another_day_changes_nothing(tmp_path: Path) -> None:
    first = plan_for("cloudflare", "redirect", day=date(2026, 3, 4))
    assert len(write_plan(first, tmp_path)) == 2
    later = plan_for("cloudflare", "redirect", day=date(2026, 4, 5))
    assert later.artifacts[1].content != first.artifacts[1].content  # the date differs
    assert write_plan(later, tmp_path) == []
    assert (tmp_path / "cloudflare-api.sh").read_text() == first.artifacts[1].content


def test_a_real_difference_names_every_differing_file_and_writes_nothing(
    tmp_path: Path,
) -> None:
    write_plan(plan_for("apache", "redirect"), tmp_path)
    other = plan_for("apache", "redirect", ["example.org"], day=date(2026, 4, 5))
    with pytest.raises(FilesDiffer) as refused:
        write_plan(other, tmp_path)
    assert refused.value.paths == [
        tmp_path / "apache-remotemanagement.conf",
        tmp_path / ".htaccess",
    ]
    assert "redir.example.net" in (tmp_path / ".htaccess").read_text()
    assert write_plan(other, tmp_path, force=True) == refused.value.paths
    assert "redir.example.net" not in (tmp_path / ".htaccess").read_text()


def test_cli_names_the_differing_file_and_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["--method", "redirect", "--platform", "nginx", "--org-id", ORG_ID]
    assert (
        run_in_process(capsys, "generate", *args, "--domain", "a.example", "--out", str(tmp_path))[
            0
        ]
        == 0
    )
    code, out, err = run_in_process(
        capsys, "generate", *args, "--domain", "b.example", "--out", str(tmp_path)
    )
    assert_usage_error(code, out, err, "exists and differs; use --force to replace it")


# -- the command line ----------------------------------------------------------------------


def test_domain_more_than_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys,
        "generate",
        *("--method", "redirect", "--platform", "caddy", "--org-id", ORG_ID),
        *("--domain", "ada@Example.ORG", "--domain", "https://redir.example.net/x"),
    )
    assert code == 0, err
    assert "# adue-wizard: Apple account-driven enrollment (Redirect) for example.org, " in out
    assert "redir.example.net" in out
    assert "adue-wizard verify example.org redir.example.net" in out


def test_one_bad_domain_among_several_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys,
        "generate",
        *("--method", "redirect", "--platform", "nginx", "--org-id", ORG_ID),
        *("--domain", "example.org", "--domain", "localhost"),
    )
    assert_usage_error(code, out, err, "localhost")


def test_vendor_form_and_its_old_name_are_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--method", "redirect", "--platform", "apache", "--org-id", ORG_ID, "--raw"]
    new = run_in_process(capsys, "generate", *args, "--vendor-form")
    old = run_in_process(capsys, "generate", *args, "--exact-seed")
    assert new == old and new[0] == 0
    assert "Redirect 301" in new[1] and "QSA" not in new[1]
    help_text = run_in_process(capsys, "generate", "--help")[1]
    assert "--vendor-form" in help_text and "alias" in help_text


def test_org_id_and_target_together_are_a_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys,
        "generate",
        *("--method", "redirect", "--platform", "nginx", "--org-id", ORG_ID),
        *("--target", "https://mdm.example.net/discover"),
    )
    assert_usage_error(code, out, err, "--org-id")
    assert "--target" in err and "not both" in err
    with pytest.raises(GenerateError, match="--target is not an input of --mdm jumpcloud"):
        prepared("redirect", org_id=ORG_ID, target="https://mdm.example.net/d")


@pytest.mark.parametrize("extra", [[], ["--raw"], ["--out", "unused"]])
def test_github_pages_is_the_same_usage_error_with_or_without_raw(
    capsys: pytest.CaptureFixture[str], extra: list[str], tmp_path: Path
) -> None:
    if extra[:1] == ["--out"]:
        extra = ["--out", str(tmp_path / "out")]
    code, out, err = run_in_process(
        capsys,
        "generate",
        "--method",
        "redirect",
        "--platform",
        "github-pages",
        "--org-id",
        ORG_ID,
        *extra,
    )
    assert_usage_error(code, out, err, "GitHub Pages cannot serve the discovery document")
    assert "--platform cloudflare" in err
    assert not (tmp_path / "out").exists()


def test_the_plan_heading_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--method", "redirect", "--org-id", ORG_ID, "--domain", "example.org"]
    assert (
        f"What it does: {FORWARDS}."
        in run_in_process(capsys, "generate", *base, "--platform", "nginx")[1]
    )
    shopify = run_in_process(capsys, "generate", *base, "--platform", "shopify")[1]
    assert "What it does: cannot forward the device's query" in shopify
    assert jumpcloud_target(ORG_ID) in shopify
