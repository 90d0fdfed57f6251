"""Imitations of what real services send, each copied from the service's own pages or a
response it was seen to give, and named with its source: CDN challenge pages, hosting
platforms' headers, web servers' own error pages."""

from __future__ import annotations

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
