"""Verify a domain's account-driven enrollment discovery the way an Apple device does.

The domain is resolved (A and AAAA), then the device's whole check runs once per address,
in parallel, the first hop pinned to that address: one GET to
https://<domain>/.well-known/com.apple.remotemanagement with the device's query and headers,
redirects followed by hand one hop at a time (`redirects`), then the status, content type,
body and document (`response_checks`); optionally one POST to the BaseURL. The `addresses`
check compares the runs (`addresses`), and the checks after it are the first address's run.
The finished report is judged against the MDM preset and diagnosed. The whole check of one
domain is bounded by `VerifyOptions.timeout`.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Sequence
from urllib.parse import urlsplit

import httpx

from wizard.core.codes import CheckId, Code
from wizard.core.diagnosis.diagnose import diagnose
from wizard.core.diagnosis.fingerprints import served_by
from wizard.core.placeholders import find_placeholder
from wizard.core.results import MAX_EXCERPT_CHARS, DomainReport, Hop, bounded_headers
from wizard.core.verify.addresses import MAX_ADDRESSES, record_addresses
from wizard.core.verify.baseurl import EnrollmentServers
from wizard.core.verify.check_run import CheckRun, OnCheck, OnPhase, describe_phase
from wizard.core.verify.connect_to import find_rule, route
from wizard.core.verify.ems import EmsProbes, record_ems, settle
from wizard.core.verify.evidence import peek_body
from wizard.core.verify.options import VerifyOptions, well_known_url
from wizard.core.verify.preset_checks import judge_against_preset
from wizard.core.verify.redirects import follow_redirects
from wizard.core.verify.resolve import addresses_of, find_resolve, lookup_failed
from wizard.core.verify.response_checks import (
    check_content_type,
    check_document,
    check_status,
    judge_probe,
    read_body,
)
from wizard.core.verify.tls import classify_connect_error, make_ssl_context
from wizard.core.verify.transport import CONNECTING, ON_PHASE, RESOLVING, make_client


class Network:
    """What every domain checked with the same network settings shares: the TLS context, the
    HTTP client, and the servers probed once for all (the extended master secret, the MDM's
    enrollment server). Several option sets that differ only in what a domain is judged
    against (the saved setups of `verify --all`) share one, so two hundred setups
    redirecting to one MDM still make one probe of its server, not two hundred."""

    def __init__(self, options: VerifyOptions) -> None:
        self.settings = Network.settings_of(options)
        self.ssl_context = make_ssl_context(options.ca_bundle)
        self.client = make_client(
            self.ssl_context, options.connect_to, options.resolve, options.user_agent
        )
        self.ems = EmsProbes()
        self.enrollment_servers = EnrollmentServers(options, self.ssl_context)

    @staticmethod
    def settings_of(options: VerifyOptions) -> tuple[object, ...]:
        """Every field of `options` a Network is built from: options alike in these can
        share one."""
        return (
            options.ca_bundle,
            options.connect_to,
            options.resolve,
            options.user_agent,
            options.timeout,
        )

    async def aclose(self) -> None:
        self.ems.close()
        self.enrollment_servers.close()
        await self.client.aclose()


class Verifier:
    """Checks domains with one set of options, over its own Network or one shared with
    other Verifiers (then closed by whoever made it)."""

    def __init__(self, options: VerifyOptions, network: Network | None = None) -> None:
        if network is not None and network.settings != Network.settings_of(options):
            raise ValueError("a shared Network must be built from the same network settings")
        self.options = options
        self._owns_network = network is None
        self._network = network if network is not None else Network(options)
        self._client = self._network.client
        self._ems = self._network.ems
        self._enrollment_servers = self._network.enrollment_servers

    async def __aenter__(self) -> Verifier:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._owns_network:
            await self._network.aclose()

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
            # Only getaddrinfo runs here: this machine's resolver gave no answer in time.
            host = route(self.options.connect_to, domain, 443)[0]
            summary = (
                f"no answer from this machine's resolver for {host} within "
                f"{self.options.timeout:g} s"
            )
            self._record_lookup_failure(run, domain, summary, Code.RESOLVER_FAILED)
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
            Code.TIMEOUT,
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
            if isinstance(error, socket.gaierror) and lookup_failed(error):
                # Not the domain's answer: the look-up could not be made from here.
                summary = f"this machine could not look up {host} ({reason})"
                self._record_lookup_failure(run, domain, summary, Code.RESOLVER_FAILED)
            elif connect_rule is None:
                summary = f"{domain} does not resolve ({reason})"
                self._record_lookup_failure(run, domain, summary, Code.INVALID_DOMAIN)
            else:
                summary = f"cannot resolve {host} ({reason})"
                self._record_lookup_failure(run, domain, summary, Code.CONNECT_FAILED)
            return []
        rules_used = [f"--connect-to {connect_rule} routes {domain}:443"] if connect_rule else []
        if resolve_rule is not None:
            rules_used.append(f"--resolve {resolve_rule} gives the addresses for {host}:{port}")
        if rules_used:
            run.record(CheckId.DNS, "skip", "; ".join(rules_used))
        else:
            shown = ", ".join(addresses[:4]) + (
                f" and {len(addresses) - 4} more" if len(addresses) > 4 else ""
            )
            run.record(CheckId.DNS, "pass", f"{domain} resolves to {shown}")
        return addresses

    def _record_lookup_failure(self, run: CheckRun, domain: str, summary: str, code: Code) -> None:
        """The name could not be turned into addresses: `dns` fails, or under a
        --connect-to rule (whose target was being looked up) `connect` does."""
        connect_rule = find_rule(self.options.connect_to, domain, 443)
        if connect_rule is None:
            run.record(CheckId.DNS, "fail", summary, code)
        else:
            run.record(CheckId.DNS, "skip", f"--connect-to {connect_rule} routes {domain}:443")
            run.record(CheckId.ADDRESSES, "skip", "not reached: the --connect-to target")
            run.record(CheckId.CONNECT, "fail", summary, code)
        reason = (
            "this machine could not resolve names"
            if code == Code.RESOLVER_FAILED
            else "the domain does not resolve"
        )
        run.skip_rest(f"not reached: {reason}")

    async def _check_every_address(
        self, run: CheckRun, domain: str, addresses: list[str], deadline: float
    ) -> None:
        """The device's whole check once per address, in parallel; `addresses` compares
        them, and the first address's run (the first this machine can reach) is reported."""

        async def one(index: int, address: str) -> CheckRun:
            first = index == 0
            sub = CheckRun(DomainReport(domain), run.on_check if first else None)
            sub.current, sub.done = CheckId.CONNECT, {CheckId.DNS, CheckId.ADDRESSES}
            sub.on_phase = run.on_phase if first else None
            sub.enter_phase(CONNECTING, address)
            try:
                async with asyncio.timeout_at(deadline):
                    await self._check_families(sub, domain, address, deadline, probe=first)
            except TimeoutError:
                self._record_timeout(sub)
            # The extended master secret probes ran beside the checks: what they found by
            # the deadline counts.
            await settle(sub.ems, deadline)
            return sub

        checked = addresses[:MAX_ADDRESSES]
        runs = await asyncio.gather(*(one(i, a) for i, a in enumerate(checked)))
        reported = next((sub for sub in runs if sub.no_route is None), runs[0])
        record_addresses(run, addresses, runs)
        run.report.checks.extend(reported.report.checks)
        run.report.hops = reported.report.hops
        run.report.document = reported.report.document
        record_ems(run.report, [sub.report for sub in runs])

    async def _check_families(
        self, run: CheckRun, domain: str, address: str, deadline: float, *, probe: bool
    ) -> None:
        families = self.options.model_families
        for family in families:
            # Each model family is a separate device request; its checks repeat the ids,
            # their summaries start with the family when more than one is checked.
            run.prefix = f"{family}: " if len(families) > 1 else ""
            run.done = {CheckId.DNS, CheckId.ADDRESSES}
            await self._check_family(run, domain, family, address, deadline, probe=probe)
            run.skip_rest("not reached: an earlier check failed")
            if run.no_route is not None:
                return

    async def _check_family(
        self,
        run: CheckRun,
        domain: str,
        family: str,
        address: str,
        deadline: float,
        *,
        probe: bool,
    ) -> None:
        url = well_known_url(domain, self.options.user_for(domain), family)
        response = await follow_redirects(self._client, self.options, self._ems, run, url, address)
        if response is None:
            return
        try:
            base_url = await self._check_final_response(run, response)
        finally:
            await response.aclose()
        if base_url is None:
            return
        run.current = CheckId.BASEURL
        if find_placeholder(base_url, domain):
            # Judged as a placeholder by the diagnosis; no stranger's server is contacted.
            run.record(CheckId.BASEURL, "skip", "not checked: the BaseURL is a placeholder")
        else:
            judged = await self._enrollment_servers.check(base_url, deadline)
            run.record(CheckId.BASEURL, judged.status, judged.summary, judged.code)
        if not self.options.probe_enroll:
            summary = "not requested (--probe-enroll sends one POST)"
            run.record(CheckId.ENROLL_PROBE, "skip", summary)
        elif not probe:
            run.record(CheckId.ENROLL_PROBE, "skip", "sent once, from the first address's run")
        else:
            await self._probe_enrollment(run, base_url)

    async def _check_final_response(self, run: CheckRun, response: httpx.Response) -> str | None:
        """Status, content type, body and document; the BaseURL when the config is usable."""
        hop = run.report.hops[-1]
        if response.status_code != 200:
            hop.body_excerpt = await peek_body(response)  # what answered instead, for the diagnosis
        if not await check_status(run, response):
            return None
        check_content_type(run, response)
        run.current = CheckId.BODY
        text = await read_body(run, response, self.options.max_bytes)
        if text is None:
            return None
        hop.body_excerpt = text[:MAX_EXCERPT_CHARS]
        run.current = CheckId.JSON
        return check_document(run, text)

    async def _probe_enrollment(self, run: CheckRun, base_url: str) -> None:
        run.current = CheckId.ENROLL_PROBE
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
            summary = f"POST {base_url}: {reason}"
            run.record(CheckId.ENROLL_PROBE, "fail", summary, Code.ENROLL_PROBE_FAILED)
            return
        run.record(CheckId.ENROLL_PROBE, *judge_probe(response))


async def verify_domains(
    domains: Sequence[str], options: VerifyOptions, on_check: OnCheck | None = None
) -> list[DomainReport]:
    """Every domain verified, the reports in input order."""
    async with Verifier(options) as verifier:
        return [report async for report in verifier.verify_all(domains, on_check)]
