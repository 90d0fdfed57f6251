"""What can go wrong talking to JumpCloud, each as one line a caller can show as it is.

Every failure is an `ApiError` with a `kind` a caller tests (a refused key is `key_refused`,
whatever the request); its text names the request (`GET /api/systemusers`), never the key,
and anything JumpCloud said in it has been masked and made printable already.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.shown import argument, printable


class ErrorKind(StrEnum):
    """Why a request (or the choice of organization) failed. `key_refused` and
    `org_mismatch` are also the prerequisites' failure codes."""

    KEY_REFUSED = "key_refused"  # 401 or 403: a wrong key, another region's, or no right
    ORG_MISMATCH = "org_mismatch"  # the organization given is not one the key may manage
    ORG_NOT_CHOSEN = "org_not_chosen"  # the key manages several; none was given
    NOT_FOUND = "not_found"  # 404
    HTTP_ERROR = "http_error"  # any other status JumpCloud answered with
    RATE_LIMITED = "rate_limited"  # 429 for longer than the time allowed
    UNAVAILABLE = "unavailable"  # 503 on every try
    TIMEOUT = "timeout"  # the time allowed ran out
    CONNECTION = "connection"  # no connection, or it broke off
    PROXY = "proxy"  # the proxy refused or could not be used
    TLS_UNTRUSTED = "tls_untrusted"  # the server's certificate is not trusted
    TLS = "tls"  # any other TLS failure
    TOO_LARGE = "too_large"  # an answer above the size limit
    BAD_ANSWER = "bad_answer"  # not JSON, or JSON of the wrong shape
    CHANGED = "changed_meanwhile"  # the user list changed while it was read in pages


class ApiError(Exception):
    """One failure. `str()` is the one-line message.

    `request` is e.g. "GET /api/systemusers" (None when no request failed), `status` the
    HTTP status when there was an answer, `retry_after` the seconds JumpCloud asked to wait
    (rate limits), `jumpcloud_message` what JumpCloud's `Error` body said (masked, printable).
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        request: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        jumpcloud_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.request = request
        self.status = status
        self.retry_after = retry_after
        self.jumpcloud_message = jumpcloud_message

    @property
    def key_refused(self) -> bool:
        return self.kind is ErrorKind.KEY_REFUSED

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind.value!r}, {self.message!r})"


@dataclass(frozen=True)
class Organization:
    """An organization a key reaches (`organizationslist`, v1: `_id`, `displayName`).

    `name` is data from JumpCloud: shown only through `wizard.core.shown.printable`."""

    id: str
    name: str


class OrgMismatch(ApiError):
    """The organization asked for is not one the key may manage. Organization IDs are not
    secrets: both sides are named."""

    def __init__(self, org_id: str, reachable: tuple[Organization, ...]) -> None:
        self.org_id = org_id
        self.organizations = reachable
        super().__init__(
            ErrorKind.ORG_MISMATCH,
            f"the organization ID {argument(org_id, 40)} is not one this API key may manage; "
            f"it reaches {describe(reachable)}",
        )


class OrgNotChosen(ApiError):
    """The key manages several organizations and none was given: `organizations` lists
    them, for the caller to offer or to name."""

    def __init__(self, reachable: tuple[Organization, ...]) -> None:
        self.organizations = reachable
        super().__init__(
            ErrorKind.ORG_NOT_CHOSEN,
            f"this API key manages {len(reachable)} organizations; say which one with its "
            f"organization ID: {describe(reachable)}",
        )


def describe(organizations: tuple[Organization, ...], limit: int = 5) -> str:
    """`5f1b... ("Org A"), ...`: the first `limit`, and how many more."""
    if not organizations:
        return "no organization"
    shown = [
        f'{printable(org.id[:40])} ("{printable(org.name[:80])}")' for org in organizations[:limit]
    ]
    more = len(organizations) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
