"""The verifier against real HTTPS servers on 127.0.0.1: every failure code, and passes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.constants import (
    BASE_URL,
    DISCOVERY,
    DOMAIN,
    GOOD,
    JUMPCLOUD,
    ORG_ID,
    WELL_KNOWN,
)
from tests.support.https_server import (
    HTTPSServer,
    Request,
    json_document,
    redirect,
    respond,
    response_bytes,
)
from tests.support.verifying import check, options_for, verify
from wizard.core.verify.connect_to import ConnectTo
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.verifier import verify_domains


def test_good_self_hosted_document_passes(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle))
    assert report.ok and report.failure is None, report.to_json()
    assert report.document == json.loads(GOOD)
    assert [c.id for c in report.checks] == [
        "dns",
        "addresses",
        "connect",
        "redirects",
        "status",
        "content_type",
        "body",
        "json",
        "config",
        "baseurl",
        "enroll_probe",
    ]
    assert check(report, "connect")[0] == "pass"
    assert "TLSv1.3" in check(report, "connect")[2]
    assert len(report.hops) == 1 and report.hops[0].status == 200
    [request] = server.requests
    assert request.query == {"user-identifier": [f"probe@{DOMAIN}"], "model-family": ["iPhone"]}


def test_redirect_to_jumpcloud_stand_in_with_forwarded_query(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    async def forward(request: Request, writer: asyncio.StreamWriter) -> None:
        query = request.target.split("?", 1)[1]
        target = f"https://{JUMPCLOUD}{DISCOVERY}?organization_id={ORG_ID}&{query}"
        writer.write(response_bytes(301, b"", {"Location": target}))

    server.route(f"{DOMAIN}{WELL_KNOWN}", forward)
    server.route(f"{JUMPCLOUD}{DISCOVERY}", json_document(GOOD))
    report = verify(options_for(server, ca_bundle, org_id=ORG_ID, user="ada"))
    assert report.ok, report.to_json()
    assert check(report, "redirects")[0] == "pass"
    assert [hop.status for hop in report.hops] == [301, 200]
    stand_in = server.requests[-1]
    assert stand_in.host == JUMPCLOUD
    assert stand_in.query["organization_id"] == [ORG_ID]
    assert stand_in.query["user-identifier"] == [f"ada@{DOMAIN}"]


def test_redirect_that_drops_the_query_is_a_warning(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, redirect(f"https://{JUMPCLOUD}{DISCOVERY}?organization_id={ORG_ID}"))
    server.route(DISCOVERY, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, org_id=ORG_ID))
    assert report.ok
    assert check(report, "redirects")[:2] == ("warn", "query_not_forwarded")


def test_redirect_that_loses_the_org_id_fails(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, redirect(f"https://{JUMPCLOUD}{DISCOVERY}"))
    server.route(DISCOVERY, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, org_id=ORG_ID))
    assert not report.ok and report.failure == "wrong_org_id"
    status, code, summary = check(report, "redirects")
    assert (status, code) == ("fail", "wrong_org_id")
    assert "no organization_id" in summary and ORG_ID in summary


def test_redirect_to_another_organization_fails(server: HTTPSServer, ca_bundle: Path) -> None:
    # As tried: another organization's ID passed with exit 0 before wrong_org_id existed.
    other = "000000000000000000000000"
    server.route(
        WELL_KNOWN, redirect(f"https://{JUMPCLOUD}{DISCOVERY}?organization_id={other}&x=1")
    )
    server.route(DISCOVERY, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, org_id=ORG_ID))
    assert report.failure == "wrong_org_id"
    status, _, summary = check(report, "redirects")
    assert status == "fail" and f"organization_id {other}; expected {ORG_ID}" in summary
    assert check(report, "status")[0] == "skip"


def test_every_model_family_is_requested(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle, model_families=("iPhone", "iPad")))
    assert report.ok
    families = [r.query["model-family"] for r in server.requests]
    assert families == [["iPhone"], ["iPad"]]
    assert any(c.summary.startswith("iPad: ") for c in report.checks)


def test_connect_failed_on_a_closed_port(server: HTTPSServer, ca_bundle: Path) -> None:
    options = options_for(server, ca_bundle)
    server.stop()
    report = verify(options)
    assert report.failure == "connect_failed"
    assert report.hops[0].status is None


def test_unresolvable_domain_is_invalid_domain(ca_bundle: Path) -> None:
    report = verify(VerifyOptions(ca_bundle=str(ca_bundle), timeout=3.0), "nothing-here.invalid")
    assert report.failure == "invalid_domain"
    assert report.hops == []


def test_server_that_never_answers_times_out(server: HTTPSServer, ca_bundle: Path) -> None:
    async def stall(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, stall)
    report = verify(options_for(server, ca_bundle, timeout=1.0))
    assert report.failure == "timeout"
    assert check(report, "connect")[:2] == ("fail", "timeout")


def test_server_that_drips_the_body_times_out(server: HTTPSServer, ca_bundle: Path) -> None:
    async def drip(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
        )
        for _ in range(500):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(1)

    server.route(WELL_KNOWN, drip)
    report = verify(options_for(server, ca_bundle, timeout=1.5))
    assert report.failure == "timeout"
    assert check(report, "body")[:2] == ("fail", "timeout")


def test_insecure_redirect(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, redirect(f"http://{JUMPCLOUD}{DISCOVERY}"))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "insecure_redirect"
    assert len(report.hops) == 1


def test_redirect_loop(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://www.{DOMAIN}{WELL_KNOWN}"))
    server.route(f"www.{DOMAIN}{WELL_KNOWN}", redirect(f"https://{DOMAIN}{WELL_KNOWN}"))
    report = verify(options_for(server, ca_bundle))
    # The device's query is on the first URL only, so the loop closes at the second visit.
    assert report.failure == "too_many_redirects"
    assert len(report.hops) <= 4


@pytest.mark.parametrize(("chain", "failure"), [(5, None), (6, "too_many_redirects")])
def test_exactly_max_redirects_pass(
    server: HTTPSServer, ca_bundle: Path, chain: int, failure: str | None
) -> None:
    for step in range(chain):
        server.route(f"/hop{step}" if step else WELL_KNOWN, redirect(f"/hop{step + 1}"))
    server.route(f"/hop{chain}", json_document(GOOD))
    report = verify(options_for(server, ca_bundle, max_redirects=5))
    assert report.failure == failure, report.to_json()
    assert len(report.hops) == min(chain + 1, 6)


def test_redirect_without_location_is_bad_status(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(302))
    assert verify(options_for(server, ca_bundle)).failure == "bad_status"


def test_not_found_is_bad_status(server: HTTPSServer, ca_bundle: Path) -> None:
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "bad_status"
    assert "404" in check(report, "status")[2]


def test_apple_refusal_is_reported_as_such(server: HTTPSServer, ca_bundle: Path) -> None:
    body = json.dumps(
        {"code": "com.apple.well-known.failed", "description": "d", "message": "Not enrolled here"}
    )
    server.route(WELL_KNOWN, respond(403, body, {"Content-Type": "application/json"}))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "bad_status"
    assert "com.apple.well-known.failed: Not enrolled here" in check(report, "status")[2]


def test_wrong_content_type_still_reports_the_document(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD, "application/octet-stream"))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "bad_content_type"
    assert report.document == json.loads(GOOD)
    assert check(report, "config")[0] == "pass"


def test_content_type_with_parameters_passes(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD, "Application/JSON; charset=utf-8"))
    assert verify(options_for(server, ca_bundle)).ok


def test_missing_content_type(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(200, GOOD))
    assert verify(options_for(server, ca_bundle)).failure == "bad_content_type"


def test_huge_body_is_cut_off(server: HTTPSServer, ca_bundle: Path) -> None:
    async def endless(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(10_000):
            writer.write(b"4000\r\n" + b"[" * 0x4000 + b"\r\n")
            await writer.drain()

    server.route(WELL_KNOWN, endless)
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "body_too_large"


def test_declared_length_over_the_limit(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD + " " * 2000))
    report = verify(options_for(server, ca_bundle, max_bytes=1024))
    assert report.failure == "body_too_large"


def test_content_length_mismatch(server: HTTPSServer, ca_bundle: Path) -> None:
    async def short(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n"
            + GOOD.encode()
        )

    server.route(WELL_KNOWN, short)
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "body_too_large"
    assert "900" in check(report, "body")[2]


def test_connection_cut_mid_chunked_body(server: HTTPSServer, ca_bundle: Path) -> None:
    async def cut(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Transfer-Encoding: chunked\r\n\r\n100\r\n{"Servers"'
        )

    server.route(WELL_KNOWN, cut)
    assert verify(options_for(server, ca_bundle)).failure == "unreadable_body"


def test_body_that_is_not_utf8(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD.encode("utf-16")))  # type: ignore[arg-type]
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "unreadable_body"
    assert report.document is None


@pytest.mark.parametrize(
    "body",
    [
        "<html><body>Welcome</body></html>",
        "[" * 100_000,
        json.dumps({"servers": [{"Version": "mdm-byod", "BaseURL": "https://x.test"}]}),
        json.dumps({"Servers": []}),
        json.dumps(["Servers"]),
        '{"Servers": [{"Version": ' + "9" * 20_000 + "}]}",
    ],
    ids=["html", "deeply-nested", "wrong-key-case", "empty-servers", "array", "huge-number"],
)
def test_bad_json(server: HTTPSServer, ca_bundle: Path, body: str) -> None:
    server.route(WELL_KNOWN, json_document(body))
    report = verify(options_for(server, ca_bundle, max_bytes=200_000))
    assert report.failure == "bad_json"


@pytest.mark.parametrize(
    ("document", "org_id"),
    [
        ({"Servers": [{"Version": "mdm-adde", "BaseURL": "https://mdm.example.test/"}]}, ORG_ID),
        ({"Servers": [{"Version": "mdm-byod", "BaseURL": "http://mdm.example.test/"}]}, None),
        ({"Servers": [{"Version": "mdm-byod"}]}, None),
        ({"Servers": [{"Version": "v2", "BaseURL": "https://mdm.example.test/"}]}, None),
    ],
    ids=["adde-for-jumpcloud", "http-base-url", "no-base-url", "unknown-version"],
)
def test_bad_config(
    server: HTTPSServer, ca_bundle: Path, document: object, org_id: str | None
) -> None:
    server.route(WELL_KNOWN, json_document(json.dumps(document)))
    report = verify(options_for(server, ca_bundle, org_id=org_id))
    assert report.failure == "bad_config"
    assert report.document == document


def test_generic_provider_warns_on_device_enrollment(server: HTTPSServer, ca_bundle: Path) -> None:
    document = {"Servers": [{"Version": "mdm-adde", "BaseURL": "https://mdm.example.test/"}]}
    server.route(WELL_KNOWN, json_document(json.dumps(document)))
    report = verify(options_for(server, ca_bundle))
    assert report.ok
    assert check(report, "config")[:2] == ("warn", "version_device_enrollment")


def test_two_servers_is_a_warning(server: HTTPSServer, ca_bundle: Path) -> None:
    item = {"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/"}
    server.route(WELL_KNOWN, json_document(json.dumps({"Servers": [item, item]})))
    report = verify(options_for(server, ca_bundle))
    assert report.ok
    assert check(report, "json")[:2] == ("warn", "multiple_servers")


def test_enroll_probe_passes_on_apple_as_web_challenge(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    server.route(
        "/enroll",
        respond(
            401,
            b"",
            {
                "WWW-Authenticate": 'Bearer method="apple-as-web" url="https://mdm.example.test/auth"'
            },
        ),
    )
    report = verify(options_for(server, ca_bundle, probe_enroll=True))
    assert report.ok, report.to_json()
    assert check(report, "enroll_probe")[0] == "pass"
    assert server.requests[-1].method == "POST"
    assert [(hop.url, hop.status) for hop in report.hops][-1] == (BASE_URL, 401)


@pytest.mark.parametrize(("status", "outcome"), [(200, "fail"), (403, "warn")])
def test_enroll_probe_failures(
    server: HTTPSServer, ca_bundle: Path, status: int, outcome: str
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    server.route("/enroll", respond(status, "hello"))
    report = verify(options_for(server, ca_bundle, probe_enroll=True))
    assert check(report, "enroll_probe")[0] == outcome
    assert report.failure == ("enroll_probe_failed" if outcome == "fail" else None)


def test_enroll_probe_is_not_sent_unless_asked(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle))
    assert check(report, "enroll_probe")[0] == "skip"
    assert [r.method for r in server.requests] == ["GET"]


def test_many_domains_keep_input_order(server: HTTPSServer, ca_bundle: Path) -> None:
    async def slow_first(request: Request, writer: asyncio.StreamWriter) -> None:
        if request.host == "a0.example.test":
            await asyncio.sleep(0.5)
        writer.write(response_bytes(200, GOOD, {"Content-Type": "application/json"}))

    server.route(WELL_KNOWN, slow_first)
    domains = [f"a{i}.example.test" for i in range(20)]
    reports = asyncio.run(verify_domains(domains, options_for(server, ca_bundle, concurrency=8)))
    assert [r.domain for r in reports] == domains
    assert all(r.ok for r in reports)


@pytest.mark.parametrize(
    "raw",
    [
        b"this is not HTTP\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
        b"",
    ],
    ids=["garbage", "huge-header", "closed-at-once"],
)
def test_malformed_responses_are_bad_status(
    server: HTTPSServer, ca_bundle: Path, raw: bytes
) -> None:
    async def send(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)

    server.route(WELL_KNOWN, send)
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "bad_status", report.to_json()


def test_server_that_accepts_but_never_starts_tls_times_out(ca_bundle: Path) -> None:
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # accept, then say nothing at all
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        options = VerifyOptions(
            connect_to=(ConnectTo(None, 443, "127.0.0.1", port),),
            ca_bundle=str(ca_bundle),
            timeout=1.0,
        )
        report = verify(options)
        assert report.failure == "timeout"
        assert check(report, "connect")[:2] == ("fail", "timeout")
    finally:
        stop.set()
        thread.join(2)
        for connection in held:
            connection.close()
        listener.close()
