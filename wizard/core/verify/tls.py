"""TLS the way an Apple device insists on it (App Transport Security), and plain-language
names for the ways a handshake fails.

ATS: TLS 1.2 or later; forward-secret ECDHE suites with AES-GCM (TLS 1.3 suites all qualify);
a certificate chaining to a trusted public root, matching the host, signed with SHA-256 or
better, with an RSA key of at least 2048 bits or an EC key of at least 256 bits.
"""

from __future__ import annotations

import errno
import functools
import os
import socket
import ssl
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import certifi

from wizard.core.codes import Code
from wizard.core.domains import InvalidInput
from wizard.core.shown import argument
from wizard.core.verify.resolve import lookup_failed

# TLS 1.2 suites ATS accepts, in OpenSSL's names; TLS 1.3 suites are configured apart by
# OpenSSL and are all forward-secret AEAD suites.
ATS_TLS12_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
    )
)
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
EXPIRY_WARNING_DAYS = 30

# OpenSSL verification codes (x509_vfy.h) that mean something more specific than "untrusted".
_NOT_YET_VALID, _EXPIRED = 9, 10
_HOSTNAME_MISMATCH, _IP_MISMATCH = 62, 64
_EE_KEY_TOO_SMALL, _CA_KEY_TOO_SMALL, _CA_MD_TOO_WEAK = 66, 67, 68

# Handshake failures that mean "no protocol version or cipher suite in common".
_PROTOCOL_REASONS = frozenset(
    {
        "UNSUPPORTED_PROTOCOL",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "NO_PROTOCOLS_AVAILABLE",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "NO_SHARED_CIPHER",
        "NO_CIPHERS_AVAILABLE",
        "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        "VERSION_TOO_LOW",
    }
)


def check_ca_bundle(path: str, source: str = "--ca-bundle") -> str:
    """`path` if it is a readable PEM bundle; otherwise InvalidInput naming `source` (where
    the setting came from) and what is wrong, in one line."""
    shown = argument(path)
    if os.path.isdir(path):
        raise InvalidInput(f"{source} {shown} is a directory, not a PEM file")
    try:
        found = os.stat(path)
    except OSError:
        found = None
    if found is None or not stat.S_ISREG(found.st_mode):
        raise InvalidInput(f"{source} {shown}: no such file")
    if not _holds_certificates(path, found.st_mtime_ns, found.st_size):
        raise InvalidInput(f"{source} {shown} holds no PEM certificates")
    return path


@functools.lru_cache(maxsize=32)
def _holds_certificates(path: str, mtime_ns: int, size: int) -> bool:
    """Whether OpenSSL loads `path` as CA certificates; remembered per version of the file
    (its time and size), since `verify --all` checks the same bundle for every setup."""
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError):
        return False
    return True


def make_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """A client context that accepts only what ATS accepts; trust from certifi or `ca_bundle`."""
    context = ssl.create_default_context(cafile=ca_bundle or certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(ATS_TLS12_CIPHERS)
    return context


@dataclass(frozen=True)
class Classified:
    code: Code
    summary: str


def classify_connect_error(error: BaseException, host: str) -> Classified:
    """Name a failed connection: DNS, refused, or the exact TLS problem."""
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return _classify_verification(cause, host)
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or ""
            if reason in _PROTOCOL_REASONS:
                return Classified(
                    Code.TLS_PROTOCOL,
                    f"TLS handshake with {host} failed ({reason}): no TLS 1.2+ version "
                    "or ATS cipher suite in common",
                )
            if reason == "WRONG_VERSION_NUMBER":
                return Classified(
                    Code.CONNECT_FAILED, f"{host} did not answer with TLS (plain HTTP on the port?)"
                )
            return Classified(
                Code.CONNECT_FAILED, f"TLS handshake with {host} failed ({reason or cause})"
            )
        if isinstance(cause, socket.gaierror):
            if lookup_failed(cause):
                summary = f"this machine could not look up {host} ({cause.strerror})"
                return Classified(Code.RESOLVER_FAILED, summary)
            return Classified(Code.CONNECT_FAILED, f"cannot resolve {host} ({cause.strerror})")
        if isinstance(cause, ConnectionRefusedError):
            return Classified(Code.CONNECT_FAILED, f"{host} refused the connection")
        if isinstance(cause, OSError) and cause.strerror:
            return Classified(Code.CONNECT_FAILED, f"cannot connect to {host} ({cause.strerror})")
    text = str(error) or type(error).__name__
    return Classified(Code.CONNECT_FAILED, f"cannot connect to {host} ({text})")


def _classify_verification(error: ssl.SSLCertVerificationError, host: str) -> Classified:
    code = error.verify_code
    message = error.verify_message or str(error)
    if code == _EXPIRED:
        return Classified(Code.TLS_EXPIRED, f"the certificate for {host} has expired")
    if code == _NOT_YET_VALID:
        return Classified(Code.TLS_EXPIRED, f"the certificate for {host} is not valid yet")
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return Classified(Code.TLS_HOSTNAME_MISMATCH, f"the certificate is not valid for {host}")
    if code in (_EE_KEY_TOO_SMALL, _CA_KEY_TOO_SMALL):
        return Classified(
            Code.TLS_WEAK_KEY, f"a certificate key for {host} is too small ({message})"
        )
    if code == _CA_MD_TOO_WEAK:
        return Classified(
            Code.TLS_WEAK_KEY, f"a certificate for {host} is signed with a weak hash ({message})"
        )
    return Classified(Code.TLS_UNTRUSTED, f"the certificate for {host} is not trusted ({message})")


@dataclass(frozen=True)
class CertificateFacts:
    not_after: datetime
    key: str
    weakness: str | None

    def days_left(self, now: datetime | None = None) -> int:
        return (self.not_after - (now or datetime.now(UTC))).days


# Object identifiers read from certificates (RFC 3279, 5480, 5758).
_RSA = "1.2.840.113549.1.1.1"
_EC = "1.2.840.10045.2.1"
_DSA = "1.2.840.10040.4.1"
_EC_CURVES = {
    "1.2.840.10045.3.1.1": ("P-192", 192),
    "1.3.132.0.33": ("P-224", 224),
    "1.2.840.10045.3.1.7": ("P-256", 256),
    "1.3.132.0.34": ("P-384", 384),
    "1.3.132.0.35": ("P-521", 521),
}
_WEAK_SIGNATURES = {
    "1.2.840.113549.1.1.4": "MD5",
    "1.2.840.113549.1.1.5": "SHA-1",
    "1.2.840.10045.4.1": "SHA-1",
    "1.2.840.10040.4.3": "SHA-1",
    "1.3.14.3.2.29": "SHA-1",
}


def inspect_certificate(der: bytes) -> CertificateFacts:
    """Expiry, key type and size and signature hash of a DER certificate (the leaf a server
    sent).

    A few lines of DER reading instead of a crypto library: the verifier needs only four
    fields, and `adue-wizard verify` is meant to start fast over SSH (the expiry from
    `getpeercert()` goes through strptime, 2 ms at its first use in every run).
    """
    certificate = _children(_single(der))
    tbs = _children(certificate[0][1])
    signature_oid = _oid(_children(certificate[1][1])[0])
    # tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, SPKI
    offset = 1 if tbs[0][0] == 0xA0 else 0
    not_after = _time(_children(tbs[offset + 3][1])[1])
    spki = _children(tbs[offset + 5][1])
    algorithm = _children(spki[0][1])
    algorithm_oid = _oid(algorithm[0])
    weakness: str | None = None
    if algorithm_oid == _RSA:
        bits = _rsa_modulus_bits(spki[1][1])
        described = f"RSA {bits}"
        if bits < MIN_RSA_BITS:
            weakness = f"RSA key of {bits} bits (needs {MIN_RSA_BITS}+)"
    elif algorithm_oid == _EC:
        curve_oid = _oid(algorithm[1]) if len(algorithm) > 1 else ""
        name, bits = _EC_CURVES.get(curve_oid, (curve_oid or "unknown curve", 0))
        described = f"EC {name}"
        if bits < MIN_EC_BITS:
            weakness = f"EC key of {bits or 'unknown'} bits (needs {MIN_EC_BITS}+)"
    elif algorithm_oid == _DSA:
        described = "DSA"
        weakness = "DSA keys are not accepted by ATS"
    else:
        described = f"key {algorithm_oid}"
    weak_hash = _WEAK_SIGNATURES.get(signature_oid)
    if weakness is None and weak_hash:
        weakness = f"signed with {weak_hash} (needs SHA-256 or better)"
    return CertificateFacts(not_after=not_after, key=described, weakness=weakness)


def _time(element: _Element) -> datetime:
    """A certificate's UTCTime or GeneralizedTime, in the only forms RFC 5280 (4.1.2.5)
    allows: YYMMDDHHMMSSZ (years 1950-2049) and YYYYMMDDHHMMSSZ, always UTC."""
    tag, value = element
    text = value.decode("ascii")
    if tag == 0x17 and len(text) == 13:
        year, rest = int(text[:2]), text[2:]
        year += 1900 if year >= 50 else 2000
    elif tag == 0x18 and len(text) == 15:
        year, rest = int(text[:4]), text[4:]
    else:
        raise ValueError("certificate time not in RFC 5280's form")
    if not (rest.endswith("Z") and rest[:-1].isdigit()):
        raise ValueError("certificate time not in RFC 5280's form")
    month, day, hour, minute, second = (int(rest[i : i + 2]) for i in range(0, 10, 2))
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


_Element = tuple[int, bytes]


def _read(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """One DER element at `offset`: (tag, content, offset after it)."""
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    end = offset + length
    if end > len(data):
        raise ValueError("truncated DER element")
    return tag, data[offset:end], end


def _single(data: bytes) -> bytes:
    return _read(data, 0)[1]


def _children(content: bytes) -> list[_Element]:
    elements: list[_Element] = []
    offset = 0
    while offset < len(content):
        tag, value, offset = _read(content, offset)
        elements.append((tag, value))
    return elements


def _oid(element: _Element) -> str:
    tag, value = element
    if tag != 0x06 or not value:
        return ""
    parts = [value[0] // 40, value[0] % 40]
    number = 0
    for byte in value[1:]:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    return ".".join(str(part) for part in parts)


def _rsa_modulus_bits(bit_string: bytes) -> int:
    # BIT STRING: one byte of unused bits, then RSAPublicKey ::= SEQUENCE {modulus, exponent}
    modulus = _children(_single(bit_string[1:]))[0][1]
    return int.from_bytes(modulus, "big").bit_length()


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it was raised from, outermost first (httpx wraps ssl errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


# Errors that mean this machine cannot reach the address at all (no IPv6 route, no IPv6
# address of its own), as opposed to the address refusing or failing.
_NO_ROUTE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})


def no_route(error: BaseException) -> str | None:
    """The reason when `error` says there is no route from here, else None."""
    for cause in _causes(error):
        if isinstance(cause, OSError) and cause.errno in _NO_ROUTE_ERRNOS:
            return cause.strerror or str(cause)
    return None
