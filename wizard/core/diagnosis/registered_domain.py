"""Whether a redirect stays within the same registered domain (apex to www. and the like),
decided with the public-suffix list rather than by counting labels (example.co.uk)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wizard.core.results import DomainReport

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    # Imported here: only a failing chain that changes host needs it. The list is the copy
    # bundled with the package; nothing is fetched at run time.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registered_domain(host: str) -> str:
    """example.co.uk for www.example.co.uk; the host itself when the list has no answer."""
    return _suffixes().privatesuffix(host.lower().rstrip(".")) or host.lower()


def same_registered_domain(first: str, second: str) -> bool:
    return first.lower() != second.lower() and registered_domain(first) == registered_domain(second)


def apex_to_www_hop(report: DomainReport) -> tuple[str, str] | None:
    """(from host, to host) when the first redirect moves to another host of the same
    registered domain, before the well-known rule ran; None otherwise."""
    if len(report.hops) < 2 or report.hops[0].location is None:
        return None
    first = urlsplit(report.hops[0].url).hostname or ""
    second = urlsplit(report.hops[1].url).hostname or ""
    if not first or not second or not same_registered_domain(first, second):
        return None
    return first, second
