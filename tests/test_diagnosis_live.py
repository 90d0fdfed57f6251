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

from tests.conftest import DOMAIN, JUMPCLOUD, ORG_ID, options_for, server_context
from tests.https_server import HTTPSServer, Request, json_document, redirect, respond
from tests.test_verifier_live import GOOD, WELL_KNOWN, verify
from wizard.core.verify.results import Check, DomainReport

SERVERS = [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/enroll"}]

# Cloudflare's managed challenge: status 403, `cf-mitigated: challenge` on every challenge
# page type, `server: cloudflare`, a `cf-ray` id, and the "Just a moment..." interstitial
# (Cloudflare docs, "Detect a Challenge Page response"; headers as a challenged request shows).
CLOUDFLARE_CHALLENGE = {
    "Date": "Thu, 26 Nov 2026 03:12:45 GMT",
    "Content-Type": "text/html; charset=UTF-8",
    "Cache-Control": "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, "
    "pre-check=0",
    "Expires": "Thu, 01 Jan 1970 00:00:01 GMT",
    "cf-mitigated": "challenge",
    "Server": "cloudflare",
    "CF-RAY": "8e6f1a2b3c4d5e6f-FRA",
}
CHALLENGE_PAGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
    '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'
    "</body></html>"
)
# A Shopify storefront's themed 404 page: Shopify answers behind Cloudflare, with its own
# x-shopid / x-shopify-stage / powered-by headers (http.dev "X-ShopId"; Shopify community
# threads quoting x-shopify-stage: production; cf-cache-status DYNAMIC for storefront HTML).
SHOPIFY_404 = {
    "Content-Type": "text/html; charset=utf-8",
    "x-sorting-hat-podid": "277",
    "x-sorting-hat-shopid": "55083958454",
    "x-shopid": "55083958454",
    "x-shopify-stage": "production",
    "powered-by": "Shopify",
    "cf-cache-status": "DYNAMIC",
    "Server": "cloudflare",
    "CF-RAY": "8e6f1a2b3c4d5e70-AMS",
}
SHOP_PAGE = (
    '<!doctype html>\n<html class="no-js" lang="en"><head><title>404 Not Found - '
    "Ada's Shop</title></head><body><h1>Page not found</h1></body></html>"
)
# GitHub Pages serves through Fastly: server GitHub.com, x-github-request-id, and Fastly's
# x-served-by cache node, x-fastly-request-id, x-cache (an extensionless file comes back as
# application/octet-stream; seen on any *.github.io site).
GITHUB_PAGES = {
    "Server": "GitHub.com",
    "Content-Type": "application/octet-stream",
    "x-github-request-id": "A1B2:3C4D:5E6F7:8A9B0:6745F1C2",
    "Via": "1.1 varnish",
    "Age": "0",
    "X-Served-By": "cache-fra-eddf8230095-FRA",
    "X-Cache": "MISS",
    "X-Cache-Hits": "0",
    "X-Fastly-Request-ID": "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
}
# CloudFront cache hit: X-Cache "Hit from cloudfront", Via "... (CloudFront)", X-Amz-Cf-Id,
# X-Amz-Cf-Pop, Age (as CloudFront responses show them; AWS docs and any distribution).
CLOUDFRONT_HIT = {
    "Content-Type": "application/octet-stream",
    "X-Cache": "Hit from cloudfront",
    "Via": "1.1 e93599ff228cc924153b1db5ec11dc55.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Pop": "FRA56-P5",
    "X-Amz-Cf-Id": "LkTZQMFfMypK76XAwvdqtfny-Q3_XLWNt2Uyy0x3mo0pmnSQY4eTZg==",
    "Age": "1350",
}
# nginx's own error pages (src/http/ngx_http_special_response.c).
NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0 (Ubuntu)</center>\r\n"
    "</body>\r\n</html>\r\n"
)
NGINX_502 = NGINX_404.replace("404 Not Found", "502 Bad Gateway")
NGINX = {"Server": "nginx/1.24.0 (Ubuntu)", "Content-Type": "text/html"}
# Apache's own 403 page (modules/http/http_protocol.c).
APACHE_403 = (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>403 Forbidden'
    "</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to access "
    "this resource.</p>\n<hr>\n<address>Apache/2.4.58 (Ubuntu) Server at example.test Port "
    "443</address>\n</body></html>\n"
)


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
    target = (
        "https://apple.mdm.jumpcloud.com/account-driven-service-discovery?organization_id=XXXXX"
    )
    server.route(WELL_KNOWN, redirect(target))
    server.route("/account-driven-service-discovery", json_document(GOOD))
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
    data = verify(options_for(server, ca_bundle)).as_json()
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
