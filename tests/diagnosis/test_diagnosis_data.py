"""The diagnosis's data: fingerprints, placeholders, the public-suffix decision, and the fixes
quoted from the generators (one source of truth)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.constants import DOMAIN, GOOD, JUMPCLOUD, ORG_ID, WELL_KNOWN
from tests.support.generating import prepared
from tests.support.https_server import HTTPSServer, json_document
from wizard.core.artifacts.platforms import PLATFORMS, generate
from wizard.core.codes import Code
from wizard.core.diagnosis.causes import BY_ID, CAUSES
from wizard.core.diagnosis.fingerprints import FINGERPRINTS, describe, served_by
from wizard.core.diagnosis.platform_fixes import DIRECTIVE_MARKERS, directive_quote
from wizard.core.diagnosis.registered_domain import same_registered_domain
from wizard.core.diagnosis.remedies import CATALOGUE
from wizard.core.document import build_document
from wizard.core.placeholders import find_placeholder
from wizard.core.providers import jumpcloud

# Response headers as each service sends them (the values are real formats; sources in
# wizard/core/diagnosis/fingerprints.py).
SEEN = {
    "cloudflare": {"server": "cloudflare", "cf-ray": "8e6f1a2b3c4d5e6f-FRA"},
    "cloudfront": {"x-amz-cf-id": "LkTZQMFf...==", "via": "1.1 x.cloudfront.net (CloudFront)"},
    "fastly": {"x-served-by": "cache-lhr7330-LHR", "x-cache": "HIT", "via": "1.1 varnish"},
    "akamai": {"akamai-grn": "0.d4c21402.1732590000.1a2b3c4d", "server": "AkamaiGHost"},
    "azure": {"x-azure-ref": "20261126T031245Z-r1abc-xyz", "x-cache": "TCP_MISS"},
    "vercel": {"server": "Vercel", "x-vercel-id": "fra1::iad1::abcde-1732590000000-0123"},
    "netlify": {"server": "Netlify", "x-nf-request-id": "01JDQ8Z1Y2X3W4V5U6T7S8R9Q0"},
    "github-pages": {
        "server": "GitHub.com",
        "x-github-request-id": "A1B2:3C4D:5E6F7:8A9B0:6745F1C2",
        "x-served-by": "cache-fra-eddf8230095-FRA",
        "x-fastly-request-id": "0f1e2d3c",
    },
    "shopify": {
        "server": "cloudflare",
        "cf-ray": "8e6f1a2b3c4d5e70-AMS",
        "x-shopid": "55083958454",
        "x-shopify-stage": "production",
    },
    "squarespace": {"server": "Squarespace", "x-contextid": "AbCdEf12/GhIjKl34"},
    "wix": {"server": "Pepyaka", "x-wix-request-id": "1732590000.123456789"},
    "nginx": {"server": "nginx/1.24.0 (Ubuntu)"},
    "apache": {"server": "Apache/2.4.58 (Ubuntu)"},
    "iis": {"server": "Microsoft-IIS/10.0", "x-powered-by": "ASP.NET"},
    "caddy": {"server": "Caddy"},
    "litespeed": {"server": "LiteSpeed", "x-litespeed-cache": "miss"},
}


@pytest.mark.parametrize("service", sorted(SEEN))
def test_each_service_is_recognised(service: str) -> None:
    assert served_by(SEEN[service].items()) == service


def test_unknown_server_is_null() -> None:
    assert served_by([("server", "gws"), ("content-type", "text/html")]) is None
    assert describe([]) is None


def test_description_names_the_header() -> None:
    assert describe(SEEN["cloudflare"].items()) == "answered by Cloudflare (cf-ray)"


def test_ids_that_are_platforms_are_spelled_alike() -> None:
    ids = {row.service for row in FINGERPRINTS}
    assert ids >= {
        "cloudflare", "cloudfront", "fastly", "akamai", "azure", "vercel", "netlify",
        "github-pages", "shopify", "squarespace", "wix", "nginx", "apache", "iis", "caddy",
        "litespeed",
    }  # fmt: skip
    assert {p for p in PLATFORMS if p != "other"} <= ids


def test_every_code_has_its_remedy_and_only_failures_are_failures() -> None:
    assert set(CATALOGUE) == set(Code)
    for code, remedy in CATALOGUE.items():
        assert remedy.problem.endswith(".") and remedy.fix, code
    assert Code.TIMEOUT.is_failure and Code.WRONG_ORG_ID.is_failure
    assert not Code.CERT_EXPIRING.is_failure and not Code.PROBE_INCONCLUSIVE.is_failure


def test_every_cause_id_is_unique_and_has_a_fix() -> None:
    assert len(BY_ID) == len(CAUSES)
    assert CAUSES[0].id == "cdn_cached"  # purge first, then look again
    for cause in CAUSES:
        assert cause.problem.endswith(".") and cause.fix


@pytest.mark.parametrize(
    "text",
    [
        "https://manage.microsoft.com/x?aadTenantId=YourAADTenantID",
        f"https://{JUMPCLOUD}/a?organization_id=XXXXX",
        f"https://{JUMPCLOUD}/a?organization_id=<ORG_ID>",
        "https://mdm.example.com/enroll",
        "https://{tenant}.mdm.test/enroll",
        "https://mdm.contoso.com.com/enroll",
        "https://manage.microsoft.com/x?aadTenantId=xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    ],
)
def test_placeholders_are_found(text: str) -> None:
    assert find_placeholder(text)


@pytest.mark.parametrize(
    "text",
    [
        "https://manage.microsoft.com/x?aadTenantId=1b2c3d4e-0000-4a5b-8c9d-0e1f2a3b4c5d",
        f"https://{JUMPCLOUD}/a?organization_id={ORG_ID}",
        "https://mdm.manageengine.com/mdm/client/v1/enroll?templateToken=aXxxxB9",
        "https://ada.jamfcloud.com/servicediscoveryenrollment/v1/userenroll",
        "mdm-byod",
    ],
)
def test_real_values_are_not_placeholders(text: str) -> None:
    assert find_placeholder(text) is None


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("example.org", "www.example.org", True),
        ("www.example.co.uk", "example.co.uk", True),
        ("shop.example.co.uk", "other.co.uk", False),  # co.uk is a public suffix
        ("ada.github.io", "bob.github.io", False),  # github.io is a (private) public suffix
        ("example.org", JUMPCLOUD, False),
    ],
)
def test_same_registered_domain(first: str, second: str, same: bool) -> None:
    assert same_registered_domain(first, second) is same


@pytest.mark.parametrize(("platform", "method"), sorted(DIRECTIVE_MARKERS))
def test_each_quoted_line_is_what_generate_writes(platform: str, method: str) -> None:
    target = jumpcloud.discovery_target(ORG_ID) if method == "redirect" else None
    quote = directive_quote(platform, method, domain="example.org", target=target)
    assert quote is not None and quote.lines
    if method == "redirect":
        setup, _ = prepared("redirect", domains=["example.org"], org_id=ORG_ID)
    else:
        document = build_document("https://mdm.example.net/enroll")
        setup, _ = prepared("self-host", domains=["example.org"], document_text=document)
    plan = generate(platform, setup)
    [artifact] = [a for a in plan.artifacts if a.filename == quote.filename]
    written = [line.strip() for line in artifact.content.splitlines()]
    for line in quote.lines:
        assert line in written


def test_every_generate_platform_with_a_rule_has_a_quote() -> None:
    for name, platform in PLATFORMS.items():
        if name in ("other", "github-pages"):
            continue  # no rule to quote: plain facts, or "use something else"
        for method in platform.methods:
            if name == "cloudfront" and method == "self-host":
                continue  # an S3 object's metadata, set in the console: steps, not a rule
            assert (name, method) in DIRECTIVE_MARKERS


def test_passing_verify_imports_nothing_heavy(server: HTTPSServer, ca_bundle: Path) -> None:
    # cryptography, the public-suffix list and the generators load only on a failure path:
    # `adue-wizard verify` keeps its start-up on a pass.
    server.route(WELL_KNOWN, json_document(GOOD))
    code = (
        "import sys\n"
        "import wizard.cli as cli\n"
        f"status = cli.main(['verify', {DOMAIN!r}, '--connect-to', "
        f"':443:127.0.0.1:{server.port}', '--ca-bundle', {str(ca_bundle)!r}])\n"
        "assert status == 0, status\n"
        "heavy = ('cryptography', 'publicsuffixlist', 'wizard.core.artifacts')\n"
        "loaded = [m for m in sys.modules if m.startswith(heavy)]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout
