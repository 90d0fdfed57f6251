"""Artifact generators: for the platform an admin runs, the files and numbered steps that
publish the discovery URL, by Redirect or by Self-Host.

`prepare_setup` turns the admin's answers into a validated `Setup`; `generate` turns a
`Setup` into a `Plan` for one platform; `write_plan` saves a plan's files into a folder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from wizard.core.artifacts import edge, hosted, web_servers
from wizard.core.artifacts.model import (
    JUMPCLOUD_DISCOVERY,
    METHODS,
    GenerateError,
    Method,
    Plan,
    Platform,
    Setup,
)
from wizard.core.atomic_file import write_atomically
from wizard.core.document import (
    DocumentError,
    build_document,
    check_rules,
    parse_document_text,
)

__all__ = [
    "METHODS",
    "PLATFORMS",
    "GenerateError",
    "Method",
    "Plan",
    "Platform",
    "Setup",
    "generate",
    "jumpcloud_target",
    "prepare_setup",
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


def jumpcloud_target(org_id: str) -> str:
    return f"{JUMPCLOUD_DISCOVERY}?organization_id={org_id}"


def prepare_setup(
    method: Method,
    *,
    domain: str | None = None,
    org_id: str | None = None,
    target: str | None = None,
    base_url: str | None = None,
    document_text: str | None = None,
    exact_seed: bool = False,
    today: date | None = None,
) -> tuple[Setup, list[str]]:
    """Validate the answers; return the Setup and warnings. Raises GenerateError.

    `org_id` and `domain` must already be validated. An imported document is kept exactly
    as given: it is checked against the Apple schema, never rewritten.
    """
    warnings: list[str] = []
    if method == "redirect":
        if base_url is not None or document_text is not None:
            raise GenerateError("--base-url and --json-file are for --method self-host")
        if target is not None:
            problem = _https_problem(target, "--target")
            if problem:
                raise GenerateError(problem)
        elif org_id is not None:
            target = jumpcloud_target(org_id)
        else:
            raise GenerateError(
                "a redirect needs --org-id (JumpCloud) or --target URL (another MDM's "
                "discovery URL)"
            )
        return Setup(method, domain, org_id, target, None, not exact_seed, _day(today)), warnings

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
    try:
        if base_url is not None:
            document_text = build_document(base_url)
        assert document_text is not None
        document = parse_document_text(document_text)
    except DocumentError as error:
        raise GenerateError(f"the discovery document is not valid: {error}") from None
    for finding in check_rules(document, jumpcloud=org_id is not None):
        if finding.severity == "fail":
            raise GenerateError(f"the discovery document is not valid: {finding.message}")
        warnings.append(finding.message)
    if document_text.startswith("\ufeff"):
        warnings.append("the file starts with a UTF-8 byte-order mark; it is kept as it is")
    setup = Setup(method, domain, org_id, None, document_text, not exact_seed, _day(today))
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
    return platform.build(setup)


def write_plan(plan: Plan, folder: Path, *, force: bool = False) -> list[Path]:
    """Write every artifact under `folder`. Refuses, before writing anything, to replace a
    different existing file unless `force`; an identical file is left as it is."""
    pending: list[tuple[Path, bytes]] = []
    for artifact in plan.artifacts:
        path = folder / artifact.filename
        data = artifact.content.encode("utf-8")
        if path.is_dir():
            raise GenerateError(f"{path} is a folder; cannot write the artifact there")
        if path.exists() and path.read_bytes() != data and not force:
            raise GenerateError(f"{path} exists and differs; use --force to replace it")
        pending.append((path, data))
    written = []
    for path, data in pending:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_bytes() == data:
            continue
        write_atomically(path, data, 0o644)  # artifacts are meant to be read by servers
        written.append(path)
    return written


def _https_problem(url: str, flag: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"{flag} {url!r} is not a valid URL"
    if parts.scheme != "https" or not parts.hostname:
        return f"{flag} {url!r} must be an https:// URL (devices follow only HTTPS)"
    if any(ch.isspace() for ch in url):
        return f"{flag} {url!r} contains spaces"
    return None


def _day(today: date | None) -> date:
    return today or date.today()
