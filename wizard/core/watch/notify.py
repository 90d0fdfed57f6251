"""A message when a domain's state changes: after a saved setup's run is recorded, each
domain whose state differs from its last known result (pass to fail, fail to pass, or one
failure code to another) is announced with one JSON POST to each webhook. Nothing while the
state stays the same, nor after a setup's first run, nor for a result that says nothing of
the domain (this machine could not resolve names: `unknown`), either way.

A domain that still passes but serves another document or ends its redirects elsewhere
than at its last pass (the `changed_since_pass` warning) is announced the same way, once,
with `from` and `to` both "pass" and `warning` "changed_since_pass".

The body is `{"text", "setup", "domain", "from", "to", "failure", "previous_failure",
"cause", "warning", "at"}`: `text` is what Slack, Mattermost and Rocket.Chat incoming
webhooks show, the rest is for anything else. More than MAX_MESSAGES changes in one run (an
MDM's outage fails every domain at once) send MAX_MESSAGES - 1 of them and one message for
the rest, whose `domain`, `from`, `to`, `failure`, `previous_failure`, `cause` and
`warning` are null.

Once per change, whatever runs at once (a timer and an admin): the change is claimed in the
state database (`notified`, keyed by the domain's last known run and the domain) in the
transaction that decides to send it, so of two runs that see it, one sends. A message that
could not be delivered is not sent again (its one line on stderr says so).

A webhook that fails or hangs costs one line (its URL hidden) and at most NOTIFY_SECONDS
for all webhooks together (they are posted to at once); the run and its exit status stand.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from wizard.core.codes import Code
from wizard.core.setups.files import SaveError
from wizard.core.setups.history import RunHistory
from wizard.core.setups.webhooks import SavedWebhooks, WebhookFileError
from wizard.core.shown import printable
from wizard.core.watch.webhooks import hidden, is_loopback

if TYPE_CHECKING:
    import httpx

    from wizard.core.results import DomainReport
    from wizard.core.setups.store import Store

NOTIFY_SECONDS = 5.0
MAX_MESSAGES = 10
# The advice quoted in a message is cut at a sentence end before this many characters.
MAX_PROBLEM_CHARS = 300

# The JSON body posted: a public contract, receivers read these fields. ("from" is a Python
# keyword, hence the functional form.)
Message = TypedDict(
    "Message",
    {
        "text": str,
        "setup": str,
        "domain": str | None,
        "from": str | None,
        "to": str | None,
        "failure": str | None,
        "previous_failure": str | None,
        "cause": str | None,
        "warning": str | None,
        "at": str,
    },
)


@dataclass(frozen=True)
class Change:
    """A domain whose state differs from its last known result's."""

    domain: str
    was_ok: bool
    now_ok: bool
    failure: str | None
    previous_failure: str | None
    # A domain that still passes but serves something else than at its last pass: the
    # `changed_since_pass` warning's summary (what changed, before and after).
    drift: str | None = None


@dataclass
class Delivery:
    """How posting to one webhook went: every message delivered, or the first problem."""

    url: str
    sent: int = 0
    problem: str | None = None

    @property
    def delivered(self) -> bool:
        return self.problem is None

    def line(self, total: int) -> str:
        """One line for stderr, the URL hidden."""
        if self.problem is None:
            return f"webhook {hidden(self.url)} delivered"
        partly = f" ({self.sent} of {total} messages delivered)" if self.sent else ""
        return f"webhook {hidden(self.url)} not delivered: {self.problem}{partly}"


def notify_after_run(
    store: Store,
    setup: str,
    run_id: int,
    reports: Sequence[DomainReport],
    extra_urls: Sequence[str] = (),
) -> list[str]:
    """Announce the changes of the recorded run `run_id` to the setup's saved webhooks and
    `extra_urls` (checked already); returns one line per problem (URLs hidden), to print."""
    problems = []
    try:
        saved = SavedWebhooks(store.folder).urls(setup)
    except WebhookFileError as error:
        problems.append(str(error))
        saved = []
    urls = list(dict.fromkeys([*saved, *extra_urls]))
    if not urls:
        return problems
    try:
        at, changes = claim_changes(store.history, setup, run_id, drifted(reports))
    except SaveError as error:
        return [*problems, f"no message sent: {error}"]
    if not changes:
        return problems
    messages = change_messages(setup, changes, reports, at)
    deliveries = deliver(urls, messages)
    return problems + [d.line(len(messages)) for d in deliveries if not d.delivered]


def drifted(reports: Sequence[DomainReport]) -> dict[str, str]:
    """The domains that warn `changed_since_pass`, with what changed."""
    return {
        report.domain: check.summary
        for report in reports
        for check in report.checks
        if check.code == Code.CHANGED_SINCE_PASS
    }


def claim_changes(
    history: RunHistory, setup: str, run_id: int, drift: Mapping[str, str] | None = None
) -> tuple[datetime, list[Change]]:
    """When run `run_id` was made, and the changes of state it shows, each domain against
    its last known result before it, each claimed for this run in the same transaction; a
    change another run has claimed already is left out. A result that says nothing of the
    domain (this machine could not resolve names: `unknown`) is neither a change nor what a
    change is measured from, so a resolver's outage sends no message either way. A domain
    that passes as before but is in `drift` (it serves something else) is a change too:
    someone pointing the domain at another MDM must be heard of. Raises SaveError when the
    database cannot be written."""
    drift = drift or {}

    def claim(db: sqlite3.Connection) -> tuple[datetime, list[Change]]:
        row = db.execute(
            "SELECT at FROM runs WHERE id = ? AND setup = ?", (run_id, setup)
        ).fetchone()
        if row is None:  # pruned by the retention already: nothing to compare with
            return datetime.now(UTC), []
        at = datetime.fromisoformat(row[0])
        claimed = []
        for domain, ok, failure in db.execute(
            "SELECT domain, ok, failure FROM results WHERE run_id = ? AND unknown = 0 "
            "ORDER BY position",
            (run_id,),
        ).fetchall():
            known = db.execute(
                "SELECT runs.id, results.ok, results.failure FROM runs "
                "JOIN results ON results.run_id = runs.id "
                "WHERE runs.setup = ? AND (runs.at, runs.id) < (?, ?) "
                "AND results.domain = ? AND results.unknown = 0 "
                "ORDER BY runs.at DESC, runs.id DESC LIMIT 1",
                (setup, row[0], run_id, domain),
            ).fetchone()
            if known is None:  # the domain's first known result: nothing changed
                continue
            after_run, was_ok, was_failure = known[0], bool(known[1]), known[2]
            moved = drift.get(domain) if ok and was_ok else None
            if bool(ok) == was_ok and (ok or failure == was_failure) and moved is None:
                continue
            inserted = db.execute(
                "INSERT OR IGNORE INTO notified (after_run, domain, run_id) VALUES (?, ?, ?)",
                (after_run, domain, run_id),
            )
            if inserted.rowcount:
                change = Change(domain, was_ok, bool(ok), failure, was_failure, moved)
                claimed.append(change)
        return at, claimed

    return history.database.write(claim, "claim the changes of the run")


# -- the messages ----------------------------------------------------------------------------


def change_messages(
    setup: str, changes: Sequence[Change], reports: Sequence[DomainReport], at: datetime
) -> list[Message]:
    """One message per change, at most MAX_MESSAGES (the last then tells the rest)."""
    by_domain = {report.domain: report for report in reports}
    if len(changes) <= MAX_MESSAGES:
        return [change_message(setup, c, by_domain.get(c.domain), at) for c in changes]
    shown, rest = changes[: MAX_MESSAGES - 1], changes[MAX_MESSAGES - 1 :]
    messages = [change_message(setup, c, by_domain.get(c.domain), at) for c in shown]
    messages.append(rest_message(setup, rest, at))
    return messages


def change_message(
    setup: str, change: Change, report: DomainReport | None, at: datetime
) -> Message:
    failing = _first_failure(report) if report is not None and not change.now_ok else None
    cause = failing[0] if failing else None
    where = f"{change.domain} (setup {setup})"
    when = f"{at:%Y-%m-%d %H:%M} UTC"
    if change.drift is not None:
        sentences = [
            f"ADUE check for {where} still passes, but what it serves changed at {when}: "
            f"{_cut(change.drift)}",
            "If nobody meant to change it (another MDM's BaseURL, say), look now: "
            f"`adue-wizard verify --setup {setup}`.",
        ]
    elif change.now_ok:
        before = f" (it failed with {change.previous_failure})" if change.previous_failure else ""
        sentences = [f"ADUE check passes again for {where} at {when}{before}."]
    else:
        failure = change.failure or "failed"
        because = f"{failure}, cause {cause}" if cause else failure
        if change.was_ok:
            sentences = [f"ADUE check FAILED for {where} at {when}: {because}."]
        else:
            sentences = [
                f"ADUE check for {where} now fails with {because}, no longer with "
                f"{change.previous_failure or 'failed'} ({when})."
            ]
        if failing and failing[1]:
            sentences.append(_cut(failing[1]))
    if report is not None and report.conditions:
        sentences.append(f"Checked under test settings: {'; '.join(report.conditions)}.")
    if not change.now_ok:
        sentences.append(f"Details and the fix: `adue-wizard verify --setup {setup}`.")
    text = " ".join(sentences)
    return {
        "text": slack_escaped(text),
        "setup": setup,
        "domain": change.domain,
        "from": "pass" if change.was_ok else "fail",
        "to": "pass" if change.now_ok else "fail",
        "failure": None if change.now_ok else change.failure,
        "previous_failure": None if change.was_ok else change.previous_failure,
        "cause": cause,
        "warning": None if change.drift is None else "changed_since_pass",
        "at": at.isoformat(),
    }


def rest_message(setup: str, rest: Sequence[Change], at: datetime) -> Message:
    failing = sum(1 for change in rest if not change.now_ok)
    moved = sum(1 for change in rest if change.drift is not None)
    serving = f", {moved} serve something else" if moved else ""
    text = (
        f"ADUE check: {len(rest)} more domains of setup {setup} changed state at "
        f"{at:%Y-%m-%d %H:%M} UTC ({failing} now fail, {len(rest) - failing - moved} pass "
        f"again{serving}). All of them: adue-wizard history {setup}"
    )
    return {
        "text": slack_escaped(text),
        "setup": setup,
        "domain": None,
        "from": None,
        "to": None,
        "failure": None,
        "previous_failure": None,
        "cause": None,
        "warning": None,
        "at": at.isoformat(),
    }


def sample_message(setup: str, at: datetime) -> Message:
    """What `notify test` sends: the same fields, with the change fields null."""
    text = (
        f"Test message from adue-wizard for setup {setup}: this webhook will hear when a "
        "domain's ADUE check changes between pass and fail."
    )
    return {**rest_message(setup, [], at), "text": slack_escaped(text)}


def slack_escaped(text: str) -> str:
    """Slack reads `<...>` as a link or a mention (<!channel>) and `&` as an entity: the
    three are escaped as its message formatting documentation asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _first_failure(report: DomainReport) -> tuple[str | None, str | None] | None:
    """The first failing check's cause and the problem its advice states."""
    for check in report.checks:
        if check.status == "fail":
            problem = check.advice.problem if check.advice else None
            return check.cause, problem
    return None


def _cut(problem: str) -> str:
    if len(problem) <= MAX_PROBLEM_CHARS:
        return problem
    end = problem.rfind(". ", 0, MAX_PROBLEM_CHARS)
    return problem[: end + 1] if end > 0 else problem[:MAX_PROBLEM_CHARS] + "…"


# -- delivery ------------------------------------------------------------------------------


def deliver(
    urls: Sequence[str], messages: Sequence[Message], seconds: float = NOTIFY_SECONDS
) -> list[Delivery]:
    """Post `messages`, in order, to each URL; all URLs at once, `seconds` at most in all."""
    return asyncio.run(_deliver_all(urls, messages, seconds))


async def _deliver_all(
    urls: Sequence[str], messages: Sequence[Message], seconds: float
) -> list[Delivery]:
    deliveries = [Delivery(url) for url in urls]
    if not deliveries:
        return []
    tasks = [asyncio.create_task(_post(d, messages, seconds)) for d in deliveries]
    _, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for delivery, task in zip(deliveries, tasks, strict=True):
        if task in pending and delivery.problem is None:
            delivery.problem = f"no answer within {seconds:g} s"
    return deliveries


async def _post(delivery: Delivery, messages: Sequence[Message], seconds: float) -> None:
    import httpx

    from wizard import __version__

    url = delivery.url
    # The proxy settings of the environment apply (a company's way out), never to a
    # relay on this machine; SSL_CERT_FILE may name a company's CA, as for other tools.
    local = is_loopback(httpx.URL(url).host)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(seconds),
        follow_redirects=False,
        verify=httpx.create_ssl_context(trust_env=True),
        trust_env=not local,
        headers={"User-Agent": f"adue-wizard/{__version__}"},
    ) as client:
        for message in messages:
            try:
                response = await client.post(url, json=message)
            except httpx.TimeoutException:
                delivery.problem = f"no answer within {seconds:g} s"
                return
            except httpx.HTTPError as error:
                delivery.problem = _failed(error, url)
                return
            if not 200 <= response.status_code < 300:
                redirected = " (redirects are not followed)" if response.is_redirect else ""
                delivery.problem = f"it answered {response.status_code}{redirected}"
                return
            delivery.sent += 1


def _failed(error: httpx.HTTPError, url: str) -> str:
    """Why a post failed, in one line that never holds the URL (the secret)."""
    import httpx

    what = "could not connect" if isinstance(error, httpx.ConnectError) else "failed"
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    parts = httpx.URL(url)
    for secret in (url, parts.raw_path.decode("ascii", "replace"), parts.query.decode()):
        if len(secret) > 1:
            reason = reason.replace(secret, "...")
    return f"{what} ({printable(reason)[:160]})"
