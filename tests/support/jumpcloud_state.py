"""What the JumpCloud stand-in knows: organizations, their users and Apple MDM, API keys.

A test builds a `JumpCloudState` and hands it to `JumpCloudStandIn`. Field names and JSON
shapes follow JumpCloud's OpenAPI documents (docs/api/1.0/index.yaml and
docs/api/2.0/index.yaml of TheJumpCloud/jumpcloud-docs-public); the schema each comes from
is named beside it.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.support.constants import ORG_ID

User = dict[str, Any]
"""A system user as `systemuserreturn` (v1) describes it: `_id`, `email`, `username`, ..."""

OBJECT_ID = re.compile(r"[0-9a-f]{24}")

# Names and addresses that a terminal or a markup renderer would act on if shown unescaped.
HOSTILE_TEXTS = (
    "[bold]boss[/bold]",
    "[link=https://evil.example]click[/link]",
    "<script>alert(1)</script>",
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "line\rover\x08write",
)


def object_id(number: int, prefix: str = "64a1") -> str:
    """A 24-hex-digit id (a MongoDB ObjectId, as JumpCloud's ids are) made from a number."""
    return f"{prefix}{number:0{24 - len(prefix)}x}"


def base64_id(hex_id: str) -> str:
    """The same id as base64 of its 12 bytes: the v2 document types ids `format: byte`."""
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def make_user(
    number: int,
    org_id: str,
    *,
    domain: str = "example.com",
    managed_apple_id: str | None = None,
    state: Literal["ACTIVATED", "STAGED", "SUSPENDED"] = "ACTIVATED",
) -> User:
    """One user with the `systemuserreturn` fields a client reads.

    Without `managed_apple_id` the field is left out: the document types it a plain string
    and does not say how a user without one is returned.
    """
    username = f"user{number:05d}"
    user: User = {
        "_id": object_id(number, prefix="65b2"),
        "username": username,
        "email": f"{username}@{domain}",
        "firstname": "User",
        "lastname": f"{number:05d}",
        "displayname": f"User {number:05d}",
        "organization": org_id,
        "activated": state == "ACTIVATED",
        "state": state,
        "suspended": state == "SUSPENDED",
        "account_locked": False,
        "created": "2024-01-02T03:04:05.000Z",
    }
    if managed_apple_id is not None:
        user["managedAppleId"] = managed_apple_id
    return user


def make_users(
    count: int,
    org_id: str,
    *,
    start: int = 0,
    domain: str = "example.com",
    apple_id_domain: str | None = None,
) -> list[User]:
    """`count` users numbered from `start`; 10,000 take a few milliseconds.

    With `apple_id_domain`, each has `managedAppleId` = username@apple_id_domain.
    """
    return [
        make_user(
            number,
            org_id,
            domain=domain,
            managed_apple_id=None
            if apple_id_domain is None
            else f"user{number:05d}@{apple_id_domain}",
        )
        for number in range(start, start + count)
    ]


def hostile_users(org_id: str, *, start: int = 90_000) -> list[User]:
    """Users whose names, e-mails and Managed Apple IDs hold markup and escape codes."""
    users = []
    for offset, text in enumerate(HOSTILE_TEXTS):
        user = make_user(start + offset, org_id)
        user.update(
            username=f"evil{offset}{text}",
            email=f"{text}@example.com",
            firstname=text,
            lastname=text,
            displayname=text,
            managedAppleId=f"{text}@appleid.example.com",
        )
        users.append(user)
    return users


@dataclass
class AppleMdm:
    """An organization's Apple MDM server: schema `AppleMDM` (v2 lines 61041-61108)."""

    id: str
    name: str = "JumpCloud MDM"
    allow_mobile_user_enrollment: bool | None = True
    service_discovery_enabled: bool | None = True
    default_ios_user_enrollment_device_group_id: str | None = None
    # Empty means Apple's signed certificate has not been uploaded (v2 line 2097).
    apns_push_topic: str = "com.apple.mgmt.External.3b8f6e0a-0000-4000-8000-000000000000"
    apns_cert_expiry: str | None = "2027-06-30T12:00:00Z"
    dep_server_token_state: Literal["unknown", "missing", "valid", "expired"] = "missing"
    extra: dict[str, Any] = field(default_factory=dict)
    """Any further `AppleMDM` field, sent as given (e.g. `dep`, `ades`)."""

    def to_json(self, org_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "organization": org_id,
            "apnsPushTopic": self.apns_push_topic,
            "apnsCertExpiry": self.apns_cert_expiry,
            "depServerTokenState": self.dep_server_token_state,
            "allowMobileUserEnrollment": self.allow_mobile_user_enrollment,
            "serviceDiscoveryEnabled": self.service_discovery_enabled,
            "defaultIosUserEnrollmentDeviceGroupID": (
                self.default_ios_user_enrollment_device_group_id
            ),
            **self.extra,
        }


@dataclass
class AdueConfig:
    """What the two account-driven-service-discovery endpoints return (v2 40707-40798)."""

    redirect_url: str
    json_config: str
    """A JSON document carried as a string (`jsonConfig: string`, v2 line 72612)."""

    @classmethod
    def for_base_url(cls, base_url: str, redirect_url: str) -> AdueConfig:
        """A config whose JSON is Apple's discovery document pointing at `base_url`."""
        servers = {"Servers": [{"Version": "mdm-byod", "BaseURL": base_url}]}
        return cls(redirect_url=redirect_url, json_config=json.dumps(servers))


@dataclass
class Organization:
    """One JumpCloud organization: its directory of users, its MDM and ADUE setup."""

    id: str
    name: str
    users: list[User] = field(default_factory=list)
    apple_mdm: AppleMdm | None = None
    adue: AdueConfig | None = None
    _index: dict[str, User] = field(default_factory=dict, repr=False, compare=False)

    def find_user(self, user_id: str) -> User | None:
        """By `_id`; the index is rebuilt when a test has added or removed users."""
        if len(self._index) != len(self.users):
            self._index = {user["_id"]: user for user in self.users}
        return self._index.get(user_id)


@dataclass
class ApiKey:
    """The organizations an administrator's key reaches.

    A multi-tenant (MSP) key must name its organization in `x-org-id` on every request; a
    single-tenant key needs no header (v1 lines 227-244). `multi_tenant=None` means "more
    than one organization".
    """

    org_ids: list[str]
    multi_tenant: bool | None = None

    @property
    def is_multi_tenant(self) -> bool:
        return len(self.org_ids) > 1 if self.multi_tenant is None else self.multi_tenant


@dataclass
class JumpCloudState:
    """Everything a test configures. Fields may be changed while the server runs."""

    organizations: list[Organization] = field(default_factory=list)
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    latency: float = 0.0
    """Seconds every answer waits; concurrent requests wait side by side."""
    echo_key_in_errors: bool = False
    """Put the request's x-api-key in error messages, to prove the client masks it."""
    refuse_writes: dict[str, int] = field(default_factory=dict)
    """User id -> status (400, 401, 403, 409, 500) a PUT of that user answers."""
    max_limit: int = 100
    """Largest page of /systemusers and /organizations ("Limited to 100", v1 line 10006)."""
    unreachable_org_status: Literal[400, 401, 403, 404] = 404
    """Answer to an x-org-id the key does not manage (the document does not say)."""
    adue_requires_key: bool = False
    """The ADUE GETs list no `security` (v2 40707-40798): off, they answer without a key."""
    adue_refuses_org_id: bool = False
    """The ADUE GETs list no x-org-id either: on, they answer as GET /organizations does to
    one, "403 ID included on unsupported route." (v1 243)."""
    adue_id_form: Literal["hex", "base64", "either"] = "either"
    """How the ADUE path's organizationObjectId (`format: byte`) must be written."""

    def organization(self, org_id: str) -> Organization | None:
        return next((org for org in self.organizations if org.id == org_id), None)

    @classmethod
    def single(
        cls,
        users: list[User] | int = 0,
        *,
        key: str = "test-api-key",
        org_id: str = ORG_ID,
        name: str = "Example Org",
        apple_mdm: bool = True,
        adue: AdueConfig | None = None,
    ) -> JumpCloudState:
        """One organization reached by one single-tenant key; `users` may be a count."""
        listed = make_users(users, org_id) if isinstance(users, int) else users
        mdm = AppleMdm(id=object_id(1, prefix="6a0c")) if apple_mdm else None
        org = Organization(org_id, name, users=listed, apple_mdm=mdm, adue=adue)
        return cls(organizations=[org], api_keys={key: ApiKey([org_id])})
