"""What the certificates a server sent say, read only when they failed to verify: the names
covered, who issued each, and which of three causes explains an untrusted chain.

`cryptography` is imported inside the functions: a passing `verify` never loads it.
"""

from __future__ import annotations

from typing import Any

from wizard.core.results import Certificate

# OID of the Authority Information Access "CA Issuers" method (RFC 5280, 4.2.2.1).
_CA_ISSUERS = "1.3.6.1.5.5.7.48.2"


def summarise_chain(chain: list[bytes]) -> list[Certificate]:
    """One entry per certificate, leaf first: subject, issuer, names, expiry, self-signed,
    the issuer URL (AIA); the leaf's entry also carries the `cause` the chain shows
    (`self_signed`, `missing_intermediate`, `private_ca`) or None."""
    from cryptography import x509

    certificates = []
    for der in chain:
        try:
            certificates.append(x509.load_der_x509_certificate(der))
        except ValueError:
            break  # a hostile or broken server; describe what could be read
    entries: list[Certificate] = []
    for certificate in certificates:
        try:
            entries.append(_describe(certificate))
        except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
            # Malformed extensions (a hostile or broken server): keep what is certain.
            entries.append(_basic(certificate))
    if entries:
        entries[0].cause = _untrusted_cause(certificates)
    return entries


def _describe(certificate: Any) -> Certificate:
    from cryptography import x509

    names: list[str] = []
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(name) for name in san.get_values_for_type(x509.DNSName)]
        names += [str(address) for address in san.get_values_for_type(x509.IPAddress)]
    except (x509.ExtensionNotFound, ValueError):
        pass
    return Certificate(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        names=names[:50],
        not_after=certificate.not_valid_after_utc.strftime("%Y-%m-%d"),
        self_signed=certificate.issuer == certificate.subject,
        issuer_url=_issuer_url(certificate),
    )


def _basic(certificate: Any) -> Certificate:
    return Certificate(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        names=[],
        not_after=certificate.not_valid_after_utc.strftime("%Y-%m-%d"),
        self_signed=certificate.issuer == certificate.subject,
    )


def _issuer_url(certificate: Any) -> str | None:
    from cryptography import x509

    try:
        access = certificate.extensions.get_extension_for_class(
            x509.AuthorityInformationAccess
        ).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    for description in access:
        if description.access_method.dotted_string == _CA_ISSUERS:
            return str(description.access_location.value)
    return None


def _untrusted_cause(certificates: list[Any]) -> str | None:
    """Why a chain that failed verification is untrusted, from what the server sent:
    - a leaf that signed itself: self_signed;
    - a leaf whose issuer is not among the certificates sent, and that names its issuer's
      URL (AIA), as public CAs' certificates do: missing_intermediate;
    - otherwise the chain ends in a CA the device does not trust: private_ca."""
    leaf = certificates[0]
    if leaf.issuer == leaf.subject:
        return "self_signed"
    subjects = {certificate.subject for certificate in certificates[1:]}
    if leaf.issuer not in subjects and _issuer_url(leaf):
        return "missing_intermediate"
    return "private_ca"


def covered_names(entries: list[Certificate]) -> list[str]:
    return list(entries[0].names) if entries else []
