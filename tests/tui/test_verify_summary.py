"""The Verify screen's summary: every failing row names its cause, and what all the domains
share is said once, first, above the list (all failing alike; this machine could not
resolve names)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable, Static

from tests.support.constants import AT, ORG_ID
from tests.support.web_servers import free_port
from tests.support.wizard_app import make_app, record, started
from wizard.core.codes import CHECK_ORDER, FAILURE_CODES, CheckId, Code
from wizard.core.diagnosis.diagnose import diagnose
from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.results import Check, DomainReport
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store
from wizard.core.verify.options import VerifyOptions
from wizard.tui.screens.verify import VerifyScreen

# Five domains under three top-level domains (and four registered domains).
SPREAD = ["a.example.test", "b.example.test", "shop.example", "eu.corp.invalid", "c.test"]


def failed_with(domain: str, code: Code, check_id: CheckId = CheckId.DNS) -> DomainReport:
    """A report as the verifier leaves it when `check_id` fails with `code` (the checks
    before it passed, the rest not reached), diagnosed."""
    checks = []
    for each in CHECK_ORDER:
        if CHECK_ORDER.index(each) < CHECK_ORDER.index(check_id):
            checks.append(Check(each, "pass", "fine"))
        elif each == check_id:
            checks.append(Check(each, "fail", f"{domain}: {code}", code))
        else:
            checks.append(Check(each, "skip", "not reached: an earlier check failed"))
    report = DomainReport(domain, checks=checks)
    diagnose(report, VerifyOptions())
    return report


def saved(folder: Path, domains: list[str], results: list[DomainReport] | None) -> SetupState:
    setup = SetupState(
        name="spread", org_id=ORG_ID, domains=domains, method="redirect", step="verify"
    )
    store = Store(folder)
    store.save(setup)
    if results is not None:
        record(store, setup, results, AT)
    return setup


def rows(screen: VerifyScreen) -> dict[str, list[str]]:
    table = screen.query_one("#verify-domains", DataTable)
    shown: dict[str, list[str]] = {}
    for key in table.rows:
        cells = table.get_row(key)
        shown[str(key.value)] = [
            cell.plain if isinstance(cell, Text) else str(cell) for cell in cells
        ]
    return shown


def summary(screen: VerifyScreen) -> str:
    return str(screen.query_one("#verify-summary", Static).render())


async def test_every_failure_code_has_a_cause_in_the_list(tmp_path: Path) -> None:
    """Today's gap was `invalid_domain` ("does not resolve" only in the details): every
    failure code, with or without a cause the evidence shows, fills the Cause column."""
    codes = sorted(FAILURE_CODES)
    domains = [f"d{index}.example.test" for index in range(len(codes))]
    results = [failed_with(domain, code) for domain, code in zip(domains, codes, strict=True)]
    saved(tmp_path, domains, results)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VerifyScreen)
        shown = rows(screen)
        for domain, code in zip(domains, codes, strict=True):
            _, result, cause = shown[domain]
            assert code in result
            assert cause, code
            assert cause == remedy_for(code).brief, code
        invalid = domains[codes.index(Code.INVALID_DOMAIN)]
        assert shown[invalid][2] == "does not resolve"


async def test_all_failing_alike_is_said_first_and_once(tmp_path: Path) -> None:
    results = [failed_with(domain, Code.INVALID_DOMAIN) for domain in SPREAD]
    saved(tmp_path, SPREAD, results)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        first, counts = summary(app.screen).splitlines()
        assert first == (
            "All 5 domains: invalid_domain (does not resolve); the problem is probably on this side"
        )
        assert counts == "5 domains: 5 failed"


async def test_one_domain_failing_otherwise_leaves_no_headline(tmp_path: Path) -> None:
    results = [failed_with(domain, Code.INVALID_DOMAIN) for domain in SPREAD[:4]]
    results.append(failed_with(SPREAD[4], Code.TLS_EXPIRED, CheckId.CONNECT))
    saved(tmp_path, SPREAD, results)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        assert summary(app.screen) == "5 domains: 5 failed"


async def test_this_machine_unable_to_resolve_is_said_once_above_the_list(tmp_path: Path) -> None:
    results = [failed_with(domain, Code.RESOLVER_FAILED) for domain in SPREAD]
    saved(tmp_path, SPREAD, results)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VerifyScreen)
        first, counts = summary(screen).splitlines()
        assert first == (
            "All 5 domains: this machine could not resolve names; nothing is known about "
            "the domains"
        )
        assert counts == "5 domains: 5 unknown"
        assert all(row[1] == "UNKNOWN (resolver_failed)" for row in rows(screen).values())
        status = str(screen.query_one("#verify-status", Static).render())
        assert "UNKNOWN (resolver_failed)" in status and "FAILED" not in status


async def test_a_real_run_failing_alike_everywhere_says_so(tmp_path: Path) -> None:
    """Five domains sent to a port where nothing listens: the same connect_failed for all."""
    setup = saved(tmp_path, SPREAD, None)
    setup.settings = VerifySettings(connect_to=[f":443:127.0.0.1:{free_port()}"], timeout=5)
    Store(tmp_path).save(setup)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # never verified: the check starts at once
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VerifyScreen)
        first = summary(screen).splitlines()[0]
        assert first.startswith("All 5 domains: connect_failed (no HTTPS connection)")
        assert first.endswith("; the problem is probably on this side")
        assert {row[2] for row in rows(screen).values()} == {"no HTTPS connection"}
