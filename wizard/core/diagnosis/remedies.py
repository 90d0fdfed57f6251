"""The remediation catalogue: for every failure and warning code, a few words for a table's
Cause column, what is wrong, and the exact fix.

Written for an admin at 3 a.m.: one sentence each, no jargon that needs a second lookup.
Words that belong to one MDM (its console, its portal's messages) come from its preset
(`wizard.core.providers`), so an admin of another MDM never reads them: a fix that says to
get the document again says where, for the MDM in question (`remedy_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from wizard.core.codes import Code
from wizard.core.document import BOM_FIX, BOM_PROBLEM
from wizard.core.protocol import WELL_KNOWN_PATH
from wizard.core.providers.jumpcloud import discovery_target

if TYPE_CHECKING:
    from wizard.core.providers.preset import Preset

# What a page answering 200 where the document should be takes from newer devices.
FALLBACK_DEFEATED = (
    "An HTML page answering 200 here also defeats Apple's fallback: devices on iOS/iPadOS "
    "18.2+ ask Apple Business Manager only when this URL fails with an HTTP error status."
)
# What an HTTP error status at the well-known URL still leaves newer devices.
ABM_FALLBACK = (
    "Devices on iOS/iPadOS 18.2 and later (macOS 15.2 and later) then ask Apple Business "
    "Manager, which sends them to the discovery URL your MDM registered there, if it did; "
    "older devices stop here."
)


# Where the document comes from again, when no MDM (or one without such words) is known.
DOCUMENT_AGAIN = "get the document from your MDM again rather than editing it by hand"
# Stands in a fix for the preset's `document_again` words.
_AGAIN = "{document_again}"


@dataclass(frozen=True)
class Remedy:
    # A few words, for the Cause column of a list of domains ("does not resolve").
    brief: str
    problem: str
    fix: str


CATALOGUE: dict[Code, Remedy] = {
    # Failures: the codes of the public contract.
    Code.INVALID_DOMAIN: Remedy(
        "does not resolve",
        "The domain does not resolve in DNS, so no device can reach it.",
        "Create an A/AAAA (or CNAME) record for the exact domain users sign in with "
        "(the part after @ in their Managed Apple Account), then wait for DNS to propagate.",
    ),
    Code.RESOLVER_FAILED: Remedy(
        "this machine cannot resolve names",
        "This machine could not resolve names; nothing is known about the domain (its "
        "resolver gave no answer, answered SERVFAIL, or could not be reached).",
        "Check this machine, not the domain: the name servers in /etc/resolv.conf (or the "
        "system's DNS settings) and the network to them, e.g. `getent hosts apple.com`; "
        "meanwhile --resolve DOMAIN:443:ADDRESS checks the domain without DNS. If other names "
        "resolve here, the domain's own name servers may be failing (a lame delegation, "
        "broken DNSSEC): `dig +trace DOMAIN` shows where.",
    ),
    Code.CONNECT_FAILED: Remedy(
        "no HTTPS connection",
        "Nothing accepted an HTTPS connection on port 443 for this name.",
        "Make sure a web server listens on 443 for this exact name (not only www.) and that "
        "firewalls and load balancers let it through.",
    ),
    Code.TIMEOUT: Remedy(
        "no answer in time",
        "The server did not finish answering within the time limit.",
        "Check the server is not overloaded or dropping packets, and that the well-known path "
        "is not handled by a slow application route; a static file or redirect answers at once.",
    ),
    Code.TLS_UNTRUSTED: Remedy(
        "certificate not trusted",
        "The certificate does not chain to a publicly trusted root (self-signed, private CA, "
        "or a missing intermediate).",
        "Install a certificate from a public CA (e.g. Let's Encrypt) and serve the full chain "
        "(leaf + intermediates: fullchain.pem, not cert.pem).",
    ),
    Code.TLS_HOSTNAME_MISMATCH: Remedy(
        "certificate for another name",
        "The certificate is not valid for this host name.",
        "Issue a certificate that covers the exact domain (the apex too, if users sign in "
        "with user@example.com), and make sure the server picks it for this name (SNI).",
    ),
    Code.TLS_EXPIRED: Remedy(
        "certificate expired",
        "The certificate has expired (or is not yet valid).",
        "Renew the certificate, reload the web server, and check the renewal job (certbot "
        "timer, ACME client) so it does not lapse again.",
    ),
    Code.TLS_PROTOCOL: Remedy(
        "no TLS version in common",
        "The server offers no TLS version or cipher suite Apple devices accept.",
        "Enable TLS 1.2 or 1.3 with forward-secret ECDHE and AES-GCM suites, e.g. NGINX "
        "`ssl_protocols TLSv1.2 TLSv1.3;` and Mozilla's 'intermediate' cipher list.",
    ),
    Code.TLS_WEAK_KEY: Remedy(
        "weak certificate key",
        "The certificate's key or signature is too weak for App Transport Security.",
        "Reissue the certificate with an RSA key of 2048 bits or more (or ECDSA P-256) and a "
        "SHA-256 (or stronger) signature.",
    ),
    Code.INSECURE_REDIRECT: Remedy(
        "redirect to http://",
        "A redirect in the chain points to plain http://; devices only follow HTTPS.",
        "Make every redirect target an https:// URL (check the Location header of each hop).",
    ),
    Code.TOO_MANY_REDIRECTS: Remedy(
        "too many redirects",
        "The redirect chain is too long or loops back on itself.",
        "Redirect the well-known URL once, straight to the final target; look for an "
        "apex-to-www or http-to-https rule that fires again on the target.",
    ),
    Code.BAD_STATUS: Remedy(
        "not 200 OK",
        f"The well-known URL did not answer 200 OK. {ABM_FALLBACK}",
        f"Make https://<domain>{WELL_KNOWN_PATH} return 200 with the "
        "document (self-host) or a 301 to the discovery URL (redirect); a 404 usually means "
        "the file or rule is not where the server looks. If you rely on Apple Business "
        "Manager's fallback instead, confirm your MDM registered its discovery URL there.",
    ),
    Code.BAD_CONTENT_TYPE: Remedy(
        "not application/json",
        f"The document is not served as application/json. {FALLBACK_DEFEATED}",
        "Set the MIME type for this extensionless file to application/json (NGINX "
        "`default_type application/json;`, Apache `ForceType application/json`, IIS mimeMap "
        'fileExtension="."); if nothing should be served here, make the URL answer 404, '
        "not an HTML page.",
    ),
    Code.BODY_TOO_LARGE: Remedy(
        "body too large",
        "The body is larger than a discovery document should be, or its length does not match "
        "Content-Length.",
        "Serve only the small JSON document (a few hundred bytes); check that no HTML page, "
        "compression or proxy rewrites the response.",
    ),
    Code.UNREADABLE_BODY: Remedy(
        "body unreadable",
        "The body could not be read: the connection was cut mid-body or it is not UTF-8 text.",
        "Save the file as plain UTF-8 JSON and check that no proxy or filter truncates "
        "the response.",
    ),
    Code.BAD_JSON: Remedy(
        "not the discovery JSON",
        'The body is not JSON shaped like {"Servers": [{"Version": ..., "BaseURL": ...}]}.',
        f"Publish the document exactly as your MDM gives it: {_AGAIN}. A catch-all HTML "
        "page answering 200 here also defeats Apple's "
        "fallback (devices on iOS/iPadOS 18.2+ ask Apple Business Manager only after an HTTP "
        "error status): answer 404 rather than a page.",
    ),
    Code.BAD_CONFIG: Remedy(
        "wrong Version or BaseURL",
        "The document's Version or BaseURL is wrong.",
        f'Use Version "mdm-byod" and the BaseURL your MDM gives (absolute https://); {_AGAIN}.',
    ),
    Code.WRONG_ORG_ID: Remedy(
        "another organization",
        "The redirect chain reaches JumpCloud with another organization_id, or none: the "
        "device would land in another organization, or in none.",
        f"Redirect to {discovery_target('<your ID>')} (JumpCloud Admin Portal > Settings > "
        "Organization Profile) "
        "and do not let a rule (e.g. Apache `Redirect`, Cloudflare 'Preserve query string') "
        "replace its query.",
    ),
    Code.BASEURL_TLS: Remedy(
        "MDM server's TLS",
        "The MDM's enrollment server (the BaseURL's host) does not meet the TLS rules Apple "
        "devices apply; the well-known URL is right, but the device's next connection fails "
        "(or, for a missing extended master secret, iOS/iPadOS 27 and later may refuse it).",
        "Tell your MDM vendor: the server must offer TLS 1.2 or later with ATS cipher suites, "
        "a publicly trusted certificate for its name with a 2048-bit RSA or P-256 key signed "
        "with SHA-256, and on TLS 1.2 the extended master secret. You cannot fix it on your "
        "side.",
    ),
    Code.ENROLL_PROBE_FAILED: Remedy(
        "enrollment endpoint",
        "The enrollment endpoint (BaseURL) did not answer like an MDM that supports "
        "account-driven enrollment.",
        "Check the BaseURL is the one your MDM publishes and that its server is up; a healthy "
        'one answers 401 with WWW-Authenticate: Bearer method="apple-as-web".',
    ),
    # Warnings: the device may still enroll, but something is fragile or wrong.
    Code.CERT_EXPIRING: Remedy(
        "certificate expiring",
        "The certificate expires within 30 days.",
        "Renew it now and confirm automatic renewal works.",
    ),
    Code.QUERY_NOT_FORWARDED: Remedy(
        "query not forwarded",
        "The device's query (user-identifier, model-family) did not reach the end of the "
        "redirect chain; Apple devices do not carry it across a redirect themselves.",
        "Append the request's query to the redirect target (NGINX `&$args`, Apache "
        "`[QSA]`, Caddy `&{query}`, Cloudflare dynamic concat); `adue-wizard generate` "
        "writes these forms.",
    ),
    Code.ADDRESS_UNCHECKED: Remedy(
        "address not checked",
        "One of the domain's addresses could not be checked from this machine (no route to "
        "it, typically no IPv6 here), or there were more addresses than are checked.",
        "Run the check again from a machine with IPv6 (or with `--resolve` on that address "
        "alone); phones on IPv6-only mobile networks reach only the AAAA addresses.",
    ),
    Code.UNEXPECTED_KEYS: Remedy(
        "unexpected keys",
        "A Servers entry has keys other than Version and BaseURL. The iOS 26 client code "
        "rejects such an entry; Apple's documentation does not say so.",
        'Keep each item of "Servers" to exactly "Version" and "BaseURL".',
    ),
    Code.MULTIPLE_SERVERS: Remedy(
        "several servers",
        "The document lists more than one server; devices use only the first.",
        'Keep a single item in "Servers".',
    ),
    Code.VERSION_DEVICE_ENROLLMENT: Remedy(
        "device enrollment",
        'Version "mdm-adde" asks for account-driven device enrollment.',
        'Use "mdm-byod" for user enrollment of personal devices, unless your MDM documents '
        "device enrollment.",
    ),
    Code.UTF8_BOM: Remedy("byte-order mark", BOM_PROBLEM, BOM_FIX),
    Code.TLS_NO_EMS: Remedy(
        "TLS 1.2 without EMS",
        "A server on the way speaks TLS 1.2 without the extended master secret (RFC 7627), "
        "which App Transport Security requires: iOS/iPadOS 27 and later may refuse this "
        "connection (Apple support note 126655).",
        "Serve TLS 1.3, or TLS 1.2 from a TLS library that supports the extended master "
        "secret: OpenSSL 1.1.0 or later (2016) does. Usual culprits: nginx or Apache built "
        "against an older OpenSSL (RHEL/CentOS 7), old load balancers and TLS offloaders; "
        '`openssl s_client -tls1_2 -connect HOST:443` shows "Extended master secret: no".',
    ),
    Code.BASEURL_UNREACHABLE: Remedy(
        "MDM server unreachable",
        "This machine could not reach the MDM's enrollment server (the BaseURL's host): "
        "nothing is known about it, and devices may well reach it.",
        "Check from a machine with the devices' view of the internet; if it is unreachable "
        "there too, tell your MDM vendor.",
    ),
    Code.CHANGED_SINCE_PASS: Remedy(
        "changed since its last pass",
        "What this domain serves changed since its last passing check (before and after are "
        "shown): devices now enroll with the new document or redirect target, whoever made "
        "the change, e.g. a BaseURL switched to another MDM.",
        "Confirm the change was intended (a move to another MDM, a new discovery URL or "
        "BaseURL from your vendor); if not, put back what was served before and check again. "
        "The next passing check compares with what is served now.",
    ),
    Code.PROBE_INCONCLUSIVE: Remedy(
        "probe refused",
        "The enrollment endpoint refused the test request (400/403), which a healthy MDM may "
        "do for a request that is not from a real device.",
        "Nothing to fix if devices enroll; otherwise check the BaseURL with your MDM vendor.",
    ),
}


def remedy_for(code: Code, preset: Preset | None = None) -> Remedy:
    """The code's entry (every code has one: a test holds it), in the words of `preset`, the
    MDM the domain is judged against or points at; generic words without one."""
    entry = CATALOGUE[code]
    if _AGAIN not in entry.fix:
        return entry
    again = (preset.document_again if preset else None) or DOCUMENT_AGAIN
    return replace(entry, fix=entry.fix.replace(_AGAIN, again))
