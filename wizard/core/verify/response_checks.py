"""The checks of one domain as they are recorded, and the checks of the final response:
status, content type, body and the discovery document (steps 4 to 8 of a device's request),
plus the judgement of the optional enrollment probe."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from wizard.core.document import DocumentError, check_rules, load_json, parse_document
from wizard.core.verify.body_decoding import BodyDecoder, BodyNotDecodable, BodyTooLarge
from wizard.core.verify.results import CHECK_ORDER, Check, DomainReport, Status

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
WELL_KNOWN_FAILED = "com.apple.well-known.failed"

OnCheck = Callable[[str, Check], None]


@dataclass
class CheckRun:
    """The checks of one domain as they are made; knows which step is in progress, so the
    deadline can be charged to it."""

    report: DomainReport
    on_check: OnCheck | None
    prefix: str = ""
    current: str = "dns"
    done: set[str] = field(default_factory=set)
    # What the network is doing now, e.g. ("the TLS handshake", "example.com"); the
    # transport reports each phase as it starts, so a deadline can name what was slow.
    phase: tuple[str, str] = ("resolving", "")
    on_phase: Callable[[str, str], None] | None = None
    # Why this run's pinned address could not be tried from this machine (no route), if so.
    no_route: str | None = None

    def enter_phase(self, phase: str, where: str) -> None:
        self.phase = (phase, where)
        if self.on_phase:
            self.on_phase(phase, where)

    def record(self, check_id: str, status: Status, summary: str, code: str | None = None) -> None:
        check = Check(check_id, status, self.prefix + summary, code)
        self.report.checks.append(check)
        self.done.add(check_id)
        if self.on_check:
            self.on_check(self.report.domain, check)

    def skip_rest(self, reason: str) -> None:
        for check_id in CHECK_ORDER:
            if check_id not in self.done:
                self.record(check_id, "skip", reason)


async def check_status(run: CheckRun, response: httpx.Response) -> bool:
    """200 passes; anything else is `bad_status`, naming Apple's refusal when it is one."""
    status = response.status_code
    if status == 200:
        run.record("status", "pass", "200 OK")
        return True
    reason = response.reason_phrase or ""
    if status in REDIRECT_STATUSES or 300 <= status < 400:
        summary = f"{status} {reason} without a Location header".replace("  ", " ")
    elif status == 403 and (refusal := await _apple_refusal(response)):
        summary = f"403 {WELL_KNOWN_FAILED}: {refusal}"
    else:
        summary = f"{status} {reason}".strip() + f" from {response.request.url}"
    run.record("status", "fail", summary, "bad_status")
    return False


def check_content_type(run: CheckRun, response: httpx.Response) -> None:
    """Only application/json (with parameters) passes."""
    header = response.headers.get("content-type")
    if header is None:
        run.record("content_type", "fail", "no Content-Type header", "bad_content_type")
        return
    media = header.split(";", 1)[0].strip().lower()
    if media == "application/json":
        run.record("content_type", "pass", header)
    else:
        run.record(
            "content_type",
            "fail",
            f"served as {header!r}; devices need application/json",
            "bad_content_type",
        )


async def read_body(run: CheckRun, response: httpx.Response, limit: int) -> str | None:
    """The body as text, read as a stream and decoded as the device does (gzip, deflate,
    br); cut off past `limit` bytes, sent or decoded; None on failure."""
    declared = _declared_length(response)
    if declared == -1:
        run.record("body", "fail", "the Content-Length header is not a number", "body_too_large")
        return None
    if declared is not None and declared > limit:
        run.record(
            "body",
            "fail",
            f"Content-Length is {declared} bytes; limit {limit}",
            "body_too_large",
        )
        return None
    encoding = response.headers.get("content-encoding")
    chunks: list[bytes] = []
    received = 0
    try:
        decoder = BodyDecoder(encoding, limit)
        async for raw in response.aiter_raw():
            received += len(raw)
            if received > limit:
                run.record("body", "fail", f"more than {limit} bytes", "body_too_large")
                return None
            chunks.append(decoder.feed(raw))
    except BodyTooLarge:
        run.record(
            "body",
            "fail",
            f"the {encoding} body decodes to more than {limit} bytes",
            "body_too_large",
        )
        return None
    except BodyNotDecodable as error:
        run.record("body", "fail", f"the body could not be decoded ({error})", "unreadable_body")
        return None
    except httpx.HTTPError:
        if declared is not None and response.num_bytes_downloaded < declared:
            run.record(
                "body",
                "fail",
                f"Content-Length says {declared} bytes but the server sent "
                f"{response.num_bytes_downloaded} and closed",
                "body_too_large",
            )
        else:
            run.record(
                "body",
                "fail",
                f"the connection was cut after {received} bytes of the body",
                "unreadable_body",
            )
        return None
    body = b"".join(chunks)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        run.record(
            "body",
            "fail",
            f"the body is not UTF-8 (byte 0x{body[error.start]:02x} at offset {error.start})",
            "unreadable_body",
        )
        return None
    size = f"{len(body)} bytes" + (f" ({encoding}, {received} sent)" if encoding else "")
    if text.startswith("\ufeff"):
        run.record("body", "warn", f"{size}, UTF-8 with a byte-order mark", "utf8_bom")
        return text[1:]
    run.record("body", "pass", f"{size}, UTF-8")
    return text


def check_document(run: CheckRun, text: str, *, jumpcloud: bool) -> str | None:
    """JSON, the Apple shape, then the provider rules; the BaseURL when it is usable."""
    if not text.strip():
        run.record("json", "fail", "the body is empty", "bad_json")
        return None
    try:
        data = load_json(text)
        run.report.document = data
        document = parse_document(data)
    except DocumentError as error:
        if error.code == "bad_config":
            run.record("json", "pass", "JSON with a Servers array")
            run.current = "config"
        run.record(run.current, "fail", error.message, error.code)
        return None
    findings = check_rules(document, jumpcloud=jumpcloud)
    servers = [finding for finding in findings if finding.code == "multiple_servers"]
    if servers:
        run.record("json", "warn", servers[0].message, servers[0].code)
    else:
        run.record("json", "pass", "JSON with one server")
    run.current = "config"
    rest = [finding for finding in findings if finding.code != "multiple_servers"]
    if rest:
        worst = rest[0]
        run.record("config", worst.severity, worst.message, worst.code)
        if worst.severity == "fail":
            return None
    else:
        run.record("config", "pass", f'Version "{document.version}", BaseURL {document.base_url}')
    return document.base_url


def judge_probe(response: httpx.Response) -> tuple[Status, str, str | None]:
    status = response.status_code
    challenge = response.headers.get("www-authenticate", "")
    if status == 401:
        if re.search(r"\bbearer\b", challenge, re.I) and re.search(
            r'method\s*=\s*"?apple-as-web"?', challenge, re.I
        ):
            url = re.search(r'url\s*=\s*"([^"]*)"', challenge, re.I)
            if url:
                return "pass", f'401 with Bearer method="apple-as-web", url={url.group(1)}', None
            return "fail", "401 apple-as-web challenge without a url", "enroll_probe_failed"
        return (
            "fail",
            f"401 without an apple-as-web challenge (WWW-Authenticate: {challenge!r})",
            "enroll_probe_failed",
        )
    if status in (400, 403):
        return (
            "warn",
            f"{status}: inconclusive; the MDM refused a test request",
            "probe_inconclusive",
        )
    return "fail", f"{status} {response.reason_phrase}; expected 401", "enroll_probe_failed"


def _declared_length(response: httpx.Response) -> int | None:
    """Content-Length as an int, None when absent, -1 when it is not a number."""
    value = response.headers.get("content-length")
    if value is None:
        return None
    value = value.split(",")[0].strip()
    return int(value) if value.isdigit() else -1


async def _apple_refusal(response: httpx.Response) -> str | None:
    """The message of a `com.apple.well-known.failed` refusal body, if that is what it is."""
    body = b""
    try:
        decoder = BodyDecoder(response.headers.get("content-encoding"), 8192)
        sent = 0
        async for chunk in response.aiter_raw():
            sent += len(chunk)
            if sent > 65536:
                return None
            body += decoder.feed(chunk)
        data = load_json(body.decode("utf-8"))
    except (httpx.HTTPError, UnicodeDecodeError, DocumentError, BodyTooLarge, BodyNotDecodable):
        return None
    if isinstance(data, dict) and data.get("code") == WELL_KNOWN_FAILED:
        message = data.get("message") or data.get("description") or ""
        return str(message)
    return None
