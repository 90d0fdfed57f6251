"""The extended master secret (RFC 7627) on every TLS 1.2 connection a check makes: each
server probed once per run, beside the rest of the check (`ems_probe` sends the hello), and
a `connect` that passed turned into the warning `tls_no_ems` when a server on the way lacks
it (one that already warns gets that warning beside it). From the OS 27 releases on, Apple
devices may refuse such a connection (Apple support note 126655): "may", so a warning, never
a failure."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wizard.core.codes import CheckId, Code
from wizard.core.protocol import MODEL_FAMILIES
from wizard.core.results import Check, DomainReport, Hop
from wizard.core.verify.ems_probe import EmsProbe, probe_extended_master_secret

# A probe never waits past this, nor past the domain's deadline.
PROBE_SECONDS = 5.0
RISK = "iOS/iPadOS 27 and later may refuse this connection"

Server = tuple[str, int, str | None]  # address, port, the name sent (SNI)


@dataclass
class EmsProbes:
    """Probes shared by every domain of one run: 4,000 domains redirecting to one MDM make
    one probe per address of its host, not 4,000."""

    _started: dict[Server, asyncio.Task[EmsProbe]] = field(default_factory=dict)

    def start(self, address: str, port: int, host: str) -> asyncio.Task[EmsProbe]:
        """The probe of this server, started now or earlier."""
        server = (address, port, None if _is_address(host) else host)
        task = self._started.get(server)
        if task is None:
            task = asyncio.create_task(
                probe_extended_master_secret(address, port, server[2], timeout=PROBE_SECONDS)
            )
            self._started[server] = task
        return task

    def close(self) -> None:
        for task in self._started.values():
            task.cancel()


async def settle(pending: list[tuple[Hop, asyncio.Task[EmsProbe]]], deadline: float) -> None:
    """Wait for the probes of these hops, no later than `deadline` (the loop's clock), and
    note on each hop whether its server negotiates EMS (None: it could not be told)."""
    if not pending:
        return
    left = max(0.0, deadline - asyncio.get_running_loop().time())
    # Shielded: other domains may be waiting for the same probe.
    await asyncio.wait({asyncio.shield(task) for _, task in pending}, timeout=left)
    for hop, task in pending:
        if task.done() and not task.cancelled():
            outcome = task.result().outcome
            hop.ems = {"ems": True, "no_ems": False}.get(outcome)


def record_ems(report: DomainReport, reports: list[DomainReport]) -> None:
    """Warn `tls_no_ems` on `report`'s passing `connect` checks when a TLS 1.2 server of any
    address's run (`reports`) lacks EMS, naming each host and address; beside a `connect`
    that already warns (a certificate expiring soon), a warning of its own: both codes must
    show, since a script alerts on each."""
    lacking = list(
        dict.fromkeys(
            f"{_host(hop)} at {hop.address}" if hop.address else _host(hop)
            for run in reports
            for hop in run.hops
            if hop.ems is False
        )
    )
    if not lacking:
        return
    said = f"TLS 1.2 without the extended master secret: {', '.join(lacking)}; {RISK}"
    # From the end, so that a warning inserted leaves the positions still to visit alone.
    for at in reversed(range(len(report.checks))):
        check = report.checks[at]
        if check.id != CheckId.CONNECT or check.status not in ("pass", "warn"):
            continue
        # With several model families each summary starts with its family: keep it.
        family, _, rest = check.summary.partition(": ")
        prefix = f"{family}: " if family in MODEL_FAMILIES else ""
        if check.status == "warn":
            warning = Check(CheckId.CONNECT, "warn", f"{prefix}{said}", Code.TLS_NO_EMS)
            report.checks.insert(at + 1, warning)
            continue
        facts = rest if prefix else check.summary
        check.status, check.code = "warn", Code.TLS_NO_EMS
        check.summary = f"{prefix}{said} ({facts})"


def _host(hop: Hop) -> str:
    return urlsplit(hop.url).hostname or hop.url


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
