"""The details of one domain's verification: who answered each request, each check as it
finishes (running / pass / warn / fail), and under each warning or failure its cause and fix.
All server text is shown literally."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from wizard.core.codes import CHECK_ORDER
from wizard.core.diagnosis.fingerprints import describe
from wizard.core.results import Check, DomainReport
from wizard.tui.safe_text import plain
from wizard.tui.styles import style_for

LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP", "running": "...."}
# A verdict per range of OS versions, on one line each: its word, the style of the status
# it is like, and what it means for a device (the report and `c` give the whole summary).
VERDICTS = {
    "pass": ("PASS", "pass", "enrolls"),
    "fail": ("FAIL", "fail", "cannot enroll"),
    "depends": ("DEPENDS", "warn", "only if registered in Apple Business Manager"),
    "at_risk": ("AT RISK", "warn", "enrolls today; may be refused: TLS without EMS"),
    "unknown": ("UNKNOWN", "warn", "nothing known: this machine could not resolve names"),
}


def status_label(status: str) -> tuple[str, str]:
    """The word and style for a check's status (the style read when drawn: NO_COLOR)."""
    kind = "muted" if status == "skip" else status
    if status not in LABELS:
        return status.upper(), ""
    return LABELS[status], style_for(kind)


def view_id(domain: str) -> str:
    return "result-" + domain.replace(".", "-")


def verdict_of(result: DomainReport | None, running: bool) -> tuple[str, str]:
    """A short verdict and its style, for the domain list and the details' title."""
    if result is not None:
        if result.unknown:  # this machine could not look the name up: nothing known
            return f"UNKNOWN ({result.failure})", style_for("warn")
        if not result.ok:
            return f"FAIL ({result.failure})", style_for("fail")
        if result.warned:
            return "PASS with warnings", style_for("warn")
        return "PASS", style_for("pass")
    if running:
        return "checking...", "cyan"
    return "not checked yet", style_for("muted")


class DomainResultView(Vertical):
    DEFAULT_CSS = """
    DomainResultView { height: auto; }
    DomainResultView .lines { height: auto; }
    DomainResultView .hops { padding-left: 2; color: $text-muted; }
    DomainResultView .check { padding-left: 2; }
    DomainResultView .remedy { padding-left: 8; }
    DomainResultView .os-verdicts { padding-left: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, domain: str, result: DomainReport | None = None) -> None:
        super().__init__(id=view_id(domain))
        self.domain = domain
        self.checks: list[Check] = list(result.checks) if result else []
        self.result = result
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(classes="title")
        yield Vertical(classes="lines")

    def on_mount(self) -> None:
        self.refresh_view()

    def show(
        self, domain: str, result: DomainReport | None, checks: list[Check], running: bool
    ) -> None:
        """Show another domain (or the same one, updated)."""
        self.domain, self.result, self.checks, self.running = domain, result, list(checks), running
        self.refresh_view()

    def start(self) -> None:
        self.show(self.domain, None, [], True)

    def add_check(self, check: Check) -> None:
        self.checks.append(check)
        self.refresh_view()

    def finish(self, result: DomainReport) -> None:
        self.show(self.domain, result, list(result.checks), False)

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self.query_one(".title", Static).update(self._title())
        lines = self.query_one(".lines", Vertical)
        lines.remove_children()
        lines.mount_all(self._lines())

    def _title(self) -> Content:
        verdict, style = verdict_of(self.result, self.running)
        return Content.assemble(plain(self.domain, "bold"), (f"  {verdict}", style))

    def _lines(self) -> list[Static]:
        widgets: list[Static] = []
        # What each range of devices would do comes first: "will my users' phones get
        # through?" is the question.
        if self.result is not None and self.result.os_verdicts:
            widgets.append(Static(self._by_os(self.result), classes="os-verdicts"))
        problems = [check for check in self.checks if check.status in ("warn", "fail")]
        passed = [check for check in self.checks if check.status == "pass"]
        skipped = [check for check in self.checks if check.status == "skip"]
        # Failures and warnings first, then who answered: an on-call reader wants the cause
        # and the fix without scrolling.
        for check in problems:
            widgets.extend(self._check_widgets(check))
        if self.result is not None and self.result.hops:
            hops = []
            for number, hop in enumerate(self.result.hops, 1):
                answered = describe(hop.response_headers)
                hops.append(
                    Content.assemble(
                        f"{number}. {hop.status if hop.status is not None else '---'} ",
                        plain(hop.url),
                        plain(f"  ({answered})" if answered else ""),
                    )
                )
            widgets.append(Static(Content("\n").join(hops), classes="hops"))
        for check in passed:
            widgets.extend(self._check_widgets(check))
        if skipped:
            titles = ", ".join(check.id.heading for check in skipped)
            reasons = {check.summary for check in skipped}
            reason = reasons.pop() if len(reasons) == 1 else "see the report"
            widgets.append(
                Static(
                    Content.assemble(
                        ("SKIP", style_for("muted")),
                        f"  {titles}: ",
                        plain(reason, style_for("muted")),
                    ),
                    classes="check",
                )
            )
        if self.running:
            done = {check.id for check in self.checks}
            upcoming = next((c for c in CHECK_ORDER if c not in done), None)
            if upcoming:
                label, style = status_label("running")
                widgets.append(
                    Static(
                        Content.assemble((label, style), f"  {upcoming.heading}"),
                        classes="check",
                    )
                )
        return widgets

    @staticmethod
    def _by_os(result: DomainReport) -> Content:
        rows = []
        before = "pass"  # the verdict of the versions below: what "at risk" adds a risk to
        for verdict in result.os_verdicts:
            word, style, meaning = VERDICTS.get(
                verdict.verdict, (verdict.verdict.upper(), "warn", verdict.summary)
            )
            if verdict.verdict == "at_risk" and before != "pass":
                # A domain that enrolls on 18.2 only through Apple Business Manager does
                # not "enroll today" on 27 either: say the condition, then the risk.
                condition = VERDICTS.get(before, ("", "", before))[2]
                meaning = f"{condition}; may also be refused: TLS without EMS"
            before = verdict.verdict
            rows.append(
                Content.assemble(
                    f"iOS {verdict.range:<9} ", (f"{word:<7}", style_for(style)), f"  {meaning}"
                )
            )
        return Content("\n").join(rows)

    def _check_widgets(self, check: Check) -> list[Static]:
        label, style = status_label(check.status)
        widgets = [
            Static(
                Content.assemble((label, style), f"  {check.id.heading}: ", plain(check.summary)),
                classes="check",
            )
        ]
        advice = check.advice
        if check.status not in ("warn", "fail") or advice is None:
            return widgets
        if check.cause:
            widgets.append(
                Static(
                    Content.assemble(
                        ("Cause: ", "bold"), plain(f"{check.cause}. {advice.as_text()}")
                    ),
                    classes="remedy",
                )
            )
            return widgets
        widgets.append(
            Static(Content.assemble(("Fix: ", "bold"), plain(advice.fix)), classes="remedy")
        )
        if advice.portal_message:
            widgets.append(
                Static(
                    Content.assemble(
                        (f"{advice.portal or 'MDM portal'}: ", "bold"),
                        plain(f'"{advice.portal_message}"', "italic"),
                    ),
                    classes="remedy",
                )
            )
        return widgets
