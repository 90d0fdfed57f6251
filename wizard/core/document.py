"""The service-discovery document an Apple device expects, and the rules it must meet.

    {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.net/enroll"}]}

The device reads the first item of `Servers` only. JumpCloud supports `mdm-byod`
(user enrollment) and not `mdm-adde` (account-driven device enrollment).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from wizard.core.codes import Code
from wizard.core.protocol import DEVICE_ENROLLMENT, KNOWN_VERSIONS, USER_ENROLLMENT

Severity = Literal["warn", "fail"]

# A file saved by many Windows editors starts with a byte-order mark; devices read past it.
# The same words wherever it is found: a served document, an imported or given file.
BOM_PROBLEM = "The file starts with a UTF-8 byte-order mark."
BOM_FIX = "Save the file as UTF-8 without BOM (many Windows editors add one)."


@dataclass(frozen=True)
class DocumentError(Exception):
    """The document cannot be used; `code` is `bad_json` (shape) or `bad_config` (values)."""

    code: Code
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Finding:
    """Something about a well-formed document worth telling the admin."""

    severity: Severity
    code: Code
    message: str


@dataclass(frozen=True)
class DiscoveryDocument:
    version: str
    base_url: str
    server_count: int
    raw: dict[str, Any]


def parse_document_text(text: str) -> DiscoveryDocument:
    """Parse JSON text and check its shape; raises DocumentError."""
    return parse_document(load_json(text))


# Deeper than any discovery document can be; far below Python's recursion limit, which the
# JSON decoder shares with whatever called it.
MAX_NESTING = 200


def load_json(text: str) -> Any:
    """json.loads that turns every way JSON can fail (deep nesting included) into DocumentError."""
    if text.count("[") + text.count("{") > MAX_NESTING and _nesting(text) > MAX_NESTING:
        # Refused before parsing: the decoder's RecursionError, raised deep in a busy event
        # loop's stack, can leave too little stack to report even itself.
        raise DocumentError(
            Code.BAD_JSON, "the JSON is nested too deeply to be a discovery document"
        )
    try:
        return json.loads(text)
    except RecursionError:
        raise DocumentError(
            Code.BAD_JSON, "the JSON is nested too deeply to be a discovery document"
        ) from None
    except ValueError as error:  # JSONDecodeError, and int-too-long from huge numbers
        raise DocumentError(Code.BAD_JSON, f"the body is not JSON ({_first_line(error)})") from None


def _nesting(text: str) -> int:
    """How deep arrays and objects nest in `text` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_document(data: Any) -> DiscoveryDocument:
    """Check the Apple schema's shape; Version/BaseURL problems are `bad_config`."""
    if not isinstance(data, dict):
        raise DocumentError(
            Code.BAD_JSON, f'the JSON is {_kind(data)}, not an object like {{"Servers": [...]}}'
        )
    if "Servers" not in data:
        close = [key for key in data if isinstance(key, str) and key.lower() == "servers"]
        hint = f' (found "{close[0]}"; the key is case-sensitive)' if close else ""
        raise DocumentError(Code.BAD_JSON, f'the JSON has no "Servers" key{hint}')
    servers = data["Servers"]
    if not isinstance(servers, list) or not servers:
        raise DocumentError(Code.BAD_JSON, '"Servers" must be a non-empty array')
    first = servers[0]
    if not isinstance(first, dict):
        raise DocumentError(
            Code.BAD_JSON, f'the first item of "Servers" is {_kind(first)}, not an object'
        )
    version = first.get("Version")
    base_url = first.get("BaseURL")
    if not isinstance(version, str) or not version:
        raise DocumentError(Code.BAD_CONFIG, 'the first server has no "Version" string')
    if not isinstance(base_url, str) or not base_url:
        raise DocumentError(Code.BAD_CONFIG, 'the first server has no "BaseURL" string')
    return DiscoveryDocument(
        version=version, base_url=base_url, server_count=len(servers), raw=data
    )


def check_rules(document: DiscoveryDocument) -> list[Finding]:
    """Apple's rules on a well-shaped document, for any MDM (a preset adds its own): fails
    first, then warnings."""
    findings: list[Finding] = []
    if document.version == DEVICE_ENROLLMENT:
        findings.append(
            Finding(
                "warn",
                Code.VERSION_DEVICE_ENROLLMENT,
                f'Version is "{DEVICE_ENROLLMENT}" (device enrollment); '
                f'user enrollment is "{USER_ENROLLMENT}"',
            )
        )
    elif document.version not in KNOWN_VERSIONS:
        findings.append(
            Finding(
                "fail",
                Code.BAD_CONFIG,
                f'Version is "{document.version}"; expected "{USER_ENROLLMENT}"',
            )
        )
    problem = base_url_problem(document.base_url)
    if problem:
        findings.append(Finding("fail", Code.BAD_CONFIG, problem))
    extra = _unexpected_keys(document.raw["Servers"])
    if extra:
        findings.append(Finding("warn", Code.UNEXPECTED_KEYS, extra))
    if document.server_count > 1:
        findings.append(
            Finding(
                "warn",
                Code.MULTIPLE_SERVERS,
                f'"Servers" has {document.server_count} items; devices use only the first',
            )
        )
    findings.sort(key=lambda finding: finding.severity != "fail")
    return findings


# The keys a `Servers` entry may have: the iOS 26 client code (WellKnownResponseServer)
# fails an entry with any other key ("Unexpected payload keys"); Apple's documentation is
# silent, hence a warning rather than a failure.
SERVER_KEYS = ("Version", "BaseURL")


def _unexpected_keys(servers: list[Any]) -> str | None:
    for index, server in enumerate(servers, 1):
        if not isinstance(server, dict):
            continue
        extra = [str(key) for key in server if key not in SERVER_KEYS]
        if extra:
            listed = ", ".join(json.dumps(key) for key in extra)
            return (
                f"Servers item {index} has keys other than Version and BaseURL ({listed}): "
                "the iOS 26 client code rejects such an entry, while Apple's documentation "
                "does not say so"
            )
    return None


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a BaseURL (absolute https with a host), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"BaseURL {url!r} is not a valid URL"
    if parts.scheme != "https":
        return f"BaseURL {url!r} must be an absolute https:// URL"
    if not parts.hostname:
        return f"BaseURL {url!r} has no host"
    return None


def build_document(base_url: str, version: str = USER_ENROLLMENT) -> str:
    """The discovery document for `base_url`, as the text to publish."""
    problem = base_url_problem(base_url)
    if problem:
        raise DocumentError(Code.BAD_CONFIG, problem)
    document = {"Servers": [{"Version": version, "BaseURL": base_url}]}
    return json.dumps(document, indent=2) + "\n"


def _kind(value: Any) -> str:
    names = {
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        dict: "an object",
    }
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:120]


# A discovery document is a few hundred bytes; the same ceiling as `verify --max-bytes`.
MAX_DOCUMENT_FILE_BYTES = 64 * 1024


class DocumentFileError(ValueError):
    """A document file that cannot be read: the message says why, in words for one line."""


def read_document_file(path: Path) -> str:
    """The text of a downloaded discovery document (UTF-8, at most 64 KiB), read bounded:
    the path may name a folder, a device or something huge. For `--json-file` and the
    wizard's import alike."""
    if path.is_dir():
        raise DocumentFileError("is a directory, not a file")
    if not path.is_file():
        raise DocumentFileError("no such file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_FILE_BYTES + 1)
    except OSError as error:
        raise DocumentFileError(error.strerror or "cannot be read") from None
    if len(data) > MAX_DOCUMENT_FILE_BYTES:
        raise DocumentFileError(f"is larger than {MAX_DOCUMENT_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentFileError("is not UTF-8 text") from None
