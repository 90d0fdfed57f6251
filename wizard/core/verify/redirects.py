"""Following the device's request from the domain to its answer, one hop at a time: each
hop's TLS (recorded as `connect`), each redirect judged (loops, plain http, too many), and
the chain judged as a whole (`redirects`): the device's query carried to the end, and, for a
preset, landing where that MDM expects."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from wizard.core.codes import CheckId, Code
from wizard.core.diagnosis.fingerprints import served_by
from wizard.core.providers import PRESETS
from wizard.core.results import Hop, bounded_headers
from wizard.core.verify.check_run import CheckRun
from wizard.core.verify.ems import EmsProbes
from wizard.core.verify.evidence import fetch_peer_chain
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.response_checks import REDIRECT_STATUSES
from wizard.core.verify.tls import (
    EXPIRY_WARNING_DAYS,
    classify_connect_error,
    inspect_certificate,
    no_route,
)
from wizard.core.verify.transport import ADDRESS, ON_PHASE


async def follow_redirects(
    client: httpx.AsyncClient,
    options: VerifyOptions,
    ems: EmsProbes,
    run: CheckRun,
    url: str,
    address: str,
) -> httpx.Response | None:
    """Request `url` and each redirect target in turn; return the final response, open,
    after recording the `connect` and `redirects` checks, or None after a failure. Each
    TLS 1.2 hop's server is probed for the extended master secret meanwhile (`run.ems`).

    Requests to the domain itself go to `address`; other hosts are resolved as the OS would
    (the first address that connects)."""
    run.current = CheckId.CONNECT
    domain = run.report.domain
    visited = [url]
    tls_facts: list[str] = []
    expiring: str | None = None
    while True:
        hop = Hop(url)
        run.report.hops.append(hop)
        parts = urlsplit(url)
        host = parts.hostname or url
        extensions: dict[str, object] = {ON_PHASE: run.enter_phase}
        pinned = host == domain and (parts.port or 443) == 443
        if pinned:
            extensions[ADDRESS] = address
        request = client.build_request("GET", url, extensions=extensions)
        hop.request_headers = bounded_headers(request.headers.raw)
        try:
            response = await client.send(request, stream=True)
        except httpx.RemoteProtocolError as error:
            # TLS worked, but what came back is not an HTTP response a device can read.
            _record_connect(run, tls_facts, expiring)
            _record_redirects(options, run, visited)
            run.record(
                CheckId.STATUS,
                "fail",
                f"no valid HTTP response from {host} ({error})",
                Code.BAD_STATUS,
            )
            return None
        except httpx.HTTPError as error:
            classified = classify_connect_error(error, host)
            if pinned and len(visited) == 1:
                run.no_route = no_route(error)
            if classified.code.startswith("tls_"):
                hop.peer_chain = await fetch_peer_chain(
                    url, options.connect_to, address if pinned else None
                )
            run.record(CheckId.CONNECT, "fail", classified.summary, classified.code)
            return None
        hop.status = response.status_code
        hop.response_headers = bounded_headers(response.headers.raw)
        hop.served_by = served_by(hop.response_headers)
        weakness, summary, not_after = _describe_tls(response)
        hop.tls = summary
        hop.cert_not_after = not_after.isoformat() if not_after else None
        days_left = (not_after - datetime.now(UTC)).days if not_after else None
        peer = response.extensions.get("peer")
        if isinstance(peer, tuple) and len(peer) >= 2:
            hop.address = str(peer[0])
            if summary and summary.startswith("TLSv1.2"):
                run.ems.append((hop, ems.start(hop.address, int(peer[1]), host)))
        if weakness:
            await response.aclose()
            run.record(CheckId.CONNECT, "fail", f"{host}: {weakness}", Code.TLS_WEAK_KEY)
            return None
        if summary and len(tls_facts) < 3:
            tls_facts.append(f"{host}: {summary}")
        if days_left is not None and days_left < EXPIRY_WARNING_DAYS and expiring is None:
            expiring = f"the certificate for {host} expires in {days_left} days"

        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or location is None:
            _record_connect(run, tls_facts, expiring)
            if not _record_redirects(options, run, visited):
                await response.aclose()
                return None
            run.current = CheckId.STATUS
            return response
        await response.aclose()
        hop.location = location
        problem, next_url = _next_hop(options, url, location, visited)
        if problem:
            _record_connect(run, tls_facts, expiring)
            run.record(CheckId.REDIRECTS, "fail", problem[1], problem[0])
            return None
        url = next_url
        visited.append(url)


def _next_hop(
    options: VerifyOptions, url: str, location: str, visited: list[str]
) -> tuple[tuple[Code, str] | None, str]:
    """Resolve a Location header; return ((code, summary), "") when it must not be followed."""
    try:
        target = str(httpx.URL(url).join(location))
    except (httpx.InvalidURL, ValueError):
        return (Code.BAD_STATUS, f"redirect to an invalid URL: {location!r}"), ""
    if urlsplit(target).scheme != "https":
        return (Code.INSECURE_REDIRECT, f"hop {len(visited)} redirects to non-HTTPS {target}"), ""
    if target in visited:
        loop = " -> ".join([*visited[visited.index(target) :], target])
        return (Code.TOO_MANY_REDIRECTS, f"redirect loop: {loop}"), ""
    if len(visited) > options.max_redirects:
        return (
            Code.TOO_MANY_REDIRECTS,
            f"more than {options.max_redirects} redirects (next: {target})",
        ), ""
    return None, target


def _record_connect(run: CheckRun, tls_facts: list[str], expiring: str | None) -> None:
    summary = "; ".join(tls_facts) or "connected"
    if expiring:
        run.record(CheckId.CONNECT, "warn", f"{expiring} ({summary})", Code.CERT_EXPIRING)
    else:
        run.record(CheckId.CONNECT, "pass", summary)


def _record_redirects(options: VerifyOptions, run: CheckRun, visited: list[str]) -> bool:
    """Record `redirects`; False when it failed (the device lands in the wrong place)."""
    count = len(visited) - 1
    described = f"{count} redirect{'s' if count > 1 else ''} to {visited[-1]}"
    if options.mdm is not None:
        preset = PRESETS[options.mdm]
        judged = preset.redirect_problem(options.mdm_answers, run.report.domain, visited)
        if judged is not None:
            code, problem = judged
            run.record(
                CheckId.REDIRECTS, "fail", f"{described}; {problem}" if count else problem, code
            )
            return False
    if count == 0:
        run.record(CheckId.REDIRECTS, "pass", "no redirects: the domain answers itself")
        return True
    query = parse_qs(urlsplit(visited[-1]).query)
    if "user-identifier" not in query or "model-family" not in query:
        run.record(
            CheckId.REDIRECTS,
            "warn",
            f"{described}; the device's user-identifier/model-family did not reach it",
            Code.QUERY_NOT_FORWARDED,
        )
    else:
        run.record(CheckId.REDIRECTS, "pass", f"{described}; the device's query was forwarded")
    return True


def _describe_tls(response: httpx.Response) -> tuple[str | None, str | None, datetime | None]:
    """(weakness, "TLSv1.3 cipher, RSA 2048 until 2027-01-01", the certificate's expiry) for
    the connection."""
    ssl_object = response.extensions.get("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None, None, None
    der = ssl_object.getpeercert(binary_form=True)
    cipher = ssl_object.cipher()
    protocol = f"{ssl_object.version()} {cipher[0] if cipher else ''}".strip()
    if not der:
        return None, protocol, None
    try:
        facts = inspect_certificate(der)
    except (ValueError, IndexError):
        return None, f"{protocol}, certificate not readable", None
    summary = f"{protocol}, {facts.key} certificate valid until {facts.not_after:%Y-%m-%d}"
    return facts.weakness, summary, facts.not_after
