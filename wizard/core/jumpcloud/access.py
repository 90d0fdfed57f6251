"""Reaching one organization's JumpCloud: where its API is and the key to it, and the ADUE
configuration read from it (what `verify` compares a domain with, and what `generate
--from-jumpcloud` publishes)."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.jumpcloud.secret import ApiKey
from wizard.core.jumpcloud.side import read_side


@dataclass(frozen=True)
class JumpCloudAccess:
    """Where JumpCloud's API is and the key to it; `timeout` bounds all API work of a run.
    Held in memory only: nothing here is ever saved."""

    base_url: str
    key: ApiKey
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"JumpCloudAccess({self.base_url!r}, key=***)"

    def client(self) -> JumpCloudClient:
        return JumpCloudClient(self.base_url, self.key, timeout=self.timeout)


@dataclass(frozen=True)
class AdueConfiguration:
    """The organization's account-driven enrollment configuration in JumpCloud: the redirect
    URL a domain should send devices to, and the JSON document it may host instead (each
    None when JumpCloud has none)."""

    org_id: str
    redirect_url: str | None
    json_config: str | None


async def read_adue_configuration(access: JumpCloudAccess, org_id: str | None) -> AdueConfiguration:
    """Both parts for `org_id` (the key's own organization when None). Raises ApiError (one
    line, never the key) when JumpCloud refuses, cannot be reached, or fails either read."""
    async with access.client() as client:
        connection = await client.connect(org_id)
        side = await read_side(client, connection.org_id)
    for read in (side.redirect_url, side.json_config):
        if read.error is not None:
            raise read.error
    return AdueConfiguration(connection.org_id, side.redirect_url.value, side.json_config.value)
