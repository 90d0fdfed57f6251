"""The checks of one domain as they are made: each recorded as it finishes (and told to a
listener, for the wizard's live view), with the network phase in progress, so a deadline can
name what was slow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from wizard.core.codes import CHECK_ORDER, CheckId, Code, Status
from wizard.core.results import Check, DomainReport, Hop
from wizard.core.verify.ems_probe import EmsProbe
from wizard.core.verify.transport import (
    CONNECTING,
    READING_BODY,
    RESOLVING,
    TLS_HANDSHAKE,
    WAITING,
)

OnCheck = Callable[[str, Check], None]  # (domain, the check just recorded)
OnPhase = Callable[[str, str], None]  # (domain, e.g. "the TLS handshake with example.com")

# How a phase reads in a deadline's summary and in the wizard's running line.
PHASE_TEXT = {
    RESOLVING: "resolving {}",
    CONNECTING: "connecting to {}",
    TLS_HANDSHAKE: "the TLS handshake with {}",
    WAITING: "waiting for the response from {}",
    READING_BODY: "reading the body from {}",
}


def describe_phase(phase: str, where: str) -> str:
    return PHASE_TEXT.get(phase, phase + " {}").format(where).strip()


@dataclass
class CheckRun:
    report: DomainReport
    on_check: OnCheck | None
    # With several model families, each summary starts with the family ("iPad: ...").
    prefix: str = ""
    current: CheckId = CheckId.DNS
    done: set[CheckId] = field(default_factory=set)
    # What the network is doing now, e.g. ("the TLS handshake", "example.com"); the
    # transport reports each phase as it starts.
    phase: tuple[str, str] = (RESOLVING, "")
    on_phase: Callable[[str, str], None] | None = None
    # Why this run's pinned address could not be tried from this machine (no route), if so.
    no_route: str | None = None
    # The extended master secret probes of this run's TLS 1.2 hops, still running.
    ems: list[tuple[Hop, asyncio.Task[EmsProbe]]] = field(default_factory=list)

    def enter_phase(self, phase: str, where: str) -> None:
        self.phase = (phase, where)
        if self.on_phase:
            self.on_phase(phase, where)

    def record(
        self, check_id: CheckId, status: Status, summary: str, code: Code | None = None
    ) -> None:
        check = Check(check_id, status, self.prefix + summary, code)
        self.report.checks.append(check)
        self.done.add(check_id)
        if self.on_check:
            self.on_check(self.report.domain, check)

    def skip_rest(self, reason: str) -> None:
        for check_id in CHECK_ORDER:
            if check_id not in self.done:
                self.record(check_id, "skip", reason)
