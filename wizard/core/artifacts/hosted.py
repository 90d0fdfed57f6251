"""Hosted site builders and static hosts: Shopify, Squarespace, Netlify, Vercel, GitHub Pages,
and "other" (the plain facts for any platform)."""

from __future__ import annotations

from wizard.core.artifacts.escaping import csv_row, json_text, whitespace_field
from wizard.core.artifacts.model import (
    Artifact,
    Plan,
    Setup,
    document_artifact,
    publish_step,
    shown_name,
    verify_step,
)
from wizard.core.protocol import WELL_KNOWN_PATH


def no_query_forwarding(setup: Setup) -> str:
    """Why the device's query is lost here, and (for an MDM whose guide shows this very
    form) that its guide does the same."""
    guide = f" {setup.mdm.guide} uses this form;" if setup.mdm.guide else ""
    return (
        "This platform cannot append the device's query to a target that has its own query, "
        f"so user-identifier and model-family will not reach the MDM.{guide} adue-wizard "
        "verify reports it as a warning, not a failure."
    )


def _one_per_domain(setup: Setup, platform: str, place: str) -> list[str]:
    """For a platform where a redirect belongs to one store or site (`place`): one entry
    per domain, saying where its redirect goes (nothing to add for a single domain)."""
    if len(setup.domains) <= 1:
        return []
    return [
        *(
            f"{shown}: the redirect goes into the {platform} {place} that serves {shown}."
            for shown in map(shown_name, setup.domains)
        ),
        f"A {place} that serves several of these domains needs the redirect once: it covers "
        f"every domain of the {place}.",
    ]


def _where(setup: Setup, place: str) -> list[str]:
    """For Netlify and Vercel: the site or project of each domain."""
    return setup.per_domain(
        lambda domain: f"Use the {place} that serves {domain}.",
        f"A {place} that serves several of these domains needs this once.",
    )


def shopify(setup: Setup) -> Plan:
    table = csv_row(["Redirect from", "Redirect to"]) + csv_row(
        [WELL_KNOWN_PATH, setup.redirect_target]
    )
    steps = (
        *_one_per_domain(setup, "Shopify", "store"),
        "In each of those stores: from your Shopify admin, go to Settings > Apps and sales "
        "channels."
        if len(setup.domains) > 1
        else "From your Shopify admin, go to Settings > Apps and sales channels.",
        "Click Online store, then Open sales channel.",
        "Click Navigation, then View URL Redirects, then Create URL redirect.",
        f"In Redirect from, enter {WELL_KNOWN_PATH}",
        f"In Redirect to, enter {setup.redirect_target}",
        "Click Save redirect (or Import the CSV file from the URL Redirects page).",
        verify_step(setup),
    )
    notes = (
        no_query_forwarding(setup),
        "Unconfirmed: whether Shopify accepts /.well-known/ paths for redirects; verify after "
        "saving.",
    )
    artifact = Artifact("shopify-redirects.csv", "Shopify: URL redirect import (CSV)", table)
    return Plan("shopify", setup.method, (artifact,), steps, notes)


def squarespace(setup: Setup) -> Plan:
    target = whitespace_field(setup.redirect_target, "a Squarespace URL mapping")
    line = f"{WELL_KNOWN_PATH} -> {target} 301\n"
    steps = (
        *_one_per_domain(setup, "Squarespace", "site"),
        "In each of those sites: open Developer Tools (Settings > Advanced on older versions)."
        if len(setup.domains) > 1
        else "Open Developer Tools (Settings > Advanced on older versions).",
        "Click URL Mappings.",
        "Click into the text field and add the line from squarespace-url-mappings.txt.",
        "Click Save.",
        verify_step(setup),
    )
    artifact = Artifact("squarespace-url-mappings.txt", "Squarespace: URL mappings line", line)
    return Plan("squarespace", setup.method, (artifact,), steps, (no_query_forwarding(setup),))


def netlify(setup: Setup) -> Plan:
    if setup.method == "redirect":
        # `!` forces the rule even if a file exists at the path.
        target = whitespace_field(setup.redirect_target, "a Netlify _redirects line")
        content = setup.commented("# ") + f"{WELL_KNOWN_PATH}  {target}  301!\n"
        artifacts: tuple[Artifact, ...] = (
            Artifact("_redirects", "Netlify: _redirects (publish directory)", content),
        )
        steps: tuple[str, ...] = (
            *_where(setup, "Netlify site"),
            "Put _redirects in the publish directory (or merge the line into the existing file).",
            "Deploy the site.",
            verify_step(setup),
        )
    else:
        content = setup.commented("# ") + f"{WELL_KNOWN_PATH}\n  Content-Type: application/json\n"
        artifacts = (
            Artifact("_headers", "Netlify: _headers (publish directory)", content),
            document_artifact(setup),
        )
        steps = (
            *_where(setup, "Netlify site"),
            publish_step(setup) + " Put it in the publish directory.",
            "Put _headers in the publish directory (or merge the block into the existing file).",
            "Deploy the site.",
            verify_step(setup),
        )
    notes = ("Unconfirmed: how Netlify treats the device's query on this redirect.",)
    return Plan(
        "netlify", setup.method, artifacts, steps, notes if setup.method == "redirect" else ()
    )


def vercel(setup: Setup) -> Plan:
    if setup.method == "redirect":
        config: dict[str, object] = {
            "redirects": [
                {"source": WELL_KNOWN_PATH, "destination": setup.redirect_target, "statusCode": 301}
            ]
        }
        artifacts: tuple[Artifact, ...] = ()
        notes: tuple[str, ...] = ("Unconfirmed: how Vercel treats the device's query here.",)
    else:
        config = {
            "headers": [
                {
                    "source": WELL_KNOWN_PATH,
                    "headers": [{"key": "Content-Type", "value": "application/json"}],
                }
            ]
        }
        # In the project's public/ folder, as the step says: vercel.json stays at the root.
        artifacts = (document_artifact(setup, "public/"),)
        notes = ()
    # vercel.json has no comments, and Vercel checks it against its schema, which refuses
    # unknown keys: what the header says goes into the steps instead.
    content = json_text(config)
    steps = [
        *_where(setup, "Vercel project"),
        "Merge vercel.json into the project root's vercel.json (keep your other settings). "
        f"It has no room for a comment: {setup.header_sentence()}",
        "Deploy (git push, or vercel --prod).",
        verify_step(setup),
    ]
    if setup.method == "self-host":
        steps.insert(-3, publish_step(setup) + " Put it in the project's public/ (static) folder.")
    primary = Artifact("vercel.json", "Vercel: vercel.json", content)
    return Plan("vercel", setup.method, (primary, *artifacts), tuple(steps), notes)


GITHUB_PAGES_WHY = (
    "GitHub Pages cannot serve this correctly: it sends an extensionless file as "
    "application/octet-stream and offers no way to set a Content-Type or a redirect, and "
    "Jekyll drops folders that start with a dot unless told otherwise. Devices (and an MDM "
    "portal that checks the domain) need application/json."
)

# The same in one line, for `generate`, which refuses the platform (exit status 2).
GITHUB_PAGES_REFUSAL = (
    "GitHub Pages cannot serve the discovery document (no Content-Type, no redirects): put "
    "Cloudflare in front of it (--platform cloudflare), or use netlify, vercel or a web server"
)


def github_pages(setup: Setup) -> Plan:
    steps = (
        "Put Cloudflare in front of the domain and use its redirect rule: "
        "adue-wizard generate --method redirect --platform cloudflare.",
        "Or host the site (or just this path) on Netlify or Vercel, which can set the type.",
        "Or point the exact sign-in domain at any web server you control (NGINX, Apache, Caddy).",
    )
    return Plan("github-pages", setup.method, (), steps, (GITHUB_PAGES_WHY,))


def other(setup: Setup) -> Plan:
    label = "URL" if len(setup.hosts) == 1 else "URLs (each domain)"
    url = f"{label}: {setup.well_known_urls()}{setup.stand_in}"
    if setup.method == "redirect":
        facts: tuple[str, ...] = (
            url,
            f"Answer with: HTTP 301 (Moved Permanently), Location: {setup.redirect_target}",
            "Best: append the request's query string to the Location, after the target's own "
            f"query, with {setup.query_separator!r} (Apple devices do not carry it themselves).",
            "Everything over HTTPS with a publicly trusted certificate; no other redirects first.",
            verify_step(setup),
        )
        return Plan("other", setup.method, (), facts)
    facts = (
        url,
        "Answer with: HTTP 200, Content-Type: application/json, the document as the body.",
        "HTTPS with a publicly trusted certificate; no redirects; no HTML catch-all page.",
        verify_step(setup),
    )
    return Plan("other", setup.method, (document_artifact(setup),), facts)
