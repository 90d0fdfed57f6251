"""Verify a domain's account-driven enrollment discovery the way an Apple device does.

One GET to https://<domain>/.well-known/com.apple.remotemanagement with the device's query,
redirects followed by hand one hop at a time, then the status, content type, body, JSON
shape and provider rules; optionally one POST to the BaseURL. Each step is a `Check`; the
whole check of one domain is bounded by `VerifyOptions.timeout`.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx

from wizard.core.diagnosis.diagnose import diagnose
from wizard.core.diagnosis.evidence import fetch_peer_chain, peek_body
from wizard.core.diagnosis.fingerprints import served_by
from wizard.core.verify.connect_to import ConnectTo, find_rule
from wizard.core.verify.response_checks import (
    REDIRECT_STATUSES,
    CheckRun,
    OnCheck,
    check_content_type,
    check_document,
    check_status,
    judge_probe,
    read_body,
)
from wizard.core.verify.results import MAX_EXCERPT_CHARS, DomainReport, Hop, bounded_headers
from wizard.core.verify.tls import (
    EXPIRY_WARNING_DAYS,
    classify_connect_error,
    inspect_certificate,
    make_ssl_context,
    not_after_of,
)
from wizard.core.verify.transport import make_client

WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
JUMPCLOUD_HOST = "apple.mdm.jumpcloud.com"
MODEL_FAMILIES = ("AppleTV", "iPad", "iPhone", "Mac", "RealityDevice", "Watch")


@dataclass(frozen=True)
class VerifyOptions:
    org_id: str | None = None
    connect_to: tuple[ConnectTo, ...] = ()
    ca_bundle: str | None = None
    timeout: float = 10.0
    max_redirects: int = 5
    max_bytes: int = 64 * 1024
    user: str | None = None
    model_families: tuple[str, ...] = ("iPhone",)
    concurrency: int = 16
    probe_enroll: bool = False
    # What the setup says it runs, when known: the diagnosis quotes that platform's fix.
    platform: str | None = None
    method: str | None = None

    def user_for(self, domain: str) -> str:
        """The user-identifier a device would send: `--user`, or probe@<domain>."""
        if not self.user:
            return f"probe@{domain}"
        return self.user if "@" in self.user else f"{self.user}@{domain}"


def well_known_url(domain: str, user: str, family: str) -> str:
    # Devices may send the @ unencoded; so do we, to look exactly like one.
    query = urlencode({"user-identifier": user, "model-family": family}, safe="@", quote_via=quote)
    return f"https://{domain}{WELL_KNOWN_PATH}?{query}"


class Verifier:
    """Holds the TLS context and the HTTP client shared by every domain of one run."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self._ssl_context = make_ssl_context(options.ca_bundle)
        self._client = make_client(self._ssl_context, options.connect_to)

    async def __aenter__(self) -> Verifier:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def verify(self, domain: str, on_check: OnCheck | None = None) -> DomainReport:
        """Check one normalised domain; never raises for anything the network does."""
        started = time.perf_counter()
        report = DomainReport(domain)
        run = CheckRun(report, on_check)
        try:
            async with asyncio.timeout(self.options.timeout):
                await self._check_domain(run)
        except TimeoutError:
            run.record(
                run.current,
                "fail",
                f"no complete answer within {self.options.timeout:g} s (while checking "
                f"{run.current.replace('_', ' ')})",
                "timeout",
            )
            run.skip_rest("not reached: the deadline passed")
        diagnose(report, self.options)
        report.elapsed_ms = round((time.perf_counter() - started) * 1000)
        return report

    async def verify_all(
        self, domains: Sequence[str], on_check: OnCheck | None = None
    ) -> AsyncIterator[DomainReport]:
        """Check domains concurrently; yield reports in input order as soon as each is ready."""
        limit = asyncio.Semaphore(self.options.concurrency)

        async def one(domain: str) -> DomainReport:
            async with limit:
                return await self.verify(domain, on_check)

        tasks = [asyncio.create_task(one(domain)) for domain in domains]
        try:
            for task in tasks:
                yield await task
        finally:
            for task in tasks:
                task.cancel()

    # -- the device's steps -------------------------------------------------------------

    async def _check_domain(self, run: CheckRun) -> None:
        domain = run.report.domain
        if not await self._resolve(run, domain):
            run.skip_rest("not reached: the domain does not resolve")
            return
        families = self.options.model_families
        for family in families:
            # Each model family is a separate device request; its checks repeat the ids,
            # their summaries start with the family when more than one is checked.
            run.prefix = f"{family}: " if len(families) > 1 else ""
            run.done = {"dns"}
            await self._check_family(run, domain, family)
            run.skip_rest("not reached: an earlier check failed")

    async def _resolve(self, run: CheckRun, domain: str) -> bool:
        rule = find_rule(self.options.connect_to, domain, 443)
        if rule is not None:
            run.record("dns", "skip", f"--connect-to {rule} routes {domain}:443")
            return True
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(domain, 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
            run.record("dns", "fail", f"{domain} does not resolve ({reason})", "invalid_domain")
            return False
        addresses = sorted({str(info[4][0]) for info in infos})
        run.record("dns", "pass", f"{domain} resolves to {', '.join(addresses[:4])}")
        return True

    async def _check_family(self, run: CheckRun, domain: str, family: str) -> None:
        url = well_known_url(domain, self.options.user_for(domain), family)
        response = await self._follow_redirects(run, url)
        if response is None:
            return
        try:
            base_url = await self._check_final_response(run, response)
        finally:
            await response.aclose()
        if base_url is None:
            return
        if self.options.probe_enroll:
            await self._probe_enrollment(run, base_url)
        else:
            run.record("enroll_probe", "skip", "not requested (--probe-enroll sends one POST)")

    async def _follow_redirects(self, run: CheckRun, url: str) -> httpx.Response | None:
        """Request `url` and each redirect target in turn; return the final response, open,
        after recording the `connect` and `redirects` checks, or None after a failure."""
        run.current = "connect"
        visited = [url]
        tls_facts: list[str] = []
        expiring: str | None = None
        while True:
            hop = Hop(url)
            run.report.hops.append(hop)
            host = urlsplit(url).hostname or url
            request = self._client.build_request("GET", url)
            hop.request_headers = bounded_headers(request.headers.raw)
            try:
                response = await self._client.send(request, stream=True)
            except httpx.RemoteProtocolError as error:
                # TLS worked, but what came back is not an HTTP response a device can read.
                self._record_connect(run, tls_facts, expiring)
                self._record_redirects(run, visited)
                run.record(
                    "status", "fail", f"no valid HTTP response from {host} ({error})", "bad_status"
                )
                return None
            except httpx.HTTPError as error:
                classified = classify_connect_error(error, host)
                if classified.code.startswith("tls_"):
                    hop.peer_chain = await fetch_peer_chain(url, self.options.connect_to)
                run.record("connect", "fail", classified.summary, classified.code)
                return None
            hop.status = response.status_code
            hop.response_headers = bounded_headers(response.headers.raw)
            hop.served_by = served_by(hop.response_headers)
            weakness, summary, days_left = _describe_tls(response)
            hop.tls = summary
            if weakness:
                await response.aclose()
                run.record("connect", "fail", f"{host}: {weakness}", "tls_weak_key")
                return None
            if summary and len(tls_facts) < 3:
                tls_facts.append(f"{host}: {summary}")
            if days_left is not None and days_left < EXPIRY_WARNING_DAYS and expiring is None:
                expiring = f"the certificate for {host} expires in {days_left} days"

            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or location is None:
                self._record_connect(run, tls_facts, expiring)
                self._record_redirects(run, visited)
                run.current = "status"
                return response
            await response.aclose()
            hop.location = location
            problem, next_url = self._next_hop(url, location, visited)
            if problem:
                self._record_connect(run, tls_facts, expiring)
                run.record("redirects", "fail", problem[1], problem[0])
                return None
            url = next_url
            visited.append(url)

    def _next_hop(
        self, url: str, location: str, visited: list[str]
    ) -> tuple[tuple[str, str] | None, str]:
        """Resolve a Location header; return ((code, summary), "") when it must not be followed."""
        try:
            target = str(httpx.URL(url).join(location))
        except (httpx.InvalidURL, ValueError):
            return ("bad_status", f"redirect to an invalid URL: {location!r}"), ""
        if urlsplit(target).scheme != "https":
            return ("insecure_redirect", f"hop {len(visited)} redirects to non-HTTPS {target}"), ""
        if target in visited:
            loop = " -> ".join([*visited[visited.index(target) :], target])
            return ("too_many_redirects", f"redirect loop: {loop}"), ""
        if len(visited) > self.options.max_redirects:
            return (
                "too_many_redirects",
                f"more than {self.options.max_redirects} redirects (next: {target})",
            ), ""
        return None, target

    def _record_connect(self, run: CheckRun, tls_facts: list[str], expiring: str | None) -> None:
        summary = "; ".join(tls_facts) or "connected"
        if expiring:
            run.record("connect", "warn", f"{expiring} ({summary})", "cert_expiring")
        else:
            run.record("connect", "pass", summary)

    def _record_redirects(self, run: CheckRun, visited: list[str]) -> None:
        count = len(visited) - 1
        if count == 0:
            run.record("redirects", "pass", "no redirects: the domain answers itself")
            return
        final = visited[-1]
        query = parse_qs(urlsplit(final).query)
        described = f"{count} redirect{'s' if count > 1 else ''} to {final}"
        org_problem = self._org_id_problem(visited)
        if org_problem:
            run.record("redirects", "warn", f"{described}; {org_problem}", "org_id_lost")
        elif "user-identifier" not in query or "model-family" not in query:
            run.record(
                "redirects",
                "warn",
                f"{described}; the device's user-identifier/model-family did not reach it",
                "query_not_forwarded",
            )
        else:
            run.record("redirects", "pass", f"{described}; the device's query was forwarded")

    def _org_id_problem(self, visited: list[str]) -> str | None:
        expected = self.options.org_id
        if expected is None:
            return None
        for url in visited:
            parts = urlsplit(url)
            if parts.hostname == JUMPCLOUD_HOST:
                found = parse_qs(parts.query).get("organization_id", [])
                if not found:
                    return "the JumpCloud organization_id was lost on the way"
                if expected not in found:
                    return f"organization_id is {found[0]!r}, not {expected!r}"
        return None

    async def _check_final_response(self, run: CheckRun, response: httpx.Response) -> str | None:
        """Status, content type, body and document; the BaseURL when the config is usable."""
        hop = run.report.hops[-1]
        if response.status_code != 200:
            hop.body_excerpt = await peek_body(response)  # what answered instead, for the diagnosis
        if not await check_status(run, response):
            return None
        check_content_type(run, response)
        run.current = "body"
        text = await read_body(run, response, self.options.max_bytes)
        if text is None:
            return None
        hop.body_excerpt = text[:MAX_EXCERPT_CHARS]
        run.current = "json"
        return check_document(run, text, jumpcloud=self.options.org_id is not None)

    async def _probe_enrollment(self, run: CheckRun, base_url: str) -> None:
        run.current = "enroll_probe"
        host = urlsplit(base_url).hostname or base_url
        hop = Hop(base_url, method="POST")  # `hops` lists every request made, this POST included
        run.report.hops.append(hop)
        try:
            request = self._client.build_request(
                "POST",
                base_url,
                content=b"",
                headers={"Content-Type": "application/pkcs7-signature"},
            )
            hop.request_headers = bounded_headers(request.headers.raw)
            response = await self._client.send(request)
            hop.status = response.status_code
            hop.response_headers = bounded_headers(response.headers.raw)
            hop.served_by = served_by(hop.response_headers)
        except httpx.HTTPError as error:
            reason = classify_connect_error(error, host).summary
            run.record("enroll_probe", "fail", f"POST {base_url}: {reason}", "enroll_probe_failed")
            return
        run.record("enroll_probe", *judge_probe(response))


def _describe_tls(response: httpx.Response) -> tuple[str | None, str | None, int | None]:
    """(weakness, "TLSv1.3 cipher, RSA 2048 until 2027-01-01", days left) for the connection."""
    ssl_object = response.extensions.get("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None, None, None
    der = ssl_object.getpeercert(binary_form=True)
    cipher = ssl_object.cipher()
    protocol = f"{ssl_object.version()} {cipher[0] if cipher else ''}".strip()
    if not der:
        return None, protocol, None
    not_after = not_after_of(ssl_object.getpeercert() or {})
    if not_after is None:
        return None, protocol, None
    try:
        facts = inspect_certificate(der, not_after)
    except (ValueError, IndexError):
        return None, f"{protocol}, certificate not readable", None
    summary = f"{protocol}, {facts.key} certificate valid until {facts.not_after:%Y-%m-%d}"
    return facts.weakness, summary, facts.days_left()


async def verify_domains(
    domains: Sequence[str], options: VerifyOptions, on_check: OnCheck | None = None
) -> list[DomainReport]:
    """Convenience: verify every domain and return the reports in input order."""
    async with Verifier(options) as verifier:
        return [report async for report in verifier.verify_all(domains, on_check)]
