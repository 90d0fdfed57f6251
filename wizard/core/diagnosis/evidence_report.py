"""The Markdown report an admin attaches to a ticket (`verify --report FILE.md`, and the
wizard's report export): the verdict, each check with its cause and fix, each hop's request
and response headers, the certificates, and one `curl` command per hop that reproduces it.

It reads the JSON form of a report (`DomainReport.as_json()`, or a saved result), so both
places render the same evidence. Everything from a server is escaped: control characters are
shown as escapes, table cells cannot break the table, code blocks cannot be closed early.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.core.shown import printable
from wizard.core.verify.results import CHECK_TITLES

# Request headers curl sets itself; the others are passed with -H to look like the device.
_CURL_OWN = frozenset({"host", "content-length", "connection"})


@dataclass(frozen=True)
class ReproduceWith:
    """The options a `curl` command needs to reach the same server the same way."""

    connect_to: Sequence[str] = ()
    resolve: Sequence[str] = ()
    ca_bundle: str | None = None
    timeout: float = 10.0


def cell(text: object) -> str:
    """Table-safe and terminal-safe text."""
    return printable(str(text)).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def code_block(lines: Sequence[str], language: str = "") -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside it."""
    body = [printable(line) for line in lines]
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language, *body, fence]


def curl_command(hop: Mapping[str, Any], reproduce: ReproduceWith) -> str:
    """One shell-quoted curl command that sends this hop's request the way the verifier did."""
    args = ["curl", "--silent", "--show-error", "--include", "--max-time", f"{reproduce.timeout:g}"]
    method = str(hop.get("method") or "GET")
    if method != "GET":
        args += ["--request", method]
    headers = [(str(k), str(v)) for k, v in hop.get("request_headers") or []]
    for name, value in headers:
        if name.lower() not in _CURL_OWN:
            args += ["--header", f"{name}: {value}"]
    if any(name.lower() == "accept-encoding" for name, _ in headers):
        args.append("--compressed")
    if method == "POST":
        args += ["--data-binary", ""]
    for spec in reproduce.connect_to:
        args += ["--connect-to", spec]
    for spec in reproduce.resolve:
        args += ["--resolve", spec]
    if reproduce.ca_bundle:
        args += ["--cacert", reproduce.ca_bundle]
    args.append(str(hop.get("url", "")))
    return " ".join(shlex.quote(arg) for arg in args)


def render_domain(result: Mapping[str, Any], reproduce: ReproduceWith) -> list[str]:
    """The section of one domain, from its JSON form."""
    verdict = "PASS" if result.get("ok") else f"FAIL ({result.get('failure')})"
    lines = [f"## {cell(result.get('domain', ''))}: {verdict}", ""]
    if result.get("mdm"):
        from wizard.core.providers.answers import title_of

        lines += [f"MDM: {cell(title_of(str(result['mdm'])))} ({cell(str(result['mdm']))})", ""]
    checks = result.get("checks") or []
    lines += ["| check | status | code | cause | summary |", "|---|---|---|---|---|"]
    for check in checks:
        lines.append(
            f"| {CHECK_TITLES.get(check.get('id'), cell(check.get('id')))} | {check.get('status')} "
            f"| {cell(check.get('code') or '')} | {cell(check.get('cause') or '')} "
            f"| {cell(check.get('summary', ''))} |"
        )
    fixes = [
        check for check in checks if check.get("remedy") and check.get("status") in ("warn", "fail")
    ]
    if fixes:
        lines += ["", "### What to fix", ""]
        for check in fixes:
            label = check.get("cause") or check.get("code")
            lines.append(f"- **{cell(check.get('id'))}** ({cell(label)}): {cell(check['remedy'])}")
    for number, hop in enumerate(result.get("hops") or [], 1):
        lines += ["", *render_hop(number, hop, reproduce)]
    return lines


def render_hop(number: int, hop: Mapping[str, Any], reproduce: ReproduceWith) -> list[str]:
    from wizard.core.diagnosis.fingerprints import describe

    status = hop.get("status")
    lines = [f"### Request {number}: {status if status is not None else 'no answer'}", ""]
    lines.append(f"- URL: {cell(hop.get('url', ''))}")
    response_headers = [(str(k), str(v)) for k, v in hop.get("response_headers") or []]
    answered = describe(response_headers)
    if answered:
        lines.append(f"- {answered[0].upper()}{answered[1:]}")
    request = [f"{k}: {v}" for k, v in hop.get("request_headers") or []]
    method = str(hop.get("method") or "GET")
    lines += ["", "Request headers:", "", *code_block([f"{method} {hop.get('url', '')}", *request])]
    if response_headers:
        response = [f"{k}: {v}" for k, v in response_headers]
        lines += ["", "Response headers:", "", *code_block([f"HTTP {status}", *response])]
    excerpt = hop.get("body_excerpt")
    if excerpt:
        lines += ["", "Start of the body:", "", *code_block(str(excerpt).splitlines()[:40])]
    for index, certificate in enumerate(hop.get("certificates") or []):
        if index == 0:
            lines += ["", "Certificates the server sent (leaf first):", ""]
        names = ", ".join(certificate.get("names") or []) or "none"
        extra = f"; issuer URL {certificate['issuer_url']}" if certificate.get("issuer_url") else ""
        self_signed = "; self-signed" if certificate.get("self_signed") else ""
        lines.append(
            f"{index + 1}. subject {cell(certificate.get('subject'))}; issuer "
            f"{cell(certificate.get('issuer'))}; names {cell(names)}; valid until "
            f"{cell(certificate.get('not_after'))}{cell(extra)}{self_signed}"
        )
    lines += ["", "Reproduce:", "", *code_block([curl_command(hop, reproduce)], "sh")]
    return lines


def diagnosis_text(result: Mapping[str, Any]) -> str:
    """One domain's diagnosis as plain text, to paste into a chat or ticket: the verdict, who
    answered each request, and each warning or failure with its cause and fix."""
    from wizard.core.diagnosis.fingerprints import describe

    verdict = "PASS" if result.get("ok") else f"FAIL ({result.get('failure')})"
    lines = [f"{result.get('domain', '')}: {verdict}"]
    for number, hop in enumerate(result.get("hops") or [], 1):
        status = hop.get("status")
        answered = describe([(str(k), str(v)) for k, v in hop.get("response_headers") or []])
        suffix = f" ({answered})" if answered else ""
        lines.append(
            f"{number}. {status if status is not None else '---'} {hop.get('url')}{suffix}"
        )
    for check in result.get("checks") or []:
        if check.get("status") not in ("warn", "fail"):
            continue
        title = CHECK_TITLES.get(check.get("id"), check.get("id"))
        cause = f" [cause: {check['cause']}]" if check.get("cause") else ""
        lines.append(f"{str(check.get('status')).upper()} {title}: {check.get('summary')}{cause}")
        if check.get("remedy"):
            lines.append(f"  {check['remedy']}")
    return "\n".join(printable(line) for line in lines)


def render_report(results: Sequence[Mapping[str, Any]], reproduce: ReproduceWith) -> str:
    """The whole report for a run of `verify`."""
    failed = [r for r in results if not r.get("ok")]
    verdict = (
        f"{len(failed)} of {len(results)} domains failed"
        if failed
        else f"all {len(results)} domains passed"
    )
    lines = ["# Account-driven enrollment check", "", f"Verdict: {verdict}.", ""]
    for result in results:
        lines += [*render_domain(result, reproduce), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
