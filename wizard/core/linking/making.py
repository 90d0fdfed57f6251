"""Making a plan: read the organization's users once, and decide each user's action from
a CSV's rows or from each user's own e-mail. Reads only; nothing is written anywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from wizard.core.jumpcloud.client import JumpCloudClient
from wizard.core.linking.csv_source import CsvAccounts
from wizard.core.linking.plan import Plan, PlanOptions, PlanSource
from wizard.core.linking.planning import Where, make_plan, wanted_from_csv, wanted_from_emails
from wizard.core.linking.writing import REQUEST_TIMEOUT_S, RUN_DEADLINE_S, ApiAccess


async def read_and_plan(
    access: ApiAccess,
    *,
    setup: str,
    org_id: str | None,
    domains: Sequence[str],
    source: CsvAccounts | None,
    source_name: str | None = None,
    options: PlanOptions | None = None,
    request_timeout: float = REQUEST_TIMEOUT_S,
    environ: Mapping[str, str] | None = None,
) -> Plan:
    """The plan for `setup`'s organization (`org_id`, or the key's one organization): from
    `source` (a CSV read already, named `source_name`), else from each user's e-mail in
    `domains`. Raises ApiError when JumpCloud cannot be read."""
    async with JumpCloudClient(
        access.base_url,
        access.key,
        timeout=RUN_DEADLINE_S,
        request_timeout=request_timeout,
        environ=environ,
    ) as jumpcloud:
        connection = await jumpcloud.connect(org_id)
        users = await jumpcloud.users()
    if source is not None:
        wanted = wanted_from_csv(source, users)
        found = PlanSource(
            kind="csv", file=source_name, rows=source.read, left_out=source.without_account
        )
    else:
        wanted, left_out = wanted_from_emails(users, domains)
        found = PlanSource(kind="same_as_email", rows=len(users), left_out=left_out)
    where = Where(setup, connection.org_id, access.base_url.rstrip("/"), list(domains))
    return make_plan(wanted, users, where, found, options or PlanOptions(), datetime.now(UTC))
