"""What the wizard asks of JumpCloud's API: the organizations a key reaches, the users and
their Managed Apple Accounts, the Apple MDM, the account-driven enrollment configuration,
and (for linking accounts) one user's update.

Paths and shapes follow JumpCloud's OpenAPI documents (TheJumpCloud/jumpcloud-docs-public,
docs/api/1.0 and 2.0 index.yaml; "v1"/"v2" line numbers below). Requests, their bounds and
their failures are the transport's (`transport.py`): every failure is an `ApiError`.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

from wizard.core.jumpcloud.errors import (
    ApiError,
    ErrorKind,
    Organization,
    OrgMismatch,
    OrgNotChosen,
)
from wizard.core.jumpcloud.mdm import AppleMdm
from wizard.core.jumpcloud.secret import ApiKey
from wizard.core.jumpcloud.transport import (
    DEFAULT_TIMEOUT,
    MAX_ANSWER_BYTES,
    MAX_IN_FLIGHT,
    RETRY_BASE,
    Answer,
    Transport,
)
from wizard.core.jumpcloud.users import USER_FIELDS, User

# "Limited to 100" (v1 trait_limit_limit); GET /systemusers states no maximum of its own.
PAGE_SIZE = 100
ORGANIZATIONS = "/organizations"
SYSTEM_USERS = "/systemusers"
APPLE_MDMS = "/v2/applemdms"
ADUE_REDIRECT = "/account-driven-service-discovery"
ADUE_CONFIG = "/account-driven-service-discovery/config"

_HEX_ID = re.compile(r"[0-9a-f]{24}")
T = TypeVar("T")


@dataclass(frozen=True)
class Connection:
    """What `connect()` learned: the organizations the key reaches, whether it is a
    multi-tenant (MSP) key, and the organization every later request acts on."""

    organizations: tuple[Organization, ...]
    multi_tenant: bool
    org_id: str

    @property
    def organization(self) -> Organization:
        return next(org for org in self.organizations if org.id == self.org_id)


class JumpCloudClient:
    """`async with JumpCloudClient(api_base(...), key, timeout=30) as jumpcloud: ...`

    All the API work of one run ends within `timeout` seconds of entering, and with
    `request_timeout` each exchange within that many seconds; at most `max_in_flight`
    requests are in flight. Call `connect()` first: it learns whether the
    key is multi-tenant, and from then on every request but `GET /organizations` carries
    `x-org-id`. Raises InvalidInput on entering when `$SSL_CERT_FILE` or the proxy
    settings cannot be used.
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
        self.transport = Transport(
            base_url,
            key,
            timeout=timeout,
            environ=environ,
            max_in_flight=max_in_flight,
            retry_base=retry_base,
            max_answer_bytes=max_answer_bytes,
            request_timeout=request_timeout,
        )
        self.connection: Connection | None = None
        self._adue_base64_first = False

    def __repr__(self) -> str:
        return f"JumpCloudClient({self.transport.base_url!r})"

    async def __aenter__(self) -> Self:
        self.transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.transport.close()

    # The organization.

    async def organizations(self) -> tuple[Organization, ...]:
        """Every organization the key reaches: `GET /organizations` (v1 1941-2006), never
        with x-org-id ("403 ID included on unsupported route", v1 243)."""
        records = await self._list_all(
            ORGANIZATIONS, {"sort": "_id", "fields": "_id displayName"}, org_header=False
        )
        found = []
        for record in records:
            name = record.get("displayName")
            if name is not None and not isinstance(name, str):
                raise self._bad_shape("GET", ORGANIZATIONS, "`displayName` is not a string")
            found.append(Organization(record["_id"], name or ""))
        return tuple(found)

    async def connect(self, org_id: str | None = None) -> Connection:
        """Learn what the key reaches and choose the organization to act on.

        `org_id` given: it must be one the key reaches, else `OrgMismatch`. None: the key's
        one organization, or `OrgNotChosen` (listing them) when it manages several. A key
        that reaches several is multi-tenant: later requests carry `x-org-id` (v1 227-244);
        a key for one organization needs no header, unless JumpCloud answers that a
        multi-tenant admin must send it (then it is sent from that request on).
        """
        reachable = await self.organizations()
        if not reachable:
            raise self._bad_shape("GET", ORGANIZATIONS, "no organization for this key")
        multi_tenant = len(reachable) > 1
        if org_id is not None:
            if org_id not in {org.id for org in reachable}:
                raise OrgMismatch(org_id, reachable)
            chosen = org_id
        elif multi_tenant:
            raise OrgNotChosen(reachable)
        else:
            chosen = reachable[0].id
        self.transport.org_id = chosen if multi_tenant else None
        self.transport.known_org_id = chosen
        self.connection = Connection(reachable, multi_tenant, chosen)
        return self.connection

    # Users.

    async def users(self, fields: Sequence[str] = USER_FIELDS) -> list[User]:
        """Every user: `GET /systemusers?limit=100&skip=N&sort=_id&fields=...` (v1
        3563-3629). The first page gives `totalCount`; the others are then fetched side by
        side. A list that changed between pages is an ApiError (`changed_meanwhile`), never
        a wrong list."""
        chosen = " ".join(dict.fromkeys(["_id", *fields]))
        records = await self._list_all(SYSTEM_USERS, {"sort": "_id", "fields": chosen})
        try:
            return [User.from_json(record) for record in records]
        except ValueError as error:
            raise self._bad_shape("GET", SYSTEM_USERS, str(error)) from None

    async def get_user(self, user_id: str, fields: Sequence[str] = ()) -> dict[str, Any]:
        """One user as JumpCloud returns it (`systemuserreturn`, v1 3955-4019), only
        `fields` when given."""
        path = f"{SYSTEM_USERS}/{quote(user_id, safe='')}"
        query = {"fields": " ".join(fields)} if fields else None
        return self._user(await self.transport.call("GET", path, query=query))

    async def put_user(
        self, user_id: str, body: Mapping[str, Any], *, retry_writes: bool = False
    ) -> dict[str, Any]:
        """`PUT /systemusers/{id}` with `body`, only the fields to change (v1 4026-4213);
        returns the user JumpCloud answered with.

        A 503 or a broken connection is not retried unless `retry_writes`: whether the write
        was applied is then unknown, and the caller's journal decides. A 429 is retried: a
        rate limiter refuses before the request is processed.
        """
        path = f"{SYSTEM_USERS}/{quote(user_id, safe='')}"
        answer = await self.transport.call("PUT", path, body=dict(body), retry_writes=retry_writes)
        return self._user(answer)

    # The Apple MDM and the account-driven enrollment configuration.

    async def apple_mdm(self) -> AppleMdm | None:
        """The organization's Apple MDM: `GET /v2/applemdms`, a bare array of at most one
        (v2 2094-2161); None when it has none."""
        answer = await self.transport.call("GET", APPLE_MDMS)
        records = self.transport.json(answer)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise self._bad_shape("GET", APPLE_MDMS, "not an array of objects")
        if not records:
            return None
        try:
            return AppleMdm.from_json(records[0])
        except ValueError as error:
            raise self._bad_shape("GET", APPLE_MDMS, str(error)) from None

    async def adue_redirect(self, org_id: str) -> str | None:
        """The organization's ADUE redirect URL (`redirectUrl`); None when it has none."""
        return await self._adue(org_id, ADUE_REDIRECT, "redirectUrl")

    async def adue_config(self, org_id: str) -> str | None:
        """The organization's ADUE JSON configuration (`jsonConfig`, the Self-Host document
        as a string); None when it has none."""
        return await self._adue(org_id, ADUE_CONFIG, "jsonConfig")

    async def _adue(self, org_id: str, suffix: str, field: str) -> str | None:
        """`GET /v2/applemdms/{organizationObjectId}/account-driven-service-discovery[/config]`
        (v2 40707-40798); 404 when not configured.

        The parameter is typed `format: byte` (v2 40725-40731): base64 in OpenAPI's terms,
        yet JumpCloud writes organization IDs as 24 hex digits everywhere else, and a
        gateway decoding base64 would read those 24 digits as 18 other bytes. So the hex ID
        goes first and, on 404 or 400, the same 12 bytes in URL-safe base64 (no "/" to
        break the path) once; the form that answered goes first from then on. None only
        when a form answered 404; two 400s are an error.
        """
        forms = [org_id]
        if _HEX_ID.fullmatch(org_id):
            forms.append(base64.urlsafe_b64encode(bytes.fromhex(org_id)).decode().rstrip("="))
            if self._adue_base64_first:
                forms.reverse()
        refusals: list[Answer] = []
        for form in forms:
            path = f"{APPLE_MDMS}/{quote(form, safe='')}{suffix}"
            answer = await self.transport.call("GET", path, tolerate=(400, 404))
            if answer.status in (400, 404):
                refusals.append(answer)
                continue
            self._adue_base64_first = form != org_id
            record = self.transport.json(answer)
            value = record.get(field) if isinstance(record, dict) else None
            if not isinstance(value, str):
                raise self._bad_shape("GET", path, f"no `{field}` string")
            return value
        if any(refusal.status == 404 for refusal in refusals):
            return None
        raise self.transport.status_error(refusals[0])

    # Lists in pages.

    async def _list_all(
        self, path: str, query: dict[str, str], *, org_header: bool = True
    ) -> list[dict[str, Any]]:
        """Every record of a v1 list (`{totalCount, results}`, paged by `limit`/`skip`).

        When the first page holds fewer than asked but not all, that is the server's page
        size (the document leaves the maximum open) and the rest is paged by it: exactly
        ceil(total / page size) requests. Every page must repeat the total and hold exactly
        its share, and no `_id` may come twice; otherwise records were added or removed
        between pages.
        """

        def page_query(skip: int) -> dict[str, str]:
            return {"limit": str(PAGE_SIZE), "skip": str(skip), **query}

        total, first = await self._page(path, page_query(0), org_header)
        if len(first) > total or (total > 0 and not first):
            raise self._changed(path, f"it counted {total} but sent {len(first)}")
        size = len(first) or PAGE_SIZE
        skips = range(size, total, size)
        pages = await _all_or_first_error(
            [self._page(path, page_query(skip), org_header) for skip in skips]
        )
        records = list(first)
        for skip, (page_total, page) in zip(skips, pages, strict=True):
            if page_total != total:
                raise self._changed(path, f"it counted {total}, then {page_total}")
            if len(page) != min(size, total - skip):
                raise self._changed(path, f"a page held {len(page)} instead of {size}")
            records.extend(page)
        if len({record["_id"] for record in records}) != len(records):
            raise self._changed(path, "a record came twice")
        return records

    async def _page(
        self, path: str, query: dict[str, str], org_header: bool
    ) -> tuple[int, list[dict[str, Any]]]:
        answer = await self.transport.call("GET", path, query=query, org_header=org_header)
        record = self.transport.json(answer)
        if not isinstance(record, dict):
            raise self._bad_shape("GET", path, "not a JSON object")
        total, results = record.get("totalCount"), record.get("results")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise self._bad_shape("GET", path, "no `totalCount` count")
        if not isinstance(results, list):
            raise self._bad_shape("GET", path, "no `results` array")
        for item in results:
            if not isinstance(item, dict) or not isinstance(item.get("_id"), str):
                raise self._bad_shape("GET", path, "a record without an `_id` string")
        return total, results

    # Answers of the wrong shape.

    def _user(self, answer: Answer) -> dict[str, Any]:
        record = self.transport.json(answer)
        if not isinstance(record, dict) or not isinstance(record.get("_id"), str):
            raise _bad_shape(answer.request, "not a user object with an `_id`")
        return record

    def _bad_shape(self, method: str, path: str, what: str) -> ApiError:
        return _bad_shape(f"{method} {self.transport.path(path)}", what)

    def _changed(self, path: str, what: str) -> ApiError:
        request = f"GET {self.transport.path(path)}"
        return ApiError(
            ErrorKind.CHANGED,
            f"{request}: the list changed while it was read in pages ({what}); run it again",
            request=request,
        )


def _bad_shape(request: str, what: str) -> ApiError:
    return ApiError(
        ErrorKind.BAD_ANSWER,
        f"{request}: the answer is not what JumpCloud's API documents ({what})",
        request=request,
    )


async def _all_or_first_error(coroutines: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """Run side by side (the transport bounds how many are in flight); the first failure
    cancels the others and is raised as it is."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as failed:
        raise _first_leaf(failed) from None
    return [task.result() for task in tasks]


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
