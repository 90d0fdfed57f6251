"""Causes decided from evidence, against real HTTPS servers that answer the way each real
service does (headers and bodies as the service sends them; the source is named beside each).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from tests.support.constants import (
    BASE_URL,
    DISCOVERY,
    DOMAIN,
    GOOD,
    JUMPCLOUD,
    ORG_ID,
    WELL_KNOWN,
)
from tests.support.https_server import HTTPSServer, Request, json_document, redirect, respond
from tests.support.services import (
    APACHE_403,
    CHALLENGE_PAGE,
    CLOUDFLARE_CHALLENGE,
    CLOUDFRONT_HIT,
    GITHUB_PAGES,
    NGINX,
    NGINX_404,
    NGINX_502,
    SHOP_PAGE,
    SHOPIFY_404,
)
from tests.support.verifying import options_for, server_context, verify
from wizard.core.results import Check, DomainReport

SERVERS = [{"Version": "mdm-byod", "BaseURL": BASE_URL}]


def failing(report: DomainReport) -> Check:
    return next(check for check in report.checks if check.status == "fail")


def the_check(report: DomainReport, check_id: str) -> Check:
    return next(check for check in report.checks if check.id == check_id)


def test_cloudflare_challenge_is_a_waf_challenge_with_the_place_to_skip_it(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    report = verify(options_for(server, ca_bundle))
    assert report.hops[0].served_by == "cloudflare"
    check = failing(report)
    assert (check.id, check.code, check.cause) == ("status", "bad_status", "waf_challenge")
    assert check.remedy and "Security > WAF > Custom rules" in check.remedy
    assert report.hops[0].body_excerpt and "Just a moment" in report.hops[0].body_excerpt


def test_cached_answer_wins_over_the_other_cause(server: HTTPSServer, ca_bundle: Path) -> None:
    # A Cloudflare-cached 404 page from before the file existed (cf-cache-status: HIT, Age).
    headers = {**SHOPIFY_404, "cf-cache-status": "HIT", "Age": "3605"}
    server.route(WELL_KNOWN, respond(404, SHOP_PAGE, headers))
    report = verify(options_for(server, ca_bundle))
    check = failing(report)
    assert check.cause == "cdn_cached"
    assert check.remedy and "Purge Cache" in check.remedy


def test_cloudfront_cache_hit_of_a_wrong_type(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(200, GOOD, CLOUDFRONT_HIT))
    report = verify(options_for(server, ca_bundle))
    assert report.hops[0].served_by == "cloudfront"
    check = failing(report)
    assert (check.id, check.cause) == ("content_type", "cdn_cached")
    assert check.remedy and "Invalidations" in check.remedy


def test_shop_catch_all_page_in_a_redirect_setup_quotes_the_shop_redirect(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, respond(404, SHOP_PAGE, SHOPIFY_404))
    options = options_for(server, ca_bundle, org_id=ORG_ID, method="redirect", platform="nginx")
    report = verify(options)
    # Shopify answers behind Cloudflare: the shop is what the admin configures.
    assert report.hops[0].served_by == "shopify"
    check = failing(report)
    assert (check.id, check.cause) == ("status", "catch_all_page")  # DYNAMIC is not a cache hit
    assert check.remedy is not None
    assert "the redirect did not fire" in check.remedy
    assert "MIME" not in check.remedy
    # The fix for the thing that answered (Shopify), not the platform the setup names.
    assert "/.well-known/com.apple.remotemanagement,https://apple.mdm.jumpcloud.com/" in (
        check.remedy
    )
    assert "answered by Shopify (x-shopid)" in check.remedy


def test_html_page_with_200_is_a_catch_all_page(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(200, SHOP_PAGE, SHOPIFY_404))
    report = verify(options_for(server, ca_bundle))
    assert {c.id: c.cause for c in report.checks if c.status == "fail"} == {
        "content_type": "catch_all_page",
        "json": "catch_all_page",
    }


def test_github_pages_is_a_static_host(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(200, GOOD, GITHUB_PAGES))
    report = verify(options_for(server, ca_bundle))
    assert report.hops[0].served_by == "github-pages"  # not fastly, the CDN in front
    check = failing(report)
    assert (check.id, check.cause) == ("content_type", "static_host")
    assert check.remedy and "--platform cloudflare" in check.remedy


def test_nginx_without_the_mime_type_quotes_the_nginx_directive(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    headers = {"Server": "nginx/1.24.0 (Ubuntu)", "Content-Type": "application/octet-stream"}
    server.route(WELL_KNOWN, respond(200, GOOD, headers))
    report = verify(options_for(server, ca_bundle))
    check = failing(report)
    assert (check.id, check.cause) == ("content_type", "mime_not_set")
    assert check.remedy and "`default_type application/json;`" in check.remedy
    assert "answered by NGINX (server)" in check.remedy


@pytest.mark.parametrize(
    ("status", "body", "headers", "cause"),
    [
        # nginx auth_basic in front of a staging site.
        (401, NGINX_404.replace("404 Not Found", "401 Authorization Required"),
         {**NGINX, "WWW-Authenticate": 'Basic realm="Staging"'}, "login_required"),
        (403, APACHE_403, {"Server": "Apache/2.4.58 (Ubuntu)", "Content-Type":
         "text/html; charset=iso-8859-1"}, "forbidden"),
        (404, NGINX_404, NGINX, "not_found"),  # the server's own page, not a site's
        (502, NGINX_502, NGINX, "server_error"),
    ],
)  # fmt: skip
def test_plain_status_causes(
    server: HTTPSServer,
    ca_bundle: Path,
    status: int,
    body: str,
    headers: dict[str, str],
    cause: str,
) -> None:
    server.route(WELL_KNOWN, respond(status, body, headers))
    report = verify(options_for(server, ca_bundle))
    check = failing(report)
    assert (check.id, check.cause) == ("status", cause)


def test_apple_refusal_shows_the_message(server: HTTPSServer, ca_bundle: Path) -> None:
    # The refusal body Apple documents for iOS 17.5+ (ADUE-FACTS: com.apple.well-known.failed).
    body = {
        "code": "com.apple.well-known.failed",
        "description": "enrollment closed",
        "message": "Personal devices cannot enroll at Ada Corp.",
    }
    server.route(WELL_KNOWN, respond(403, json.dumps(body), {"Content-Type": "application/json"}))
    check = failing(verify(options_for(server, ca_bundle)))
    assert check.cause == "apple_refusal"
    assert "Personal devices cannot enroll at Ada Corp." in check.summary


def test_apex_to_www_redirect_before_the_rule(server: HTTPSServer, ca_bundle: Path) -> None:
    # The usual WordPress/hosting-panel rule: every path of the apex goes to www., whose
    # well-known URL then hits the CMS's 404 page.
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://www.{DOMAIN}{WELL_KNOWN}"))
    server.route(f"www.{DOMAIN}{WELL_KNOWN}", respond(404, SHOP_PAGE, NGINX))
    report = verify(options_for(server, ca_bundle, method="redirect", platform="nginx"))
    check = failing(report)
    assert (check.id, check.cause) == ("status", "apex_to_www")
    assert check.remedy and "`location = /.well-known/com.apple.remotemanagement {`" in (
        check.remedy
    )


def test_redirect_to_another_registered_domain_is_not_apex_to_www(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(f"{DOMAIN}{WELL_KNOWN}", redirect(f"https://{JUMPCLOUD}{WELL_KNOWN}"))
    server.route(f"{JUMPCLOUD}{WELL_KNOWN}", respond(404, SHOP_PAGE, NGINX))
    check = failing(verify(options_for(server, ca_bundle)))
    assert check.cause == "catch_all_page"


@pytest.mark.parametrize(
    ("document", "check_id", "cause"),
    [
        ({"Servers": SERVERS[0]}, "json", "servers_not_array"),
        ({"servers": SERVERS}, "json", "wrong_key_case"),
        ({"Servers": [{"version": "mdm-byod", "BaseURL": "https://m.test/"}]}, "config",
         "wrong_key_case"),
    ],
)  # fmt: skip
def test_document_shapes_admins_paste(
    server: HTTPSServer, ca_bundle: Path, document: object, check_id: str, cause: str
) -> None:
    server.route(WELL_KNOWN, json_document(json.dumps(document)))
    check = failing(verify(options_for(server, ca_bundle)))
    assert (check.id, check.cause) == (check_id, cause)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2"
        "?aadTenantId=YourAADTenantID",
        "https://mdm.example.com/enroll",
        "https://mdm.contoso.com.com/enroll",
        "https://<your-mdm>/enroll",
    ],
)
def test_placeholder_in_the_document_fails_config(
    server: HTTPSServer, ca_bundle: Path, base_url: str
) -> None:
    document = {"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]}
    server.route(WELL_KNOWN, json_document(json.dumps(document)))
    report = verify(options_for(server, ca_bundle))
    check = the_check(report, "config")
    assert (check.status, check.code, check.cause) == ("fail", "bad_config", "placeholder")
    assert report.failure == "bad_config"


def test_placeholder_in_the_redirect_target_fails_config(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    target = f"https://{JUMPCLOUD}{DISCOVERY}?organization_id=XXXXX"
    server.route(WELL_KNOWN, redirect(target))
    server.route(DISCOVERY, json_document(GOOD))
    report = verify(options_for(server, ca_bundle))
    check = the_check(report, "config")
    assert (check.status, check.code, check.cause) == ("fail", "bad_config", "placeholder")
    assert "XXXXX" in check.summary


def test_a_good_document_has_no_cause(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    report = verify(options_for(server, ca_bundle))
    assert report.ok and all(check.cause is None for check in report.checks)


def test_json_has_cause_and_served_by(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(403, CHALLENGE_PAGE, CLOUDFLARE_CHALLENGE))
    data = verify(options_for(server, ca_bundle)).to_json()
    assert data["hops"][0]["served_by"] == "cloudflare"
    assert ["cf-mitigated", "challenge"] in data["hops"][0]["response_headers"]
    status = next(c for c in data["checks"] if c["id"] == "status")
    assert status["cause"] == "waf_challenge"


def test_multiple_families_each_get_a_cause(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(404, NGINX_404, NGINX))
    options = dataclasses.replace(options_for(server, ca_bundle), model_families=("iPhone", "iPad"))
    report = verify(options)
    causes = [c.cause for c in report.checks if c.id == "status"]
    assert causes == ["not_found", "not_found"]


def test_failing_status_with_a_stalled_body_is_judged_not_timed_out(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    async def stall(request: Request, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 900\r\n"
        writer.write(head + b"\r\n<html>")
        await writer.drain()
        await asyncio.sleep(30)

    server.route(WELL_KNOWN, stall)
    report = verify(options_for(server, ca_bundle, timeout=4.0))
    check = failing(report)
    assert (check.id, check.code) == ("status", "bad_status")
    assert report.hops[0].body_excerpt == "<html>"


def test_a_redirect_within_the_checked_domain_is_no_placeholder(
    start_server: Callable[[ssl.SSLContext], HTTPSServer], ca: trustme.CA, ca_bundle: Path
) -> None:
    server = start_server(server_context(ca.issue_cert("example.com", "www.example.com")))
    # Checking example.com itself: its own www. redirect names example.com, which is no
    # stand-in here (only a name the admin typed, in a target or document, can be one).
    server.route(f"example.com{WELL_KNOWN}", redirect(f"https://www.example.com{WELL_KNOWN}"))
    server.route(f"www.example.com{WELL_KNOWN}", json_document(GOOD))
    report = verify(options_for(server, ca_bundle), domain="example.com")
    assert all(check.cause != "placeholder" for check in report.checks)
    assert the_check(report, "config").status == "pass"


def test_placeholder_in_a_redirect_that_is_not_followed(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, redirect("http://<your-mdm-host>/discovery"))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "insecure_redirect"
    assert the_check(report, "redirects").cause == "placeholder"
    config = the_check(report, "config")
    assert (config.status, config.code, config.cause) == ("fail", "bad_config", "placeholder")
