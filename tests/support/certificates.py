"""Certificates trustme will not make (weak keys, chosen names and dates), and server
contexts lenient enough to load them, for the TLS tests."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Sequence
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.constants import DOMAIN

NOW = datetime.datetime.now(datetime.UTC)
# What OpenSSL calls SSL_OP_NO_EXTENDED_MASTER_SECRET: a server context with it refuses the
# extension (`openssl s_client -tls1_2` then says "Extended master secret: no"; a test in
# tests/verify checks that).
NO_EXTENDED_MASTER_SECRET = 0x1


def lenient_context() -> ssl.SSLContext:
    """A server context that will load weak keys and old protocols (tests only)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def tls12_context(cert: trustme.LeafCert, *, ems: bool) -> ssl.SSLContext:
    """A server that speaks TLS 1.2 only, with or without the extended master secret."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    if not ems:
        context.options |= NO_EXTENDED_MASTER_SECRET
    return context


def leaf_certificate(
    ca: trustme.CA,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    not_after: datetime.datetime = NOW + datetime.timedelta(days=90),
    names: Sequence[str] = (DOMAIN,),
) -> x509.Certificate:
    """A leaf for `names` signed by the trustme CA, with any key."""
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )


def leaf_pem(
    ca: trustme.CA,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    names: Sequence[str] = (DOMAIN,),
) -> bytes:
    return leaf_certificate(ca, key, names=names).public_bytes(serialization.Encoding.PEM)


def self_signed_pem(key: ec.EllipticCurvePrivateKey, names: Sequence[str] = (DOMAIN,)) -> bytes:
    """A leaf for `names` signed with its own key: no CA vouches for it."""
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, names[0])])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in names]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def context_for(folder: Path, cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    """A lenient server context for this certificate and key (written into `folder`)."""
    (folder / "cert.pem").write_bytes(cert_pem)
    (folder / "key.pem").write_bytes(key_pem)
    context = lenient_context()
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context
