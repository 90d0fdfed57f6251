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
