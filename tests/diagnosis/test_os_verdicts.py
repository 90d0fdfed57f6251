"""What each range of OS versions would do, from what real servers on loopback answer: only an
HTTP error status leaves iOS/iPadOS 18.2 and later Apple Business Manager's fallback. Each
answer's checks and verdicts are read from the report as `verify --json` prints it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.support.constants import GOOD, ORG_ID, TEST_NAMES, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.services import NGINX, NGINX_404, SHOP_PAGE
from tests.support.verifying import options_for, server_context, verify
from wizard.core.providers import Answers
from wizard.core.results import DomainReport

NOT_HERE = json.dumps({"error": "not found"})
REFUSAL = json.dumps(
    {
        "code": "com.apple.well-known.failed",
        "description": "refused",
        "message": "Enroll from the company portal instead.",
    }
)


Row = tuple[str, str, str | None]  # a check's id, status and code, as `--json` writes them
# With --connect-to the name is not looked up; the one address is the rule's target.
REACHED: list[Row] = [("dns", "skip", None), ("addresses", "pass", None)]
AFTER_CONNECT = ("redirects", "status", "content_type", "body", "json", "config", "baseurl")


def checks(statuses: str, **codes: str) -> list[Row]:
    """The JSON checks of a run that connected: `statuses` those from `redirects` to
    `baseurl` in order, `codes` the code of each that did not pass; `enroll_probe` is not
    asked for."""
    after = [
        (id_, status, codes.get(id_))
        for id_, status in zip(AFTER_CONNECT, statuses.split(), strict=True)
    ]
    return [*REACHED, ("connect", "pass", None), *after, ("enroll_probe", "skip", None)]


def printed(report: DomainReport) -> dict[str, Any]:
    """The report as `verify --json` prints it, read back."""
    data: dict[str, Any] = json.loads(json.dumps(report.to_json()))
    return data


def json_rows(data: dict[str, Any]) -> list[Row]:
    return [(check["id"], check["status"], check["code"]) for check in data["checks"]]


@pytest.mark.parametrize(
    ("answer", "expected_checks", "expected"),
    [
        (
            json_document(GOOD),
            checks("pass pass pass pass pass pass pass"),
            ["pass", "pass", "pass"],
        ),
        # A site's own page for a missing file: an HTTP error, so the fallback applies.
        (
            respond(404, NGINX_404, NGINX),
            checks("pass fail skip skip skip skip skip", status="bad_status"),
            ["fail", "depends", "depends"],
        ),
        (
            respond(404, NOT_HERE, {"Content-Type": "application/json"}),
            checks("pass fail skip skip skip skip skip", status="bad_status"),
            ["fail", "depends", "depends"],
        ),
        (
            respond(503, "busy", {"Content-Type": "text/plain"}),
            checks("pass fail skip skip skip skip skip", status="bad_status"),
            ["fail", "depends", "depends"],
        ),
        # A catch-all page answering 200: no HTTP error, no fallback.
        (
            json_document(SHOP_PAGE, "text/html"),
            checks(
                "pass pass fail pass fail skip skip",
                content_type="bad_content_type",
                json="bad_json",
            ),
            ["fail", "fail", "fail"],
        ),
        # The document served with the wrong type: a failure, but not an HTTP error status.
        (
            json_document(GOOD, "text/plain"),
            checks("pass pass fail pass pass pass pass", content_type="bad_content_type"),
            ["fail", "fail", "fail"],
        ),
        (
            json_document('{"Servers": {}}'),
            checks("pass pass pass pass fail skip skip", json="bad_json"),
            ["fail", "fail", "fail"],
        ),
        # A deliberate refusal: its message is what the user sees.
        (
            respond(403, REFUSAL, {"Content-Type": "application/json"}),
            checks("pass fail skip skip skip skip skip", status="bad_status"),
            ["fail", "fail", "fail"],
        ),
    ],
    ids=[
        "document",
        "404-html",
        "404-json",
        "503",
        "200-html",
        "wrong-type",
        "bad-json",
        "refusal",
    ],
)
def test_each_range_by_what_answered(
    server: HTTPSServer,
    ca_bundle: Path,
    answer: object,
    expected_checks: list[Row],
    expected: list[str],
) -> None:
    server.route(WELL_KNOWN, answer)  # type: ignore[arg-type]
    data = printed(verify(options_for(server, ca_bundle)))
    assert json_rows(data) == expected_checks, data["checks"]
    failing = [code for _, status, code in expected_checks if status == "fail"]
    assert data["failure"] == (failing[0] if failing else None)
    assert [v["range"] for v in data["os_verdicts"]] == ["15.0-18.1", "18.2-26.x", "27+"]
    assert [v["verdict"] for v in data["os_verdicts"]] == expected, data["os_verdicts"]
    fallback = data["os_verdicts"][1]
    if fallback["verdict"] == "depends":
        assert "Apple Business Manager" in fallback["summary"]
    elif fallback["verdict"] == "fail":
        assert "only for HTTP error statuses" in fallback["summary"] or "refus" in str(data)


def test_a_tls_failure_leaves_no_fallback(start_server: object, ca_bundle: Path) -> None:
    stranger = start_server(server_context(trustme.CA().issue_cert(*TEST_NAMES)))  # type: ignore[operator]
    data = printed(verify(options_for(stranger, ca_bundle)))
    not_reached = [(id_, "skip", None) for id_ in (*AFTER_CONNECT, "enroll_probe")]
    assert json_rows(data) == [*REACHED, ("connect", "fail", "tls_untrusted"), *not_reached]
    assert data["failure"] == "tls_untrusted"
    assert [v["verdict"] for v in data["os_verdicts"]] == ["fail", "fail", "fail"]


@pytest.mark.parametrize(
    ("mdm", "answers", "words"),
    [
        ("jamf", Answers(server_url="https://acme.jamfcloud.com"), "Jamf Pro 11.25"),
        ("fleet", Answers(server_url="https://fleet.acme.test"), "Fleet registers it"),
        ("jumpcloud", Answers(org_id=ORG_ID), "service discovery setting"),
        ("intune", Answers(), "registered its discovery URL"),
    ],
)
def test_depends_names_how_the_mdm_registers(
    server: HTTPSServer, ca_bundle: Path, mdm: str, answers: Answers, words: str
) -> None:
    server.route(WELL_KNOWN, respond(404, NGINX_404, NGINX))
    report = verify(options_for(server, ca_bundle, mdm=mdm, mdm_answers=answers))
    assert report.os_verdicts[1].verdict == "depends"
    assert words in report.os_verdicts[1].summary


def test_a_404_page_still_tells_of_the_fallback(server: HTTPSServer, ca_bundle: Path) -> None:
    """The catch_all_page cause once replaced the bad_status remedy and lost the sentence;
    only a page answering 200 defeats the fallback."""
    server.route(WELL_KNOWN, respond(404, SHOP_PAGE, {"Content-Type": "text/html"}))
    report = verify(options_for(server, ca_bundle))
    failing = next(c for c in report.checks if c.status == "fail")
    assert failing.cause == "catch_all_page" and failing.remedy
    assert "18.2 and later" in failing.remedy and "Apple Business Manager" in failing.remedy
    server.route(WELL_KNOWN, json_document(SHOP_PAGE, "text/html"))
    at_200 = next(c for c in verify(options_for(server, ca_bundle)).checks if c.status == "fail")
    assert at_200.cause == "catch_all_page" and at_200.remedy
    assert "defeats Apple's fallback" in at_200.remedy
