"""`generate --out DIR` lays the files out where the steps say they go, DIR being the folder
the steps start from (the DocumentRoot, the publish directory, the project root): real
Apache, nginx and Caddy serving DIR as their document root then pass `verify`, with the
.htaccess variant alone too (under the common `AllowOverride FileInfo`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.support.web_servers as web_servers
from tests.support.commands import routed, run_cli
from tests.support.constants import (
    BASE_URL,
    DISCOVERY,
    DOMAIN,
    GOOD,
    JUMPCLOUD,
    ORG_ID,
    WELL_KNOWN_FILE,
)
from tests.support.https_server import HTTPSServer, json_document
from tests.support.web_servers import SERVER_NAMES, SNIPPET_FILE, Site, running

# Every platform's files, as `--out DIR` writes them, for each method.
LAYOUT = {
    ("apache", "redirect"): {"apache-remotemanagement.conf", ".htaccess"},
    ("apache", "self-host"): {
        "apache-remotemanagement.conf",
        ".well-known/.htaccess",
        WELL_KNOWN_FILE,
    },
    ("nginx", "redirect"): {"nginx-remotemanagement.conf"},
    ("nginx", "self-host"): {"nginx-remotemanagement.conf", WELL_KNOWN_FILE},
    ("caddy", "redirect"): {"Caddyfile"},
    ("caddy", "self-host"): {"Caddyfile", WELL_KNOWN_FILE},
    ("iis", "redirect"): {"web.config"},
    ("iis", "self-host"): {"web.config", WELL_KNOWN_FILE},
    ("cloudflare", "redirect"): {"cloudflare-redirect-rules.json", "cloudflare-api.sh"},
    ("shopify", "redirect"): {"shopify-redirects.csv"},
    ("squarespace", "redirect"): {"squarespace-url-mappings.txt"},
    ("netlify", "redirect"): {"_redirects"},
    ("netlify", "self-host"): {"_headers", WELL_KNOWN_FILE},
    ("vercel", "redirect"): {"vercel.json"},
    ("vercel", "self-host"): {"vercel.json", f"public/{WELL_KNOWN_FILE}"},
    ("cloudfront", "redirect"): {"cloudfront-function.js"},
    ("cloudfront", "self-host"): {WELL_KNOWN_FILE},
    ("other", "redirect"): set(),
    ("other", "self-host"): {WELL_KNOWN_FILE},
}


def generate_into(folder: Path, platform: str, method: str) -> str:
    source = ["--org-id", ORG_ID] if method == "redirect" else ["--base-url", BASE_URL]
    result = run_cli(
        "generate", "--platform", platform, "--method", method, "--domain", DOMAIN,
        "--out", str(folder), *source,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def written(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize(("platform", "method"), sorted(LAYOUT))
def test_every_file_lands_where_its_steps_say(tmp_path: Path, platform: str, method: str) -> None:
    output = generate_into(tmp_path, platform, method)
    assert written(tmp_path) == LAYOUT[platform, method]
    if platform == "apache" and method == "self-host":
        assert "put the .htaccess variant in DocumentRoot/.well-known/" in output
    if platform == "vercel" and method == "self-host":
        assert "Put it in the project's public/ (static) folder." in output


@pytest.fixture
def file_info_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Apache's document root with `AllowOverride FileInfo`, the usual setting (and the one
    the redirect step asks for), not `All`."""
    host = web_servers._apache_host

    def with_file_info(site: Site, port: int, name: str, snippet: Path | None) -> str:
        return host(site, port, name, snippet).replace(
            "AllowOverride All", "AllowOverride FileInfo"
        )

    monkeypatch.setattr(web_servers, "_apache_host", with_file_info)
    yield


def world_readable(folder: Path) -> None:
    """Apache's workers (www-data) read the site: as an admin's DocumentRoot would be."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("method", ["redirect", "self-host"])
def test_apache_serving_the_folder_with_the_htaccess_variant_alone(
    method: str, site: Site, server: HTTPSServer, ca_bundle: Path, file_info_only: None
) -> None:
    """No snippet included: the .htaccess where the steps put it does the whole job."""
    server.route(f"{JUMPCLOUD}{DISCOVERY}", json_document(GOOD))  # JumpCloud's stand-in
    generate_into(site.root, "apache", method)
    world_readable(site.root)
    with running("apache", site, None) as port:
        result = run_cli("verify", DOMAIN, "--json", *routed_to(port, server, ca_bundle))
    report = json.loads(result.stdout)
    assert result.returncode == 0, report
    assert report["document"]["Servers"][0]["BaseURL"] == BASE_URL
    if method == "redirect":  # the redirect fired, with the device's query
        assert server.requests[-1].path == DISCOVERY
        assert server.requests[-1].query["organization_id"] == [ORG_ID]
        assert server.requests[-1].query["user-identifier"] == [f"probe@{DOMAIN}"]


@pytest.mark.parametrize("platform", SERVER_NAMES)
def test_each_server_serving_the_folder_with_its_snippet(
    platform: str, site: Site, server: HTTPSServer, ca_bundle: Path
) -> None:
    """The folder as the site's root and the snippet (written into it) included unchanged."""
    generate_into(site.root, platform, "self-host")
    world_readable(site.root)
    with running(platform, site, site.root / SNIPPET_FILE[platform]) as port:
        result = run_cli("verify", DOMAIN, "--json", *routed_to(port, server, ca_bundle))
    report = json.loads(result.stdout)
    assert result.returncode == 0, report
    assert report["document"]["Servers"][0]["BaseURL"] == BASE_URL


def routed_to(port: int, server: HTTPSServer, ca_bundle: Path) -> list[str]:
    """The domain to the web server; the BaseURL's host to the loopback HTTPS server."""
    return [
        "--connect-to", f"{DOMAIN}:443:127.0.0.1:{port}",
        *routed(server, ca_bundle),
    ]  # fmt: skip
