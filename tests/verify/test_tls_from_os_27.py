"""The stricter TLS of the OS 27 releases (Apple support note 126655) and the MDM's own
server, against real TLS servers on loopback: the extended master secret on every TLS 1.2
connection, and the `baseurl` check of the document's enrollment server."""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.certificates import (
    NOW,
    context_for,
    key_pem,
    leaf_pem,
    lenient_context,
    self_signed_pem,
    tls12_context,
)
from tests.support.commands import run_cli
from tests.support.constants import DOMAIN, GOOD, TEST_NAMES, WELL_KNOWN
from tests.support.https_server import BlockingTLSServer, HTTPSServer, json_document, respond
from tests.support.verifying import check, options_for, server_context, verify
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.verifier import verify_domains

StartServer = Callable[[ssl.SSLContext], HTTPSServer]
StartBlocking = Callable[[ssl.SSLContext], BlockingTLSServer]
ENROLL = "mdm.example.test"  # GOOD's BaseURL host
RISK = "iOS/iPadOS 27 and later may refuse this connection"


def routes(
    domain: HTTPSServer, enrollment: HTTPSServer | int, **others: HTTPSServer
) -> dict[str, object]:
    """The domain to one server, the BaseURL's host to another (or to a port), and any
    other host to its server."""
    port = enrollment if isinstance(enrollment, int) else enrollment.port
    rules = [
        ConnectTo(DOMAIN, 443, "127.0.0.1", domain.port),
        ConnectTo(ENROLL, 443, "127.0.0.1", port),
        *(ConnectTo(host, 443, "127.0.0.1", other.port) for host, other in others.items()),
    ]
    return {"connect_to": tuple(rules)}


def cli_routes(domain: HTTPSServer, enrollment_port: int, ca_bundle: Path) -> list[str]:
    """`routes` as `verify`'s options."""
    return [
        *("--connect-to", f"{DOMAIN}:443:127.0.0.1:{domain.port}"),
        *("--connect-to", f"{ENROLL}:443:127.0.0.1:{enrollment_port}"),
        *("--ca-bundle", str(ca_bundle)),
    ]


def verdicts(report: object) -> dict[str, str]:
    return {v.range: v.verdict for v in report.os_verdicts}  # type: ignore[attr-defined]


@pytest.fixture
def enrollment(start_server: StartServer, good_cert: trustme.LeafCert) -> HTTPSServer:
    """The MDM's enrollment server, as devices want it (TLS 1.3, a trusted certificate)."""
    return start_server(server_context(good_cert))


# -- the extended master secret on the well-known URL's connections ----------------------


def test_tls12_without_ems_is_a_warning_naming_host_and_address(
    start_server: StartServer, good_cert: trustme.LeafCert, enrollment: HTTPSServer, ca_bundle: Path
) -> None:
    """A TLS 1.2-only server refusing the extension used to give a clean PASS."""
    domain = start_server(tls12_context(good_cert, ems=False))
    domain.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(domain, ca_bundle, **routes(domain, enrollment)))
    assert report.ok, report.to_json()
    status, code, summary = check(report, "connect")
    assert (status, code) == ("warn", "tls_no_ems")
    assert f"{DOMAIN} at 127.0.0.1" in summary and RISK in summary
    assert "TLSv1.2" in summary  # what the connection was is kept
    assert [hop.ems for hop in report.hops] == [False]
    assert check(report, "baseurl")[0] == "pass"
    assert verdicts(report) == {"15.0-18.1": "pass", "18.2-26.x": "pass", "27+": "at_risk"}
    [connect] = [c for c in report.to_json()["checks"] if c["id"] == "connect"]
    assert "OpenSSL 1.1.0" in connect["remedy"]


def test_a_connect_warning_already_there_keeps_tls_no_ems_beside_it(
    start_server: StartServer, ca: trustme.CA, enrollment: HTTPSServer, ca_bundle: Path
) -> None:
    """A certificate expiring soon already warns on `connect`: the missing EMS once became
    words in that warning, and its code, the one scripts alert on, was lost."""
    expiring = ca.issue_cert(*TEST_NAMES, not_after=NOW + datetime.timedelta(days=10))
    domain = start_server(tls12_context(expiring, ems=False))
    domain.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli("verify", DOMAIN, *cli_routes(domain, enrollment.port, ca_bundle), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    line = json.loads(result.stdout)
    warnings = [c for c in line["checks"] if c["status"] == "warn"]
    assert [(c["id"], c["code"]) for c in warnings] == [
        ("connect", "cert_expiring"),
        ("connect", "tls_no_ems"),
    ]
    expiry, ems = warnings
    assert "expires in" in expiry["summary"] and "extended master secret" not in expiry["summary"]
    assert f"{DOMAIN} at 127.0.0.1" in ems["summary"] and RISK in ems["summary"]
    assert "OpenSSL 1.1.0" in ems["remedy"] and "OpenSSL" not in expiry["remedy"]
    assert [v["verdict"] for v in line["os_verdicts"]] == ["pass", "pass", "at_risk"]


@pytest.mark.parametrize("tls12", [True, False], ids=["tls12-with-ems", "tls13"])
def test_ems_or_tls13_needs_nothing_more(
    start_server: StartServer,
    good_cert: trustme.LeafCert,
    enrollment: HTTPSServer,
    ca_bundle: Path,
    tls12: bool,
) -> None:
    context = tls12_context(good_cert, ems=True) if tls12 else server_context(good_cert)
    domain = start_server(context)
    domain.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(domain, ca_bundle, **routes(domain, enrollment)))
    assert check(report, "connect")[:2] == ("pass", None), report.to_json()
    assert [hop.ems for hop in report.hops] == [True if tls12 else None]
    assert set(verdicts(report).values()) == {"pass"}


def test_a_redirect_target_without_ems_is_named_too(
    start_server: StartServer, good_cert: trustme.LeafCert, enrollment: HTTPSServer, ca_bundle: Path
) -> None:
    """Every hop: the domain on TLS 1.3 redirects to a discovery host on old TLS 1.2."""
    domain = start_server(server_context(good_cert))
    discovery = start_server(tls12_context(good_cert, ems=False))
    target = f"https://discovery.{DOMAIN}/d"
    domain.route(WELL_KNOWN, respond(301, b"", {"Location": target + "?model-family=iPhone"}))
    discovery.route("/d", json_document(GOOD))
    settings = routes(domain, enrollment, **{f"discovery.{DOMAIN}": discovery})
    report = verify(options_for(domain, ca_bundle, **settings))
    status, code, summary = check(report, "connect")
    assert (status, code) == ("warn", "tls_no_ems")
    assert (
        f"discovery.{DOMAIN} at 127.0.0.1" in summary
        and f"{DOMAIN} at" not in summary.split("discovery")[0]
    )
    assert [hop.ems for hop in report.hops] == [None, False]


@pytest.mark.parametrize(
    ("lacking", "named"),
    [
        ({"domain"}, DOMAIN),
        ({"discovery"}, f"discovery.{DOMAIN}"),
        ({"enrollment"}, f"{ENROLL} (the MDM's enrollment server)"),
        ({"domain", "enrollment"}, f"{DOMAIN} and {ENROLL} (the MDM's enrollment server)"),
        (
            {"domain", "discovery", "enrollment"},
            f"{DOMAIN}, discovery.{DOMAIN} and {ENROLL} (the MDM's enrollment server)",
        ),
    ],
    ids=["domain", "redirect-target", "mdm-server", "domain-and-mdm-server", "all-three"],
)
def test_the_27_verdict_names_each_host_without_ems(
    start_server: StartServer,
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    lacking: set[str],
    named: str,
) -> None:
    """The domain redirects to a discovery host whose document names the MDM's server; the
    verdict for 27 and later names the servers without the extension, not always "the
    domain"."""

    def serving(role: str) -> HTTPSServer:
        old = role in lacking
        return start_server(
            tls12_context(good_cert, ems=False) if old else server_context(good_cert)
        )

    domain, discovery, enrollment = serving("domain"), serving("discovery"), serving("enrollment")
    domain.route(WELL_KNOWN, respond(301, b"", {"Location": f"https://discovery.{DOMAIN}/d"}))
    discovery.route("/d", json_document(GOOD))
    settings = routes(domain, enrollment, **{f"discovery.{DOMAIN}": discovery})
    report = verify(options_for(domain, ca_bundle, **settings))
    assert report.ok, report.to_json()
    strict = report.os_verdicts[2]
    assert (strict.range, strict.verdict) == ("27+", "at_risk")
    assert strict.summary == (
        f"passes today; iOS/iPadOS 27 and later may refuse {named}: TLS 1.2 without the "
        "extended master secret"
    )


def test_the_mdm_server_on_the_way_and_at_the_baseurl_is_named_once(
    start_server: StartServer, server: HTTPSServer, good_cert: trustme.LeafCert, ca_bundle: Path
) -> None:
    """The domain redirects to the MDM's own host, which is also the BaseURL's host."""
    mdm = start_server(tls12_context(good_cert, ems=False))
    server.route(WELL_KNOWN, respond(301, b"", {"Location": f"https://{ENROLL}/d"}))
    mdm.route("/d", json_document(GOOD))
    report = verify(options_for(server, ca_bundle, **routes(server, mdm)))
    assert [hop.ems for hop in report.hops] == [None, False]
    assert check(report, "baseurl")[:2] == ("warn", "baseurl_tls")
    assert report.os_verdicts[2].summary == (
        f"passes today; iOS/iPadOS 27 and later may refuse {ENROLL} (the MDM's enrollment "
        "server): TLS 1.2 without the extended master secret"
    )


# -- the MDM's enrollment server ---------------------------------------------------------


def test_a_weak_enrollment_server_fails_though_the_well_known_url_is_right(
    server: HTTPSServer, start_server: StartServer, ca: trustme.CA, ca_bundle: Path, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak = start_server(context_for(tmp_path, leaf_pem(ca, key, names=(ENROLL,)), key_pem(key)))
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, **routes(server, weak)))
    assert report.failure == "baseurl_tls", report.to_json()
    status, _, summary = check(report, "baseurl")
    assert status == "fail" and "the well-known URL is right" in summary
    assert ENROLL in summary and "too small" in summary
    assert set(verdicts(report).values()) == {"fail"}
    [baseurl] = [c for c in report.to_json()["checks"] if c["id"] == "baseurl"]
    assert "MDM vendor" in baseurl["remedy"] and "cannot fix it" in baseurl["remedy"]
    assert weak.requests == []  # a handshake, no HTTP request


def test_an_untrusted_enrollment_server_fails(
    server: HTTPSServer, start_server: StartServer, ca_bundle: Path
) -> None:
    stranger = start_server(server_context(trustme.CA().issue_cert(ENROLL)))
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, **routes(server, stranger)))
    status, code, summary = check(report, "baseurl")
    assert (status, code) == ("fail", "baseurl_tls") and "not trusted" in summary


def broken_enrollment_context(
    kind: str, ca: trustme.CA, good_cert: trustme.LeafCert, folder: Path
) -> ssl.SSLContext:
    """A server context for the MDM's enrollment server that breaks today's rules."""
    if kind == "expired":
        expired = ca.issue_cert(
            ENROLL,
            not_before=NOW - datetime.timedelta(days=90),
            not_after=NOW - datetime.timedelta(days=1),
        )
        return lenient_with(expired)
    if kind == "wrong-name":
        return lenient_with(ca.issue_cert("mdm.other.test"))
    if kind == "self-signed":
        key = ec.generate_private_key(ec.SECP256R1())
        return context_for(folder, self_signed_pem(key, (ENROLL,)), key_pem(key))
    context = lenient_with(good_cert)
    if kind == "tls-1.1-only":
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    else:  # forward-secret, but CBC: no suite ATS accepts
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0")
    return context


def lenient_with(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = lenient_context()
    cert.configure_cert(context)
    return context


# The TLS 1.1 server must speak TLS 1.1, which Python flags as deprecated.
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("expired", f"the certificate for {ENROLL} has expired"),
        ("wrong-name", f"the certificate is not valid for {ENROLL}"),
        ("tls-1.1-only", "no TLS 1.2+ version or ATS cipher suite in common"),
        ("cbc-only", "no TLS 1.2+ version or ATS cipher suite in common"),
        ("self-signed", "not trusted (self-signed certificate)"),
    ],
    ids=["expired", "wrong-name", "tls-1.1-only", "cbc-only", "self-signed"],
)
def test_an_enrollment_server_breaking_todays_rules_fails_in_json(
    server: HTTPSServer,
    blocking_server: StartBlocking,
    ca: trustme.CA,
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    tmp_path: Path,
    kind: str,
    problem: str,
) -> None:
    """Whatever the MDM's server breaks, the well-known URL passes and `baseurl` fails: no
    device enrolls, and the summary tells the admin their own part is right."""
    enrollment = blocking_server(broken_enrollment_context(kind, ca, good_cert, tmp_path))
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli("verify", DOMAIN, *cli_routes(server, enrollment.port, ca_bundle), "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    line = json.loads(result.stdout)
    assert line["failure"] == "baseurl_tls", line["checks"]
    ids = [c["id"] for c in line["checks"]]
    before = line["checks"][: ids.index("baseurl")]
    assert {c["status"] for c in before} <= {"pass", "skip"}  # the domain's part is right
    [baseurl] = [c for c in line["checks"] if c["id"] == "baseurl"]
    assert (baseurl["status"], baseurl["code"]) == ("fail", "baseurl_tls")
    summary = baseurl["summary"]
    assert summary.startswith("the well-known URL is right, but ")
    assert f"{ENROLL}, the MDM's enrollment server," in summary and problem in summary
    assert "MDM vendor" in baseurl["remedy"]
    assert [v["verdict"] for v in line["os_verdicts"]] == ["fail", "fail", "fail"]


@pytest.mark.parametrize(
    ("kind", "code", "said", "strict"),
    [
        ("tls12-without-ems", "baseurl_tls", RISK, "at_risk"),
        ("refused", "baseurl_unreachable", "nothing is known", "pass"),
    ],
    ids=["tls12-without-ems", "refused"],
)
def test_an_enrollment_server_warning_in_json_exits_0(
    server: HTTPSServer,
    start_server: StartServer,
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    kind: str,
    code: str,
    said: str,
    strict: str,
) -> None:
    """What only iOS 27 may refuse, or what this machine cannot reach, never fails."""
    if kind == "refused":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]  # nothing listens once it is closed
    else:
        port = start_server(tls12_context(good_cert, ems=False)).port
    server.route(WELL_KNOWN, json_document(GOOD))
    result = run_cli("verify", DOMAIN, *cli_routes(server, port, ca_bundle), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    line = json.loads(result.stdout)
    assert (line["ok"], line["failure"]) == (True, None)
    [baseurl] = [c for c in line["checks"] if c["id"] == "baseurl"]
    assert (baseurl["status"], baseurl["code"]) == ("warn", code)
    assert ENROLL in baseurl["summary"] and said in baseurl["summary"]
    assert [v["verdict"] for v in line["os_verdicts"]] == ["pass", "pass", strict]


def test_an_enrollment_server_without_ems_is_a_warning_and_at_risk_on_27(
    server: HTTPSServer, start_server: StartServer, good_cert: trustme.LeafCert, ca_bundle: Path
) -> None:
    old = start_server(tls12_context(good_cert, ems=False))
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, **routes(server, old)))
    assert report.ok
    status, code, summary = check(report, "baseurl")
    assert (status, code) == ("warn", "baseurl_tls") and RISK in summary
    assert check(report, "connect")[:2] == ("pass", None)  # the domain itself is fine
    assert verdicts(report)["27+"] == "at_risk" and verdicts(report)["18.2-26.x"] == "pass"


def test_an_unreachable_enrollment_server_is_a_warning_that_changes_no_verdict(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens once it is closed
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, **routes(server, port)))
    assert report.ok
    status, code, summary = check(report, "baseurl")
    assert (status, code) == ("warn", "baseurl_unreachable") and "nothing is known" in summary
    assert set(verdicts(report).values()) == {"pass"}


def test_a_silent_enrollment_server_never_delays_the_verdict(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:  # accepts, then says nothing: no handshake ever completes
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        server.route(WELL_KNOWN, json_document(GOOD))
        port = listener.getsockname()[1]
        options = options_for(server, ca_bundle, timeout=1.5, **routes(server, port))
        started = time.monotonic()
        report = verify(options)
        assert time.monotonic() - started < 1.5 + 1.0
        assert report.ok and check(report, "baseurl")[1] == "baseurl_unreachable"
    finally:
        stop.set()
        thread.join(2)
        listener.close()
        for connection in accepted:
            connection.close()


def test_one_handshake_per_enrollment_server_however_many_domains(
    server: HTTPSServer, enrollment: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    domains = [f"d{number}.{DOMAIN}" for number in range(40)]
    options = options_for(
        server,
        ca_bundle,
        connect_to=(
            ConnectTo(ENROLL, 443, "127.0.0.1", enrollment.port),
            ConnectTo(None, 443, "127.0.0.1", server.port),
        ),
    )
    reports = asyncio.run(verify_domains(domains, options))
    assert all(check(report, "baseurl")[0] == "pass" for report in reports)
    assert enrollment.connections == 1


def test_no_document_no_baseurl_check(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(404, "not here", {"Content-Type": "text/plain"}))
    report = verify(options_for(server, ca_bundle))
    assert check(report, "baseurl")[0] == "skip"


def test_the_text_report_says_a_pass_is_at_risk_and_exits_0(
    start_server: StartServer, good_cert: trustme.LeafCert, enrollment: HTTPSServer, ca_bundle: Path
) -> None:
    domain = start_server(tls12_context(good_cert, ems=False))
    domain.route(WELL_KNOWN, json_document(GOOD))
    rules = [
        *("--connect-to", f"{DOMAIN}:443:127.0.0.1:{domain.port}"),
        *("--connect-to", f"{ENROLL}:443:127.0.0.1:{enrollment.port}"),
    ]
    result = run_cli("verify", DOMAIN, *rules, "--ca-bundle", str(ca_bundle), env={"NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[1]
    assert f"{DOMAIN}: PASS" in first and "passes today; at risk on iOS 27 and later" in first
    assert "27+: at risk" in result.stdout
    as_json = run_cli("verify", DOMAIN, *rules, "--ca-bundle", str(ca_bundle), "--json")
    line = json.loads(as_json.stdout)
    assert [v["verdict"] for v in line["os_verdicts"]] == ["pass", "pass", "at_risk"]
    assert {"range", "verdict", "summary"} == set(line["os_verdicts"][0])
