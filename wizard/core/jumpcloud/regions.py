"""Where JumpCloud's API lives: one base URL per region, or one the admin gives.

The three regional servers are those of JumpCloud's OpenAPI documents (docs/api/1.0 and 2.0
`servers`, with `x-jc-region: us|eu|in`). Any other base (a test stand-in, a company's
gateway) comes from `--api-url` or `$JUMPCLOUD_API_URL`, and must be https: the API key
travels in a header of every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

REGIONS = {
    "us": "https://console.jumpcloud.com/api",
    "eu": "https://console.eu.jumpcloud.com/api",
    "in": "https://console.in.jumpcloud.com/api",
}
DEFAULT_REGION = "us"
API_URL_VARIABLE = "JUMPCLOUD_API_URL"


def api_base(region: str | None, api_url: str | None, environ: Mapping[str, str]) -> str:
    """The API's base URL, without a trailing slash (e.g. https://console.jumpcloud.com/api).

    `api_url` (the `--api-url` option) wins, then `$JUMPCLOUD_API_URL`, then `region`
    (`us` when None). Raises InvalidInput, one line, for an unknown region or a URL that is
    not plain https; the URL itself is not repeated, since a pasted one may carry a password
    or a token.
    """
    if api_url is not None:
        return checked_api_url(api_url, "--api-url")
    from_environment = environ.get(API_URL_VARIABLE, "").strip()
    if from_environment:
        return checked_api_url(from_environment, f"${API_URL_VARIABLE}")
    name = (region or DEFAULT_REGION).strip().lower()
    if name not in REGIONS:
        choices = ", ".join(REGIONS)
        raise InvalidInput(
            f"unknown JumpCloud region {argument(name, 20)}: choose one of {choices}"
        )
    return REGIONS[name]


def checked_api_url(text: str, source: str) -> str:
    """`text` as a base URL (https, a host, no user info, query or fragment), trailing slash
    removed; `source` names where it came from in the error."""
    url = text.strip()
    if not url:
        raise InvalidInput(f"{source} is empty: give the API's base URL, e.g. {REGIONS['us']}")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidInput(f"{source} has spaces or control characters in it; a URL cannot")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise InvalidInput(f"{source} is not a valid URL") from None
    if parts.scheme.lower() != "https":
        # Not worth refusing with the URL in the message: say only what the scheme was.
        scheme = argument(parts.scheme, 20) if parts.scheme else "none"
        raise InvalidInput(
            f"{source} must be an https:// URL (scheme {scheme}): the API key travels with "
            "every request"
        )
    if "@" in parts.netloc:
        raise InvalidInput(
            f"{source} must not carry a user name or password; the API key is given "
            "separately ($JUMPCLOUD_API_KEY or --api-key-file)"
        )
    if not parts.hostname:
        raise InvalidInput(f"{source} has no host name")
    if parts.query or url.endswith("?"):
        raise InvalidInput(f"{source} must not have a query (?...); give only the base URL")
    if parts.fragment or "#" in url:
        raise InvalidInput(f"{source} must not have a fragment (#...); give only the base URL")
    if port == 0:
        raise InvalidInput(f"{source} has port 0")
    return url.rstrip("/")
