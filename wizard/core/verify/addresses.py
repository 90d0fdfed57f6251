"""Every address of a domain compared: the device's whole check ran once per address, and
the `addresses` check says which passed, which failed, and who that leaves out."""

from __future__ import annotations

from wizard.core.codes import CheckId, Code, Status
from wizard.core.results import AddressResult
from wizard.core.verify.check_run import CheckRun
from wizard.core.verify.resolve import family_of

# Addresses checked per domain (in parallel); any beyond are reported as not checked.
MAX_ADDRESSES = 8


def record_addresses(run: CheckRun, addresses: list[str], runs: list[CheckRun]) -> None:
    """Record `addresses` from the per-address runs (resolver order) on `run`'s report."""
    results: list[AddressResult] = []
    reasons: dict[str, str] = {}
    reference: CheckRun | None = None
    for address, sub in zip(addresses, runs, strict=False):
        family = family_of(address)
        if sub.no_route is not None:
            results.append(AddressResult(address, family, None))
            reasons[address] = f"not checked: no route from this machine ({sub.no_route})"
            continue
        failure = sub.report.failure
        if failure is not None:
            failing = next(c for c in sub.report.checks if c.status == "fail")
            reasons[address] = failing.summary
        elif reference is None:
            reference = sub
        elif difference := _different_document(reference, sub):
            reasons[address] = difference
            failure = Code.BAD_CONFIG
        results.append(AddressResult(address, family, failure is None, failure))
    for address in addresses[len(runs) :]:
        results.append(AddressResult(address, family_of(address), None))
        reasons[address] = f"not checked: only the first {MAX_ADDRESSES} addresses are"
    run.report.addresses = results
    run.current = CheckId.ADDRESSES
    run.record(CheckId.ADDRESSES, *_judge(results, reasons))


def _different_document(reference: CheckRun, run: CheckRun) -> str | None:
    """Why `run` (which passed) is not the answer `reference` got, or None when it is."""
    if run.report.document == reference.report.document:
        return None
    final = run.report.hops[-1].url if run.report.hops else run.report.domain
    return f"a different document than the first address's (from {final})"


def _judge(
    results: list[AddressResult], reasons: dict[str, str]
) -> tuple[Status, str, Code | None]:
    """pass when every address passed; otherwise fail with the code of the first failing
    address (resolver order), or warn when some could not be checked from here."""

    def name(result: AddressResult) -> str:
        return f"{result.address} ({result.family})"

    passed = [r for r in results if r.ok]
    failed = [r for r in results if r.ok is False]
    unchecked = [r for r in results if r.ok is None]
    passed_text = f"{', '.join(name(r) for r in passed)} passed" if passed else "no address passed"
    if len(results) == 1:
        return "pass", f"one address: {name(results[0])}", None
    if failed:
        first = failed[0]
        families = {r.family for r in failed}
        if not passed:
            effect = "no device can enroll"
        elif families == {"IPv6"} and all(r.ok is False for r in results if r.family == "IPv6"):
            effect = "phones on IPv6-only networks cannot enroll"
        elif families == {"IPv4"} and all(r.ok is False for r in results if r.family == "IPv4"):
            effect = "devices on IPv4-only networks cannot enroll"
        else:
            effect = "devices that reach a failing address cannot enroll"
        more = f"; {len(failed) - 1} more failed" if len(failed) > 1 else ""
        summary = f"{name(first)}: {reasons[first.address]}{more}; {passed_text}: {effect}"
        return "fail", summary, first.failure
    if unchecked:
        not_checked = "; ".join(f"{name(r)} {reasons[r.address]}" for r in unchecked)
        return "warn", f"{not_checked}; {passed_text}", Code.ADDRESS_UNCHECKED
    return "pass", f"all {len(results)} addresses passed: {', '.join(map(name, results))}", None
