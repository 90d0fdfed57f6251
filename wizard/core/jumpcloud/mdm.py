"""JumpCloud's Apple MDM server, as the prerequisites read it.

Schema `AppleMDM` of JumpCloud's v2 OpenAPI document: `id` is required, every other field
optional; the two switches are `boolean or null`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppleMdm:
    """An organization's Apple MDM (JumpCloud supports one per organization).

    `allow_mobile_user_enrollment` is taken to be the portal's "Allow users to enroll
    personal mobile devices" (the document: "A toggle to allow mobile device enrollment for
    an organization"); `service_discovery_enabled` is the 18.2 fallback through Apple
    Business Manager. None means JumpCloud sent null or nothing. `apns_push_topic` empty
    means Apple's signed certificate has not been uploaded yet.
    """

    id: str
    name: str
    organization: str
    allow_mobile_user_enrollment: bool | None
    service_discovery_enabled: bool | None
    default_ios_user_enrollment_device_group_id: str | None
    apns_push_topic: str

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> AppleMdm:
        """Raises ValueError, naming the field, when the shape is wrong."""
        mdm_id = record.get("id")
        if not isinstance(mdm_id, str) or not mdm_id:
            raise ValueError("an Apple MDM without an `id` string")
        return cls(
            id=mdm_id,
            name=_text(record, "name") or "",
            organization=_text(record, "organization") or "",
            allow_mobile_user_enrollment=_switch(record, "allowMobileUserEnrollment"),
            service_discovery_enabled=_switch(record, "serviceDiscoveryEnabled"),
            default_ios_user_enrollment_device_group_id=_text(
                record, "defaultIosUserEnrollmentDeviceGroupID"
            ),
            apns_push_topic=_text(record, "apnsPushTopic") or "",
        )


def _switch(record: Mapping[str, Any], name: str) -> bool | None:
    value = record.get(name)
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"`{name}` is not true, false or null")
    return value


def _text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"`{name}` is not a string")
    return value
