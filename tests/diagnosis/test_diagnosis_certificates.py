"""Certificate causes against real TLS servers: self-signed, a missing intermediate (told
apart by the issuer URL public CAs put in their certificates), a private CA, and the names a
mismatched certificate covers."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Callable
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.verifying import options_for, server_context, verify

StartServer = Callable[[ssl.SSLContext], HTTPSServer]
NOW = datetime.datetime.now(datetime.UTC)
Key = ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: Key,
    issuer: tuple[str, Key] | None,
    *,
    ca: bool,
    names: tuple[str, ...] = (),
    issuer_url: str | None = None,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    if issuer_url:
        # Public CAs name their issuer's certificate URL (e.g. Let's Encrypt's
        # "CA Issuers - URI:http://r11.i.lencr.org/").
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(issuer_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _context(tmp_path: Path, key: Key, *chain: x509.Certificate) -> ssl.SSLContext:
    cert_file, key_file = tmp_path / "chain.pem", tmp_path / "key.pem"
    cert_file.write_bytes(_pem(*chain))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def _public_like_chain(tmp_path: Path) -> tuple[Path, Key, x509.Certificate, x509.Certificate]:
    """A root (trusted through the bundle), an intermediate, and a leaf naming its issuer URL."""
    root_key, int_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _certificate("Test Root X1", root_key, None, ca=True)
    intermediate = _certificate("Test R11", int_key, ("Test Root X1", root_key), ca=True)
    leaf = _certificate(
        DOMAIN,
        leaf_key,
        ("Test R11", int_key),
        ca=False,
        # The BaseURL's host (mdm.example.test) is the same loopback server.
        names=(DOMAIN, f"*.{DOMAIN}"),
        issuer_url="http://r11.i.example.test/",
    )
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(_pem(root))
    return bundle, leaf_key, leaf, intermediate


def _connect_check(server: HTTPSServer, bundle: Path) -> tuple[str | None, str | None, str]:
    report = verify(options_for(server, bundle))
    connect = next(c for c in report.checks if c.id == "connect")
    return connect.code, connect.cause, connect.summary


def test_leaf_without_its_intermediate(start_server: StartServer, tmp_path: Path) -> None:
    bundle, key, leaf, _ = _public_like_chain(tmp_path)
    server = start_server(_context(tmp_path, key, leaf))  # cert.pem instead of fullchain.pem
    server.route(WELL_KNOWN, json_document(GOOD))
    code, cause, _ = _connect_check(server, bundle)
    assert (code, cause) == ("tls_untrusted", "missing_intermediate")
    report = verify(options_for(server, bundle))
    [hop] = report.hops
    assert hop.certificates and hop.certificates[0].issuer_url == "http://r11.i.example.test/"
    failing = next(c for c in report.checks if c.status == "fail")
    assert failing.remedy and "fullchain.pem" in failing.remedy


def test_full_chain_passes(start_server: StartServer, tmp_path: Path) -> None:
    bundle, key, leaf, intermediate = _public_like_chain(tmp_path)
    server = start_server(_context(tmp_path, key, leaf, intermediate))
    server.route(WELL_KNOWN, json_document(GOOD))
    assert verify(options_for(server, bundle)).ok


def test_self_signed(start_server: StartServer, tmp_path: Path, ca_bundle: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(DOMAIN, key, None, ca=False, names=(DOMAIN,))
    server = start_server(_context(tmp_path, key, leaf))
    server.route(WELL_KNOWN, json_document(GOOD))
    code, cause, summary = _connect_check(server, ca_bundle)
    assert (code, cause) == ("tls_untrusted", "self_signed")
    assert "1 certificate" in summary


def test_private_ca(start_server: StartServer, ca_bundle: Path) -> None:
    # An internal CA with an intermediate, the full chain served, no issuer URL: the chain is
    # complete but ends in a CA no device trusts.
    internal = trustme.CA(organization_name="Ada Corp Internal CA").create_child_ca()
    server = start_server(server_context(internal.issue_cert(DOMAIN)))
    server.route(WELL_KNOWN, json_document(GOOD))
    code, cause, _ = _connect_check(server, ca_bundle)
    assert (code, cause) == ("tls_untrusted", "private_ca")


def test_hostname_mismatch_lists_the_names_covered(
    start_server: StartServer, ca: trustme.CA, ca_bundle: Path
) -> None:
    server = start_server(server_context(ca.issue_cert("www.other.test", "other.test")))
    server.route(WELL_KNOWN, json_document(GOOD))
    code, _, summary = _connect_check(server, ca_bundle)
    assert code == "tls_hostname_mismatch"
    assert summary.endswith("it covers: www.other.test, other.test")
