"""JumpCloud's side of the prerequisites, read in one go: the Apple MDM, the ADUE redirect
URL and the ADUE JSON configuration, side by side. Each item keeps its own failure, so one
refused request never hides what the others found."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Generic, TypeVar

from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError
from wizard.core.jumpcloud.mdm import AppleMdm

T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """What one request found (`value`, None meaning "JumpCloud has none"), or its error."""

    value: T | None = None
    error: ApiError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class JumpCloudSide:
    apple_mdm: Read[AppleMdm]
    redirect_url: Read[str]
    json_config: Read[str]


async def read_side(client: JumpCloudClient, org_id: str) -> JumpCloudSide:
    """Read the three side by side (within the client's limits); `org_id` is the
    organization acted on (`Connection.org_id`)."""
    mdm, redirect, config = await asyncio.gather(
        _attempt(client.apple_mdm()),
        _attempt(client.adue_redirect(org_id)),
        _attempt(client.adue_config(org_id)),
    )
    return JumpCloudSide(apple_mdm=mdm, redirect_url=redirect, json_config=config)


async def _attempt(work: Awaitable[T | None]) -> Read[T]:
    try:
        return Read(value=await work)
    except ApiError as error:
        return Read(error=error)
