"""The JumpCloud stand-in's rules for queries, writes and error bodies; its wire format.

Each rule copies JumpCloud's v1 OpenAPI document (docs/api/1.0/index.yaml of
TheJumpCloud/jumpcloud-docs-public); the comments give the lines. Where the document is
silent, the comment says what the stand-in does instead. The misbehaviours at the end
(stall, huge, endless, malformed bodies) are not in the document: a test switches them on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from tests.support.jumpcloud_state import User

# systemuserput (v1 lines 8888-9072): the fields a PUT may change; others are ignored.
WRITABLE = frozenset(
    [
        "account_locked",
        "addresses",
        "allow_public_key",
        "alternateEmail",
        "attributes",
        "company",
        "costCenter",
        "department",
        "description",
        "disableDeviceMaxLoginAttempts",
        "displayname",
        "email",
        "employeeIdentifier",
        "employeeType",
        "enable_managed_uid",
        "enable_user_portal_multifactor",
        "external_dn",
        "external_password_expiration_date",
        "external_source_type",
        "externally_managed",
        "firstname",
        "jobTitle",
        "lastname",
        "ldap_binding_user",
        "location",
        "manager",
        "mfa",
        "middlename",
        "password",
        "password_never_expires",
        "phoneNumbers",
        "public_key",
        "relationships",
        "samba_service_user",
        "ssh_keys",
        "state",
        "sudo",
        "suspended",
        "tags",
        "unix_guid",
        "unix_uid",
        "username",
        "managedAppleId",
        "delegatedAuthority",
        "restrictedFields",
    ]
)
MAX_LENGTHS = {"managedAppleId": 1024, "email": 1024, "username": 1024, "employeeIdentifier": 256}
MAX_LENGTHS |= dict.fromkeys(
    ["firstname", "lastname", "middlename", "displayname", "jobTitle"], 1024
)
MEGABYTE = 1024 * 1024
BOOLEANS = frozenset(["account_locked", "suspended", "sudo", "password_never_expires"])


@dataclass
class Answer:
    """A JSON answer: status, body (encoded with `json.dumps`) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class QueryError(ValueError):
    """A query the stand-in refuses: `status` 400 (invalid) or 501 (not implemented)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def v1_error(status: int, message: str) -> dict[str, Any]:
    """`Error` = {code, message, status}; `status` is "HTTP status description" (v1 7321-7334)."""
    return {"code": status, "message": message, "status": HTTPStatus(status).phrase}


def invalid(field_name: str, description: str) -> Answer:
    """A 400 `ErrorDetails` shaped like the document's own example (v1 4039-4052)."""
    violation = {"field": field_name, "description": description}
    detail = {"@type": "type.googleapis.com/google.rpc.BadRequest"}
    body = {"code": 400, "message": f"{field_name}: {description}", "status": "INVALID_ARGUMENT"}
    body["details"] = [{**detail, "fieldViolationsList": [violation]}]
    return Answer(400, body)


def check_field(name: str, value: Any) -> str | None:
    """What systemuserput (v1 8888-9072) would reject in one field, or None."""
    if name in MAX_LENGTHS:
        if not isinstance(value, str):
            return "must be a string"
        if len(value) > MAX_LENGTHS[name]:
            return f"longer than {MAX_LENGTHS[name]} characters"
    if name in BOOLEANS and not isinstance(value, bool):
        return "must be a boolean"
    if name == "state" and value not in ("ACTIVATED", "SUSPENDED"):  # v1 9031-9035
        return "must be ACTIVATED or SUSPENDED"
    return None


def integer(query: dict[str, list[str]], name: str, default: int) -> int:
    """A non-negative integer parameter; raises QueryError(400) for anything else."""
    values = query.get(name)
    if not values or values[0] == "":
        return default
    try:
        number = int(values[0])
    except ValueError:
        number = -1
    if number < 0:
        raise QueryError(400, f"{name} must be a non-negative integer")
    return number


def words(query: dict[str, list[str]], name: str) -> list[str]:
    """A space-separated parameter (`sort`, `fields`; "+" and "%20" both decode to a space)."""
    return " ".join(query.get(name, [])).split()


def project(record: User, fields: list[str]) -> User:
    """`fields`: "The space separated fields included in the returned records. If omitted the
    default list of fields will be returned." (v1 3599-3606). `_id` always comes back, as a
    MongoDB projection returns it; the document does not say."""
    if not fields:
        return dict(record)
    return {"_id": record["_id"]} | {name: record[name] for name in fields if name in record}


def page(
    records: list[User], query: dict[str, list[str]], max_limit: int
) -> tuple[list[User], int]:
    """One page of a v1 list, and the count of all matching records (`totalCount`).

    limit: default 10 (v1 3578-3583). No maximum is given on GET /systemusers; the shared
    trait says "Limited to 100" (v1 10005-10011) and no 400 is documented for a list, so a
    larger limit is clamped to `max_limit`, never refused. skip: default 0, minimum 0
    (v1 10025-10032). `search` and `filter[or]` are not implemented (501).
    """
    if "search" in query or any(name.startswith("filter[or]") for name in query):
        raise QueryError(501, "the stand-in does not implement search or filter[or]")
    limit, skip = integer(query, "limit", 10), integer(query, "skip", 0)
    # filter, filter[0], filter[1], ...: all ANDed (v1 9949-10004).
    for name, values in query.items():
        for clause in values if name.startswith("filter") else []:
            if clause:
                records = apply_filter(records, clause)
    # sort: space separated, ascending unless prefixed with "-" (v1 3590-3598). Without it the
    # document names no order; the stand-in keeps the order of the list.
    for name in reversed(words(query, "sort")):
        key_name = name.lstrip("-")
        descending = name.startswith("-")
        records = sorted(records, key=lambda r: _sort_key(r.get(key_name)), reverse=descending)
    fields = words(query, "fields")
    chosen = records[skip : skip + min(limit, max_limit)]
    return [project(record, fields) for record in chosen], len(records)


def apply_filter(records: list[User], clause: str) -> list[User]:
    """`<field>:<operator>:<value>` with $eq $ne $in $nin $sw (v1 9949-10004); other
    operators raise QueryError(501)."""
    name, _, rest = clause.partition(":")
    operator, _, value = rest.partition(":")
    terms = value.split("|")
    tests: dict[str, Callable[[str], bool]] = {
        "$eq": lambda text: text == value,
        "$ne": lambda text: text != value,
        "$in": lambda text: text in terms,
        "$nin": lambda text: text not in terms,
        "$sw": lambda text: text.startswith(value),
    }
    test = tests.get(operator)
    if test is None:
        raise QueryError(501, f"the stand-in does not implement the filter {clause!r}")
    return [record for record in records if name in record and test(_text(record[name]))]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _sort_key(value: Any) -> tuple[int, float | str]:
    if value is None:
        return (0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value))
    return (2, _text(value))


def head(status: int, headers: str) -> bytes:
    """A status line and `headers` (already "Name: value\\r\\n" lines) and the blank line."""
    return f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n{headers}\r\n".encode("latin-1")


def encode(answer: Answer) -> bytes:
    """The whole response, JSON in UTF-8 (control characters escaped as \\u00XX)."""
    body = json.dumps(answer.body, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": str(len(body)),
        **answer.headers,
    }
    return head(answer.status, "".join(f"{k}: {v}\r\n" for k, v in headers.items())) + body


@dataclass
class Fault:
    """A misbehaviour for the next `remaining` requests whose path starts with `path`."""

    kind: Literal["status", "stall", "huge", "endless", "malformed"]
    remaining: int
    path: str = ""
    status: int = 503
    retry_after: str | None = None
    size: int = 0
    send_headers: bool = True


async def misbehave(
    fault: Fault, writer: asyncio.StreamWriter, wait: Callable[[], Awaitable[None]]
) -> bool:
    """Answer as `fault` says; `wait` returns when the server stops (for a stall).

    Returns whether the connection may serve another request: malformed and huge answers
    are complete HTTP messages, a stall or an endless body is not.
    """
    json_type = "Content-Type: application/json; charset=utf-8\r\n"
    if fault.kind == "malformed":
        body = b'{"totalCount": 3, "results": [{"_id": "65b2000000000000000000'
        writer.write(head(200, json_type + f"Content-Length: {len(body)}\r\n") + body)
        await writer.drain()
        return True
    elif fault.kind == "stall":
        if fault.send_headers:
            writer.write(head(200, json_type + "Content-Length: 4096\r\n") + b'{"total')
        await writer.drain()
        await wait()
        return False
    elif fault.kind == "huge":
        prefix, suffix = b'{"totalCount": 0, "results": [], "padding": "', b'"}'
        writer.write(head(200, json_type + f"Content-Length: {fault.size}\r\n") + prefix)
        left = fault.size - len(prefix) - len(suffix)
        chunk = b"x" * MEGABYTE
        while left > 0:
            await _send(writer, chunk[: min(left, MEGABYTE)])
            left -= MEGABYTE
        writer.write(suffix)
        await writer.drain()
        return True
    else:  # endless
        writer.write(head(200, json_type + "Transfer-Encoding: chunked\r\n"))
        piece = b'{"totalCount": 1, "results": ['
        while True:
            await _send(writer, f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            piece = b'{"_id": "65b2000000000000000000ff"},' * 2000


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    # Once the client has gone, writes are dropped without pausing the transport, so drain()
    # returns at once and never yields: the sleep lets the loss be noticed, and the check
    # ends an endless answer instead of letting it spin.
    if writer.transport.is_closing():
        raise ConnectionResetError("the client closed the connection")
    writer.write(data)
    await writer.drain()
    await asyncio.sleep(0)
