"""One domain's verification as it happens: each check appears as it finishes (running /
pass / warn / fail), the hops, and under each warning or failure its remedy and the JumpCloud
portal message. All server text is shown literally."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from wizard.core.diagnosis.remedies import remedy_for
from wizard.core.setups.state import CheckRecord, DomainResult
from wizard.core.verify.results import CHECK_ORDER, CHECK_TITLES
from wizard.tui.safe_text import plain

STATUS_STYLE = {
    "pass": ("PASS", "bold green"),
    "warn": ("WARN", "bold yellow"),
    "fail": ("FAIL", "bold red"),
    "skip": ("SKIP", "dim"),
    "running": ("....", "bold cyan"),
}


def view_id(domain: str) -> str:
    return "result-" + domain.replace(".", "-")


class DomainResultView(Vertical):
    DEFAULT_CSS = """
    DomainResultView { height: auto; margin: 0 0 1 0; }
    DomainResultView .hops { padding-left: 2; color: $text-muted; }
    DomainResultView .check { padding-left: 2; }
    DomainResultView .remedy { padding-left: 8; }
    """

    def __init__(self, domain: str, result: DomainResult | None = None) -> None:
        super().__init__(id=view_id(domain))
        self.domain = domain
        self.checks: list[CheckRecord] = list(result.checks) if result else []
        self.result = result
        self.running = False

    def compose(self) -> ComposeResult:
        yield Static(classes="title")
        yield Vertical(classes="lines")

    def on_mount(self) -> None:
        self.refresh_view()

    def start(self) -> None:
        self.checks = []
        self.result = None
        self.running = True
        self.refresh_view()

    def add_check(self, check: CheckRecord) -> None:
        self.checks.append(check)
        self.refresh_view()

    def finish(self, result: DomainResult) -> None:
        self.result = result
        self.checks = list(result.checks)
        self.running = False
        self.refresh_view()

    def refresh_view(self) -> None:
        self.query_one(".title", Static).update(self._title())
        lines = self.query_one(".lines", Vertical)
        lines.remove_children()
        lines.mount_all(self._lines())

    def _title(self) -> Content:
        name = plain(self.domain, "bold")
        if self.result is not None:
            if self.result.ok:
                return Content.assemble(name, ("  PASS", "bold green"))
            return Content.assemble(name, (f"  FAIL ({self.result.failure})", "bold red"))
        if self.running:
            return Content.assemble(name, ("  checking...", "cyan"))
        return Content.assemble(name, ("  not checked yet", "dim"))

    def _lines(self) -> list[Static]:
        widgets: list[Static] = []
        if self.result is not None and self.result.hops:
            hops = [
                Content.assemble(
                    f"{number}. {hop.status if hop.status is not None else '---'} ", plain(hop.url)
                )
                for number, hop in enumerate(self.result.hops, 1)
            ]
            widgets.append(Static(Content("\n").join(hops), classes="hops"))
        shown = [check for check in self.checks if check.status != "skip"]
        skipped = [check for check in self.checks if check.status == "skip"]
        for check in shown:
            widgets.extend(self._check_widgets(check))
        if skipped:
            # One line for the skipped checks: an on-call reader wants the failures.
            titles = ", ".join(CHECK_TITLES.get(check.id, check.id) for check in skipped)
            reasons = {check.summary for check in skipped}
            reason = reasons.pop() if len(reasons) == 1 else "see the report"
            widgets.append(
                Static(
                    Content.assemble(("SKIP", "dim"), f"  {titles}: ", plain(reason, "dim")),
                    classes="check",
                )
            )
        if self.running:
            done = {check.id for check in self.checks}
            upcoming = next((c for c in CHECK_ORDER if c not in done), None)
            if upcoming:
                label, style = STATUS_STYLE["running"]
                widgets.append(
                    Static(
                        Content.assemble((label, style), f"  {CHECK_TITLES[upcoming]}"),
                        classes="check",
                    )
                )
        return widgets

    def _check_widgets(self, check: CheckRecord) -> list[Static]:
        label, style = STATUS_STYLE.get(check.status, (check.status.upper(), ""))
        title = CHECK_TITLES.get(check.id, check.id)
        widgets = [
            Static(
                Content.assemble((label, style), f"  {title}: ", plain(check.summary)),
                classes="check",
            )
        ]
        entry = remedy_for(check.code) if check.code and check.status in ("warn", "fail") else None
        if entry:
            widgets.append(
                Static(Content.assemble(("Fix: ", "bold"), plain(entry.fix)), classes="remedy")
            )
            if entry.portal_message:
                widgets.append(
                    Static(
                        Content.assemble(
                            ("JumpCloud portal: ", "bold"),
                            plain(f'"{entry.portal_message}"', "italic"),
                        ),
                        classes="remedy",
                    )
                )
        return widgets
