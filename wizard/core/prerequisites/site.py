"""The live probe behind the checklist's automatic items: does the domain resolve, does a
web server answer HTTPS on it, with a trusted certificate."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import httpx

from wizard.core.codes import Code
from wizard.core.prerequisites.checklist import APPLE_ITEMS, Automatic
from wizard.core.prerequisites.checks import PrereqCheck
from wizard.core.verify.connect_to import route
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.resolve import addresses_of, find_resolve
from wizard.core.verify.tls import classify_connect_error, make_ssl_context
from wizard.core.verify.transport import make_client

CUSTOM_CA_NOTE = "not checked: a custom CA is in use"


@dataclass(frozen=True)
class SiteProbe:
    """Live answers for the automatic items of one domain: True, False, or None (not reached)."""

    domain: str
    resolves: bool | None
    https: bool | None
    certificate: bool | None
    detail: str
    # Why `certificate` is None although HTTPS answered, e.g. a custom CA was trusted.
    certificate_note: str | None = None
    # The verifier's failure code for what went wrong (invalid_domain, tls_expired, ...).
    code: str | None = None

    def answer(self, kind: Automatic) -> bool | None:
        return {"resolves": self.resolves, "https": self.https, "certificate": self.certificate}[
            kind
        ]


async def probe_site(domain: str, options: VerifyOptions) -> SiteProbe:
    """Resolve `domain`, then GET https://domain/ (any status), through the verifier's own
    transport: its TLS rules, and the run's --connect-to, --resolve, CA bundle and
    User-Agent, exactly as on the Verify step.

    A host a --connect-to or --resolve rule covers is not looked up (`resolves` is None):
    the rule says where it is. Under a custom CA, a certificate that passes proves nothing
    about public trust, so `certificate` is None with a note saying so."""
    timeout = options.timeout
    ca_bundle = options.ca_bundle
    resolves: bool | None = True
    try:
        async with asyncio.timeout(timeout):
            host, port = route(options.connect_to, domain, 443)
            if host != domain or find_resolve(options.resolve, host, port) is not None:
                resolves = None
            else:
                try:
                    await addresses_of(domain, 443, options.resolve)
                except (socket.gaierror, UnicodeError):
                    return SiteProbe(
                        domain,
                        False,
                        None,
                        None,
                        f"{domain} does not resolve",
                        None,
                        Code.INVALID_DOMAIN,
                    )
            async with make_client(
                make_ssl_context(ca_bundle),
                options.connect_to,
                options.resolve,
                options.user_agent,
            ) as client:
                try:
                    response = await client.get(f"https://{domain}/")
                    await response.aclose()
                except httpx.HTTPError as error:
                    classified = classify_connect_error(error, domain)
                    # A TLS complaint means the server did answer on 443, with a bad certificate.
                    answered = classified.code.startswith("tls_")
                    certificate = False if answered else None
                    note = None
                    if ca_bundle and classified.code in (Code.TLS_UNTRUSTED, Code.CONNECT_FAILED):
                        # Trust was judged against the custom CA, not the public roots.
                        certificate, note = None, CUSTOM_CA_NOTE
                    return SiteProbe(
                        domain,
                        resolves,
                        answered,
                        certificate,
                        classified.summary,
                        note,
                        classified.code,
                    )
            summary = f"HTTPS answered {response.status_code}"
            if ca_bundle:
                return SiteProbe(domain, resolves, True, None, summary, CUSTOM_CA_NOTE)
            return SiteProbe(domain, resolves, True, True, summary)
    except TimeoutError:
        return SiteProbe(
            domain,
            resolves,
            False,
            None,
            f"no HTTPS answer within {timeout:g} s",
            code=Code.TIMEOUT,
        )


# What to do when a live item fails; the Verify step's diagnosis says more about why.
FIXES: dict[Automatic, str] = {
    "resolves": "at your DNS provider, create an A/AAAA (or CNAME) record for {domain} itself, "
    "not only www.",
    "https": "make a web server answer HTTPS on port 443 for {domain} itself (your web server "
    "or hosting provider); `adue-wizard verify {domain}` says more",
    "certificate": "serve a certificate for {domain} from a publicly trusted CA (e.g. Let's "
    "Encrypt), with its full chain; `adue-wizard verify {domain}` says more",
}


def site_checks(probe: SiteProbe) -> list[PrereqCheck]:
    """The probe as the three per-domain checks of `prereqs`, in the checklist's words."""
    where = {item.automatic: item for item in APPLE_ITEMS if item.automatic}
    checks = []
    for kind in ("resolves", "https", "certificate"):
        item = where[kind]
        answer = probe.answer(kind)
        if answer is True:
            summary = {
                "resolves": f"{probe.domain} resolves",
                "https": probe.detail,
                "certificate": "the certificate is trusted, valid and matches the name",
            }[kind]
            checks.append(PrereqCheck(item.id, "pass", summary, domain=probe.domain))
        elif answer is False:
            fix = FIXES[kind].format(domain=probe.domain)
            checks.append(
                PrereqCheck(item.id, "fail", probe.detail, fix, probe.code, domain=probe.domain)
            )
        else:
            checks.append(
                PrereqCheck(item.id, "skip", _not_checked(kind, probe), domain=probe.domain)
            )
    return checks


def _not_checked(kind: Automatic, probe: SiteProbe) -> str:
    if kind == "resolves":
        return "not looked up: a test setting (--connect-to or --resolve) says where it is"
    if kind == "certificate" and probe.certificate_note:
        return probe.certificate_note
    return f"not reached: {probe.detail}"
