"""A stand-in for JumpCloud's REST API: a real HTTPS server on loopback for client tests.

Written from JumpCloud's published OpenAPI documents, repository
TheJumpCloud/jumpcloud-docs-public: `docs/api/1.0/index.yaml` ("v1" below, served under
/api) and `docs/api/2.0/index.yaml` ("v2", served under /api/v2). Each behaviour copies what
the document describes, and the comments cite the lines it comes from; where the document
is silent the comment says so and says what the stand-in does instead. The behaviours a
real service has but the documents do not describe (429 with Retry-After, 503, latency,
stalls, huge or broken bodies) are switched on by a test, never on by default.

Served: GET /api/systemusers, GET and PUT /api/systemusers/{id}, GET /api/organizations,
GET /api/v2/applemdms and GET /api/v2/applemdms/{organizationObjectId}/
account-driven-service-discovery[/config]. Every request is counted by (method, path), and
the most requests in flight at once is kept (`peak_in_flight`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.support.jumpcloud_rules import (
    MEGABYTE,
    WRITABLE,
    Answer,
    Fault,
    QueryError,
    check_field,
    encode,
    integer,
    invalid,
    misbehave,
    page,
    project,
    v1_error,
    words,
)
from tests.support.jumpcloud_state import (
    OBJECT_ID,
    AdueConfig,
    ApiKey,
    AppleMdm,
    JumpCloudState,
    Organization,
    User,
    base64_id,
    hostile_users,
    make_user,
    make_users,
    object_id,
)
from tests.support.loopback import LoopbackServer

__all__ = [
    "CERTIFICATE_NAMES",
    "AdueConfig",
    "ApiKey",
    "AppleMdm",
    "Fault",
    "JumpCloudStandIn",
    "JumpCloudState",
    "Organization",
    "Request",
    "StartStandIn",
    "User",
    "Write",
    "base64_id",
    "hostile_users",
    "make_user",
    "make_users",
    "object_id",
]

CERTIFICATE_NAMES = (
    "127.0.0.1",
    "::1",
    "localhost",
    # The three regional servers of both documents (v1 lines 2-11, v2 lines 2-11).
    "console.jumpcloud.com",
    "console.eu.jumpcloud.com",
    "console.in.jumpcloud.com",
)


@dataclass
class Request:
    """One request as the stand-in received it (header names in lower case).

    `time` is `time.monotonic()` when it had arrived whole.
    """

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    time: float = field(default_factory=time.monotonic)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class Write:
    """One PUT of a user, accepted or not: `status` is what the stand-in answered.

    `body` is the parsed JSON (the raw bytes if it was not JSON); `time` is the request's
    `time.monotonic()`.
    """

    method: str
    path: str
    user_id: str
    body: Any
    time: float
    status: int
    org_id: str


class JumpCloudStandIn(LoopbackServer):
    """The HTTPS server. `start()` returns the base URL, e.g. https://127.0.0.1:PORT/api."""

    def __init__(self, state: JumpCloudState, ca: trustme.CA, *, host: str = "127.0.0.1"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(*CERTIFICATE_NAMES).configure_cert(context)
        context.set_alpn_protocols(["http/1.1"])
        super().__init__(host, context)
        self.state = state
        self.requests: list[Request] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self.writes: list[Write] = []
        self.faults: list[Fault] = []
        self.in_flight = 0
        """Requests received whose answer is not yet sent."""
        self.peak_in_flight = 0
        """The most requests in flight at once since the start (or `reset_peak()`)."""
        self.before_put: Callable[[str], None] | None = None
        """Called with the user id as each PUT of a user arrives, before it is applied: a
        test looks at what the client had recorded by then."""
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"https://{self.authority}/api"

    def start(self) -> str:
        self.start_listening()
        return self.base_url

    def count(self, method: str, path: str, *, prefix: bool = False) -> int:
        """Requests received for e.g. ("GET", "/api/systemusers"), faults included; with
        `prefix`, for every path that starts with `path` (e.g. all PUTs of users)."""
        with self._lock:
            if not prefix:
                return self.counts[(method, path)]
            return sum(n for (m, p), n in self.counts.items() if m == method and p.startswith(path))

    # Behaviours a test switches on. Each applies to the next `count` matching requests.

    def fail(
        self, status: int, count: int = 1, *, retry_after: int | str | None = None, path: str = ""
    ) -> None:
        """Answer `status` with an `Error` body, and Retry-After if given."""
        after = None if retry_after is None else str(retry_after)
        self._add(Fault("status", count, path, status=status, retry_after=after))

    def rate_limit(self, count: int = 1, *, retry_after: int | str = 1, path: str = "") -> None:
        # 429 -> Error appears in v2 (lines 37641, 37724); no Retry-After is documented.
        self.fail(429, count, retry_after=retry_after, path=path)

    def unavailable(
        self, count: int = 1, *, retry_after: int | str | None = None, path: str = ""
    ) -> None:
        # Neither document mentions 503; a gateway in front of any service sends it.
        self.fail(503, count, retry_after=retry_after, path=path)

    def stall(self, count: int = 1, *, path: str = "", send_headers: bool = True) -> None:
        """Send the headers and a few bytes (or nothing), then nothing until stop()."""
        self._add(Fault("stall", count, path, send_headers=send_headers))

    def huge(self, size: int = 50 * MEGABYTE, count: int = 1, *, path: str = "") -> None:
        """A 200 with a valid JSON object of `size` bytes, announced in Content-Length."""
        self._add(Fault("huge", count, path, size=size))

    def endless(self, count: int = 1, *, path: str = "") -> None:
        """A chunked 200 whose body never ends."""
        self._add(Fault("endless", count, path))

    def malformed(self, count: int = 1, *, path: str = "") -> None:
        """A 200 `application/json` whose body is cut in the middle of an object."""
        self._add(Fault("malformed", count, path))

    def reset_peak(self) -> None:
        with self._lock:
            self.peak_in_flight = self.in_flight

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # The connection: HTTP/1.1 with keep-alive, one request at a time.

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await self._read(reader, writer)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
                self.counts[(request.method, request.path)] += 1
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                if not await self._answer(request, writer):
                    return
            finally:
                with self._lock:
                    self.in_flight -= 1

    async def _answer(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; whether the connection may serve another."""
        if self.state.latency:
            await asyncio.sleep(self.state.latency)
        fault = self._take_fault(request.path)
        if fault is not None and fault.kind != "status":
            return await misbehave(fault, writer, self.wait_until_stopped)
        answer = self._status_fault(fault, request) if fault else self._route(request)
        writer.write(encode(answer))
        await writer.drain()
        return request.headers.get("connection", "").lower() != "close"

    async def _read(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        lines = raw.decode("latin-1").split("\r\n")
        method, _, target = lines[0].partition(" ")
        target = target.rpartition(" ")[0]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        if not target.startswith("/") or not length.isdigit():
            writer.write(encode(Answer(400, v1_error(400, "Malformed request"))))
            return None
        if "transfer-encoding" in headers or int(length) > MEGABYTE:
            writer.write(encode(Answer(413, v1_error(413, "Request body not accepted"))))
            return None
        body = await reader.readexactly(int(length))
        return Request(method, target, headers, body)

    def _status_fault(self, fault: Fault, request: Request) -> Answer:
        v2 = request.path.startswith("/api/v2/")
        answer = self._error(fault.status, HTTPStatus(fault.status).phrase, request, v2=v2)
        if fault.retry_after is not None:
            answer.headers["Retry-After"] = fault.retry_after
        return answer

    # Routing.

    def _route(self, request: Request) -> Answer:
        parts = request.path.split("/")[1:]
        if parts[-1:] == [""]:
            parts = parts[:-1]  # "/api/organizations/" is how the document writes it (v1 267)
        method = request.method
        match parts:
            case ["api", "systemusers"] if method == "GET":
                return self._list_users(request)
            case ["api", "systemusers", user_id] if method in ("GET", "PUT"):
                return self._one_user(request, user_id)
            case ["api", "organizations"] if method == "GET":
                return self._organizations(request)
            case ["api", "v2", "applemdms"] if method == "GET":
                return self._apple_mdms(request)
            case ["api", "v2", "applemdms", org, "account-driven-service-discovery", *rest] if (
                method == "GET" and rest in ([], ["config"])
            ):
                return self._adue(request, org, config=bool(rest))
        v2 = parts[:2] == ["api", "v2"]
        return self._error(404, "not found" if v2 else "Not Found", request, v2=v2)

    # Errors: `Error` = {code, message, status} (v1 7321-7334); v2's `Error` omits `status`
    # "on generic errors such as `not found`" (v2 62790-62809), so v2 answers leave it out.

    def _error(self, status: int, message: str, request: Request, *, v2: bool = False) -> Answer:
        key = request.headers.get("x-api-key")
        if self.state.echo_key_in_errors and key:
            message = f"{message} (x-api-key: {key})"
        body = {"code": status, "message": message}
        return Answer(status, body if v2 else v1_error(status, message))

    def _key(self, request: Request, *, v2: bool = False) -> ApiKey | Answer:
        # securitySchemes x-api-key (v1 10123-10127, v2 80462-80467). Both list a 401 whose
        # body they leave undescribed (e.g. v1 3617-3618); the stand-in sends an `Error`.
        key = self.state.api_keys.get(request.headers.get("x-api-key", ""))
        return key or self._error(401, "Unauthorized", request, v2=v2)

    def _authorize(self, request: Request, *, v2: bool = False) -> Organization | Answer:
        """The organization a request acts on, from its key and x-org-id (v1 227-244)."""
        key = self._key(request, v2=v2)
        if isinstance(key, Answer):
            return key
        org_id = request.headers.get("x-org-id", "")  # the trait's default is '' (v1 10017)
        if not org_id:
            if key.is_multi_tenant:
                return self._error(401, "ID not included for multi-tenant admin", request, v2=v2)
            org_id = key.org_ids[0]
        elif not OBJECT_ID.fullmatch(org_id):
            return self._error(400, "Malformed ID.", request, v2=v2)
        elif org_id not in key.org_ids:
            # Silent in the document: default 404 "Organization ID Not Found." (v1 244).
            status = self.state.unreachable_org_status
            return self._error(status, "Organization ID Not Found.", request, v2=v2)
        org = self.state.organization(org_id)
        return org or self._error(404, "Organization ID Not Found.", request, v2=v2)

    # v1 endpoints.

    def _list_users(self, request: Request) -> Answer:
        """GET /systemusers (v1 3563-3629): {totalCount, results} (v1 9483-9494)."""
        org = self._authorize(request)
        if isinstance(org, Answer):
            return org
        try:
            results, total = page(org.users, request.query, self.state.max_limit)
        except QueryError as error:
            return self._error(error.status, str(error), request)
        return Answer(200, {"totalCount": total, "results": results})

    def _one_user(self, request: Request, user_id: str) -> Answer:
        """GET /systemusers/{id} (v1 3955-4019) and PUT (v1 4026-4213)."""
        org = self._authorize(request)
        if isinstance(org, Answer):
            return org
        user = org.find_user(user_id)
        if request.method == "GET":
            if user is None:  # 404 is not listed for this operation; siblings use `Error`.
                return self._error(404, "Not Found", request)
            return Answer(200, project(user, words(request.query, "fields")))
        if self.before_put is not None:
            self.before_put(user_id)
        answer, body = self._put(request, user)
        write = Write("PUT", request.path, user_id, body, request.time, answer.status, org.id)
        with self._lock:
            self.writes.append(write)
        return answer

    def _put(self, request: Request, user: User | None) -> tuple[Answer, Any]:
        try:
            body = json.loads(request.body)
        except ValueError:
            return invalid("body", "the body is not JSON"), request.body
        if user is None:  # no 404 is listed for PUT (v1 4065-4079); siblings use `Error`.
            return self._error(404, "Not Found", request), body
        refused = self.state.refuse_writes.get(user["_id"])
        if refused is not None:
            if refused == 400:
                return invalid("managedAppleId", "refused by the test"), body
            return self._error(refused, HTTPStatus(refused).phrase, request), body
        if not isinstance(body, dict):
            return invalid("body", "the body is not an object"), body
        for name, value in body.items():
            problem = check_field(name, value)
            if problem:
                return invalid(name, problem), body
        # Only the fields given change: the sample sends three of them (v1 4027).
        user.update({name: value for name, value in body.items() if name in WRITABLE})
        return Answer(200, dict(user)), body  # systemuserreturn (v1 4066-4071)

    def _organizations(self, request: Request) -> Answer:
        """GET /organizations (v1 1941-2006): every organization the key manages."""
        key = self._key(request)
        if isinstance(key, Answer):
            return key
        if request.headers.get("x-org-id"):
            # The operation lists no x-org-id (v1 1956-1963): "403 ID included on unsupported
            # route." (v1 243).
            return self._error(403, "ID included on unsupported route.", request)
        # organizationslist (v1 7923-7946); the same paging traits as the user list.
        orgs = [
            {"_id": org.id, "displayName": org.name, "logoUrl": None}
            for org in self.state.organizations
            if org.id in key.org_ids
        ]
        try:
            results, total = page(orgs, request.query, self.state.max_limit)
        except QueryError as error:
            return self._error(error.status, str(error), request)
        return Answer(200, {"totalCount": total, "results": results})

    # v2 endpoints.

    def _apple_mdms(self, request: Request) -> Answer:
        """GET /v2/applemdms (v2 2094-2161): a bare array, at most one MDM per organization."""
        org = self._authorize(request, v2=True)
        if isinstance(org, Answer):
            return org
        # trait_limitDefault1_limit: default 1, minimum 0, maximum 100 (v2 79711-79718); an
        # explicit maximum, so a larger value is refused as a validating gateway would.
        try:
            limit, skip = integer(request.query, "limit", 1), integer(request.query, "skip", 0)
        except QueryError as error:
            return self._error(400, str(error), request, v2=True)
        if limit > 100:
            return self._error(400, "limit must be at most 100", request, v2=True)
        mdms = [org.apple_mdm.to_json(org.id)] if org.apple_mdm else []
        return Answer(200, mdms[skip : skip + limit])

    def _adue(self, request: Request, raw_id: str, *, config: bool) -> Answer:
        """The two ADUE GETs (v2 40707-40798): {redirectUrl} or {jsonConfig}, else 404."""
        org = self._adue_organization(raw_id)
        if self.state.adue_refuses_org_id and request.headers.get("x-org-id"):
            return self._error(403, "ID included on unsupported route.", request, v2=True)
        if self.state.adue_requires_key:
            acting = self._authorize(request, v2=True)
            if isinstance(acting, Answer):
                return acting
            if request.headers.get("x-org-id") and org is not None and acting.id != org.id:
                message = "x-org-id and Organization path ID do not match."  # v1 241
                return self._error(400, message, request, v2=True)
        adue: AdueConfig | None = org.adue if org else None
        if adue is None:
            return self._error(404, "not found", request, v2=True)
        if config:
            return Answer(200, {"jsonConfig": adue.json_config})
        return Answer(200, {"redirectUrl": adue.redirect_url})

    def _adue_organization(self, raw_id: str) -> Organization | None:
        # The parameter is `organizationObjectId`, `format: byte` (v2 40725-40731).
        form = self.state.adue_id_form
        if form != "base64" and OBJECT_ID.fullmatch(raw_id):
            return self.state.organization(raw_id)
        if form != "hex":
            padded = raw_id + "=" * (-len(raw_id) % 4)
            try:
                data = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                return None
            if len(data) == 12:
                return self.state.organization(data.hex())
        return None


StartStandIn = Callable[..., JumpCloudStandIn]
"""The `start_standin` fixture: start(state, host="127.0.0.1") -> a running stand-in."""
