"""The Verify step's line per range of OS versions says what each means for a device: "at
risk" on iOS 27 adds the risk to what the versions below it get, so a domain that enrolls on
18.2 only through Apple Business Manager never reads "enrolls today"."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.support.constants import WELL_KNOWN
from tests.support.wizard_app import _check, _passing_checks, _with, judged
from wizard.core.codes import CheckId, Code
from wizard.core.results import DomainReport, Hop
from wizard.tui.widgets.domain_result import DomainResultView

DOMAIN = "staging.example.test"
NO_EMS = _check(
    CheckId.CONNECT,
    "warn",
    f"TLS 1.2 without the extended master secret: {DOMAIN} at 192.0.2.10; "
    "iOS/iPadOS 27 and later may refuse this connection",
    Code.TLS_NO_EMS,
)


class OneResult(App[None]):
    def __init__(self, report: DomainReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        yield DomainResultView(self.report.domain, self.report)


async def verdict_lines(report: DomainReport) -> list[str]:
    app = OneResult(report)
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one(DomainResultView).finish(report)  # as the Verify step shows a result
        await pilot.pause()
        text = "\n".join(str(widget.render()) for widget in app.screen.query(Static))
    return [line for line in text.splitlines() if line.startswith("iOS ")]


async def test_a_pass_at_risk_enrolls_today() -> None:
    report = judged(DomainReport(DOMAIN, checks=_with(_passing_checks(DOMAIN), NO_EMS)))
    assert [v.verdict for v in report.os_verdicts] == ["pass", "pass", "at_risk"]
    lines = await verdict_lines(report)
    assert lines[-1].endswith("AT RISK  enrolls today; may be refused: TLS without EMS")


async def test_a_404_at_risk_never_reads_enrolls_today() -> None:
    not_found = _check(CheckId.STATUS, "fail", "404 Not Found", Code.BAD_STATUS, "catch_all_page")
    checks = _with(_with(_passing_checks(DOMAIN), NO_EMS), not_found)
    hops = [Hop(url=f"https://{DOMAIN}{WELL_KNOWN}", status=404)]
    report = judged(DomainReport(DOMAIN, checks=checks, hops=hops))
    assert [v.verdict for v in report.os_verdicts] == ["fail", "depends", "at_risk"]
    lines = await verdict_lines(report)
    assert not any("enrolls today" in line for line in lines), lines
    assert lines[-1].endswith(
        "AT RISK  only if registered in Apple Business Manager; may also be refused: TLS "
        "without EMS"
    )
