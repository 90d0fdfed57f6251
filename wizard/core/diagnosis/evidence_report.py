"""The Markdown report an admin attaches to a ticket (`verify --report FILE.md`, and the
wizard's report export): the verdict, each check with its cause and fix, each hop's request
and response headers, the certificates, and one `curl` command per hop that reproduces it.

It renders the one result model (a run just made, or one read back from the history), so
both places show the same evidence. Everything from a server is escaped: control characters
are shown as escapes, table cells cannot break the table, code blocks cannot be closed early.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from wizard.core.diagnosis.fingerprints import describe
from wizard.core.providers import title_of
from wizard.core.results import DomainReport, Hop
from wizard.core.shown import printable

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


def curl_command(hop: Hop, reproduce: ReproduceWith) -> str:
    """One shell-quoted curl command that sends this hop's request the way the verifier did."""
    args = ["curl", "--silent", "--show-error", "--include", "--max-time", f"{reproduce.timeout:g}"]
    method = hop.method
    if method != "GET":
        args += ["--request", method]
    headers = hop.request_headers
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
    args.append(hop.url)
    return " ".join(shlex.quote(arg) for arg in args)


def render_domain(report: DomainReport, reproduce: ReproduceWith) -> list[str]:
    """The section of one domain."""
    verdict = (
        "PASS" if report.ok else f"{'UNKNOWN' if report.unknown else 'FAIL'} ({report.failure})"
    )
    lines = [f"## {cell(report.domain)}: {verdict}", ""]
    if report.mdm:
        lines += [f"MDM: {cell(title_of(report.mdm))} ({cell(report.mdm)})", ""]
    if report.os_verdicts:
        lines += ["| iOS/iPadOS | verdict | what devices do |", "|---|---|---|"]
        for by_os in report.os_verdicts:
            word = by_os.verdict.replace("_", " ")
            lines.append(f"| {cell(by_os.range)} | {cell(word)} | {cell(by_os.summary)} |")
        lines.append("")
    lines += ["| check | status | code | cause | summary |", "|---|---|---|---|---|"]
    for check in report.checks:
        lines.append(
            f"| {check.id.heading} | {check.status} | {cell(check.code or '')} "
            f"| {cell(check.cause or '')} | {cell(check.summary)} |"
        )
    fixes = [check for check in report.checks if check.remedy]
    if fixes:
        lines += ["", "### What to fix", ""]
        for check in fixes:
            label = check.cause or check.code
            lines.append(f"- **{cell(check.id)}** ({cell(label)}): {cell(check.remedy)}")
    for number, hop in enumerate(report.hops, 1):
        lines += ["", *render_hop(number, hop, reproduce)]
    return lines


def render_hop(number: int, hop: Hop, reproduce: ReproduceWith) -> list[str]:
    status = hop.status
    lines = [f"### Request {number}: {status if status is not None else 'no answer'}", ""]
    lines.append(f"- URL: {cell(hop.url)}")
    answered = describe(hop.response_headers)
    if answered:
        lines.append(f"- {answered[0].upper()}{answered[1:]}")
    request = [f"{k}: {v}" for k, v in hop.request_headers]
    lines += ["", "Request headers:", "", *code_block([f"{hop.method} {hop.url}", *request])]
    if hop.response_headers:
        response = [f"{k}: {v}" for k, v in hop.response_headers]
        lines += ["", "Response headers:", "", *code_block([f"HTTP {status}", *response])]
    if hop.body_excerpt:
        lines += ["", "Start of the body:", "", *code_block(hop.body_excerpt.splitlines()[:40])]
    for index, certificate in enumerate(hop.certificates or []):
        if index == 0:
            lines += ["", "Certificates the server sent (leaf first):", ""]
        names = ", ".join(certificate.names) or "none"
        extra = f"; issuer URL {certificate.issuer_url}" if certificate.issuer_url else ""
        self_signed = "; self-signed" if certificate.self_signed else ""
        lines.append(
            f"{index + 1}. subject {cell(certificate.subject)}; issuer "
            f"{cell(certificate.issuer)}; names {cell(names)}; valid until "
            f"{cell(certificate.not_after)}{cell(extra)}{self_signed}"
        )
    lines += ["", "Reproduce:", "", *code_block([curl_command(hop, reproduce)], "sh")]
    return lines


def diagnosis_text(report: DomainReport) -> str:
    """One domain's diagnosis as plain text, to paste into a chat or ticket: the verdict, who
    answered each request, and each warning or failure with its cause and fix."""
    verdict = (
        "PASS" if report.ok else f"{'UNKNOWN' if report.unknown else 'FAIL'} ({report.failure})"
    )
    lines = [f"{report.domain}: {verdict}"]
    lines += [f"iOS/iPadOS {v.range}: {v.verdict.replace('_', ' ')}" for v in report.os_verdicts]
    for number, hop in enumerate(report.hops, 1):
        answered = describe(hop.response_headers)
        suffix = f" ({answered})" if answered else ""
        status = hop.status if hop.status is not None else "---"
        lines.append(f"{number}. {status} {hop.url}{suffix}")
    for check in report.checks:
        if check.status not in ("warn", "fail"):
            continue
        cause = f" [cause: {check.cause}]" if check.cause else ""
        lines.append(f"{check.status.upper()} {check.id.heading}: {check.summary}{cause}")
        if check.remedy:
            lines.append(f"  {check.remedy}")
    return "\n".join(printable(line) for line in lines)


def render_report(results: Sequence[DomainReport], reproduce: ReproduceWith) -> str:
    """The whole report for a run of `verify`."""
    failed = [r for r in results if not r.ok]
    verdict = (
        f"{len(failed)} of {len(results)} domains failed"
        if failed
        else f"all {len(results)} domains passed"
    )
    lines = ["# Account-driven enrollment check", "", f"Verdict: {verdict}.", ""]
    for result in results:
        lines += [*render_domain(result, reproduce), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
