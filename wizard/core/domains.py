"""Turn what an admin pastes (an e-mail, a URL, a bare name) into the domain a device asks.

An Apple device splits the Managed Apple Account at the last `@` and requests
`https://<domain>/.well-known/com.apple.remotemanagement`, so the domain must be a
fully qualified host name. Anything else is refused here, before any network work.
"""

from __future__ import annotations

import ipaddress
import re

from wizard.core.shown import argument

MAX_NAME_LENGTH = 253
MAX_LABEL_LENGTH = 63
# Refuse absurd input before handing it to the IDNA codec, whose cost grows with length.
MAX_INPUT_LENGTH = 2048

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ORG_ID = re.compile(r"^[0-9a-f]{24}$")
_NAMED_ADDRESS = re.compile(r"^[^<>]*<([^<>]+)>$")
# One text, in the wizard and the command line. Source: JumpCloud's "Settings in the Admin
# Portal" support article (Organization Profile > General: the eye icon shows the ID).
ORG_ID_WHERE = (
    "in the JumpCloud Admin Portal: Settings > Organization Profile > General; click the eye "
    "icon to show the Organization ID, then the copy icon"
)
ORG_ID_LENGTH = 24


class InvalidInput(ValueError):
    """Input an admin typed that cannot be used; the message is one line, fit to show."""


def normalise_domain(text: str) -> str:
    """Return the lower-case ASCII (IDNA) host name in `text`, or raise InvalidInput.

    Accepts `user@example.com`, `https://Example.com:443/path?q`, `example.com.` and
    internationalised names; rejects IP addresses, single-label names and non-hostnames.
    """
    shown = argument(text, 80)
    raw = text.strip()
    named = _NAMED_ADDRESS.match(raw)
    if named:  # `Ada Lovelace <ada@example.com>`, as mail clients copy an address
        raw = named.group(1).strip()
    if not raw:
        raise InvalidInput("empty target: give a domain, a URL or a Managed Apple Account e-mail")
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidInput(f"target is too long to be a domain ({len(raw)} characters)")
    if any(ch.isspace() for ch in raw):
        raise InvalidInput(f"{shown} contains spaces; a domain cannot")

    host = _SCHEME.sub("", raw)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rpartition("@")[2]
    if host.startswith("["):
        raise InvalidInput(f"{shown} is an IP address; devices need a domain name")
    host, _, port = host.partition(":")
    if port not in ("", "443"):
        # Checking a server on another port (before it goes live) is what --connect-to does.
        name = host.lower().rstrip(".") if re.fullmatch(r"[A-Za-z0-9.-]+", host) else "DOMAIN"
        target = f"{name}:{port}" if port.isdigit() and len(port) <= 5 else f"{name}:PORT"
        raise InvalidInput(
            f"{shown} has port {argument(port, 12)}: devices always ask on port 443, and the "
            f"sign-in domain has no port; to check a server on another port, give {name} "
            f"with --connect-to {name}:443:{target}"
        )
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise InvalidInput(f"{shown} has no domain in it")
    if _is_ip_address(host):
        raise InvalidInput(f"{shown} is an IP address; devices need a domain name")

    _check_lengths(host, shown)
    if host.isascii():
        # Already the wire form: DNS takes any letters-digits-hyphens label, including ones
        # IDNA reserves (`r3---sn-abc.example`), so only the label rule below applies; but
        # an `xn--` label claims to be IDNA, and one that does not decode is no name.
        ascii_name = host.lower()
        if any(label.startswith("xn--") for label in ascii_name.split(".")):
            _check_a_labels(ascii_name, shown)
    else:
        import idna  # only for international names: 1-5 ms to import

        try:
            ascii_name = idna.encode(host, uts46=True).decode("ascii").lower()
        except (idna.IDNAError, UnicodeError, ValueError):
            raise InvalidInput(f"{shown} is not a valid host name") from None

    _check_lengths(ascii_name, shown)
    labels = ascii_name.split(".")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidInput(f"{shown} is not a valid host name")
    if len(labels) < 2:
        raise InvalidInput(f"{shown} is a single-label name; devices need a fully qualified domain")
    if labels[-1].isdigit() or _is_ip_address(ascii_name):
        raise InvalidInput(f"{shown} is not a valid host name")
    return ascii_name


def _check_a_labels(name: str, shown: str) -> None:
    """Raise InvalidInput unless every `xn--` label of `name` is a valid IDNA A-label."""
    import idna  # only for international names: 1-5 ms to import

    for label in name.split("."):
        if not label.startswith("xn--"):
            continue
        try:
            decoded = idna.decode(label)
            valid = idna.encode(decoded).decode("ascii") == label
        except (idna.IDNAError, UnicodeError, ValueError):
            valid = False
        if not valid:
            raise InvalidInput(
                f"{shown} is not a valid host name: {argument(label, 40)} is not a valid "
                "international (xn--) label"
            )


def _check_lengths(name: str, shown: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"{shown} is {len(name)} characters; a domain name has at most {MAX_NAME_LENGTH}"
        )
    longest = max(len(label) for label in name.split("."))
    if longest > MAX_LABEL_LENGTH:
        raise InvalidInput(
            f"{shown} has a label of {longest} characters; a label has at most {MAX_LABEL_LENGTH}"
        )


def normalise_org_id(text: str) -> str:
    """`text` as the organization ID it clearly is: without surrounding spaces, and in lower
    case when it is 24 hex digits in another case (JumpCloud's IDs are lowercase)."""
    value = text.strip()
    return value.lower() if _ORG_ID.match(value.lower()) else value


def validate_org_id(text: str) -> str:
    """Return a JumpCloud organization ID (24 lowercase hex characters; one typed in upper
    case is taken in lower case) or raise InvalidInput."""
    value = normalise_org_id(text)
    problem = org_id_problem(value)
    if problem:
        raise InvalidInput(
            f"organization ID {argument(value, 80)}: {problem}; JumpCloud IDs are 24 lowercase "
            f"hex characters (find yours {ORG_ID_WHERE})"
        )
    return value


def org_id_problem(text: str) -> str | None:
    """What is wrong with `text` as a JumpCloud organization ID, in words; None if nothing.
    (The format is seen in JumpCloud's API examples: 24 lowercase hex characters.)"""
    value = text.strip()
    if _ORG_ID.match(value):
        return None
    if not value:
        return "it is empty"
    if "://" in value or "organization_id=" in value or "/" in value:
        found = re.search(r"organization_id=([0-9a-fA-F]{24})(?![0-9a-fA-F])", value)
        hint = f"; the ID in it is {found.group(1).lower()}" if found else ""
        return f"that is a URL, not the ID: paste only the 24 characters{hint}"
    if any(ch.isspace() for ch in value):
        return "it has a space in it"
    if any(ch in "ABCDEF" for ch in value) and _ORG_ID.match(value.lower()):
        return f"it must be lowercase: {value.lower()}"
    wrong = next((ch for ch in value if ch not in "0123456789abcdefABCDEF"), None)
    if wrong is not None:
        position = value.index(wrong) + 1
        return f"{argument(wrong)} (character {position}) is not a hex digit: only 0-9 and a-f"
    if any(ch in "ABCDEF" for ch in value):
        return "it must be lowercase"
    return f"{len(value)} characters; an organization ID has {ORG_ID_LENGTH}"


def parse_domain_list(text: str) -> tuple[list[str], list[str], list[str]]:
    """The domains in what an admin pasted (domains, e-mails, `Name <e-mail>`, URLs; separated
    by commas, semicolons, new lines or spaces): (domains, problems, notes). A piece whose
    space-separated words are not each a domain is one problem ("has a space in it")."""
    domains: list[str] = []
    problems: list[str] = []
    notes: list[str] = []
    for piece in re.split(r"[,;\n]+", text):
        piece = piece.strip()
        if not piece:
            continue
        words = [piece] if _NAMED_ADDRESS.match(piece) else piece.split()
        found = []
        for word in words:
            try:
                found.append(normalise_domain(word))
            except InvalidInput as error:
                if len(words) == 1:
                    problems.append(str(error))
                else:  # `exa mple.com`: the space is the problem, not the pieces around it
                    problems.append(
                        f"{argument(piece, 80)} has a space in it; a domain cannot "
                        "(separate several domains with commas)"
                    )
                break
        else:
            domains.extend(domain for domain in found if domain not in domains)
    for domain in domains:
        if domain.startswith("www."):
            notes.append(
                f"{display_domain(domain)}: users sign in with the domain of their address "
                f"(ada@{display_domain(domain[4:])} asks {display_domain(domain[4:])}), usually "
                "without www."
            )
    return domains, problems, notes


def domains_in(arguments: list[str]) -> list[str]:
    """The domains in command-line arguments, each read as the wizard reads its domain field
    (`a.com,b.com` is two domains; e-mails and URLs too), in order, each once; InvalidInput
    with the first problem."""
    domains: list[str] = []
    for text in arguments:
        found, problems, _notes = parse_domain_list(text)
        if problems:
            raise InvalidInput(problems[0])
        if not found:
            # Only separators (an empty argument, ","): say so as for an empty target.
            normalise_domain("")
        domains.extend(domain for domain in found if domain not in domains)
    return domains


def display_domain(name: str) -> str:
    """A domain as people write it (bücher.example); the ASCII form (xn--...) is only for
    the wire."""
    if name.isascii() and "xn--" not in name.lower():
        return name  # nothing to decode, and no need to import idna (1-5 ms) to know it
    import idna

    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError, ValueError):
        return name


def is_valid_org_id(text: str) -> bool:
    return bool(_ORG_ID.match(text.strip()))


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
