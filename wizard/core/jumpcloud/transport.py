"""One request to JumpCloud's API: bounded in time and size, retried where safe, and every
failure turned into one clear line.

A `Transport` serves one run: every request it makes, retries and waits included, ends
before `timeout` seconds from its opening (and each exchange, with `request_timeout`, within
that many seconds of leaving: a long run of writes bounds each request, not the run); at
most 4 are in flight at once, over one pool of connections; every answer is read
incrementally up to a size limit. Certificates are checked against certifi's roots plus
the file in `$SSL_CERT_FILE`, and `$HTTPS_PROXY` is honoured (CONNECT): an admin behind a
TLS-inspecting proxy needs both. The key goes into the `x-api-key` header as each request
leaves, and whatever JumpCloud says back is masked.

JumpCloud's OpenAPI documents describe neither 429 nor 503 nor Retry-After for the
endpoints used here: both are handled defensively. JumpCloud's SDK tries a 503 four times.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import ssl
import time
import urllib.request
import zlib
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import certifi
import httpx

from wizard import __version__
from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.errors import ApiError, ErrorKind
from wizard.core.jumpcloud.secret import ApiKey, mask
from wizard.core.shown import argument, printable

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
MAX_IN_FLIGHT = 4
# A page of 100 users with every field at its 1,024-character maximum is about 300 KiB.
MAX_ANSWER_BYTES = 4 * 1024 * 1024
# JumpCloud's SDK tries a 503 four times, waiting 5 s x n; a person waits here: 1 s x n.
MAX_TRIES_UNAVAILABLE = 4
RETRY_BASE = 1.0
# A 429 is retried while the time allowed lasts, but not forever at "Retry-After: 0".
MAX_TRIES_RATE_LIMITED = 10
CERT_FILE_VARIABLE = "SSL_CERT_FILE"
MESSAGE_LIMIT = 300

_READS = frozenset(["GET", "HEAD"])
E = TypeVar("E", bound=BaseException)


@dataclass(frozen=True)
class Answer:
    """A whole answer: `request` is its one-line name, e.g. "GET /api/systemusers"."""

    request: str
    status: int
    body: bytes = field(repr=False)  # it may echo the key: never in a repr or a traceback
    retry_after: float | None = None


def trust_store(environ: Mapping[str, str]) -> ssl.SSLContext:
    """certifi's roots plus the certificates in `$SSL_CERT_FILE`, when set.

    Built here because httpx (0.28 and 0.29), when it builds the context itself, uses
    `$SSL_CERT_FILE` *instead of* certifi's roots: a file holding only a proxy's CA would
    then make JumpCloud's own certificate untrusted whenever the proxy is bypassed.
    Raises InvalidInput when the file cannot be used.
    """
    context = ssl.create_default_context(cafile=certifi.where())
    extra = environ.get(CERT_FILE_VARIABLE, "").strip()
    if extra:
        try:
            context.load_verify_locations(cafile=extra)
        except (OSError, ssl.SSLError, ValueError) as error:
            reason = getattr(error, "strerror", None) or getattr(error, "reason", None)
            raise InvalidInput(
                f"${CERT_FILE_VARIABLE} ({argument(extra, 80)}) cannot be read as CA "
                f"certificates: {printable(str(reason or 'not a PEM file'))}"
            ) from None
    return context


class _KeyHeader(httpx.Auth):
    """Puts the key into `x-api-key` as each request leaves: no header dict and no local
    variable of ours ever holds it."""

    def __init__(self, key: ApiKey) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["x-api-key"] = self._key.header_value()
        yield request


class Transport:
    """`open()` starts the clock and the connection pool, `close()` ends them.

    `org_id`, when set, goes in `x-org-id` on every request that does not opt out.
    `known_org_id` is the organization acted on, sent only when JumpCloud asks for it.
    """

    def __init__(
        self,
        base_url: str,
        key: ApiKey,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        retry_base: float = RETRY_BASE,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        request_timeout: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.request_timeout = request_timeout
        self.retry_base = retry_base
        self.max_answer_bytes = max_answer_bytes
        self.org_id: str | None = None
        self.known_org_id: str | None = None
        self._key = key
        self._environ = os.environ if environ is None else environ
        self._max_in_flight = max_in_flight
        self._slots = asyncio.Semaphore(max_in_flight)
        self._http: httpx.AsyncClient | None = None
        self._deadline = 0.0
        parts = urlsplit(self.base_url)
        self.host = parts.hostname or ""
        self._base_path = parts.path

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r})"

    def open(self) -> None:
        """Raises InvalidInput when `$SSL_CERT_FILE` or the proxy settings cannot be used."""
        context = trust_store(self._environ)
        size = self._max_in_flight
        try:
            self._http = httpx.AsyncClient(
                verify=context,
                trust_env=True,  # $HTTPS_PROXY, $ALL_PROXY, $NO_PROXY
                follow_redirects=False,  # a redirect would carry x-api-key to another host
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                timeout=self.timeout,
                auth=_KeyHeader(self._key),
                headers={
                    "accept": "application/json",
                    "accept-encoding": "gzip",
                    "user-agent": f"adue-wizard/{__version__}",
                },
            )
        except (ImportError, ValueError):
            # httpx's message names the proxy URL, which may hold a password.
            raise InvalidInput(
                f"the proxy in {self.proxy_variable() or '$HTTPS_PROXY'} cannot be used: give "
                "an http:// or https:// proxy URL"
            ) from None
        self._deadline = asyncio.get_running_loop().time() + self.timeout

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def path(self, path: str) -> str:
        """A request's path as the server sees it: /systemusers -> /api/systemusers."""
        return self._base_path + path

    def remaining(self) -> float:
        return self._deadline - asyncio.get_running_loop().time()

    def _exchange_deadline(self) -> float:
        """When the exchange starting now must end: the run's deadline, or sooner with
        `request_timeout` (counted once a slot is free, not while waiting for one)."""
        if self.request_timeout is None:
            return self._deadline
        return min(self._deadline, asyncio.get_running_loop().time() + self.request_timeout)

    def _allowed(self) -> float:
        """The seconds named when time ran out: the bound that applied."""
        if self.request_timeout is not None and self.request_timeout < self.timeout:
            return self.request_timeout
        return self.timeout

    # Sending, with the retries.

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
        org_header: bool = True,
        retry_writes: bool = False,
        tolerate: tuple[int, ...] = (),
    ) -> Answer:
        """Send until an answer that is neither a 429 nor a 503 to retry; a status of 300 or
        more not in `tolerate` is raised as an ApiError.

        429: wait as Retry-After says (else a short backoff), never past the deadline. 503:
        up to 4 tries with a growing wait, for reads (and writes with `retry_writes`): a
        write that answered 503 may have been applied, and only the caller knows whether
        repeating it is safe.
        """
        retry_unavailable = method in _READS or retry_writes
        rate_limited = unavailable = 0
        started = time.monotonic()
        while True:
            sent_org = org_header and self.org_id is not None
            answer = await self._once(method, path, query, body, org_header)
            if self._org_header_was_wrong(answer, sent_org, org_header):
                if sent_org:  # "ID included on unsupported route": this route goes without
                    org_header = False
                continue
            if answer.status == 429:
                rate_limited += 1
                wait = answer.retry_after
                if wait is None:
                    wait = min(self.retry_base * rate_limited, 5.0)
                if rate_limited >= MAX_TRIES_RATE_LIMITED or wait > self.remaining():
                    raise self._rate_limited(answer, wait, started)
                log.debug("%s: 429, waiting %.2f s", answer.request, wait)
                await asyncio.sleep(wait)
                continue
            if answer.status == 503:
                unavailable += 1
                if not retry_unavailable:
                    raise self.status_error(answer, kind=ErrorKind.UNAVAILABLE)
                wait = answer.retry_after
                if wait is None:
                    wait = self.retry_base * unavailable
                if unavailable < MAX_TRIES_UNAVAILABLE and wait <= self.remaining():
                    log.debug("%s: 503, waiting %.2f s", answer.request, wait)
                    await asyncio.sleep(wait)
                    continue
                tries = f"{unavailable} {'try' if unavailable == 1 else 'tries'}"
                if unavailable < MAX_TRIES_UNAVAILABLE:
                    tries += f", no time left for another within {self.timeout:g} s"
                raise self.status_error(answer, f" ({tries})", ErrorKind.UNAVAILABLE)
            if answer.status < 300 or answer.status in tolerate:
                return answer
            raise self.status_error(answer)

    def _org_header_was_wrong(self, answer: Answer, sent: bool, allowed: bool) -> bool:
        """Whether JumpCloud refused the request for its x-org-id alone, in the words its
        document gives (v1 lines 238-244): "401 ID not included for multi-tenant admin" (a
        multi-tenant key that reaches one organization: the header is sent from now on) or
        "403 ID included on unsupported route" (retried once without it)."""
        if answer.status not in (401, 403):
            return False
        said = (self.jumpcloud_message(answer.body) or "").lower()
        asked_for = not sent and allowed and "not included for multi-tenant" in said
        if answer.status == 401 and asked_for and self.known_org_id:
            log.debug("%s: a multi-tenant key; x-org-id from now on", answer.request)
            self.org_id = self.known_org_id
            return True
        return answer.status == 403 and sent and "unsupported route" in said

    async def _once(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None,
        body: dict[str, Any] | None,
        org_header: bool,
    ) -> Answer:
        assert self._http is not None, "open() the transport first"
        request = f"{method} {self.path(path)}"
        url = self.base_url + path
        if query:
            # Spaces as %20: httpx would write "+", which only form decoders read as a space.
            url += "?" + urlencode(query, quote_via=quote)
        headers = {"x-org-id": self.org_id} if org_header and self.org_id else {}
        failure: ApiError
        try:
            async with asyncio.timeout_at(self._deadline):
                async with self._slots:
                    started = time.monotonic()
                    async with asyncio.timeout_at(self._exchange_deadline()) as bound:
                        answer = await self._exchange(
                            request, method, url, headers, body, bound.when()
                        )
            log.debug("%s: %d in %.3f s", request, answer.status, time.monotonic() - started)
            return answer
        except (TimeoutError, httpx.TimeoutException):
            failure = ApiError(
                ErrorKind.TIMEOUT,
                f"{request}: no answer within the {self._allowed():g} s allowed for JumpCloud's "
                "API",
                request=request,
            )
        except httpx.ProxyError as error:
            failure = ApiError(
                ErrorKind.PROXY,
                f"{request}: the proxy ({self.proxy_variable() or 'from the environment'}) "
                f"refused to connect to {self.host}: {printable(str(error))[:200]}",
                request=request,
            )
        except httpx.TransportError as error:
            failure = self._transport_error(request, error)
        # Raised outside the handler, so that httpx's exception is not chained to it: its
        # frames hold the request's headers, the key among them.
        raise failure

    async def _exchange(
        self,
        request: str,
        method: str,
        url: str,
        headers: dict[str, str],
        body: dict[str, Any] | None,
        deadline: float | None = None,
    ) -> Answer:
        assert self._http is not None
        end = self._deadline if deadline is None else deadline
        timeout = max(end - asyncio.get_running_loop().time(), 0.001)
        sent = self._http.build_request(method, url, headers=headers, json=body, timeout=timeout)
        response = await self._http.send(sent, stream=True)
        try:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_answer_bytes:
                raise self._too_large(request, int(length))
            data = await self._read(request, response)
        finally:
            await response.aclose()
        return Answer(request, response.status_code, data, _retry_after(response.headers))

    async def _read(self, request: str, response: httpx.Response) -> bytes:
        """The body, decompressed, at most `max_answer_bytes` of it: an endless or huge
        answer (or a compression bomb) stops as soon as it passes the limit."""
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            decoder = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            decoder = zlib.decompressobj(47)  # 32 + 15: a gzip or zlib header, detected
        else:
            raise ApiError(
                ErrorKind.BAD_ANSWER,
                f"{request}: the answer is encoded as {argument(encoding, 40)}, which was not "
                "asked for",
                request=request,
            )
        limit = self.max_answer_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            async for raw in response.aiter_raw():
                pending = raw
                while pending:
                    if decoder is None:
                        piece, pending = pending, b""
                    else:
                        piece = decoder.decompress(pending, limit - size + 1)
                        pending = decoder.unconsumed_tail
                    size += len(piece)
                    if size > limit:
                        raise self._too_large(request, None)
                    chunks.append(piece)
        except zlib.error:
            raise ApiError(
                ErrorKind.BAD_ANSWER,
                f"{request}: the compressed answer is corrupt",
                request=request,
            ) from None
        return b"".join(chunks)

    # Reading answers.

    def json(self, answer: Answer) -> Any:
        """The answer's JSON; an ApiError (`bad_answer`) when it is not JSON."""
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):
            raise ApiError(
                ErrorKind.BAD_ANSWER,
                f"{answer.request}: the answer ({answer.status}, {len(answer.body):,} bytes) is "
                "not JSON",
                request=answer.request,
                status=answer.status,
            ) from None

    def jumpcloud_message(self, body: bytes) -> str | None:
        """The `message` of an `Error` body (v1 lines 7321-7334, v2 62790-62809), masked
        and printable, or None."""
        try:
            record = json.loads(body)
        except (ValueError, RecursionError):
            return None
        message = record.get("message") if isinstance(record, dict) else None
        if not isinstance(message, str) or not message.strip():
            return None
        shown = printable(mask(message.strip(), self._key))
        return shown if len(shown) <= MESSAGE_LIMIT else shown[:MESSAGE_LIMIT] + "…"

    # Failures, one line each.

    def status_error(
        self, answer: Answer, note: str = "", kind: ErrorKind | None = None
    ) -> ApiError:
        """What an answer's status means; `note` follows the status, `kind` overrides."""
        status = answer.status
        said = self.jumpcloud_message(answer.body)
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        line = f"{answer.request}: {status} {phrase}".rstrip() + note
        if said:
            line += f'; JumpCloud says "{said}"'
        if kind is None and status in (401, 403):
            kind = ErrorKind.KEY_REFUSED
            line += (
                f". {self.host} did not accept the API key: check it (a key works only in "
                "its own region: us, eu or in)"
                if status == 401
                else ". The API key is not allowed this request"
            )
        elif kind is None and status == 404:
            kind = ErrorKind.NOT_FOUND
        elif kind is None:
            kind = ErrorKind.HTTP_ERROR
            if 300 <= status < 400:
                line += " (a redirect: not followed, the API key goes only where it was sent)"
        return ApiError(kind, line, request=answer.request, status=status, jumpcloud_message=said)

    def _rate_limited(self, answer: Answer, wait: float, started: float) -> ApiError:
        said = self.jumpcloud_message(answer.body)
        if answer.retry_after is not None:
            asked = f"asked to wait {wait:g} s"
        else:
            asked = f"is still refusing after {time.monotonic() - started:.1f} s"
        left = max(self.remaining(), 0.0)
        line = (
            f"{answer.request}: JumpCloud is rate limiting the requests (429 Too Many "
            f"Requests) and {asked}; {left:.1f} s were left of the {self.timeout:g} s allowed"
        )
        if said:
            line += f'; JumpCloud says "{said}"'
        return ApiError(
            ErrorKind.RATE_LIMITED,
            line,
            request=answer.request,
            status=429,
            retry_after=answer.retry_after,
            jumpcloud_message=said,
        )

    def _too_large(self, request: str, size: int | None) -> ApiError:
        told = f" ({size:,} bytes)" if size is not None else ""
        return ApiError(
            ErrorKind.TOO_LARGE,
            f"{request}: the answer is too large{told}; at most {self.max_answer_bytes:,} "
            "bytes are read",
            request=request,
        )

    def _transport_error(self, request: str, error: httpx.TransportError) -> ApiError:
        untrusted = _cause(error, ssl.SSLCertVerificationError)
        if untrusted is not None:
            reason = untrusted.verify_message or untrusted.reason or "certificate verify failed"
            return ApiError(
                ErrorKind.TLS_UNTRUSTED,
                f"{request}: the certificate of {self.host} is not trusted "
                f"({printable(str(reason))}); behind a TLS-inspecting proxy, add its CA "
                f"certificate with ${CERT_FILE_VARIABLE}=<PEM file>",
                request=request,
            )
        tls = _cause(error, ssl.SSLError)
        if tls is not None:
            return ApiError(
                ErrorKind.TLS,
                f"{request}: the TLS handshake with {self.host} failed "
                f"({printable(str(tls.reason or tls))})",
                request=request,
            )
        proxy = self.proxy_variable()
        through = f" through the proxy in {proxy}" if proxy else ""
        detail = printable(str(error) or type(error).__name__)[:200]
        if isinstance(error, httpx.ConnectError):
            line = f"{request}: cannot connect to {self.host}{through}: {detail}"
        else:
            line = f"{request}: the connection to {self.host}{through} broke off: {detail}"
        return ApiError(ErrorKind.CONNECTION, line, request=request)

    def proxy_variable(self) -> str | None:
        """Which variable's proxy applies to the API's host: its name, never its value (a
        proxy URL may carry a password)."""
        proxies = urllib.request.getproxies()
        if not self.host or urllib.request.proxy_bypass(self.host):
            return None
        for scheme in ("https", "all"):
            if proxies.get(scheme):
                return f"${scheme.upper()}_PROXY"
        return None


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds, from a number of seconds or an HTTP date (RFC 9110 10.2.3);
    None when absent or unreadable."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{1,9}(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _cause(error: BaseException, kind: type[E]) -> E | None:
    """The first exception of type `kind` in `error`'s chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
