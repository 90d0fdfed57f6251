"""What a passing domain served: the document (compared as JSON, so key order and whitespace
are not a change) and where its redirects ended. The history keeps it per domain, from the
last passing run (`history`), so that the next pass can say what changed since (the
`changed_since_pass` warning, `wizard.core.watch.drift`).

Kept small and bounded: the canonical document up to MAX_DOCUMENT_CHARS (a discovery
document is a few hundred bytes), and always its SHA-256, so a larger one is still compared.
The device's own query (user-identifier, model-family) is left out of the redirect target:
it names the probe's user, and changes with `--user` without the server changing anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from wizard.core.results import DomainReport

MAX_DOCUMENT_CHARS = 4096
# The query a device adds to the well-known URL, which redirects forward.
DEVICE_QUERY = frozenset({"user-identifier", "model-family"})


@dataclass(frozen=True)
class Served:
    """The redirect target the check ended at (None: the domain served the document itself),
    the document's digest, and the canonical document when it is small enough to keep."""

    target: str | None
    digest: str
    document: str | None

    def same_as(self, other: Served) -> bool:
        return self.target == other.target and self.digest == other.digest

    def parsed_document(self) -> Any:
        """The document kept, as JSON, or None when it was too large to keep."""
        return None if self.document is None else json.loads(self.document)


def served_by(report: DomainReport) -> Served | None:
    """What a passing report served; None for a failing one (or one without a document)."""
    if not report.ok or report.document is None:
        return None
    import hashlib  # only when a run is recorded: not at the wizard's start

    canonical = canonical_json(report.document)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    kept = canonical if len(canonical) <= MAX_DOCUMENT_CHARS else None
    return Served(final_target(report), digest, kept)


def canonical_json(document: Any) -> str:
    """One text per JSON value: keys sorted, no whitespace, characters as they are."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def final_target(report: DomainReport) -> str | None:
    """The URL the redirects ended at, without the device's query; None without redirects."""
    if len(report.hops) < 2:
        return None
    parts = urlsplit(report.hops[-1].url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in DEVICE_QUERY
    ]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
