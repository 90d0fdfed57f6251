"""The MDM's enrollment server, as a device's next connection meets it: one TLS connection
to the BaseURL's host (no HTTP request), judged by the same ATS rules as every other
connection, the extended master secret included. Checked once per server per run, however
many domains point at it, and never past a domain's deadline.

What the admin can do differs from the rest of the check: the well-known URL is theirs, the
enrollment server is the MDM vendor's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wizard.core.codes import Code, Status
from wizard.core.verify.ems import PROBE_SECONDS, RISK
from wizard.core.verify.ems_probe import probe_extended_master_secret
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.tls import classify_connect_error, inspect_certificate
from wizard.core.verify.transport import open_tls

DEADLINE_MARGIN_S = 0.25

# Failures that break today's rules: no device enrolls.
_TLS_FAILURES = frozenset(
    {
        Code.TLS_UNTRUSTED,
        Code.TLS_HOSTNAME_MISMATCH,
        Code.TLS_EXPIRED,
        Code.TLS_PROTOCOL,
        Code.TLS_WEAK_KEY,
    }
)


@dataclass(frozen=True)
class ServerCheck:
    status: Status
    summary: str
    code: Code | None = None


@dataclass
class EnrollmentServers:
    """The BaseURL hosts checked during one run, each once."""

    options: VerifyOptions
    ssl_context: ssl.SSLContext
    _started: dict[tuple[str, int], asyncio.Task[ServerCheck]] = field(default_factory=dict)

    async def check(self, base_url: str, deadline: float) -> ServerCheck:
        """The BaseURL's server judged, or `baseurl_unreachable` when the time left before
        `deadline` (the loop's clock) runs out first."""
        parts = urlsplit(base_url)
        host, port = parts.hostname or "", parts.port or 443
        task = self._started.get((host, port))
        if task is None:
            task = asyncio.create_task(self._judge(host, port))
            self._started[(host, port)] = task
        # A moment before the domain's own deadline, so that its other checks are not
        # charged with the wait.
        left = max(0.0, deadline - asyncio.get_running_loop().time() - DEADLINE_MARGIN_S)
        try:
            # Shielded: other domains may be waiting for the same server.
            return await asyncio.wait_for(asyncio.shield(task), left)
        except TimeoutError:
            return ServerCheck(
                "warn",
                f"{host}, the MDM's enrollment server, gave no TLS answer in the time left: "
                "nothing is known about it",
                Code.BASEURL_UNREACHABLE,
            )

    def close(self) -> None:
        for task in self._started.values():
            task.cancel()

    async def _judge(self, host: str, port: int) -> ServerCheck:
        where = f"{host}, the MDM's enrollment server,"
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(self.options.timeout):
                _, writer = await open_tls(
                    host, port, self.ssl_context, self.options.connect_to, self.options.resolve
                )
                ssl_object = writer.get_extra_info("ssl_object")
                peer = writer.get_extra_info("peername")
                version = ssl_object.version() if ssl_object else None
                der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        except TimeoutError:
            return ServerCheck(
                "warn",
                f"{where} gave no TLS answer within {self.options.timeout:g} s from here: "
                "nothing is known about it",
                Code.BASEURL_UNREACHABLE,
            )
        except (OSError, EOFError, UnicodeError) as error:
            classified = classify_connect_error(error, host)
            if classified.code in _TLS_FAILURES:
                return ServerCheck(
                    "fail",
                    f"the well-known URL is right, but {where} breaks the TLS rules devices "
                    f"apply: {classified.summary}; no device can enroll",
                    Code.BASEURL_TLS,
                )
            return ServerCheck(
                "warn",
                f"{where} cannot be reached from this machine ({classified.summary}): nothing "
                "is known about it",
                Code.BASEURL_UNREACHABLE,
            )
        finally:
            if writer is not None:
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1.0)
        try:
            facts = inspect_certificate(der) if der else None
        except (ValueError, IndexError):
            facts = None  # not readable here; the handshake already verified it
        if facts is not None and facts.weakness:
            return ServerCheck(
                "fail",
                f"the well-known URL is right, but {where} breaks the TLS rules devices apply: "
                f"{facts.weakness}; no device can enroll",
                Code.BASEURL_TLS,
            )
        described = f"{version}, {facts.key} certificate" if facts else f"{version}"
        if version == "TLSv1.2" and isinstance(peer, tuple):
            probe = await probe_extended_master_secret(
                str(peer[0]), int(peer[1]), host, timeout=PROBE_SECONDS
            )
            if probe.outcome == "no_ems":
                return ServerCheck(
                    "warn",
                    f"{where} at {peer[0]} speaks TLS 1.2 without the extended master "
                    f"secret; {RISK}",
                    Code.BASEURL_TLS,
                )
        return ServerCheck("pass", f"{host}: {described}, as devices require")
