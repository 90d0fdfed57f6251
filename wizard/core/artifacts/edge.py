"""Cloudflare and AWS CloudFront: the redirect (or the file) at the edge, before any server."""

from __future__ import annotations

from wizard.core.artifacts.escaping import (
    cloudflare_string,
    javascript_string,
    json_text,
    shell_word,
)
from wizard.core.artifacts.model import (
    QUERY_WHY,
    Artifact,
    GenerateError,
    Plan,
    Setup,
    document_artifact,
    verify_step,
    why_comment,
)
from wizard.core.protocol import WELL_KNOWN_PATH

CLOUDFLARE_PHASE = "http_request_dynamic_redirect"
CLOUDFLARE_API = "https://api.cloudflare.com/client/v4"
# "The maximum length of a rule expression is 4,096 characters" (Cloudflare, Rules
# language > Expressions).
MAX_EXPRESSION = 4096


def cloudflare_match(setup: Setup) -> str:
    """The request a rule matches: the well-known path, on every domain of the setup (`in`
    takes a space-separated set of strings, Cloudflare Rules language > Operators); with
    no domain given, on any host of the zone."""
    path = f'http.request.uri.path eq "{WELL_KNOWN_PATH}"'
    if not setup.domains:
        return path
    hosts = " ".join(cloudflare_string(domain) for domain in setup.domains)
    return f"http.host in {{{hosts}}} and {path}"


def cloudflare_rules(setup: Setup) -> list[dict[str, object]]:
    """Single Redirect rules for the Rulesets API (phase http_request_dynamic_redirect)."""
    target = setup.redirect_target
    path = cloudflare_match(setup)
    if len(path) > MAX_EXPRESSION - 64:  # room for the query condition and parentheses
        raise GenerateError(
            f"{len(setup.domains)} domains do not fit one Cloudflare rule expression "
            f"({MAX_EXPRESSION} characters at most); split them into several setups"
        )
    description = setup.header_sentence()

    def rule(expression: str, target_url: dict[str, str], note: str) -> dict[str, object]:
        return {
            "description": f"{description} {note}".strip(),
            "expression": expression,
            "action": "redirect",
            "action_parameters": {
                "from_value": {
                    "status_code": 301,
                    "target_url": target_url,
                    # Cannot be combined with a target that has its own query (error 10055).
                    "preserve_query_string": False,
                }
            },
        }

    if not setup.forward_query:
        return [rule(f"({path})", {"value": target}, "")]
    # concat() keeps the target's organization_id and appends the device's query; the
    # second rule covers a request with no query, so the target never ends in a stray `&`.
    joined = cloudflare_string(target + setup.query_separator)
    return [
        rule(
            f'({path} and http.request.uri.query ne "")',
            {"expression": f"concat({joined}, http.request.uri.query)"},
            "(forwards the device's query)",
        ),
        rule(f'({path} and http.request.uri.query eq "")', {"value": target}, "(no query)"),
    ]


def cloudflare(setup: Setup) -> Plan:
    payload = json_text({"rules": cloudflare_rules(setup)})
    entrypoint = (
        f"{CLOUDFLARE_API}/zones/$CLOUDFLARE_ZONE_ID/rulesets/phases/{CLOUDFLARE_PHASE}/entrypoint"
    )
    script = (
        "#!/bin/sh\n"
        + setup.commented("# ")
        + "# Needs: CLOUDFLARE_API_TOKEN (Zone > Single Redirect > Edit) and CLOUDFLARE_ZONE_ID\n"
        "# (Overview page of the zone, right-hand column).\n"
        "# 1. Look first: this prints the dynamic redirect rules the zone already has.\n"
        f'curl -sS "{entrypoint}" \\\n'
        '  -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"\n'
        "# 2. If it already has rules, add ours to them (PUT replaces the whole list):\n"
        "#    POST each rule of cloudflare-redirect-rules.json to\n"
        f"#    {CLOUDFLARE_API}/zones/$CLOUDFLARE_ZONE_ID/rulesets/<ruleset id>/rules\n"
        "# 3. If it has none, create the entrypoint with our rules:\n"
        f'curl -sS -X PUT "{entrypoint}" \\\n'
        '  -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  --data @cloudflare-redirect-rules.json\n"
    )
    target = setup.redirect_target
    records = "record" if len(setup.domains) <= 1 else "records"
    log_in = (
        f"Log in to Cloudflare and select the zone; the DNS {records} for {setup.named} must "
        "be proxied (orange cloud)."
    )
    if setup.forward_query:
        rules = cloudflare_rules(setup)
        dashboard = [
            log_in,
            'Rules > Redirect Rules > Create rule; name it "ADUE discovery (with query)".',
            "Under When incoming requests match, choose Custom filter expression > Edit "
            f"expression and paste: {rules[0]['expression']}",
            "Then: URL redirect, Type Dynamic, expression: "
            f"concat({cloudflare_string(target + setup.query_separator)}, "
            "http.request.uri.query); "
            "Status code 301; leave Preserve query string unchecked. Deploy.",
            'Create a second rule "ADUE discovery" with the expression '
            f"{rules[1]['expression']}, Type Static, URL {target}, 301. Deploy.",
            "Or do the same with the API: cloudflare-redirect-rules.json and cloudflare-api.sh.",
        ]
        notes: list[str] = [QUERY_WHY]
        if setup.mdm.guide:
            notes.append(
                f"Use --vendor-form (e in the wizard) for the single wildcard rule of "
                f"{setup.mdm.guide} instead."
            )
    else:
        # The wildcard pattern takes one URL: one rule per domain, as the vendor's guide shows.
        first, *others = setup.hosts
        dashboard = [
            log_in,
            "Rules > Redirect Rules > Create rule, and give it a descriptive name.",
            "Under When incoming requests match, select Wildcard pattern.",
            f"Request URL: https://{first}{WELL_KNOWN_PATH}* (keep the asterisk){setup.stand_in}.",
            f"Target URL: {target}",
            "Status code: 301. Leave Preserve query string unchecked. Click Deploy.",
            *(
                f"For {other}: one more rule, the same but with Request URL "
                f"https://{other}{WELL_KNOWN_PATH}*"
                for other in others
            ),
        ]
        notes = ["Rules may take a little while to apply because of Cloudflare's caching."]
    if len(setup.domains) > 1:
        notes.append(
            "Redirect rules belong to one zone: if these domains are in different zones, "
            "create the rules in each (the API payload lists every domain, so it fits each zone)."
        )
    steps = (*dashboard, verify_step(setup))
    artifacts = (
        Artifact("cloudflare-redirect-rules.json", "Cloudflare: Rulesets API payload", payload),
        Artifact("cloudflare-api.sh", "Cloudflare: curl commands", script),
    )
    return Plan("cloudflare", setup.method, artifacts, steps, tuple(notes))


def cloudfront(setup: Setup) -> Plan:
    if setup.method == "self-host":
        document = document_artifact(setup)
        command = " ".join(
            shell_word(word)
            for word in [
                "aws",
                "s3",
                "cp",
                document.filename,
                f"s3://YOUR-BUCKET{WELL_KNOWN_PATH}",
                "--content-type",
                "application/json",
            ]
        )
        steps: tuple[str, ...] = (
            "S3 website endpoints are HTTP-only: serve the bucket through CloudFront.",
            *setup.per_domain(
                lambda domain: (
                    f"The distribution that serves {domain} needs it as an "
                    "alternate domain name, with an ACM certificate that covers it."
                ),
                "One distribution can carry several of these domains as alternate names.",
            ),
            f"Upload the document with its content type: {command}",
            f"Invalidate the cached path: aws cloudfront create-invalidation --distribution-id "
            f"YOUR-DISTRIBUTION --paths {WELL_KNOWN_PATH}",
            verify_step(setup),
        )
        return Plan("cloudfront", setup.method, (document,), steps)
    target = setup.redirect_target
    header = setup.commented("// ")
    if setup.forward_query:
        body = (
            why_comment("// ") + "function handler(event) {\n"
            "    var query = event.request.querystring;\n"
            "    var parts = [];\n"
            "    for (var name in query) {\n"
            "        var values = query[name].multiValue || [query[name]];\n"
            "        for (var i = 0; i < values.length; i++) {\n"
            "            parts.push(name + '=' + values[i].value);\n"
            "        }\n"
            "    }\n"
            f"    var location = {javascript_string(target)};\n"
            "    if (parts.length > 0) {\n"
            f"        location += {javascript_string(setup.query_separator)} + parts.join('&');\n"
            "    }\n"
            "    return {\n"
            "        statusCode: 301,\n"
            "        statusDescription: 'Moved Permanently',\n"
            "        headers: { location: { value: location } }\n"
            "    };\n"
            "}\n"
        )
    else:
        body = (
            "function handler(event) {\n"
            "    return {\n"
            "        statusCode: 301,\n"
            "        statusDescription: 'Moved Permanently',\n"
            f"        headers: {{ location: {{ value: {javascript_string(target)} }} }}\n"
            "    };\n"
            "}\n"
        )
    steps = (
        "CloudFront > Functions > Create function (runtime cloudfront-js-2.0); paste "
        "cloudfront-function.js; Publish.",
        *setup.per_domain(
            lambda domain: (
                f"In the distribution that serves {domain}, add a behavior for the "
                f"path pattern {WELL_KNOWN_PATH} and associate the function with Viewer request."
            ),
            "A distribution that serves several of these domains needs the behavior once.",
        ),
        verify_step(setup),
    )
    notes = (
        "Unconfirmed: whether CloudFront passes query values to functions already "
        "percent-encoded in every case; verify with adue-wizard after deploying.",
    )
    artifact = Artifact(
        "cloudfront-function.js", "CloudFront Function (viewer request)", header + body
    )
    return Plan("cloudfront", setup.method, (artifact,), steps, notes)
