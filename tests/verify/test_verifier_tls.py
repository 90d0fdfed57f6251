"""TLS failures against real HTTPS servers: trust, names, dates, protocols, key strength."""

from __future__ import annotations

import datetime
import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.certificates import (
    NOW,
    context_for,
    key_pem,
    leaf_certificate,
    leaf_pem,
    lenient_context,
)
from tests.support.constants import DOMAIN, GOOD, TEST_NAMES, WELL_KNOWN
from tests.support.https_server import BlockingTLSServer, HTTPSServer, json_document
from tests.support.verifying import check, options_for, server_context, verify
from wizard.core.verify.tls import inspect_certificate

StartServer = Callable[[ssl.SSLContext], HTTPSServer]


def serve(start_server: StartServer, context: ssl.SSLContext) -> HTTPSServer:
    server = start_server(context)
    server.route(WELL_KNOWN, json_document(GOOD))
    return server


def test_untrusted_certificate(start_server: StartServer, ca_bundle: Path) -> None:
    other_ca = trustme.CA()
    server = serve(start_server, server_context(other_ca.issue_cert(*TEST_NAMES)))
    assert verify(options_for(server, ca_bundle)).failure == "tls_untrusted"


def test_hostname_mismatch(start_server: StartServer, ca: trustme.CA, ca_bundle: Path) -> None:
    server = serve(start_server, server_context(ca.issue_cert("other.test")))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "tls_hostname_mismatch"
    assert check(report, "connect")[0] == "fail"


def test_expired_certificate(start_server: StartServer, ca: trustme.CA, ca_bundle: Path) -> None:
    cert = ca.issue_cert(
        *TEST_NAMES,
        not_before=NOW - datetime.timedelta(days=90),
        not_after=NOW - datetime.timedelta(days=1),
    )
    server = serve(start_server, server_context(cert))
    assert verify(options_for(server, ca_bundle)).failure == "tls_expired"


def test_certificate_expiring_soon_is_a_warning(
    start_server: StartServer, ca: trustme.CA, ca_bundle: Path
) -> None:
    expiry = (NOW + datetime.timedelta(days=10)).replace(microsecond=0)
    cert = ca.issue_cert(*TEST_NAMES, not_after=expiry)
    server = serve(start_server, server_context(cert))
    report = verify(options_for(server, ca_bundle))
    assert report.ok
    assert check(report, "connect")[:2] == ("warn", "cert_expiring")
    # The expiry itself, for the monitoring outputs (days left, Unix seconds).
    assert report.hops[0].cert_not_after == expiry.isoformat()
    assert report.earliest_cert_expiry() == expiry


# The test server must speak TLS 1.1, which Python flags as deprecated.
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("maximum", "ciphers"),
    [
        (ssl.TLSVersion.TLSv1_1, "ALL:@SECLEVEL=0"),
        (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0"),
        (ssl.TLSVersion.TLSv1_2, "ECDHE-ECDSA-AES128-GCM-SHA256"),
    ],
    ids=["tls-1.1-only", "no-ats-suite", "ats-suite-control"],
)
def test_protocol_and_cipher_suites(
    blocking_server: Callable[[ssl.SSLContext], BlockingTLSServer],
    good_cert: trustme.LeafCert,
    ca_bundle: Path,
    maximum: ssl.TLSVersion,
    ciphers: str,
) -> None:
    context = lenient_context()
    context.maximum_version = maximum
    context.set_ciphers(ciphers)
    good_cert.configure_cert(context)
    server = blocking_server(context)
    report = verify(options_for(server, ca_bundle))  # type: ignore[arg-type]
    if "GCM" in ciphers:
        assert report.ok, report.to_json()
        assert "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256" in check(report, "connect")[2]
    else:
        assert report.failure == "tls_protocol", report.to_json()


def test_rsa_1024_key_is_weak(
    start_server: StartServer, ca: trustme.CA, ca_bundle: Path, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    server = serve(start_server, context_for(tmp_path, leaf_pem(ca, key), key_pem(key)))
    report = verify(options_for(server, ca_bundle))
    assert report.failure == "tls_weak_key", report.to_json()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_sha1_signature_is_weak(
    start_server: StartServer, ca: trustme.CA, ca_bundle: Path, tmp_path: Path
) -> None:
    # cryptography refuses to sign with SHA-1, so the openssl command makes this certificate.
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    ca.private_key_pem.write_to_path(str(tmp_path / "ca.key"))
    (tmp_path / "san.cnf").write_text(f"subjectAltName=DNS:{DOMAIN}\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-subj",
        f"/CN={DOMAIN}",
        "-out",
        "leaf.csr",
    )
    openssl(
        "x509",
        "-req",
        "-sha1",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "san.cnf",
        "-out",
        "leaf.pem",
    )
    context = lenient_context()
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    server = serve(start_server, context)
    assert verify(options_for(server, ca_bundle)).failure == "tls_weak_key"


def test_small_ec_key_is_weak_even_when_openssl_accepts_it(ca: trustme.CA) -> None:
    # OpenSSL's default level accepts P-224 (112-bit security); ATS asks for 256 bits.
    key = ec.generate_private_key(ec.SECP224R1())
    der = x509.load_pem_x509_certificate(leaf_pem(ca, key)).public_bytes(serialization.Encoding.DER)
    facts = inspect_certificate(der)
    assert facts.weakness is not None and "EC key of 224 bits" in facts.weakness
    strong = ec.generate_private_key(ec.SECP256R1())
    der = x509.load_pem_x509_certificate(leaf_pem(ca, strong)).public_bytes(
        serialization.Encoding.DER
    )
    assert inspect_certificate(der).weakness is None
    assert inspect_certificate(der).key == "EC P-256"


@pytest.mark.parametrize(
    "expiry",
    [  # UTCTime up to 2049, GeneralizedTime from 2050 on (RFC 5280, 4.1.2.5)
        datetime.datetime(2027, 3, 30, 12, 0, 59, tzinfo=datetime.UTC),
        datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
        datetime.datetime(2050, 1, 1, 0, 0, 1, tzinfo=datetime.UTC),
    ],
    ids=str,
)
def test_expiry_is_read_from_der_in_both_time_forms(
    ca: trustme.CA, expiry: datetime.datetime
) -> None:
    cert = leaf_certificate(ca, ec.generate_private_key(ec.SECP256R1()), expiry)
    der = cert.public_bytes(serialization.Encoding.DER)
    # The few lines of DER reading agree with cryptography's reading of the same field.
    assert inspect_certificate(der).not_after == expiry == cert.not_valid_after_utc


@pytest.mark.parametrize("bits", [1024, 2048, 4096])
def test_rsa_key_sizes_are_read_from_der(ca: trustme.CA, bits: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = x509.load_pem_x509_certificate(leaf_pem(ca, key)).public_bytes(serialization.Encoding.DER)
    facts = inspect_certificate(der)
    assert facts.key == f"RSA {bits}"
    assert (facts.weakness is not None) == (bits < 2048)
