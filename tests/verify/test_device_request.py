"""The request as an iOS 26 device sends it, and the body as it decodes it, against a real
HTTPS server on loopback."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import brotli
import pytest

from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, respond
from tests.support.verifying import check, options_for, verify
from wizard.core.verify.body_decoding import BodyDecoder, BodyTooLarge


def test_the_server_receives_exactly_the_devices_headers(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(
        WELL_KNOWN,
        respond(200, GOOD, {"Content-Type": "application/json", "Set-Cookie": "s=1"}),
    )
    verify(options_for(server, ca_bundle, model_families=("iPhone", "iPad")))
    first, second = server.requests
    for request in (first, second):
        assert request.headers == {
            "host": DOMAIN,
            "user-agent": "DeviceManagementClient/1.0",
            "accept": "*/*",
            "accept-encoding": "gzip, deflate, br",
            "accept-language": "en-US,en;q=0.9",
        }  # no Cookie (the first answer set one), no cache or conditional headers


def test_user_agent_can_be_changed(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(WELL_KNOWN, respond(200, GOOD, {"Content-Type": "application/json"}))
    report = verify(options_for(server, ca_bundle, user_agent="Probe/2"))
    assert server.requests[0].headers["user-agent"] == "Probe/2"
    assert "--user-agent Probe/2" in report.conditions


def _deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _deflate_raw),  # raw deflate, which some servers send for "deflate"
        ("br", brotli.compress),
    ],
)
def test_compressed_bodies_are_decoded_as_the_device_does(
    server: HTTPSServer, ca_bundle: Path, encoding: str, encode: object
) -> None:
    assert callable(encode)
    body = encode(GOOD.encode())
    server.route(
        WELL_KNOWN,
        respond(200, body, {"Content-Type": "application/json", "Content-Encoding": encoding}),
    )
    report = verify(options_for(server, ca_bundle))
    assert report.ok, report.to_json()
    assert report.document == json.loads(GOOD)
    assert f"({encoding}, {len(body)} sent)" in check(report, "body")[2]


def _brotli_fast(data: bytes) -> bytes:
    return bytes(brotli.compress(data, quality=1))


@pytest.mark.parametrize(("encoding", "encode"), [("gzip", gzip.compress), ("br", _brotli_fast)])
def test_a_decompression_bomb_stops_at_the_size_limit(
    server: HTTPSServer, ca_bundle: Path, encoding: str, encode: object
) -> None:
    assert callable(encode)
    bomb = encode(b" " * (64 * 1024 * 1024))  # 64 MiB of spaces in at most ~64 KB
    server.route(
        WELL_KNOWN,
        respond(200, bomb, {"Content-Type": "application/json", "Content-Encoding": encoding}),
    )
    assert len(bomb) < 256 * 1024
    report = verify(options_for(server, ca_bundle, max_bytes=256 * 1024))
    status, code, summary = check(report, "body")
    assert (status, code) == ("fail", "body_too_large")
    assert f"the {encoding} body decodes to more than {256 * 1024} bytes" in summary


def test_decoder_never_produces_more_than_the_limit() -> None:
    bomb = _brotli_fast(b"\0" * (64 * 1024 * 1024))
    decoder = BodyDecoder("br", 4096)
    with pytest.raises(BodyTooLarge):
        decoder.feed(bomb)
    assert decoder.size == 0  # nothing past the limit was kept


def test_unknown_encoding_is_unreadable(server: HTTPSServer, ca_bundle: Path) -> None:
    server.route(
        WELL_KNOWN,
        respond(200, GOOD, {"Content-Type": "application/json", "Content-Encoding": "zstd"}),
    )
    report = verify(options_for(server, ca_bundle))
    assert check(report, "body")[:2] == ("fail", "unreadable_body")


def test_server_entry_with_extra_keys_warns_saying_why(
    server: HTTPSServer, ca_bundle: Path
) -> None:
    document = {
        "Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/e", "Name": 1}]
    }
    server.route(
        WELL_KNOWN, respond(200, json.dumps(document), {"Content-Type": "application/json"})
    )
    report = verify(options_for(server, ca_bundle))
    assert report.ok
    status, code, summary = check(report, "config")
    assert (status, code) == ("warn", "unexpected_keys")
    assert '("Name")' in summary
    assert "iOS 26 client code rejects such an entry" in summary
    assert "Apple's documentation does not say so" in summary
