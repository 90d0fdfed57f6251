"""The wizard for tests, snapshots and screenshots: an app on a state folder of its own,
waiting for its start screen, reading what a screen shows, and setups whose every date and
result is pinned, so the screens render the same on every run."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.support.constants import AT, DOMAIN, JUMPCLOUD, ORG_ID, TODAY, WELL_KNOWN
from tests.support.dns_server import DNSServer
from tests.support.https_server import HTTPSServer
from wizard.core.codes import CheckId, Code, Status
from wizard.core.diagnosis.causes import BY_ID
from wizard.core.diagnosis.os_verdicts import os_verdicts
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.prerequisites.dns_txt import Nameserver
from wizard.core.providers import PRESETS
from wizard.core.providers.jumpcloud import DISCOVERY_URL
from wizard.core.results import Advice, Check, DomainReport, Hop
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.steps import Step
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp
from wizard.tui.screens.start import StartScreen

# What the start screen shows as the state folder in snapshots and screenshots: the real
# folder is a fresh temporary one, so runs at the same time never share it.
SHOWN_FOLDER = "~/.local/state/adue-wizard"
DOMAINS = [
    "example.test",
    "shop.example.test",
    "www.example.test",
    "eu.example.test",
    "staging.example.test",
]


def make_app(folder: Path, nameserver: Nameserver | None = None) -> WizardApp:
    """The wizard on `folder`; Apple's TXT record is asked of `nameserver`, by default a
    DNS server on loopback that knows no name (the answer every run, on any machine)."""
    return WizardApp(
        Store(folder), blink=False, today=TODAY, nameserver=nameserver or empty_nameserver()
    )


_EMPTY_DNS: list[DNSServer] = []


def empty_nameserver() -> Nameserver:
    """A DNS server on loopback answering NXDOMAIN for every name, shared by the session."""
    if not _EMPTY_DNS:
        server = DNSServer().start()
        atexit.register(server.stop)
        _EMPTY_DNS.append(server)
    return Nameserver("127.0.0.1", _EMPTY_DNS[0].port)


async def started(pilot: Any) -> None:
    """Wait until the start screen, with the saved setups listed, is shown."""
    for _ in range(50):
        if isinstance(pilot.app.screen, StartScreen):
            return
        await pilot.pause(0.02)
    raise AssertionError("the start screen never listed the saved setups")


async def settled(pilot: Any) -> None:
    """Wait until what the wizard queued for the disk is written, and the screen redrawn."""
    await pilot.app.writes_done()
    await pilot.pause()


def shown_text(app: WizardApp) -> str:
    """Everything the current screen shows in its Static widgets, as plain text."""
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


def saved_setup(
    folder: Path, server: HTTPSServer, ca_bundle: Path, step: Step = "verify"
) -> SetupState:
    """A JumpCloud setup of DOMAIN saved at `step`, checked against `server`."""
    setup = SetupState(
        name=DOMAIN,
        org_id=ORG_ID,
        domains=[DOMAIN],
        method="redirect",
        platform="nginx",
        step=step,
        settings=VerifySettings(
            connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
        ),
    )
    Store(folder).save(setup)
    return setup


def save_as_verified(folder: Path, setup: SetupState) -> None:
    """Save `setup` with one run already recorded, so Verify opens without checking."""
    store = Store(folder)
    store.save(setup)
    record(store, setup, [], AT)


def record(
    store: Store, setup: SetupState, results: list[DomainReport], at: datetime | None = None
) -> None:
    """Record one verification run of `setup`, as the wizard and `verify --setup` do."""
    store.record_run(setup, results, [], at)


def _check(
    check_id: CheckId,
    status: Status,
    summary: str,
    code: Code | None = None,
    cause: str | None = None,
) -> Check:
    """A check with advice: the cause's, or the code's with JumpCloud's portal words."""
    advice = None
    if cause is not None:
        advice = Advice(BY_ID[cause].problem, BY_ID[cause].fix)
    elif code is not None:
        jumpcloud = PRESETS["jumpcloud"]
        entry = remedy_for(code, jumpcloud)
        message = jumpcloud.portal_messages.get(code)
        advice = Advice(entry.problem, entry.fix, message, jumpcloud.portal if message else None)
    return Check(check_id, status, summary, code, cause, advice)


def failing_result() -> DomainReport:
    well_known = f"https://{DOMAIN}{WELL_KNOWN}"
    query = f"user-identifier=probe@{DOMAIN}&model-family=iPhone"
    checks = [
        _check(CheckId.DNS, "pass", f"{DOMAIN} resolves to 192.0.2.10"),
        _check(
            CheckId.CONNECT,
            "pass",
            f"{DOMAIN}: TLSv1.3 TLS_AES_256_GCM_SHA384, EC P-256 certificate valid "
            "until 2026-03-30",
        ),
        _check(
            CheckId.REDIRECTS,
            "warn",
            f"1 redirect to {DISCOVERY_URL}?organization_id={ORG_ID}; the device's "
            "user-identifier/model-family did not reach it",
            Code.QUERY_NOT_FORWARDED,
        ),
        _check(CheckId.STATUS, "pass", "200 OK"),
        _check(
            CheckId.CONTENT_TYPE,
            "fail",
            "served as 'text/html; charset=utf-8'; devices need application/json",
            Code.BAD_CONTENT_TYPE,
        ),
        _check(CheckId.BODY, "pass", "92 bytes, UTF-8"),
        _check(CheckId.JSON, "pass", "JSON with one server"),
        _check(
            CheckId.CONFIG,
            "pass",
            f'Version "mdm-byod", BaseURL https://{JUMPCLOUD}/enroll',
        ),
        _check(CheckId.ENROLL_PROBE, "skip", "not requested"),
    ]
    return judged(
        DomainReport(
            domain=DOMAIN,
            checks=checks,
            hops=[
                Hop(url=f"{well_known}?{query}", status=301),
                Hop(url=f"{DISCOVERY_URL}?organization_id={ORG_ID}", status=200),
            ],
            elapsed_ms=212,
        )
    )


def judged(report: DomainReport) -> DomainReport:
    """The report with its verdict per range of OS versions, as the diagnosis gives it."""
    report.os_verdicts = os_verdicts(report, PRESETS["jumpcloud"])
    return report


def pinned_setup(step: Step) -> SetupState:
    return SetupState(
        name=DOMAIN,
        org_id=ORG_ID,
        domains=[DOMAIN],
        prerequisites={"managed_accounts": AT, "abm_allow_any": AT},
        method="redirect",
        platform="nginx",
        step=step,
        created_at=AT,
        updated_at=AT,
    )


def app_at(step: Step | None, folder: Path | None = None) -> WizardApp:
    """A wizard whose state folder holds one pinned setup; `step` None stays on Start.

    Without `folder`, a new temporary folder (removed when the process ends) is used and
    the start screen shows SHOWN_FOLDER, so snapshots do not depend on a random path."""
    shown = None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="adue-wizard-snapshot-"))
        atexit.register(shutil.rmtree, folder, True)
        shown = SHOWN_FOLDER
    store = Store(folder)
    setup = pinned_setup(step or "verify")
    store.save(setup)
    if setup.step in ("verify", "done"):
        record(store, setup, [failing_result()], AT)
    return WizardApp(
        store, blink=False, today=TODAY, shown_folder=shown, nameserver=empty_nameserver()
    )


def _passing_checks(domain: str) -> list[Check]:
    return [
        _check(CheckId.DNS, "pass", f"{domain} resolves to 192.0.2.10"),
        _check(CheckId.CONNECT, "pass", f"{domain}: TLSv1.3, EC P-256"),
        _check(CheckId.REDIRECTS, "pass", "1 redirect; the query was forwarded"),
        _check(CheckId.STATUS, "pass", "200 OK"),
        _check(CheckId.CONTENT_TYPE, "pass", "application/json"),
        _check(CheckId.BODY, "pass", "92 bytes, UTF-8"),
        _check(CheckId.JSON, "pass", "JSON with one server"),
        _check(CheckId.CONFIG, "pass", 'Version "mdm-byod"'),
        _check(CheckId.ENROLL_PROBE, "skip", "not requested"),
    ]


def _with(checks: list[Check], replaced: Check) -> list[Check]:
    """`checks` with one check replaced and the later ones skipped."""
    out: list[Check] = []
    failed = False
    for check in checks:
        if check.id == replaced.id:
            out.append(replaced)
            failed = replaced.status == "fail"
        elif failed:
            out.append(_check(check.id, "skip", "not reached"))
        else:
            out.append(check)
    return out


def five_domain_results() -> list[DomainReport]:
    """Two passes, a warning and two failures (a shop's catch-all page, a bot challenge)."""
    well_known = WELL_KNOWN + "?user-identifier=probe@{}&model-family=iPhone"
    shopify = [("server", "cloudflare"), ("cf-ray", "8e6f1a2b3c4d5e70-AMS"), ("x-shopid", "1")]
    cloudflare = [("server", "cloudflare"), ("cf-ray", "8e6f1a2b3c4d5e6f-FRA")]
    results = []
    for domain in DOMAINS:
        url = f"https://{domain}" + well_known.format(domain)
        checks = _passing_checks(domain)
        hops = [Hop(url=url, status=301), Hop(url=DISCOVERY_URL, status=200)]
        if domain == "shop.example.test":
            failing = _check(
                CheckId.STATUS,
                "fail",
                f"404 Not Found from {url}",
                Code.BAD_STATUS,
                "catch_all_page",
            )
            checks = _with(checks, failing)
            hops = [Hop(url=url, status=404, served_by="shopify", response_headers=shopify)]
        elif domain == "www.example.test":
            failing = _check(
                CheckId.STATUS,
                "fail",
                f"403 Forbidden from {url}",
                Code.BAD_STATUS,
                "waf_challenge",
            )
            checks = _with(checks, failing)
            hops = [Hop(url=url, status=403, served_by="cloudflare", response_headers=cloudflare)]
        elif domain == "eu.example.test":
            warning = _check(
                CheckId.REDIRECTS,
                "warn",
                f"1 redirect to {DISCOVERY_URL}; the device's query did not reach it",
                Code.QUERY_NOT_FORWARDED,
            )
            checks = _with(checks, warning)
        elif domain == "staging.example.test":  # an old TLS stack in front of it
            warning = _check(
                CheckId.CONNECT,
                "warn",
                f"TLS 1.2 without the extended master secret: {domain} at 192.0.2.10; "
                "iOS/iPadOS 27 and later may refuse this connection",
                Code.TLS_NO_EMS,
            )
            checks = _with(checks, warning)
        report = DomainReport(domain=domain, checks=checks, hops=hops, elapsed_ms=180)
        results.append(judged(report))
    return results


def app_with_five_domains(folder: Path) -> WizardApp:
    """The pinned setup with five domains, verified once (two of them failing), saved in
    `folder` (a folder of the test's own: the Verify screen does not show it)."""
    setup = pinned_setup("verify")
    setup.domains = list(DOMAINS)
    store = Store(folder)
    store.save(setup)
    record(store, setup, five_domain_results(), AT)
    return WizardApp(Store(folder), blink=False, today=TODAY)
