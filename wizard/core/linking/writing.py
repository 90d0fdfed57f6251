"""Applying a plan to JumpCloud, and undoing it, so that a run stopped at any moment and
started again writes no user twice and skips none.

A `LinkingSession` holds the organization's lock (`org_lock`) and a connection for one
run. `prepare_apply()` / `prepare_undo()` re-read every user (one bulk read) and decide,
from what JumpCloud holds now, which writes are still to make: a user that already holds
the plan's value is done (written by an earlier run, or by someone), one that holds
neither the old nor the new value changed since and is left alone. The caller asks the
admin, then `write()` sends them, at most 4 in flight, each recorded in the journal before
it is sent and once it is answered.

Because every run starts from a fresh read, a write whose answer was lost (the run killed
while it was in flight) is found done or not done by the next run; the one case it can be
sent again is when it reached JumpCloud after that read, and then it carries the same
value. A 503 answer to a write is retried, for the same reason: sending the same value
again changes nothing. Other refusals fail that user with JumpCloud's message, and the run
goes on; a refused key, or writes failing one after another, stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, ParamSpec, Protocol, TypeVar

from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.client import Connection, JumpCloudClient
from wizard.core.jumpcloud.errors import ApiError, ErrorKind
from wizard.core.jumpcloud.secret import ApiKey
from wizard.core.jumpcloud.transport import MAX_IN_FLIGHT, RETRY_BASE
from wizard.core.jumpcloud.users import User
from wizard.core.linking.journal import Answered, Entry, Intent, Journal, Operation, Outcome
from wizard.core.linking.org_lock import organization_lock
from wizard.core.linking.plan import WRITTEN, Plan
from wizard.core.shown import printable

# Writes recorded in the journal in one transaction (each commit waits for the disk).
BATCH = 50
# Answers wait at most this long before they are recorded, however slow the run.
FLUSH_EVERY_S = 0.25
# This many failures in a row (no connection, 503s, rate limits) mean JumpCloud cannot be
# reached: the run stops instead of failing every user left one by one.
STOP_AFTER_FAILURES = 2 * MAX_IN_FLIGHT
# A run of thousands of writes has no deadline as a whole; each request has its own.
RUN_DEADLINE_S = 24 * 3600.0
REQUEST_TIMEOUT_S = 30.0

Result = Literal[
    "written",
    "already_done",
    "changed_since_plan",
    "put_back",
    "already_undone",
    "changed_since_apply",
    "not_found",
    "refused",
    "unknown",
    "not_attempted",
]
# The results that leave a user as the run meant it.
GOOD: frozenset[Result] = frozenset(["written", "already_done", "put_back", "already_undone"])

P = ParamSpec("P")
T = TypeVar("T")


class ApiAccess(Protocol):
    """Where JumpCloud's API is, and the key to it (held in memory only), as
    `wizard.core.jumpcloud.access.JumpCloudAccess` holds them."""

    @property
    def base_url(self) -> str: ...

    @property
    def key(self) -> ApiKey: ...


@dataclass(frozen=True)
class ItemResult:
    """What became of one user: `detail` says why, in plain words (data from JumpCloud
    already masked and made printable)."""

    user_id: str
    email: str
    result: Result
    detail: str


@dataclass(frozen=True)
class Write:
    position: int  # in the plan, so results are listed in its order
    user_id: str
    email: str
    before: str  # what JumpCloud holds now
    after: str  # what is sent


@dataclass
class Prepared:
    operation: Operation
    writes: list[Write]
    settled: list[ItemResult]
    # undo: the journal has no write of this plan (never applied from this state folder).
    never_applied: bool = False


@dataclass
class Finished:
    operation: Operation
    results: list[ItemResult]
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        return self.stopped is None and all(item.result in GOOD for item in self.results)

    def count(self, *results: Result) -> int:
        return sum(1 for item in self.results if item.result in results)

    def not_good(self) -> list[ItemResult]:
        return [item for item in self.results if item.result not in GOOD]


Progress = Callable[[int, int], None]


class LinkingSession:
    """`async with LinkingSession(plan, access, state_folder) as session:` holds the
    organization's lock (raising OrganizationBusy at once when another run holds it) and
    a connection to the plan's organization (raising ApiError when the key cannot reach
    it)."""

    def __init__(
        self,
        plan: Plan,
        access: ApiAccess,
        folder: Path,
        *,
        plan_file: str | None = None,
        request_timeout: float = REQUEST_TIMEOUT_S,
        environ: Mapping[str, str] | None = None,
        retry_base: float = RETRY_BASE,
    ) -> None:
        if access.base_url.rstrip("/") != plan.api_url:
            raise InvalidInput(
                f"the plan was made for JumpCloud's API at {printable(plan.api_url)}, not "
                f"{printable(access.base_url)}"
            )
        self.plan = plan
        self.folder = folder
        self.plan_file = plan_file
        self.client = JumpCloudClient(
            plan.api_url,
            access.key,
            timeout=RUN_DEADLINE_S,
            request_timeout=request_timeout,
            environ=environ,
            retry_base=retry_base,
        )
        self.journal = Journal(folder)
        self.connection: Connection | None = None
        self._stack = contextlib.AsyncExitStack()
        # One thread for the journal: its writes happen in the order asked, on one
        # connection, and never hold up the requests.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    async def __aenter__(self) -> LinkingSession:
        async with contextlib.AsyncExitStack() as stack:
            stack.callback(self._executor.shutdown)
            stack.callback(self.journal.close)
            stack.enter_context(organization_lock(self.folder, self.plan.api_url, self.plan.org_id))
            await stack.enter_async_context(self.client)
            self.connection = await self.client.connect(self.plan.org_id)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    @property
    def organization_name(self) -> str:
        return self.connection.organization.name if self.connection else ""

    async def in_journal(self, function: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: function(*args, **kw))

    async def _users(self) -> dict[str, User]:
        """Every user, read again once if the list changed while it was read in pages."""
        try:
            users = await self.client.users()
        except ApiError as error:
            if error.kind is not ErrorKind.CHANGED:
                raise
            users = await self.client.users()
        return {user.id: user for user in users}

    # Deciding what is left to write, from what JumpCloud holds now.

    async def prepare_apply(self) -> Prepared:
        users = await self._users()
        entries = await self.in_journal(self.journal.entries, self.plan.plan_id)
        writes, settled = [], []
        for position, item in enumerate(self.plan.items):
            if item.action not in WRITTEN or item.user_id is None:
                continue
            if item.after is None or item.before is None:
                continue  # read_plan refuses such a plan
            email = item.email or ""
            user = users.get(item.user_id)
            if user is None:
                detail = "no longer in JumpCloud"
                settled.append(ItemResult(item.user_id, email, "not_found", detail))
            elif _same(user.managed_apple_id, item.after):
                detail = _done_by(entries.get(item.user_id, []), item.after)
                settled.append(ItemResult(item.user_id, email, "already_done", detail))
            elif _same(user.managed_apple_id, item.before):
                found = user.managed_apple_id
                writes.append(Write(position, item.user_id, email, found, item.after))
            else:
                detail = (
                    f"holds {_quoted(user.managed_apple_id)} now; the plan expected "
                    f"{_quoted(item.before)}: left alone"
                )
                settled.append(ItemResult(item.user_id, email, "changed_since_plan", detail))
        return Prepared("apply", writes, settled)

    async def prepare_undo(self) -> Prepared:
        entries = await self.in_journal(self.journal.entries, self.plan.plan_id)
        if not entries:
            return Prepared("undo", [], [], never_applied=True)
        emails = {item.user_id: item.email or "" for item in self.plan.items if item.user_id}
        users = await self._users()
        positions = {item.user_id: n for n, item in enumerate(self.plan.items) if item.user_id}
        writes, settled = [], []
        for user_id, history in entries.items():
            email = emails.get(user_id, "")
            user = users.get(user_id)
            wrote = _to_undo(history)
            if wrote is None:
                undone = _put_back(history)
                if undone is not None:
                    settled.append(_undone_before(user_id, email, user, undone))
                continue  # else never written (refused, or not sent): nothing to put back
            if user is None:
                detail = "no longer in JumpCloud"
                settled.append(ItemResult(user_id, email, "not_found", detail))
            elif _same(user.managed_apple_id, wrote.after):
                position = positions.get(user_id, len(positions))
                found = user.managed_apple_id
                writes.append(Write(position, user_id, email, found, wrote.before))
            elif _same(user.managed_apple_id, wrote.before):
                detail = f"holds {_quoted(wrote.before)}, as before the plan"
                settled.append(ItemResult(user_id, email, "already_undone", detail))
            else:
                detail = (
                    f"holds {_quoted(user.managed_apple_id)} now, not {_quoted(wrote.after)} "
                    "as the plan wrote: changed by someone else since, left alone"
                )
                settled.append(ItemResult(user_id, email, "changed_since_apply", detail))
        writes.sort(key=lambda write: write.position)
        return Prepared("undo", writes, settled)

    # Writing.

    async def write(self, prepared: Prepared, progress: Progress | None = None) -> Finished:
        """Send the prepared writes; every one is in the journal before it is sent."""
        results = list(prepared.settled)
        if not prepared.writes:
            return Finished(prepared.operation, results)
        run_id = await self.in_journal(
            self.journal.start_run, self.plan, prepared.operation, self.plan_file
        )
        run = _Run(self, prepared, run_id, progress)
        try:
            await run.send_all()
        finally:
            run.record_the_rest()  # also when cancelled: nothing journaled stays unexplained
        results += run.results
        order = {write.user_id: write.position for write in prepared.writes}
        results.sort(key=lambda item: order.get(item.user_id, -1))
        finished = Finished(prepared.operation, results, run.stopped)
        skipped = finished.count("changed_since_plan", "changed_since_apply", "not_attempted")
        failed = finished.count("not_found", "refused", "unknown")
        await self.in_journal(self.journal.finish_run, run_id, skipped, failed)
        return finished


@dataclass
class _Run:
    """One run's writes: a producer records them in the journal in batches and hands them
    to 4 senders; answers are recorded in batches too (and at least every 0.25 s)."""

    session: LinkingSession
    prepared: Prepared
    run_id: int
    progress: Progress | None
    results: list[ItemResult] = field(default_factory=list)
    stopped: str | None = None
    _queue: asyncio.Queue[tuple[int, Write] | None] = field(
        default_factory=lambda: asyncio.Queue(BATCH)
    )
    _answers: list[Answered] = field(default_factory=list)
    # Recorded in the journal, not handed to a sender yet.
    _unsent: dict[int, Write] = field(default_factory=dict)
    _failures_in_a_row: int = 0

    async def send_all(self) -> None:
        flusher = asyncio.create_task(self._flush_now_and_then())
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._produce())
                for _ in range(MAX_IN_FLIGHT):
                    group.create_task(self._send())
        except BaseExceptionGroup as failed:
            raise _first(failed) from None
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher

    def record_the_rest(self) -> None:
        """Record the answers not yet recorded, and the writes recorded but never sent, on
        this thread (the run may be ending by cancellation)."""
        journal = self.session.journal
        never_sent = [Answered(entry, "not_sent", None, None) for entry in self._unsent]
        answers, self._answers = self._answers, []
        journal.answered(answers + never_sent)
        sent = {result.user_id for result in self.results}
        for write in self.prepared.writes:
            if write.user_id not in sent:
                detail = f"not sent: {self.stopped}" if self.stopped else "not sent"
                self.results.append(ItemResult(write.user_id, write.email, "not_attempted", detail))
        self._unsent.clear()

    async def _produce(self) -> None:
        writes = self.prepared.writes
        operation = self.prepared.operation
        for start in range(0, len(writes), BATCH):
            if self.stopped:
                break
            batch = writes[start : start + BATCH]
            intents = [Intent(write.user_id, write.before, write.after) for write in batch]
            ids = await self.session.in_journal(
                self.session.journal.intend,
                self.run_id,
                self.session.plan.plan_id,
                operation,
                intents,
            )
            for entry, write in zip(ids, batch, strict=True):
                self._unsent[entry] = write
            for entry, write in zip(ids, batch, strict=True):
                await self._queue.put((entry, write))
        for _ in range(MAX_IN_FLIGHT):
            await self._queue.put(None)

    async def _send(self) -> None:
        total = len(self.prepared.writes)
        while (taken := await self._queue.get()) is not None:
            entry, write = taken
            if self.stopped:
                continue  # stays unsent: recorded as not_sent at the end
            del self._unsent[entry]
            answered, result = await self._put(entry, write)
            self._answers.append(answered)
            self.results.append(result)
            if self.progress is not None:
                self.progress(len(self.results), total)
            if len(self._answers) >= BATCH:
                await self._flush()

    async def _put(self, entry: int, write: Write) -> tuple[Answered, ItemResult]:
        client = self.session.client
        undo = self.prepared.operation == "undo"
        try:
            # retry_writes: a 503 may come after the write was applied; sending the same
            # value again is harmless, and failing the user would be wrong.
            await client.put_user(write.user_id, {"managedAppleId": write.after}, retry_writes=True)
        except ApiError as error:
            outcome, result, in_a_row, fatal = _classify(error)
            self._failures_in_a_row = self._failures_in_a_row + 1 if in_a_row else 0
            detail = str(error)
            if result == "unknown":
                detail += "; it may have been written: run it again, which reads it first"
            if fatal:
                self.stopped = f"JumpCloud refused the API key ({error})"
            elif self._failures_in_a_row >= STOP_AFTER_FAILURES and not self.stopped:
                self.stopped = (
                    f"{self._failures_in_a_row} writes in a row failed, the last with: {error}"
                )
            answered = Answered(entry, outcome, error.status, str(error))
            return answered, ItemResult(write.user_id, write.email, result, detail)
        self._failures_in_a_row = 0
        was = _quoted(write.before)
        detail = f"{_quoted(write.after)} (was {was})"
        done: Result = "put_back" if undo else "written"
        return Answered(entry, "written", 200, None), ItemResult(
            write.user_id, write.email, done, detail
        )

    async def _flush(self) -> None:
        answers, self._answers = self._answers, []
        if answers:
            await self.session.in_journal(self.session.journal.answered, answers)

    async def _flush_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY_S)
            await self._flush()


def _classify(error: ApiError) -> tuple[Outcome, Result, bool, bool]:
    """(journal outcome, result, counts toward a stop, stops at once) for a failed write.

    A 4xx answer refused the write; no answer, a 5xx or an unreadable 2xx leave it unknown.
    """
    kind = error.kind
    if kind is ErrorKind.KEY_REFUSED:
        return "refused", "refused", False, True
    if kind is ErrorKind.NOT_FOUND:
        return "refused", "not_found", False, False
    if kind is ErrorKind.RATE_LIMITED:
        return "refused", "refused", True, False
    if kind is ErrorKind.HTTP_ERROR and error.status is not None and error.status < 500:
        return "refused", "refused", False, False
    transient = kind in (
        ErrorKind.HTTP_ERROR,
        ErrorKind.UNAVAILABLE,
        ErrorKind.TIMEOUT,
        ErrorKind.CONNECTION,
        ErrorKind.PROXY,
        ErrorKind.TLS,
        ErrorKind.TLS_UNTRUSTED,
    )
    return "unknown", "unknown", transient, False


def _to_undo(history: list[Entry]) -> Entry | None:
    """The apply write an undo must take back: the last write that may have been applied,
    when it is an apply (or an undo that may not have been); None when there is none."""
    maybe = [entry for entry in history if entry.maybe_applied]
    if not maybe:
        return None
    last = maybe[-1]
    if last.operation == "apply":
        return last
    if last.outcome != "written":  # an undo whose answer was lost: take it back again
        applies = [entry for entry in maybe if entry.operation == "apply"]
        return applies[-1] if applies else None
    return None


def _put_back(history: list[Entry]) -> Entry | None:
    """The undo write that put the user back, when it is the last write that may have been
    applied and JumpCloud confirmed it; None otherwise."""
    maybe = [entry for entry in history if entry.maybe_applied]
    if maybe and maybe[-1].operation == "undo" and maybe[-1].outcome == "written":
        return maybe[-1]
    return None


def _undone_before(user_id: str, email: str, user: User | None, undone: Entry) -> ItemResult:
    """A user put back by an earlier undo that JumpCloud confirmed: never sent again, but
    counted, so that a resumed or repeated undo accounts for every user the plan wrote."""
    if user is None:
        return ItemResult(user_id, email, "not_found", "no longer in JumpCloud")
    if _same(user.managed_apple_id, undone.after):
        detail = f"holds {_quoted(undone.after)}, as before the plan"
        return ItemResult(user_id, email, "already_undone", detail)
    detail = (
        f"holds {_quoted(user.managed_apple_id)} now; the undo put back "
        f"{_quoted(undone.after)}: changed by someone else since, left alone"
    )
    return ItemResult(user_id, email, "changed_since_apply", detail)


def _done_by(history: list[Entry], after: str) -> str:
    for entry in reversed(history):
        if entry.operation == "apply" and entry.maybe_applied and _same(entry.after, after):
            return f"written by this plan on {entry.at:%Y-%m-%d %H:%M} UTC"
    return "already holds it"


def _same(current: str, planned: str) -> bool:
    return current.strip().casefold() == planned.strip().casefold()


def _quoted(value: str) -> str:
    return f'"{printable(value.strip())}"' if value.strip() else "no account"


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
