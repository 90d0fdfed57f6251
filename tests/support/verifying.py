"""Running the verifier against the loopback servers: options that route every host to a
server and trust the test CA, one verification, one check."""

from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path

import trustme

from tests.support.constants import DOMAIN
from tests.support.https_server import HTTPSServer
from wizard.core.codes import CheckId, Code, Status
from wizard.core.providers import Answers
from wizard.core.results import Check, DomainReport
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.verifier import verify_domains


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


def options_for(server: HTTPSServer, ca_bundle: Path, **overrides: object) -> VerifyOptions:
    """VerifyOptions that route every host on :443 to `server` and trust the test CA;
    `org_id=` judges against JumpCloud with that organization, as `--org-id` does."""
    settings: dict[str, object] = {
        "connect_to": (ConnectTo(None, 443, "127.0.0.1", server.port),),
        "ca_bundle": str(ca_bundle),
        "timeout": 3.0,
    }
    return options_with(settings, **overrides)


def options_with(settings: dict[str, object], **overrides: object) -> VerifyOptions:
    """VerifyOptions of `settings` and `overrides`; `org_id=` judges against JumpCloud with
    that organization, as `--org-id` does."""
    org_id = overrides.pop("org_id", None)
    if isinstance(org_id, str):
        settings = {**settings, "mdm": "jumpcloud", "mdm_answers": Answers(org_id=org_id)}
    return VerifyOptions(**{**settings, **overrides})  # type: ignore[arg-type]


def verify(options: VerifyOptions, domain: str = DOMAIN) -> DomainReport:
    """Run one verification and check it ended inside its deadline (plus start-up slack)."""
    started = time.monotonic()
    [report] = asyncio.run(verify_domains([domain], options))
    assert time.monotonic() - started < options.timeout + 1.5
    return report


def check(report: DomainReport, check_id: str) -> tuple[Status, Code | None, str]:
    [found] = [c for c in report.checks if c.id == check_id]
    return found.status, found.code, found.summary


def report_of(domain: str, failure: str | None = None) -> DomainReport:
    """A finished report that passed, or failed with `failure` (a code), as a run of the
    history needs it."""
    report = DomainReport(domain)
    if failure is not None:
        report.checks.append(Check(CheckId.STATUS, "fail", f"failed: {failure}", Code(failure)))
    return report
