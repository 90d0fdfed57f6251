"""Several lists of domains, each with options of its own (the saved setups of
`verify --all`), checked at once within one limit on the domains in flight.

Lists whose network settings match (the same routing, trust, User-Agent and deadline)
share one `Network`: one TLS context and HTTP client, and each server probed once for all
of them, as one list of the same domains would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from wizard.core.results import DomainReport
from wizard.core.verify.options import VerifyOptions
from wizard.core.verify.verifier import Network, Verifier


@dataclass(frozen=True)
class Batch:
    domains: Sequence[str]
    options: VerifyOptions


async def verify_batches(
    batches: Sequence[Batch], concurrency: int
) -> AsyncIterator[tuple[int, DomainReport]]:
    """Every batch's domains checked concurrently, at most `concurrency` at once in all;
    yields (batch index, report) in input order, batch after batch, each report as soon as
    it and those before it are ready."""
    networks: dict[tuple[object, ...], Network] = {}
    verifiers = []
    for batch in batches:
        settings = Network.settings_of(batch.options)
        if settings not in networks:
            networks[settings] = Network(batch.options)
        verifiers.append(Verifier(batch.options, networks[settings]))
    limit = asyncio.Semaphore(concurrency)

    async def one(verifier: Verifier, domain: str) -> DomainReport:
        async with limit:
            return await verifier.verify(domain)

    tasks = [
        (index, asyncio.create_task(one(verifier, domain)))
        for index, (verifier, batch) in enumerate(zip(verifiers, batches, strict=True))
        for domain in batch.domains
    ]
    try:
        for index, task in tasks:
            yield index, await task
    finally:
        for _, task in tasks:
            task.cancel()
        # Every check stopped before the clients they use are closed.
        await asyncio.gather(*(task for _, task in tasks), return_exceptions=True)
        for network in networks.values():
            await network.aclose()
