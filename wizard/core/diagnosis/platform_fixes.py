"""The fix for the platform that answered (or the one the setup names), in its own words.

Directives are quoted from what `adue-wizard generate` writes for that platform, never
retyped: one source of truth. `DIRECTIVE_MARKERS` says which lines of the generated files
hold the rule; a test checks each quoted line against `generate`'s output. Firewall and cache
places are facts about each service's console, kept here as data.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.artifacts.model import GenerateError, Plan
from wizard.core.artifacts.platforms import PLATFORMS, generate
from wizard.core.artifacts.prepare import prepare_setup
from wizard.core.document import build_document
from wizard.core.protocol import WELL_KNOWN_PATH

# Lines of the generated files that make up the rule, per (platform, method).
DIRECTIVE_MARKERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("apache", "redirect"): ("RewriteRule ",),
    ("apache", "self-host"): ("<Location ", "ForceType "),
    ("nginx", "redirect"): ("location = ", "return 301 "),
    ("nginx", "self-host"): ("location = ", "default_type "),
    ("caddy", "redirect"): ("redir ",),
    ("caddy", "self-host"): ("header /.well-known",),
    ("iis", "redirect"): ('<action type="Redirect"',),
    ("iis", "self-host"): ("<mimeMap ",),
    ("cloudflare", "redirect"): ('"expression": "(',),
    ("shopify", "redirect"): (f"{WELL_KNOWN_PATH},",),
    ("squarespace", "redirect"): (f"{WELL_KNOWN_PATH} -> ",),
    ("netlify", "redirect"): (f"{WELL_KNOWN_PATH} ",),
    ("netlify", "self-host"): (f"{WELL_KNOWN_PATH}", "Content-Type: "),
    ("vercel", "redirect"): ('"source": ', '"destination": '),
    ("vercel", "self-host"): ('"source": ', '"value": '),
    ("cloudfront", "redirect"): ("statusCode: 301",),
}
MAX_QUOTED_LINES = 4

# Where to let the device through a bot challenge or firewall, per service that answered.
WAF_PLACES: dict[str, str] = {
    "cloudflare": "Cloudflare dashboard > Security > WAF > Custom rules: a rule with "
    f'expression (http.request.uri.path eq "{WELL_KNOWN_PATH}") and '
    "action Skip (all remaining custom rules, rate limiting rules, managed rules and Super Bot "
    "Fight Mode). Bot Fight Mode cannot be skipped by a rule: turn it off for the zone.",
    "vercel": "Vercel project > Firewall: a custom rule for the path "
    f"{WELL_KNOWN_PATH} with action Bypass, and Attack Challenge Mode off.",
    "cloudfront": "AWS WAF web ACL of the distribution: a rule of higher priority matching "
    f"URI path exactly {WELL_KNOWN_PATH} with action Allow.",
    "akamai": "Akamai App & API Protector / Bot Manager: an exception (match target) for the "
    f"path {WELL_KNOWN_PATH}.",
    "fastly": "Fastly Next-Gen WAF: a request rule for the path "
    f"{WELL_KNOWN_PATH} with action Allow.",
    "azure": "Azure Front Door WAF policy: a custom rule of higher priority matching the path "
    f"{WELL_KNOWN_PATH} with action Allow.",
}

# Where to purge a cached answer and stop caching it, per CDN.
PURGE_PLACES: dict[str, str] = {
    "cloudflare": "Cloudflare dashboard > Caching > Configuration > Purge Cache > Custom "
    "Purge (the URL); then Caching > Cache Rules: a rule for the path with Bypass cache.",
    "cloudfront": "CloudFront console > the distribution > Invalidations: create one for "
    f"{WELL_KNOWN_PATH}; give that path a behaviour with the "
    "CachingDisabled cache policy.",
    "fastly": "Fastly: Purge URL for the well-known URL; pass the path in VCL "
    f'(if (req.url.path == "{WELL_KNOWN_PATH}") {{ return(pass); }}).',
    "akamai": "Akamai Control Center: Fast Purge the URL; a Property Manager rule for the "
    "path with caching set to no-store.",
    "azure": f"Azure Front Door: Purge cache for {WELL_KNOWN_PATH}; a "
    "rule set action that disables caching for that path.",
    "vercel": "Vercel project > Settings > Caches: purge the CDN cache, and send "
    "Cache-Control: no-store for the path (vercel.json headers).",
    "netlify": "Netlify: Deploys > Trigger deploy > Clear cache and deploy site.",
}


@dataclass(frozen=True)
class Quote:
    """Lines quoted from one generated file."""

    platform: str
    filename: str
    lines: tuple[str, ...]

    def as_text(self) -> str:
        title = PLATFORMS[self.platform].title
        quoted = " / ".join(f"`{line}`" for line in self.lines)
        return f"For {title}, in {self.filename}: {quoted}"


def directive_quote(
    platform: str, method: str, *, domain: str | None = None, target: str | None = None
) -> Quote | None:
    """The rule lines `generate` writes for `platform` and `method`, or None when it writes none."""
    markers = DIRECTIVE_MARKERS.get((platform, method))
    if markers is None:
        return None
    plan = _plan(platform, method, domain=domain, target=target)
    if plan is None:
        return None
    for artifact in plan.artifacts:
        lines = tuple(
            line.strip()
            for line in artifact.content.splitlines()
            if any(line.strip().startswith(marker.strip()) for marker in markers)
        )
        if lines:
            return Quote(platform, artifact.filename, lines[:MAX_QUOTED_LINES])
    return None


def static_host_steps(platform: str) -> tuple[str, ...]:
    """What `generate` tells a static host's admin to use instead (its plan's steps)."""
    plan = _plan(platform, "redirect", domain=None, target=None)
    return plan.steps if plan else ()


def _plan(platform: str, method: str, *, domain: str | None, target: str | None) -> Plan | None:
    try:
        if method == "redirect":
            # Without the setup's own target, one that stands for "your MDM's URL".
            target = target or "https://mdm.example.net/discovery"
            setup, _ = prepare_setup("redirect", domains=[domain] if domain else [], target=target)
        else:
            document = build_document("https://mdm.example.net/enroll")
            setup, _ = prepare_setup(
                "self-host", domains=[domain] if domain else [], document_text=document
            )
        return generate(platform, setup)
    except GenerateError:
        return None
