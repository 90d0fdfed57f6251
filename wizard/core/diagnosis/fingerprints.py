"""Who answered a request: a service id read from the response headers (`hops[].served_by`).

Each row names the header that proves it, and where that header was seen. The rows are in
order of precedence: when a response shows several services (a shop or GitHub Pages behind
its own CDN), the first row that matches names the one the admin configures. Hosted
platforms come first, then CDNs and edges (they answer before any origin), then web servers,
which show themselves only in `Server`. Ids that are also `adue-wizard generate` platforms are
spelled the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fingerprint:
    service: str
    title: str
    header: str  # lower-case response header name
    pattern: str | None = None  # regex (case-insensitive) on the value; None: present at all
    # Where the header was seen, for the next person to check it.
    source: str = ""

    def matches(self, headers: dict[str, str]) -> bool:
        value = headers.get(self.header)
        if value is None:
            return False
        return self.pattern is None or re.search(self.pattern, value, re.I) is not None


FINGERPRINTS: tuple[Fingerprint, ...] = (
    # Hosted platforms, which sit behind their own CDN (Shopify behind Cloudflare, GitHub
    # Pages behind Fastly): the platform is what the admin configures.
    Fingerprint("shopify", "Shopify", "x-shopid", None, "http.dev/x-shopid"),
    Fingerprint(
        "shopify",
        "Shopify",
        "x-shopify-stage",
        None,
        "Shopify community: storefront and API responses carry x-shopify-stage: production",
    ),
    Fingerprint("shopify", "Shopify", "powered-by", r"^shopify\b", "Shopify storefronts"),
    Fingerprint(
        "github-pages",
        "GitHub Pages",
        "server",
        r"^github\.com$",
        "GitHub Pages responses: server: GitHub.com with x-github-request-id",
    ),
    Fingerprint("github-pages", "GitHub Pages", "x-github-request-id", None, "GitHub Pages"),
    Fingerprint("squarespace", "Squarespace", "server", r"^squarespace\b", "Squarespace sites"),
    Fingerprint("wix", "Wix", "x-wix-request-id", None, "Wix sites"),
    Fingerprint("wix", "Wix", "server", r"^pepyaka\b", "Wix sites (older front end)"),
    Fingerprint("netlify", "Netlify", "x-nf-request-id", None, "Netlify: every response"),
    Fingerprint("netlify", "Netlify", "server", r"^netlify\b", "Netlify: every response"),
    Fingerprint("vercel", "Vercel", "x-vercel-id", None, "Vercel docs: response headers"),
    Fingerprint("vercel", "Vercel", "server", r"^vercel\b", "Vercel docs: response headers"),
    # CDNs and edges.
    Fingerprint(
        "cloudflare", "Cloudflare", "cf-ray", None, "Cloudflare docs: Cloudflare HTTP headers"
    ),
    Fingerprint("cloudflare", "Cloudflare", "server", r"^cloudflare\b", "Cloudflare docs"),
    Fingerprint(
        "cloudfront", "AWS CloudFront", "x-amz-cf-id", None, "AWS docs: CloudFront response headers"
    ),
    Fingerprint("cloudfront", "AWS CloudFront", "via", r"\(cloudfront\)", "AWS CloudFront"),
    Fingerprint("fastly", "Fastly", "x-fastly-request-id", None, "Fastly responses"),
    Fingerprint(
        "fastly",
        "Fastly",
        "x-served-by",
        r"\bcache-[a-z0-9-]+",
        "Fastly docs: X-Served-By names the cache node, e.g. cache-lhr7330-LHR",
    ),
    Fingerprint("akamai", "Akamai", "akamai-grn", None, "Akamai: error and debug responses"),
    Fingerprint("akamai", "Akamai", "x-akamai-request-id", None, "Akamai debug headers"),
    Fingerprint("akamai", "Akamai", "x-akamai-transformed", None, "Akamai responses"),
    Fingerprint("akamai", "Akamai", "server", r"^akamaighost\b", "Akamai edge error pages"),
    Fingerprint(
        "azure", "Azure Front Door / CDN", "x-azure-ref", None, "Microsoft docs: Front Door headers"
    ),
    # Web servers the admin runs (only `Server` shows them; a CDN in front replaces it).
    Fingerprint("nginx", "NGINX", "server", r"^nginx\b", "nginx server_tokens"),
    Fingerprint("apache", "Apache httpd", "server", r"^apache\b", "Apache ServerTokens"),
    Fingerprint("iis", "Microsoft IIS", "server", r"^microsoft-iis\b", "IIS: Microsoft-IIS/10.0"),
    Fingerprint("caddy", "Caddy", "server", r"^caddy\b", "Caddy: server: Caddy"),
    Fingerprint("litespeed", "LiteSpeed", "server", r"^litespeed\b", "LiteSpeed Web Server"),
)

TITLES: dict[str, str] = {row.service: row.title for row in FINGERPRINTS}


def identify(headers: Iterable[tuple[str, str]]) -> Fingerprint | None:
    """The fingerprint of the service that answered, by precedence, or None when unknown."""
    by_name: dict[str, str] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), value.strip())
    return next((row for row in FINGERPRINTS if row.matches(by_name)), None)


def served_by(headers: Iterable[tuple[str, str]]) -> str | None:
    row = identify(headers)
    return row.service if row else None


def describe(headers: Iterable[tuple[str, str]]) -> str | None:
    """'answered by Cloudflare (cf-ray)', or None when nothing is recognised."""
    row = identify(headers)
    return f"answered by {row.title} ({row.header})" if row else None
