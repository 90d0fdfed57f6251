"""One `prereqs` run: every item of the checklist, checked live where it can be (the DNS TXT
record, the web server, and JumpCloud's side with an API key), the rest said to be `manual`
with where to look. The checks run concurrently; the report lists them in the checklist's
order, so an admin reads them top to bottom as the guide does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from wizard.core.jumpcloud.access import JumpCloudAccess
from wizard.core.prerequisites.checklist import Prerequisite, prerequisites_for
from wizard.core.prerequisites.checks import PrereqCheck, PrereqReport
from wizard.core.prerequisites.dns_txt import (
    Nameserver,
    domain_verification,
    domain_verified_check,
)
from wizard.core.prerequisites.jumpcloud_checks import (
    JUMPCLOUD_CHECKS,
    JumpCloudFindings,
    check_jumpcloud,
)
from wizard.core.prerequisites.site import probe_site, site_checks
from wizard.core.verify.options import VerifyOptions

# The checks per domain, in the checklist's order.
PER_DOMAIN = ("domain_verified", "name_resolves", "https_answers", "certificate_trusted")


@dataclass(frozen=True)
class PrereqRequest:
    """What to check: the MDM (a preset name), its organization and domains, the verifier's
    options for the web server checks (test settings included), the DNS server to ask for
    the TXT record (None: the system's resolver), and JumpCloud's API (None: no key)."""

    mdm: str
    domains: tuple[str, ...]
    verify: VerifyOptions
    org_id: str | None = None
    setup: str | None = None
    nameserver: Nameserver | None = None
    jumpcloud: JumpCloudAccess | None = None
    dns_timeout: float = 5.0


async def check_prerequisites(
    request: PrereqRequest, progress: Callable[[str], None] | None = None
) -> PrereqReport:
    """Every check of `request`; never raises for what a server, a resolver or JumpCloud
    answered (each is a failed or skipped check). `progress` hears one line per finished
    part, for a spinner or a status line."""

    def done(what: str) -> None:
        if progress is not None:
            progress(what)

    async def per_domain(domain: str) -> list[PrereqCheck]:
        lookup, probe = await asyncio.gather(
            domain_verification(domain, nameserver=request.nameserver, timeout=request.dns_timeout),
            probe_site(domain, request.verify),
        )
        done(domain)
        verified = domain_verified_check(lookup)
        # The summary already says where to look in Apple Business Manager.
        check = PrereqCheck("domain_verified", verified.status, verified.summary, domain=domain)
        return [check, *site_checks(probe)]

    async def jumpcloud() -> JumpCloudFindings | None:
        if request.mdm != "jumpcloud":
            return None
        findings = await check_jumpcloud(request.jumpcloud, request.org_id, request.domains)
        done("JumpCloud")
        return findings

    domain_checks, findings = await asyncio.gather(
        asyncio.gather(*(per_domain(domain) for domain in request.domains)),
        jumpcloud(),
    )
    live = [check for checks in domain_checks for check in checks]
    if findings is not None:
        live += findings.checks
    org_id = request.org_id or (findings.org_id if findings else None)
    return PrereqReport(
        setup=request.setup,
        mdm=request.mdm,
        org_id=org_id,
        domains=request.domains,
        checks=tuple(in_checklist_order(prerequisites_for(request.mdm), live)),
        users=findings.users if findings else None,
        conditions=tuple(request.verify.conditions()),
    )


def in_checklist_order(
    items: tuple[Prerequisite, ...], live: list[PrereqCheck]
) -> list[PrereqCheck]:
    """The checklist's items in order, each replaced by its live checks where there are
    some and otherwise `manual` with where to look; JumpCloud's own API checks (which the
    checklist has no item for) come first, since the others depend on them."""
    by_id: dict[str, list[PrereqCheck]] = {}
    for check in live:
        by_id.setdefault(check.id, []).append(check)
    listed = {item.id for item in items}
    ordered = [
        check
        for check_id in JUMPCLOUD_CHECKS[:2]
        if check_id not in listed
        for check in by_id.pop(check_id, [])
    ]
    for item in items:
        found = by_id.pop(item.id, None)
        if found:
            ordered += found
        else:
            ordered.append(PrereqCheck(item.id, "manual", item.title, item.where))
    # Live checks with no checklist item of their own (adue_config, service_discovery), in
    # the order they were found.
    ordered += [check for checks in by_id.values() for check in checks]
    return ordered
