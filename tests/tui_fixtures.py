"""Fixed setups for snapshots and screenshots: every date and result is pinned, so the
screens render the same on every run."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from wizard.core.setups.state import CheckRecord, DomainResult, HopRecord, SetupState, Step
from wizard.core.setups.store import Store
from wizard.tui.app import WizardApp

AT = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
TODAY = date(2026, 1, 2)
ORG_ID = "5f1b2c3d4e5f6a7b8c9d0e1f"
DOMAIN = "example.test"
DISCOVERY = "https://apple.mdm.jumpcloud.com/account-driven-service-discovery"


def failing_result() -> DomainResult:
    well_known = f"https://{DOMAIN}/.well-known/com.apple.remotemanagement"
    query = f"user-identifier=probe@{DOMAIN}&model-family=iPhone"
    checks = [
        CheckRecord(id="dns", status="pass", summary=f"{DOMAIN} resolves to 192.0.2.10"),
        CheckRecord(
            id="connect",
            status="pass",
            summary=f"{DOMAIN}: TLSv1.3 TLS_AES_256_GCM_SHA384, EC P-256 certificate valid "
            "until 2026-03-30",
        ),
        CheckRecord(
            id="redirects",
            status="warn",
            code="query_not_forwarded",
            summary=f"1 redirect to {DISCOVERY}?organization_id={ORG_ID}; the device's "
            "user-identifier/model-family did not reach it",
        ),
        CheckRecord(id="status", status="pass", summary="200 OK"),
        CheckRecord(
            id="content_type",
            status="fail",
            code="bad_content_type",
            summary="served as 'text/html; charset=utf-8'; devices need application/json",
        ),
        CheckRecord(id="body", status="pass", summary="92 bytes, UTF-8"),
        CheckRecord(id="json", status="pass", summary="JSON with one server"),
        CheckRecord(
            id="config",
            status="pass",
            summary='Version "mdm-byod", BaseURL https://apple.mdm.jumpcloud.com/enroll',
        ),
        CheckRecord(id="enroll_probe", status="skip", summary="not requested"),
    ]
    return DomainResult(
        domain=DOMAIN,
        ok=False,
        failure="bad_content_type",
        checks=checks,
        hops=[
            HopRecord(url=f"{well_known}?{query}", status=301),
            HopRecord(url=f"{DISCOVERY}?organization_id={ORG_ID}", status=200),
        ],
        elapsed_ms=212,
    )


def pinned_setup(step: Step) -> SetupState:
    setup = SetupState(
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
    return setup


# What the start screen shows as the state folder in snapshots and screenshots: the real
# folder is a fresh temporary one, so runs at the same time never share it.
SHOWN_FOLDER = "~/.local/state/adue-wizard"


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
    return WizardApp(store, blink=False, today=TODAY, shown_folder=shown)


def record(
    store: Store, setup: SetupState, results: list[DomainResult], at: datetime | None = None
) -> None:
    """Record one verification run of `setup`, as the wizard and `verify --setup` do."""
    store.record_run(setup, [result.model_dump(mode="json") for result in results], [], at)


DOMAINS = [
    "example.test",
    "shop.example.test",
    "www.example.test",
    "eu.example.test",
    "staging.example.test",
]


def _passing_checks(domain: str) -> list[CheckRecord]:
    return [
        CheckRecord(id="dns", status="pass", summary=f"{domain} resolves to 192.0.2.10"),
        CheckRecord(id="connect", status="pass", summary=f"{domain}: TLSv1.3, EC P-256"),
        CheckRecord(id="redirects", status="pass", summary="1 redirect; the query was forwarded"),
        CheckRecord(id="status", status="pass", summary="200 OK"),
        CheckRecord(id="content_type", status="pass", summary="application/json"),
        CheckRecord(id="body", status="pass", summary="92 bytes, UTF-8"),
        CheckRecord(id="json", status="pass", summary="JSON with one server"),
        CheckRecord(id="config", status="pass", summary='Version "mdm-byod"'),
        CheckRecord(id="enroll_probe", status="skip", summary="not requested"),
    ]


def _with(checks: list[CheckRecord], replaced: CheckRecord) -> list[CheckRecord]:
    """`checks` with one check replaced and the later ones skipped."""
    out: list[CheckRecord] = []
    failed = False
    for check in checks:
        if check.id == replaced.id:
            out.append(replaced)
            failed = replaced.status == "fail"
        elif failed:
            out.append(CheckRecord(id=check.id, status="skip", summary="not reached"))
        else:
            out.append(check)
    return out


def _remedy(cause_id: str) -> str:
    from wizard.core.diagnosis.causes import BY_ID

    cause = BY_ID[cause_id]
    return f"{cause.problem} Fix: {cause.fix}"


def five_domain_results() -> list[DomainResult]:
    """Two passes, a warning and two failures (a shop's catch-all page, a bot challenge)."""
    well_known = (
        "/.well-known/com.apple.remotemanagement?user-identifier=probe@{}&model-family=iPhone"
    )
    shopify = [("server", "cloudflare"), ("cf-ray", "8e6f1a2b3c4d5e70-AMS"), ("x-shopid", "1")]
    cloudflare = [("server", "cloudflare"), ("cf-ray", "8e6f1a2b3c4d5e6f-FRA")]
    results = []
    for domain in DOMAINS:
        url = f"https://{domain}" + well_known.format(domain)
        checks = _passing_checks(domain)
        hops = [HopRecord(url=url, status=301), HopRecord(url=DISCOVERY, status=200)]
        ok, failure = True, None
        if domain == "shop.example.test":
            checks = _with(
                checks,
                CheckRecord(
                    id="status",
                    status="fail",
                    code="bad_status",
                    cause="catch_all_page",
                    summary=f"404 Not Found from {url}",
                    remedy=_remedy("catch_all_page"),
                ),
            )
            hops = [HopRecord(url=url, status=404, served_by="shopify", response_headers=shopify)]
            ok, failure = False, "bad_status"
        elif domain == "www.example.test":
            checks = _with(
                checks,
                CheckRecord(
                    id="status",
                    status="fail",
                    code="bad_status",
                    cause="waf_challenge",
                    summary=f"403 Forbidden from {url}",
                    remedy=_remedy("waf_challenge"),
                ),
            )
            hops = [
                HopRecord(url=url, status=403, served_by="cloudflare", response_headers=cloudflare)
            ]
            ok, failure = False, "bad_status"
        elif domain == "eu.example.test":
            checks = _with(
                checks,
                CheckRecord(
                    id="redirects",
                    status="warn",
                    code="query_not_forwarded",
                    summary=f"1 redirect to {DISCOVERY}; the device's query did not reach it",
                ),
            )
        results.append(
            DomainResult(
                domain=domain, ok=ok, failure=failure, checks=checks, hops=hops, elapsed_ms=180
            )
        )
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
