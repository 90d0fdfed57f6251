"""Artifact generators: for the platform an admin runs, the files and numbered steps that
publish the discovery URL, by Redirect or by Self-Host.

`prepare_setup` turns the admin's answers into a validated `Setup`; `generate` turns a
`Setup` into a `Plan` for one platform; `write_plan` saves a plan's files into a folder
and nowhere outside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from wizard.core.artifacts import edge, hosted, web_servers
from wizard.core.artifacts.escaping import UnsafeValue
from wizard.core.artifacts.model import (
    JUMPCLOUD_DISCOVERY,
    METHODS,
    FilesDiffer,
    GenerateError,
    Method,
    Plan,
    Platform,
    Setup,
)
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.urls import url_problem
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.document import (
    USER_ENROLLMENT,
    DocumentError,
    build_document,
    check_rules,
    parse_document_text,
)

__all__ = [
    "METHODS",
    "PLATFORMS",
    "FilesDiffer",
    "GenerateError",
    "Method",
    "Plan",
    "Platform",
    "Setup",
    "generate",
    "jumpcloud_target",
    "prepare_setup",
    "switches_form",
    "what_it_does",
    "write_plan",
]

BOTH: tuple[Method, ...] = ("redirect", "self-host")
REDIRECT: tuple[Method, ...] = ("redirect",)

PLATFORMS: dict[str, Platform] = {
    platform.name: platform
    for platform in (
        Platform(
            "apache",
            "Apache httpd",
            BOTH,
            "yes",
            web_servers.apache,
            "RewriteRule [QSA] inside <VirtualHost> or .htaccess; ForceType for the file",
        ),
        Platform(
            "nginx",
            "NGINX",
            BOTH,
            "yes",
            web_servers.nginx,
            "location block: return 301 with $args; default_type for the file",
        ),
        Platform(
            "caddy",
            "Caddy",
            BOTH,
            "yes",
            web_servers.caddy,
            "redir with {query}; header Content-Type for the file",
        ),
        Platform(
            "iis",
            "Microsoft IIS",
            BOTH,
            "yes",
            web_servers.iis,
            "web.config: URL Rewrite redirect, or a mimeMap for extensionless files",
        ),
        Platform(
            "cloudflare",
            "Cloudflare",
            REDIRECT,
            "yes",
            edge.cloudflare,
            "Single Redirect rule (dashboard or Rulesets API); domain must be proxied",
        ),
        Platform(
            "shopify",
            "Shopify",
            REDIRECT,
            "no",
            hosted.shopify,
            "URL redirect (or CSV import); cannot forward the query",
        ),
        Platform(
            "squarespace",
            "Squarespace",
            REDIRECT,
            "no",
            hosted.squarespace,
            "URL mappings line; cannot forward the query",
        ),
        Platform(
            "netlify",
            "Netlify",
            BOTH,
            "unconfirmed",
            hosted.netlify,
            "_redirects, or _headers for the file",
        ),
        Platform(
            "vercel",
            "Vercel",
            BOTH,
            "unconfirmed",
            hosted.vercel,
            "vercel.json redirects, or headers for the file",
        ),
        Platform(
            "cloudfront",
            "AWS CloudFront",
            BOTH,
            "yes",
            edge.cloudfront,
            "CloudFront Function redirect, or S3 origin with the content type set",
        ),
        Platform(
            "github-pages",
            "GitHub Pages",
            (),
            "no",
            hosted.github_pages,
            "cannot serve it: no content type or redirects; use something else",
        ),
        Platform(
            "other",
            "Other",
            BOTH,
            "-",
            hosted.other,
            "the plain facts: URL, target, status, content type",
        ),
    )
}


def what_it_does(platform_name: str, setup: Setup) -> str:
    """What the plan does with the device's query, in a few words for a heading: "forwards
    the device's query" only where the artifact really does."""
    platform = PLATFORMS[platform_name]
    if not platform.methods:
        return "cannot serve the discovery document; see the note"
    if setup.method == "self-host":
        return "serves the discovery document itself; no redirect, no query to forward"
    if platform.forwards_query == "yes":
        if setup.forward_query:
            return "forwards the device's query"
        return "the vendor's form, which drops the device's query"
    if platform.forwards_query == "no":
        return "cannot forward the device's query; see the note"
    if platform.forwards_query == "unconfirmed":
        return "unconfirmed whether the device's query is forwarded; see the note"
    return "the facts to set up; forwarding the device's query is up to your platform"


def switches_form(platform_name: str, setup: Setup) -> bool:
    """Whether the vendor's form (`--vendor-form`) changes this plan."""
    return setup.method == "redirect" and PLATFORMS[platform_name].forwards_query == "yes"


def jumpcloud_target(org_id: str) -> str:
    return f"{JUMPCLOUD_DISCOVERY}?organization_id={org_id}"


def prepare_setup(
    method: Method,
    *,
    domains: Sequence[str] = (),
    org_id: str | None = None,
    target: str | None = None,
    base_url: str | None = None,
    document_text: str | None = None,
    exact_seed: bool = False,
    today: date | None = None,
    version: str = USER_ENROLLMENT,
) -> tuple[Setup, list[str]]:
    """Validate the answers; return the Setup and warnings. Raises GenerateError.

    `org_id` and `domains` must already be validated (duplicates are dropped). An imported
    document is kept exactly as given: it is checked against the Apple schema, never
    rewritten.
    """
    warnings: list[str] = []
    hosts = tuple(dict.fromkeys(domains))
    if method == "redirect":
        if base_url is not None or document_text is not None:
            raise GenerateError("--base-url and --json-file are for --method self-host")
        if target is not None and org_id is not None:
            raise GenerateError(
                "give --org-id (JumpCloud's target) or --target (another MDM's), not both"
            )
        if target is not None:
            problem = url_problem(target, "--target")
            if problem:
                raise GenerateError(problem)
        elif org_id is not None:
            target = jumpcloud_target(org_id)
        else:
            raise GenerateError(
                "a redirect needs --org-id (JumpCloud) or --target URL (another MDM's "
                "discovery URL)"
            )
        return Setup(method, hosts, org_id, target, None, not exact_seed, _day(today)), warnings

    if target is not None:
        raise GenerateError(
            "--target is for --method redirect; self-host takes --base-url or --json-file"
        )
    if document_text is None and base_url is None:
        if org_id is not None:
            raise GenerateError(
                "JumpCloud self-host: download the JSON (DEVICE MANAGEMENT > MDM > Apple > "
                "iOS Enrollment > Self Host > Download JSON) and pass --json-file PATH"
            )
        raise GenerateError("self-host needs --json-file PATH or --base-url URL")
    if document_text is not None and base_url is not None:
        raise GenerateError("give --json-file or --base-url, not both")
    if base_url is not None:
        problem = url_problem(base_url, "--base-url")
        if problem:
            raise GenerateError(problem)
    try:
        if base_url is not None:
            document_text = build_document(base_url, version)
        assert document_text is not None
        # A byte-order mark (many Windows editors add one) is read past, as `verify` does,
        # and warned about below; the file itself is kept byte for byte.
        document = parse_document_text(document_text.removeprefix("\ufeff"))
    except DocumentError as error:
        raise GenerateError(f"the discovery document is not valid: {error}") from None
    for finding in check_rules(document, jumpcloud=org_id is not None):
        if finding.severity == "fail":
            raise GenerateError(f"the discovery document is not valid: {finding.message}")
        warnings.append(finding.message)
    # The document is published byte for byte, but its BaseURL also reaches the screen and
    # the steps: it must be as clean as a --base-url.
    problem = url_problem(document.base_url, "the document's BaseURL")
    if problem:
        raise GenerateError(problem)
    if document_text.startswith("\ufeff"):
        bom = remedy_for("utf8_bom")  # the same words as `verify` gives
        assert bom is not None
        warnings.append(f"{bom.problem} It is kept as it is. Fix: {bom.fix}")
    setup = Setup(method, hosts, org_id, None, document_text, not exact_seed, _day(today))
    return setup, warnings


def generate(platform_name: str, setup: Setup) -> Plan:
    platform = PLATFORMS.get(platform_name)
    if platform is None:
        raise GenerateError(
            f"unknown platform {platform_name!r}; choose one of {', '.join(PLATFORMS)}"
        )
    if platform.methods and setup.method not in platform.methods:
        raise GenerateError(
            f"{platform.title} supports only --method {', '.join(platform.methods)}"
        )
    try:
        plan = platform.build(setup)
    except UnsafeValue as error:
        # Validation lets through only what every syntax can carry; this is the escaping
        # layer refusing what its own syntax cannot (such as `$` for NGINX).
        # The refused value is one of the answers, perhaps with a separator appended.
        answers = (
            (setup.target, "--target"),
            *((domain, "--domain") for domain in setup.domains),
            (setup.org_id, "--org-id"),
        )
        flag = next(
            (name for answer, name in answers if answer and error.value.startswith(answer)),
            "a value",
        )
        raise GenerateError(f"{flag} {error}") from None
    return dataclasses.replace(plan, does=what_it_does(platform.name, setup))


def _day(today: date | None) -> date:
    return today or date.today()
