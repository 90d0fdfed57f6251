"""The checks of the final response: status, content type, body and the discovery document
(steps 4 to 8 of a device's request), plus the judgement of the optional enrollment probe."""

from __future__ import annotations

import re

import httpx

from wizard.core.codes import CheckId, Code, Status
from wizard.core.document import DocumentError, check_rules, load_json, parse_document
from wizard.core.protocol import WELL_KNOWN_FAILED
from wizard.core.verify.body_decoding import BodyDecoder, BodyNotDecodable, BodyTooLarge
from wizard.core.verify.check_run import CheckRun

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


async def check_status(run: CheckRun, response: httpx.Response) -> bool:
    """200 passes; anything else is `bad_status`, naming Apple's refusal when it is one."""
    status = response.status_code
    if status == 200:
        run.record(CheckId.STATUS, "pass", "200 OK")
        return True
    reason = response.reason_phrase or ""
    if status in REDIRECT_STATUSES or 300 <= status < 400:
        summary = f"{status} {reason} without a Location header".replace("  ", " ")
    elif status == 403 and (refusal := await _apple_refusal(response)):
        summary = f"403 {WELL_KNOWN_FAILED}: {refusal}"
    else:
        summary = f"{status} {reason}".strip() + f" from {response.request.url}"
    run.record(CheckId.STATUS, "fail", summary, Code.BAD_STATUS)
    return False


def check_content_type(run: CheckRun, response: httpx.Response) -> None:
    """Only application/json (with parameters) passes."""
    header = response.headers.get("content-type")
    if header is None:
        run.record(CheckId.CONTENT_TYPE, "fail", "no Content-Type header", Code.BAD_CONTENT_TYPE)
        return
    media = header.split(";", 1)[0].strip().lower()
    if media == "application/json":
        run.record(CheckId.CONTENT_TYPE, "pass", header)
    else:
        run.record(
            CheckId.CONTENT_TYPE,
            "fail",
            f"served as {header!r}; devices need application/json",
            Code.BAD_CONTENT_TYPE,
        )


async def read_body(run: CheckRun, response: httpx.Response, limit: int) -> str | None:
    """The body as text, read as a stream and decoded as the device does (gzip, deflate,
    br); cut off past `limit` bytes, sent or decoded; None on failure."""
    declared = _declared_length(response)
    if declared == -1:
        run.record(
            CheckId.BODY, "fail", "the Content-Length header is not a number", Code.BODY_TOO_LARGE
        )
        return None
    if declared is not None and declared > limit:
        run.record(
            CheckId.BODY,
            "fail",
            f"Content-Length is {declared} bytes; limit {limit}",
            Code.BODY_TOO_LARGE,
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
                run.record(CheckId.BODY, "fail", f"more than {limit} bytes", Code.BODY_TOO_LARGE)
                return None
            chunks.append(decoder.feed(raw))
    except BodyTooLarge:
        run.record(
            CheckId.BODY,
            "fail",
            f"the {encoding} body decodes to more than {limit} bytes",
            Code.BODY_TOO_LARGE,
        )
        return None
    except BodyNotDecodable as error:
        run.record(
            CheckId.BODY, "fail", f"the body could not be decoded ({error})", Code.UNREADABLE_BODY
        )
        return None
    except httpx.HTTPError:
        if declared is not None and response.num_bytes_downloaded < declared:
            run.record(
                CheckId.BODY,
                "fail",
                f"Content-Length says {declared} bytes but the server sent "
                f"{response.num_bytes_downloaded} and closed",
                Code.BODY_TOO_LARGE,
            )
        else:
            run.record(
                CheckId.BODY,
                "fail",
                f"the connection was cut after {received} bytes of the body",
                Code.UNREADABLE_BODY,
            )
        return None
    body = b"".join(chunks)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        run.record(
            CheckId.BODY,
            "fail",
            f"the body is not UTF-8 (byte 0x{body[error.start]:02x} at offset {error.start})",
            Code.UNREADABLE_BODY,
        )
        return None
    size = f"{len(body)} bytes" + (f" ({encoding}, {received} sent)" if encoding else "")
    if text.startswith("\ufeff"):
        run.record(CheckId.BODY, "warn", f"{size}, UTF-8 with a byte-order mark", Code.UTF8_BOM)
        return text[1:]
    run.record(CheckId.BODY, "pass", f"{size}, UTF-8")
    return text


def check_document(run: CheckRun, text: str) -> str | None:
    """JSON, the Apple shape, then Apple's rules; the BaseURL when it is usable (a preset's
    own rules judge the finished report, see preset_checks)."""
    if not text.strip():
        run.record(CheckId.JSON, "fail", "the body is empty", Code.BAD_JSON)
        return None
    try:
        data = load_json(text)
        run.report.document = data
        document = parse_document(data)
    except DocumentError as error:
        if error.code == Code.BAD_CONFIG:
            run.record(CheckId.JSON, "pass", "JSON with a Servers array")
            run.current = CheckId.CONFIG
        run.record(run.current, "fail", error.message, error.code)
        return None
    findings = check_rules(document)
    servers = [finding for finding in findings if finding.code == Code.MULTIPLE_SERVERS]
    if servers:
        run.record(CheckId.JSON, "warn", servers[0].message, servers[0].code)
    else:
        run.record(CheckId.JSON, "pass", "JSON with one server")
    run.current = CheckId.CONFIG
    rest = [finding for finding in findings if finding.code != Code.MULTIPLE_SERVERS]
    if rest:
        worst = rest[0]
        run.record(CheckId.CONFIG, worst.severity, worst.message, worst.code)
        if worst.severity == "fail":
            return None
    else:
        run.record(
            CheckId.CONFIG, "pass", f'Version "{document.version}", BaseURL {document.base_url}'
        )
    return document.base_url


def judge_probe(response: httpx.Response) -> tuple[Status, str, Code | None]:
    status = response.status_code
    challenge = response.headers.get("www-authenticate", "")
    if status == 401:
        if re.search(r"\bbearer\b", challenge, re.I) and re.search(
            r'method\s*=\s*"?apple-as-web"?', challenge, re.I
        ):
            url = re.search(r'url\s*=\s*"([^"]*)"', challenge, re.I)
            if url:
                return "pass", f'401 with Bearer method="apple-as-web", url={url.group(1)}', None
            return "fail", "401 apple-as-web challenge without a url", Code.ENROLL_PROBE_FAILED
        return (
            "fail",
            f"401 without an apple-as-web challenge (WWW-Authenticate: {challenge!r})",
            Code.ENROLL_PROBE_FAILED,
        )
    if status in (400, 403):
        return (
            "warn",
            f"{status}: inconclusive; the MDM refused a test request",
            Code.PROBE_INCONCLUSIVE,
        )
    return "fail", f"{status} {response.reason_phrase}; expected 401", Code.ENROLL_PROBE_FAILED


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
