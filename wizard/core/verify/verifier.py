"""Verify a domain's account-driven enrollment discovery the way an Apple device does.

The domain is resolved (A and AAAA), then the device's whole check runs once per address,
in parallel, the first hop pinned to that address: one GET to
https://<domain>/.well-known/com.apple.remotemanagement with the device's query and headers,
redirects followed by hand one hop at a time, then the status, content type, body, JSON
shape and provider rules; optionally one POST to the BaseURL. Each step is a `Check`; the
`addresses` check compares the runs, and the checks after it are the first address's run.
The whole check of one domain is bounded by `VerifyOptions.timeout`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shlex
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx

from wizard.core.diagnosis.diagnose import diagnose
from wizard.core.diagnosis.evidence import fetch_peer_chain, peek_body
from wizard.core.diagnosis.fingerprints import served_by
from wizard.core.providers.answers import Answers
from wizard.core.verify.connect_to import ConnectTo, find_rule, route
from wizard.core.verify.preset_checks import judge_against_preset
from wizard.core.verify.resolve import Resolve, addresses_of, family_of, find_resolve
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
from wizard.core.verify.results import (
    MAX_EXCERPT_CHARS,
    AddressResult,
    DomainReport,
    Hop,
    Status,
    bounded_headers,
)
from wizard.core.verify.tls import (
    EXPIRY_WARNING_DAYS,
    classify_connect_error,
    inspect_certificate,
    make_ssl_context,
    no_route,
)
from wizard.core.verify.transport import (
    ADDRESS,
    CONNECTING,
    DEVICE_USER_AGENT,
    ON_PHASE,
    READING_BODY,
    RESOLVING,
    TLS_HANDSHAKE,
    WAITING,
    make_client,
)

WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
JUMPCLOUD_HOST = "apple.mdm.jumpcloud.com"
MODEL_FAMILIES = ("AppleTV", "iPad", "iPhone", "Mac", "RealityDevice", "Watch")
# Addresses checked per domain (in parallel); any beyond are reported as not checked.
MAX_ADDRESSES = 8

# How a phase reads in a deadline's summary and in the wizard's running line.
PHASE_TEXT = {
    RESOLVING: "resolving {}",
    CONNECTING: "connecting to {}",
    TLS_HANDSHAKE: "the TLS handshake with {}",
    WAITING: "waiting for the response from {}",
    READING_BODY: "reading the body from {}",
}
OnPhase = Callable[[str, str], None]  # (domain, e.g. "the TLS handshake with example.com")


def describe_phase(phase: str, where: str) -> str:
    return PHASE_TEXT.get(phase, phase + " {}").format(where).strip()


@dataclass(frozen=True)
class VerifyOptions:
    org_id: str | None = None
    connect_to: tuple[ConnectTo, ...] = ()
    resolve: tuple[Resolve, ...] = ()
    ca_bundle: str | None = None
    user_agent: str = DEVICE_USER_AGENT
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
    # `--mdm NAME` and that preset's inputs: the document must be what the preset expects.
    mdm: str | None = None
    mdm_answers: Answers = dataclasses.field(default_factory=Answers)

    def user_for(self, domain: str) -> str:
        """The user-identifier a device would send: `--user`, or probe@<domain>."""
        if not self.user:
            return f"probe@{domain}"
        return self.user if "@" in self.user else f"{self.user}@{domain}"

    def conditions(self) -> list[str]:
        """The test settings in effect, one string each, written as on the command line
        (values shell-quoted), e.g. "--connect-to example.com:443:127.0.0.1:8443"; empty
        when the run checks what a device on the internet would see. Shown before every
        verdict and stored with saved runs; escape it for display (it holds paths)."""
        found = [f"--connect-to {shlex.quote(str(rule))}" for rule in self.connect_to]
        found += [f"--resolve {shlex.quote(str(rule))}" for rule in self.resolve]
        if self.ca_bundle:
            found.append(f"--ca-bundle {shlex.quote(self.ca_bundle)}")
        if self.user_agent != DEVICE_USER_AGENT:
            found.append(f"--user-agent {shlex.quote(self.user_agent)}")
        return found

    def without_test_settings(self) -> VerifyOptions:
        """These options as a device on the internet would check: DNS, public roots and the
        device's User-Agent (the organization ID and the rest stay)."""
        return dataclasses.replace(
            self, connect_to=(), resolve=(), ca_bundle=None, user_agent=DEVICE_USER_AGENT
        )


def well_known_url(domain: str, user: str, family: str) -> str:
    # Devices may send the @ unencoded; so do we, to look exactly like one.
    query = urlencode({"user-identifier": user, "model-family": family}, safe="@", quote_via=quote)
    return f"https://{domain}{WELL_KNOWN_PATH}?{query}"


class Verifier:
    """Holds the TLS context and the HTTP client shared by every domain of one run."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self._ssl_context = make_ssl_context(options.ca_bundle)
        self._client = make_client(
            self._ssl_context, options.connect_to, options.resolve, options.user_agent
        )

    async def __aenter__(self) -> Verifier:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def verify(
        self, domain: str, on_check: OnCheck | None = None, on_phase: OnPhase | None = None
    ) -> DomainReport:
        """Check one normalised domain; never raises for anything the network does.

        `on_check` hears each check of the first address's run as it finishes, `on_phase`
        what that run's network is doing (for a progress line)."""
        started = time.perf_counter()
        report = DomainReport(domain, conditions=self.options.conditions())
        run = CheckRun(report, on_check)
        if on_phase:
            run.on_phase = lambda phase, where: on_phase(domain, describe_phase(phase, where))
        deadline = asyncio.get_running_loop().time() + self.options.timeout
        try:
            async with asyncio.timeout_at(deadline):
                addresses = await self._resolve(run, domain)
        except TimeoutError:
            self._record_timeout(run)
            addresses = []
        if addresses:
            await self._check_every_address(run, domain, addresses, deadline)
        judge_against_preset(report, self.options.mdm, self.options.mdm_answers)
        diagnose(report, self.options)
        report.elapsed_ms = round((time.perf_counter() - started) * 1000)
        return report

    async def verify_all(
        self,
        domains: Sequence[str],
        on_check: OnCheck | None = None,
        on_phase: OnPhase | None = None,
    ) -> AsyncIterator[DomainReport]:
        """Check domains concurrently; yield reports in input order as soon as each is ready."""
        limit = asyncio.Semaphore(self.options.concurrency)

        async def one(domain: str) -> DomainReport:
            async with limit:
                return await self.verify(domain, on_check, on_phase)

        tasks = [asyncio.create_task(one(domain)) for domain in domains]
        try:
            for task in tasks:
                yield await task
        finally:
            for task in tasks:
                task.cancel()

    def _record_timeout(self, run: CheckRun) -> None:
        run.record(
            run.current,
            "fail",
            f"no complete answer within {self.options.timeout:g} s; the slow step: "
            f"{describe_phase(*run.phase)}",
            "timeout",
        )
        run.skip_rest("not reached: the deadline passed")

    # -- the device's steps -------------------------------------------------------------

    async def _resolve(self, run: CheckRun, domain: str) -> list[str]:
        """Every address the device could connect to for the domain, in the resolver's
        order (records `dns`); [] after recording why there is none."""
        run.enter_phase(RESOLVING, domain)
        rules = self.options.connect_to
        connect_rule = find_rule(rules, domain, 443)
        host, port = route(rules, domain, 443)
        resolve_rule = find_resolve(self.options.resolve, host, port)
        try:
            addresses = await addresses_of(host, port, self.options.resolve)
        except (socket.gaierror, UnicodeError) as error:
            reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
            if connect_rule is None:
                run.record("dns", "fail", f"{domain} does not resolve ({reason})", "invalid_domain")
            else:
                run.record("dns", "skip", f"--connect-to {connect_rule} routes {domain}:443")
                run.record("addresses", "skip", "not reached: the --connect-to target")
                run.record("connect", "fail", f"cannot resolve {host} ({reason})", "connect_failed")
            run.skip_rest("not reached: the domain does not resolve")
            return []
        rules_used = [f"--connect-to {connect_rule} routes {domain}:443"] if connect_rule else []
        if resolve_rule is not None:
            rules_used.append(f"--resolve {resolve_rule} gives the addresses for {host}:{port}")
        if rules_used:
            run.record("dns", "skip", "; ".join(rules_used))
        else:
            shown = ", ".join(addresses[:4]) + (
                f" and {len(addresses) - 4} more" if len(addresses) > 4 else ""
            )
            run.record("dns", "pass", f"{domain} resolves to {shown}")
        return addresses

    async def _check_every_address(
        self, run: CheckRun, domain: str, addresses: list[str], deadline: float
    ) -> None:
        """The device's whole check once per address, in parallel; `addresses` compares
        them, and the first address's run (the first this machine can reach) is reported."""
        checked = addresses[:MAX_ADDRESSES]

        async def one(index: int, address: str) -> CheckRun:
            first = index == 0
            sub = CheckRun(DomainReport(domain), run.on_check if first else None)
            sub.current, sub.done = "connect", {"dns", "addresses"}
            sub.on_phase = run.on_phase if first else None
            sub.enter_phase(CONNECTING, address)
            try:
                async with asyncio.timeout_at(deadline):
                    await self._check_families(sub, domain, address, probe=first)
            except TimeoutError:
                self._record_timeout(sub)
            return sub

        runs = await asyncio.gather(*(one(i, a) for i, a in enumerate(checked)))
        reported = next((sub for sub in runs if sub.no_route is None), runs[0])
        self._record_addresses(run, addresses, runs)
        run.report.checks.extend(reported.report.checks)
        run.report.hops = reported.report.hops
        run.report.document = reported.report.document

    def _record_addresses(self, run: CheckRun, addresses: list[str], runs: list[CheckRun]) -> None:
        results: list[AddressResult] = []
        reasons: dict[str, str] = {}
        reference: CheckRun | None = None
        for address, sub in zip(addresses, runs, strict=False):
            family = family_of(address)
            if sub.no_route is not None:
                results.append(AddressResult(address, family, None))
                reasons[address] = f"not checked: no route from this machine ({sub.no_route})"
                continue
            failure = sub.report.failure
            if failure is not None:
                failing = next(c for c in sub.report.checks if c.status == "fail")
                reasons[address] = failing.summary
            elif reference is None:
                reference = sub
            elif difference := _different_document(reference, sub):
                reasons[address] = difference
                failure = "bad_config"
            results.append(AddressResult(address, family, failure is None, failure))
        for address in addresses[len(runs) :]:
            results.append(AddressResult(address, family_of(address), None))
            reasons[address] = f"not checked: only the first {MAX_ADDRESSES} addresses are"
        run.report.addresses = results
        run.current = "addresses"
        run.record("addresses", *_judge_addresses(results, reasons))

    async def _check_families(
        self, run: CheckRun, domain: str, address: str, *, probe: bool
    ) -> None:
        families = self.options.model_families
        for family in families:
            # Each model family is a separate device request; its checks repeat the ids,
            # their summaries start with the family when more than one is checked.
            run.prefix = f"{family}: " if len(families) > 1 else ""
            run.done = {"dns", "addresses"}
            await self._check_family(run, domain, family, address, probe=probe)
            run.skip_rest("not reached: an earlier check failed")
            if run.no_route is not None:
                return

    async def _check_family(
        self, run: CheckRun, domain: str, family: str, address: str, *, probe: bool
    ) -> None:
        url = well_known_url(domain, self.options.user_for(domain), family)
        response = await self._follow_redirects(run, url, address)
        if response is None:
            return
        try:
            base_url = await self._check_final_response(run, response)
        finally:
            await response.aclose()
        if base_url is None:
            return
        if not self.options.probe_enroll:
            run.record("enroll_probe", "skip", "not requested (--probe-enroll sends one POST)")
        elif not probe:
            run.record("enroll_probe", "skip", "sent once, from the first address's run")
        else:
            await self._probe_enrollment(run, base_url)

    async def _follow_redirects(
        self, run: CheckRun, url: str, address: str
    ) -> httpx.Response | None:
        """Request `url` and each redirect target in turn; return the final response, open,
        after recording the `connect` and `redirects` checks, or None after a failure.

        Requests to the domain itself go to `address`; other hosts are resolved as the OS
        would (the first address that connects)."""
        run.current = "connect"
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
            request = self._client.build_request("GET", url, extensions=extensions)
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
                if pinned and len(visited) == 1:
                    run.no_route = no_route(error)
                if classified.code.startswith("tls_"):
                    hop.peer_chain = await fetch_peer_chain(
                        url, self.options.connect_to, address if pinned else None
                    )
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
                if not self._record_redirects(run, visited):
                    await response.aclose()
                    return None
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

    def _record_redirects(self, run: CheckRun, visited: list[str]) -> bool:
        """Record `redirects`; False when it failed (the device lands in the wrong place)."""
        count = len(visited) - 1
        org_problem = self._org_id_problem(visited)
        if count == 0:
            run.record("redirects", "pass", "no redirects: the domain answers itself")
            return True
        final = visited[-1]
        query = parse_qs(urlsplit(final).query)
        described = f"{count} redirect{'s' if count > 1 else ''} to {final}"
        if org_problem:
            run.record("redirects", "fail", f"{described}; {org_problem}", "wrong_org_id")
            return False
        if "user-identifier" not in query or "model-family" not in query:
            run.record(
                "redirects",
                "warn",
                f"{described}; the device's user-identifier/model-family did not reach it",
                "query_not_forwarded",
            )
        else:
            run.record("redirects", "pass", f"{described}; the device's query was forwarded")
        return True

    def _org_id_problem(self, visited: list[str]) -> str | None:
        expected = self.options.org_id
        if expected is None:
            return None
        for url in visited:
            parts = urlsplit(url)
            if parts.hostname == JUMPCLOUD_HOST:
                found = parse_qs(parts.query).get("organization_id", [])
                if not found:
                    return (
                        f"it reaches {JUMPCLOUD_HOST} with no organization_id; expected "
                        f"{expected}: the device would land in no organization"
                    )
                if found != [expected]:
                    return (
                        f"it reaches {JUMPCLOUD_HOST} with organization_id "
                        f"{', '.join(found)}; expected {expected}: the device would land "
                        "in another organization"
                    )
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
        jumpcloud = self.options.org_id is not None or self.options.mdm == "jumpcloud"
        return check_document(run, text, jumpcloud=jumpcloud)

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
                extensions={ON_PHASE: run.enter_phase},
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
    try:
        facts = inspect_certificate(der)
    except (ValueError, IndexError):
        return None, f"{protocol}, certificate not readable", None
    summary = f"{protocol}, {facts.key} certificate valid until {facts.not_after:%Y-%m-%d}"
    return facts.weakness, summary, facts.days_left()


def _different_document(reference: CheckRun, run: CheckRun) -> str | None:
    """Why `run` (which passed) is not the answer `reference` got, or None when it is."""
    if run.report.document == reference.report.document:
        return None
    final = run.report.hops[-1].url if run.report.hops else run.report.domain
    return f"a different document than the first address's (from {final})"


def _judge_addresses(
    results: list[AddressResult], reasons: dict[str, str]
) -> tuple[Status, str, str | None]:
    """pass when every address passed; otherwise fail with the code of the first failing
    address (resolver order), or warn when some could not be checked from here."""

    def name(result: AddressResult) -> str:
        return f"{result.address} ({result.family})"

    passed = [r for r in results if r.ok]
    failed = [r for r in results if r.ok is False]
    unchecked = [r for r in results if r.ok is None]
    passed_text = f"{', '.join(name(r) for r in passed)} passed" if passed else "no address passed"
    if len(results) == 1:
        return "pass", f"one address: {name(results[0])}", None
    if failed:
        first = failed[0]
        families = {r.family for r in failed}
        if not passed:
            effect = "no device can enroll"
        elif families == {"IPv6"} and all(r.ok is False for r in results if r.family == "IPv6"):
            effect = "phones on IPv6-only networks cannot enroll"
        elif families == {"IPv4"} and all(r.ok is False for r in results if r.family == "IPv4"):
            effect = "devices on IPv4-only networks cannot enroll"
        else:
            effect = "devices that reach a failing address cannot enroll"
        more = f"; {len(failed) - 1} more failed" if len(failed) > 1 else ""
        summary = f"{name(first)}: {reasons[first.address]}{more}; {passed_text}: {effect}"
        return "fail", summary, first.failure
    if unchecked:
        not_checked = "; ".join(f"{name(r)} {reasons[r.address]}" for r in unchecked)
        return "warn", f"{not_checked}; {passed_text}", "address_unchecked"
    return "pass", f"all {len(results)} addresses passed: {', '.join(map(name, results))}", None


async def verify_domains(
    domains: Sequence[str], options: VerifyOptions, on_check: OnCheck | None = None
) -> list[DomainReport]:
    """Convenience: verify every domain and return the reports in input order."""
    async with Verifier(options) as verifier:
        return [report async for report in verifier.verify_all(domains, on_check)]
