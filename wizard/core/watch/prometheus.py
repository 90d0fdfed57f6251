"""The Prometheus text format for node_exporter's textfile collector (`--prometheus FILE`).

Names mirror blackbox_exporter's HTTP probe (`probe_success`, `probe_duration_seconds`,
`probe_ssl_earliest_cert_expiry`) under the `adue_` prefix, in base units, with no
timestamps (the collector refuses them). Every sample is labelled `setup` (empty for a
plain `verify`) and `domain`; the only other labels are an address and its family, and a
failure or warning code and its cause id. A domain is a host name: the verifier reduces a
Managed Apple Account given as a target to its domain, so no user identifier or e-mail
address can become a label.

The file is replaced atomically (a temporary file in the same folder, then a rename), mode
0644 so that the exporter's own user can read it; the collector reads only `*.prom` files,
so the temporary one (`.NAME.RANDOM.tmp`) is never half-read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from wizard.core.atomic_file import write_atomically
from wizard.core.results import DomainReport
from wizard.core.watch.outcome import RunOutcome, SetupOutcome

Labels = tuple[tuple[str, str], ...]
Sample = tuple[Labels, str]


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    samples: Callable[[SetupOutcome, DomainReport], Iterable[Sample]]


def _success(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    # A domain this machine could not look up (resolver_failed) neither passed nor failed:
    # no sample, so an alert on `== 0` does not fire for this machine's DNS.
    if not report.unknown:
        yield (), "1" if report.ok else "0"


def _duration(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    yield (), f"{report.elapsed_ms / 1000:.3f}"


def _expiry(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    expiry = report.earliest_cert_expiry()
    if expiry is not None:
        yield (), str(int(expiry.timestamp()))


def _addresses(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    seen = set()
    for address in report.addresses:
        if address.ok is None or address.address in seen:
            continue  # not checked from here: nothing is known
        seen.add(address.address)
        labels = (("address", address.address), ("family", address.family))
        yield labels, "1" if address.ok else "0"


def _failure(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    failing = next((check for check in report.checks if check.status == "fail"), None)
    if failing is not None and not report.unknown:
        yield (("code", str(failing.code or failing.id)), ("cause", failing.cause or "")), "1"


def _unknown(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    failing = next((check for check in report.checks if check.status == "fail"), None)
    if failing is not None and report.unknown:
        yield (("code", str(failing.code or failing.id)),), "1"


def _warnings(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    codes = dict.fromkeys(str(c.code or c.id) for c in report.checks if c.status == "warn")
    for code in codes:
        yield (("code", code),), "1"


def _last_success(setup: SetupOutcome, report: DomainReport) -> Iterable[Sample]:
    passed = setup.last_passed.get(report.domain)
    if passed is not None:
        yield (), f"{passed.timestamp():.3f}"


FAMILIES = (
    Family(
        "adue_probe_success",
        "1 when the domain passed the check an Apple device makes (warnings allowed), "
        "0 when it failed.",
        _success,
    ),
    Family(
        "adue_probe_duration_seconds",
        "How long the check of the domain took, in seconds.",
        _duration,
    ),
    Family(
        "adue_probe_ssl_earliest_cert_expiry",
        "When the first of the server certificates the check met expires, in Unix seconds.",
        _expiry,
    ),
    Family(
        "adue_address_success",
        "1 when the check passed at this address of the domain, 0 when it failed there.",
        _addresses,
    ),
    Family(
        "adue_probe_failure_info",
        "Why the domain failed: its failure code and cause (always 1).",
        _failure,
    ),
    Family(
        "adue_probe_unknown_info",
        "The check could not be made from this machine (its code, e.g. resolver_failed; "
        "always 1): nothing is known about the domain, so it has no adue_probe_success.",
        _unknown,
    ),
    Family(
        "adue_probe_warning_info",
        "A warning the domain passed with: its code (always 1).",
        _warnings,
    ),
    Family(
        "adue_last_success_timestamp_seconds",
        "When the domain last passed, in Unix seconds, from the setup's history.",
        _last_success,
    ),
)


def render(run: RunOutcome) -> str:
    """The whole file: each family's HELP and TYPE, then its samples (a family's lines
    together, as the format requires)."""
    labelled = [
        (setup, report, _labels((("setup", setup.name or ""), ("domain", report.domain))))
        for setup, report in run.reports()
    ]
    lines = []
    for family in FAMILIES:
        lines.append(f"# HELP {family.name} {_escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} gauge")
        for setup, report, base in labelled:
            for labels, value in family.samples(setup, report):
                shown = f"{base},{_labels(labels)}" if labels else base
                lines.append(f"{family.name}{{{shown}}} {value}")
    return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    return ",".join(f'{key}="{_escape_label(text)}"' for key, text in labels)


def write(path: Path, text: str) -> None:
    """Replace `path` atomically, readable by the exporter (0644); raises OSError."""
    write_atomically(path, text.encode("utf-8"), 0o644)


def _escape_label(text: str) -> str:
    # The exposition format's three escapes for label values.
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")
