"""The platforms an artifact can be generated for, and `generate`: one registry row per
platform, naming its builder (`web_servers`, `edge`, `hosted`), the methods it supports and
whether it forwards the device's query. Adding a platform: its builder, and a row here."""

from __future__ import annotations

import dataclasses

from wizard.core.artifacts import edge, hosted, web_servers
from wizard.core.artifacts.escaping import UnsafeValue
from wizard.core.artifacts.model import GenerateError, Plan, Platform, Setup
from wizard.core.protocol import Method

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
        )
        flag = next(
            (name for answer, name in answers if answer and error.value.startswith(answer)),
            "a value",
        )
        raise GenerateError(f"{flag} {error}") from None
    return dataclasses.replace(plan, does=what_it_does(platform.name, setup))
