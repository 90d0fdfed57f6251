"""`adue-wizard verify`'s run and outputs: the domains of one or more parts (the plain
domains given, one saved setup, or every saved setup) checked at once, each report printed
as it is ready (readable text, JSON lines, or under `--quiet` only the problems), each
setup's run recorded, then the files for monitoring (`--prometheus`, `--junit`), the
evidence report, and Nagios's output. Writing a file never changes what stdout says.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.cli.parsing import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from wizard.core.atomic_file import write_atomically
from wizard.core.domains import InvalidInput
from wizard.core.shown import argument, printable, wrapped

if TYPE_CHECKING:
    from wizard.core.results import DomainReport
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store
    from wizard.core.verify.options import VerifyOptions
    from wizard.core.watch.drift import Baseline
    from wizard.core.watch.outcome import RunOutcome


@dataclass(frozen=True)
class Outputs:
    """Where and how a run reports, checked before it starts (a typo must not cost a run)."""

    format: str = "text"
    quiet: bool = False
    prometheus: Path | None = None
    junit: Path | None = None
    report: Path | None = None

    @property
    def streams(self) -> bool:
        """Whether reports are printed as they come (not under Nagios: its status line,
        which sums them all up, comes first)."""
        return self.format != "nagios"


def outputs_from(args: argparse.Namespace) -> Outputs:
    chosen = args.format
    if args.json:
        if chosen not in (None, "json"):
            raise InvalidInput(f"--json and --format {chosen} both choose the output; give one")
        chosen = "json"
    chosen = chosen or "text"
    if args.quiet and chosen != "text":
        raise InvalidInput(f"--quiet shortens the text output; it does not go with {chosen}")
    files = {
        "--prometheus": _output_path("--prometheus", args.prometheus, "adue.prom"),
        "--junit": _output_path("--junit", args.junit, "adue-junit.xml"),
        "--report": _output_path("--report", args.report, "report.md"),
    }
    given = [(flag, path) for flag, path in files.items() if path is not None]
    for index, (flag, path) in enumerate(given):
        for other, other_path in given[index + 1 :]:
            if path.resolve() == other_path.resolve():
                raise InvalidInput(f"{flag} and {other} name the same file; give each its own")
    return Outputs(chosen, args.quiet, files["--prometheus"], files["--junit"], files["--report"])


def _output_path(flag: str, value: str | None, example: str) -> Path | None:
    """A file to write after the run: its folder must exist and be writable now."""
    if value is None:
        return None
    path = Path(value)
    if path.is_dir():
        raise InvalidInput(
            f"{flag} {argument(value)} is a folder; give a file name such as {example}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(
            f"{flag} {argument(value)}: the folder {argument(str(folder))} does not exist"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(
            f"{flag} {argument(value)}: cannot write in the folder {argument(str(folder))} "
            "(permission denied)"
        )
    return path


@dataclass
class Part:
    """Domains checked with one set of options: a saved setup (`state`), or the domains a
    plain `verify` was given (`name` None)."""

    name: str | None
    domains: list[str]
    options: VerifyOptions
    state: SetupState | None = None
    reports: list[DomainReport] = field(default_factory=list)
    # What each domain served at the setup's last pass (the drift warning), and the
    # webhooks given with --notify beside its saved ones.
    baseline: Baseline | None = None
    notify: list[str] = field(default_factory=list)


def check(
    parts: list[Part],
    outputs: Outputs,
    concurrency: int,
    *,
    store: Store | None = None,
    troubles: list[str] | None = None,
) -> int:
    """Check every part's domains, print and record them, write the files; the exit status.
    `troubles` say what kept a setup from being checked at all (already on stderr, except
    under Nagios, whose output says them)."""
    import asyncio

    troubles = list(troubles or [])
    printer = _Printer(outputs, several=len(parts) > 1)
    recorder = _Recorder(store) if store is not None else None
    try:
        asyncio.run(_check_all(parts, printer, recorder, concurrency))
    finally:
        unrecorded = recorder.finish() if recorder is not None else []
    printer.totals(parts)
    troubles += unrecorded
    if outputs.format != "nagios":
        # The report is printed; say what was not saved, and fail the run so that a cron
        # job notices that its history stopped.
        for line in unrecorded:
            print(f"adue-wizard: {printable(line)}", file=sys.stderr)
        for line in recorder.undelivered if recorder is not None else []:
            print(f"adue-wizard: {line}", file=sys.stderr)
    # When each domain last passed is read from the history only for the Prometheus file,
    # and not for a setup whose run could not be recorded (its one line said why).
    history = store if store is not None and outputs.prometheus is not None else None
    run = _outcome(parts, history, recorder, troubles)
    if store is not None:
        notices = store.all_notices()
        if outputs.format == "nagios":
            run.troubles += notices
        else:
            for notice in notices:
                print(f"adue-wizard: {printable(notice)}", file=sys.stderr)
    unwritten = _write_files(outputs, parts, run)
    if outputs.format == "nagios":
        from wizard.core.watch import nagios

        run.troubles += unwritten
        # stdout is all a monitoring system reads: a webhook's line goes there.
        run.notes += recorder.undelivered if recorder is not None else []
        text, status = nagios.render(run)
        print(text, flush=True)
        return status
    for line in unwritten:
        print(f"adue-wizard: {line}", file=sys.stderr)
    if unwritten:
        return EXIT_USAGE
    failed = any(not report.ok for part in parts for report in part.reports)
    return EXIT_FAILED if failed or troubles else EXIT_OK


async def _check_all(
    parts: list[Part], printer: _Printer, recorder: _Recorder | None, concurrency: int
) -> None:
    from wizard.core.verify.batches import Batch, verify_batches

    batches = [Batch(part.domains, part.options) for part in parts]
    async for index, report in verify_batches(batches, concurrency):
        part = parts[index]
        if part.baseline is not None:
            part.baseline.mark(report)
        if not part.reports:
            printer.start(part)
        part.reports.append(report)
        printer.report(part, report)
        if len(part.reports) == len(part.domains):
            printer.end(part)
            if recorder is not None and part.state is not None:
                recorder.record(part)


class _Printer:
    """What stdout shows as reports come in: readable text (wrapped on a terminal), JSON
    lines, the problem lines of `--quiet`, or nothing yet (Nagios)."""

    def __init__(self, outputs: Outputs, *, several: bool) -> None:
        self.format = outputs.format
        self.quiet = outputs.quiet
        self.several = several
        self.colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        # Wrapped to the terminal; whole lines when piped or redirected.
        self.width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None

    @property
    def readable(self) -> bool:
        return self.format == "text" and not self.quiet

    def start(self, part: Part) -> None:
        if not self.readable:
            return
        from wizard.core.verify.text_report import render_conditions

        if self.several:
            count = len(part.domains)
            print(f"== Setup {part.name} ({count} domain{'s' if count != 1 else ''})", flush=True)
        conditions = part.options.conditions()
        if conditions:
            line = render_conditions(conditions)
            print("\n".join(wrapped(line, self.width)), flush=True)

    def report(self, part: Part, report: DomainReport) -> None:
        if self.format == "json":
            # ensure_ascii keeps every control character escaped: safe on a terminal.
            line = {"setup": part.name, **report.to_json()}
            print(json.dumps(line, ensure_ascii=True), flush=True)
        elif self.quiet:
            from wizard.core.watch.outcome import problem_line

            shown = problem_line(part.name, report)
            if shown is not None:
                print(shown, flush=True)
        elif self.readable:
            from wizard.core.verify.text_report import render_report

            print(render_report(report, colour=self.colour, width=self.width) + "\n", flush=True)

    def end(self, part: Part) -> None:
        if self.readable and len(part.reports) > 1:
            from wizard.core.verify.text_report import render_totals

            print(render_totals(part.reports) + ("\n" if self.several else ""), flush=True)

    def totals(self, parts: list[Part]) -> None:
        if not (self.readable and self.several):
            return
        from wizard.core.verify.text_report import render_totals

        reports = [report for part in parts for report in part.reports]
        print(f"{len(parts)} setups, {render_totals(reports)}", flush=True)


class _Recorder:
    """Records each setup's run in its history as soon as its last domain is checked, in a
    thread of its own: each record is a transaction synced to disk, and the checks of the
    other setups go on meanwhile."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # A line per webhook not delivered, said once every record is made.
        self.undelivered: list[str] = []
        self.at: dict[str, datetime] = {}
        self.unrecorded: set[str] = set()
        from concurrent.futures import ThreadPoolExecutor

        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="record")
        self._troubles: list[str] = []

    def record(self, part: Part) -> None:
        assert part.state is not None and part.name is not None
        at = datetime.now(UTC)
        self.at[part.name] = at
        self._executor.submit(self._record, part, list(part.reports), at)

    def _record(self, part: Part, reports: list[DomainReport], at: datetime) -> None:
        """Record the run, then announce its changes of state to the setup's webhooks (a
        webhook that fails costs one line, never the run)."""
        from wizard.core.setups.files import SaveError
        from wizard.core.watch.notify import notify_after_run

        state = part.state
        assert state is not None
        try:
            run_id = self.store.record_run(state, reports, part.options.conditions(), at)
        except SaveError as error:
            self.unrecorded.add(state.name)
            self._troubles.append(str(error))
            return
        self.undelivered += notify_after_run(self.store, state.name, run_id, reports, part.notify)

    def finish(self) -> list[str]:
        """Wait for every record; what could not be recorded, one line each."""
        self._executor.shutdown(wait=True)
        return self._troubles


def _outcome(
    parts: list[Part], store: Store | None, recorder: _Recorder | None, troubles: list[str]
) -> RunOutcome:
    from wizard.core.watch.outcome import RunOutcome, SetupOutcome

    now = datetime.now(UTC)
    setups = []
    for part in parts:
        # A domain that passed now last passed with this run (recorded at `at`, or not
        # recorded at all); only the others are looked up in the history.
        at = recorder.at.get(part.name, now) if recorder and part.name else now
        passed = {report.domain: at for report in part.reports if report.ok}
        failing = [report.domain for report in part.reports if report.domain not in passed]
        recorded = recorder is None or part.name not in recorder.unrecorded
        if store is not None and part.name is not None and recorded and failing:
            passed.update(store.history.last_passed(part.name, failing))
        conditions = part.options.conditions()
        setups.append(SetupOutcome(part.name, part.reports, conditions, passed))
    return RunOutcome(setups, now, troubles)


def _write_files(outputs: Outputs, parts: list[Part], run: RunOutcome) -> list[str]:
    """Write the files asked for; a line for each that could not be written."""
    unwritten = []
    if outputs.prometheus is not None:
        from wizard.core.watch import prometheus

        try:
            prometheus.write(outputs.prometheus, prometheus.render(run))
        except OSError as error:
            unwritten.append(_cannot_write("--prometheus", outputs.prometheus, error))
    if outputs.junit is not None:
        from wizard.core.watch import junit

        try:
            # 0644: a CI job's reporter reads it, often as another user.
            write_atomically(outputs.junit, junit.render(run), 0o644)
        except OSError as error:
            unwritten.append(_cannot_write("--junit", outputs.junit, error))
    if outputs.report is not None:
        try:
            write_evidence_report(outputs.report, parts)
        except OSError as error:
            unwritten.append(_cannot_write("--report", outputs.report, error))
    return unwritten


def _cannot_write(flag: str, path: Path, error: OSError) -> str:
    return f"{flag} {argument(str(path))}: cannot write ({error.strerror or error})"


def write_evidence_report(path: Path, parts: list[Part]) -> None:
    """The Markdown evidence report of one part's reports (`--report` is refused with
    `--all`: each setup reproduces with its own settings). Raises OSError."""
    from wizard.core.diagnosis.evidence_report import ReproduceWith, render_report

    [part] = parts
    options = part.options
    reproduce = ReproduceWith(
        connect_to=[str(rule) for rule in options.connect_to],
        resolve=[str(rule) for rule in options.resolve],
        ca_bundle=options.ca_bundle,
        timeout=options.timeout,
    )
    text = render_report(part.reports, reproduce)
    # 0600: the report names internal hosts and addresses; the admin decides who sees it.
    write_atomically(path, text.encode("utf-8"), 0o600)
