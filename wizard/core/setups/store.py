"""Where saved setups live, and how they are written so that progress is never lost.

- One JSON file per setup (`NAME.setup.json`) in the state folder: `--state-dir`, else
  $ADUE_WIZARD_STATE_DIR, else platformdirs' user state folder. Folders 0700, files 0600.
  It holds the admin's answers only, so it stays small; verification runs go to the history
  database beside it (`history.py`), where concurrent writers never lose one.
- Every write goes to a temporary file in the same folder, is fsynced, then renamed over the
  old file: a crash leaves the old file or the new one, never half of one.
- A setup name is a name, never a path; files are read only when they are regular files, and
  read bounded (`files.py`).
- A file that fails to load is moved aside with a timestamp and reported in one line; the
  other setups still open.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.core.atomic_file import write_atomically
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import (
    SaveError,
    UnreadableFile,
    check_setup_name,
    is_setup_name,
    locked,
    make_private_folder,
    move_aside,
    read_regular_file,
)
from wizard.core.setups.history import RunHistory
from wizard.core.setups.link_history import LinkRun
from wizard.core.setups.listing import SetupListing, quick_listing
from wizard.core.setups.runs import RecordedRun
from wizard.core.setups.webhooks import SavedWebhooks, WebhookFileError
from wizard.core.shown import printable

# The model (setups/state, with pydantic) is imported inside the methods that open or write
# a setup: listing the setups when the wizard or `status` starts must not pay for it.
if TYPE_CHECKING:
    from wizard.core.results import DomainReport
    from wizard.core.setups.state import SetupState

__all__ = ["ENVIRONMENT_VARIABLE", "SUFFIX", "SaveError", "Store", "state_dir"]

ENVIRONMENT_VARIABLE = "ADUE_WIZARD_STATE_DIR"
# A suffix of its own, so other JSON files (a downloaded discovery document) left in the
# folder are never taken for setups.
SUFFIX = ".setup.json"
# A setup file holds answers only (a few KiB); 0.1.0's files also held every run, and those
# still open up to this size so that their history can move into the database.
MAX_STATE_BYTES = 64 * 1024 * 1024
# Schema 1: 0.1.0's files, with the runs inside; read, and rewritten as 2 on the first save.
# (Here, not in state.py: listing setups must not import pydantic.)
READABLE_SCHEMAS = (1, 2)
# A deleted setup's file is kept as NAME.setup.json.deleted-STAMP (UTC; text order is time
# order), so `setup restore` finds the newest.
DELETED_STAMP = "%Y%m%dT%H%M%S%fZ"
_DELETED = r"\.deleted-(\d{8}T\d{12}Z)$"


def state_dir(override: str | None = None) -> Path:
    """The folder for saved setups (the one function that decides it)."""
    if override:
        return Path(override).expanduser()
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE]).expanduser()
    import platformdirs  # only here: the plain commands that never touch state skip it

    return Path(platformdirs.user_state_dir("adue-wizard", appauthor=False))


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices: list[str] = []
        self._history: RunHistory | None = None

    @property
    def history(self) -> RunHistory:
        if self._history is None:
            self._history = RunHistory(self.folder)
        return self._history

    def all_notices(self) -> list[str]:
        """Every notice so far (the store's and the history's), each once, then forgets them."""
        notices = [*self.notices, *(self._history.notices if self._history else [])]
        self.notices.clear()
        if self._history:
            self._history.notices.clear()
        return list(dict.fromkeys(notices))

    def path_for(self, name: str) -> Path:
        return self.folder / f"{check_setup_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        """The names of the setup files in the folder (files with other names are moved
        aside when loaded, see `load_all`)."""
        try:
            if not self.folder.exists():
                return []
            if not self.folder.is_dir():
                self.notices.append(f"The state folder {self.folder} is not a folder.")
                return []
            entries = [entry.name for entry in os.scandir(self.folder)]
        except OSError as error:
            self.notices.append(f"Cannot read saved setups in {self.folder}: {error.strerror}")
            return []
        return sorted(name.removesuffix(SUFFIX) for name in entries if name.endswith(SUFFIX))

    def load_all(self, *, results: bool = True) -> list[SetupState]:
        """Every readable setup, most recently changed first; unreadable ones moved aside.
        `results` False leaves out each setup's latest full results (see `load`)."""
        setups = []
        for name in self.names():
            if not is_setup_name(name):
                self._set_aside(self.folder / f"{name}{SUFFIX}", name, "not a setup name")
                continue
            state = self.load(name, results=results)
            if state is not None:
                setups.append(state)
        return sorted(setups, key=lambda state: state.updated_at, reverse=True)

    def list_setups(self) -> list[SetupListing]:
        """What the start list shows of every setup, most recently changed first. Each file
        is read quickly where that is certain (see `listing.py`), else by the model, which
        alone moves an unreadable file aside."""
        listings = []
        for name in self.names():
            path = self.folder / f"{name}{SUFFIX}"
            if not is_setup_name(name):
                self._set_aside(path, name, "not a setup name")
                continue
            try:
                raw = _read_raw(path)
            except (OSError, ValueError, RecursionError, TypeError):
                raw = None  # the model says why, and moves it aside
            listing = quick_listing(raw) if raw is not None and not raw.get("history") else None
            if listing is None:
                state = self.load(name)
                if state is not None:
                    listings.append(SetupListing.of(state))
                continue
            listing.summary = self.history.summary(name)
            listings.append(listing)
        return sorted(listings, key=lambda listing: listing.updated_at, reverse=True)

    def load(self, name: str, *, results: bool = True) -> SetupState | None:
        """The setup, with its latest results and history summary; None when there is no
        such file, or it was damaged (then moved aside, with a notice). `results` False
        leaves out the latest full results, for a caller about to make new ones (`verify`):
        reading them back costs more than loading the setup."""
        path = self.path_for(name)
        if not path.exists() and not path.is_symlink():
            return None
        try:
            state = _parse(path)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError, TypeError) as error:
            # ValueError covers pydantic's ValidationError, bad JSON and UnreadableFile;
            # RecursionError is JSON nested too deep for the parser.
            self._set_aside(path, name, _reason(error))
            return None
        self._attach_history(state, results=results)
        return state

    def save(self, state: SetupState) -> Path:
        """Write `state`'s answers atomically (moving a schema-1 file's runs into the history
        database first). Raises SaveError saying what could not be saved and where."""
        path = self.path_for(state.name)
        try:
            make_private_folder(self.folder)
            with locked(self.folder):
                self._migrate(state)
                _write(path, state)
        except OSError as error:
            raise SaveError(
                f"could not save setup {state.name!r} to {path}: {_reason(error)}"
            ) from None
        return path

    def create(self, states: Sequence[SetupState]) -> list[Path]:
        """Save new setups, all or none: InvalidInput when a name is taken (nothing is
        written), SaveError when one cannot be written (those written are removed again)."""
        paths = [self.path_for(state.name) for state in states]
        written: list[Path] = []
        try:
            make_private_folder(self.folder)
            # Under the folder's lock, as every save: a name cannot be taken in between.
            with locked(self.folder):
                taken = [s.name for s, p in zip(states, paths, strict=True) if _exists(p)]
                if taken:
                    raise InvalidInput(
                        f"a setup named {taken[0]!r} already exists "
                        f"(change it with adue-wizard setup edit {taken[0]})"
                    )
                try:
                    for state, path in zip(states, paths, strict=True):
                        _write(path, state)
                        written.append(path)
                except OSError:
                    for path in written:
                        path.unlink(missing_ok=True)
                    raise
        except OSError as error:
            raise SaveError(
                f"could not save in {self.folder}: {_reason(error)}; nothing was saved"
            ) from None
        return paths

    def deleted_copies(self, name: str) -> list[Path]:
        """The copies `delete` moved aside for this name, newest first."""
        pattern = re.compile(re.escape(f"{check_setup_name(name)}{SUFFIX}") + _DELETED)
        try:
            entries = [entry.name for entry in os.scandir(self.folder)]
        except OSError:
            return []
        copies = [(match.group(1), entry) for entry in entries if (match := pattern.match(entry))]
        return [self.folder / entry for _, entry in sorted(copies, reverse=True)]

    def restore(self, name: str) -> Path:
        """Bring back the newest copy `delete` moved aside (its runs come back with it, as
        the history keeps them under the setup's name). Returns the copy restored; raises
        InvalidInput (no copy, or a setup of that name exists) or SaveError."""
        path = self.path_for(name)
        if not self.folder.is_dir():
            raise InvalidInput(f"no deleted setup named {name!r} in {printable(str(self.folder))}")
        try:
            with locked(self.folder):
                copies = self.deleted_copies(name)
                if not copies:
                    raise InvalidInput(
                        f"no deleted setup named {name!r} in {printable(str(self.folder))}"
                    )
                if _exists(path):
                    raise InvalidInput(
                        f"a setup named {name!r} exists; rename it first "
                        f"(adue-wizard rename {name} NEW), then restore"
                    )
                # The copy keeps whatever mode it was given while aside; a setup is 0600.
                os.chmod(copies[0], 0o600)
                os.rename(copies[0], path)
        except OSError as error:
            raise SaveError(f"could not restore setup {name!r}: {_reason(error)}") from None
        return copies[0]

    def record_run(
        self,
        state: SetupState,
        reports: Sequence[DomainReport],
        conditions: Sequence[str],
        at: datetime | None = None,
    ) -> int:
        """Add one run to the setup's history, and show it on `state` with the history's
        summary; returns the run's id in the history. Raises SaveError when it cannot be
        recorded (the run is still shown)."""
        from wizard.core.setups.state import now  # the model: see _parse

        run = RecordedRun.of(reports, conditions, at or now())
        try:
            make_private_folder(self.folder)
            if state.history:  # a schema-1 file: its runs first, and the file rewritten without
                self.save(state)
            run_id = self.history.record(state.name, reports, conditions, run.at)
        except OSError as error:
            state.show_run(run, list(reports))
            raise SaveError(
                f"could not record the run of {state.name!r} in {self.folder}: {_reason(error)}"
            ) from None
        except SaveError:
            state.show_run(run, list(reports))
            raise
        state.set_history(self.history.summary(state.name), list(reports))
        return run_id

    def runs(
        self, state: SetupState, limit: int | None, since: datetime | None = None
    ) -> list[RecordedRun]:
        """The setup's newest runs (made at `since` or later when given), newest first; a
        schema-1 file's runs included. `limit` None: all of them."""
        return self.history.runs(state.name, limit, state.legacy_runs(), since)

    def link_runs(self, state: SetupState, limit: int) -> list[LinkRun]:
        """The setup's newest applies and undos of account-link plans, newest first."""
        return self.history.link_runs(state.name, limit)

    def rename(self, old: str, new: str) -> SetupState:
        """Rename a saved setup; its history follows it. Raises InvalidInput (no such setup,
        the new name is taken or not a name) or SaveError."""
        check_setup_name(new)
        state = self.load(old)
        if state is None:
            raise InvalidInput(f"no saved setup named {old!r} in {printable(str(self.folder))}")
        if new == old:
            return state
        target = self.path_for(new)
        if target.exists() or target.is_symlink():
            raise InvalidInput(f"a setup named {new!r} already exists")
        state.name = new
        state.provisional_name = False
        # The new file first, then the runs, then the old file: a crash in between leaves
        # both files (nothing lost), never neither.
        self.save(state)
        self.history.rename(old, new)
        self._move_webhooks(old, new)
        try:
            self.path_for(old).unlink()
        except OSError as error:
            raise SaveError(
                f"renamed to {new!r} but could not remove {self.path_for(old)}: {_reason(error)}"
            ) from None
        return state

    def delete(self, name: str) -> Path:
        """Move a setup's file aside (NAME.setup.json.deleted-STAMP, in the state folder); its
        runs stay in the history under the usual retention and return if it is restored.
        Returns where the file went."""
        path = self.path_for(name)
        if not path.exists() and not path.is_symlink():
            raise InvalidInput(f"no saved setup named {name!r} in {printable(str(self.folder))}")
        stamp = datetime.now(UTC).strftime(DELETED_STAMP)
        aside = path.with_name(f"{path.name}.deleted-{stamp}")
        try:
            with locked(self.folder):
                os.rename(path, aside)
        except OSError as error:
            raise SaveError(f"could not delete setup {name!r} ({path}): {_reason(error)}") from None
        return aside

    def name_for(self, state: SetupState) -> str:
        """The domain-based name a provisionally named setup gets (unique in the folder)."""
        from wizard.core.setups.state import setup_name_for  # the model: see _parse

        taken = set(self.names()) - {state.name}
        return setup_name_for(state.domains, state.org_id, taken)

    def save_renamed(self, state: SetupState, old: str) -> None:
        """Save a setup that was provisionally named `old` under its new name, moving its
        file and runs (the new file first: a crash leaves both, never neither)."""
        self.save(state)
        if state.name != old:
            self.history.rename(old, state.name)
            self._move_webhooks(old, state.name)
            self.path_for(old).unlink(missing_ok=True)

    def _move_webhooks(self, old: str, new: str) -> None:
        """The webhooks saved for `old` follow it (before its file goes: a crash leaves
        both names, and the webhooks under one of them)."""
        try:
            SavedWebhooks(self.folder).rename(old, new)
        except WebhookFileError as error:
            raise SaveError(
                f"renamed to {new!r} but its webhooks stay under {old!r}: {error}"
            ) from None

    def _migrate(self, state: SetupState) -> None:
        """Move a schema-1 file's runs into the database (under the folder lock, keyed, so two
        instances migrating together add each run once)."""
        if not state.history:
            return
        latest = [report.to_json() for report in state.last_results]
        self.history.import_legacy(state.name, state.legacy_runs(), latest)
        state.history = []
        state.legacy_results = []

    def _attach_history(self, state: SetupState, *, results: bool = True) -> None:
        latest = self.history.latest_reports(state.name) if results else None
        state.set_history(
            self.history.summary(state.name, state.legacy_runs()),
            latest[1] if latest else None,
        )

    def _set_aside(self, path: Path, name: str, reason: str) -> None:
        where = move_aside(path)
        self.notices.append(
            f"Saved setup {printable(repr(name))} could not be read ({reason}); "
            f"{printable(where)}; starting without it."
        )


def _write(path: Path, state: SetupState) -> None:
    from wizard.core.setups.state import SCHEMA_VERSION, now  # the model: see _parse

    state.schema_version = SCHEMA_VERSION
    state.updated_at = now()
    write_atomically(path, state.model_dump_json(indent=2).encode("utf-8"), 0o600)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _parse(path: Path) -> SetupState:
    # Imported here: pydantic and the model cost ~10 MiB and ~250 ms the first time, paid
    # only once a saved setup is opened or written, not when the app or `status` starts.
    from wizard.core.setups.state import SetupState

    return SetupState.model_validate(_read_raw(path))


def _read_raw(path: Path) -> dict[str, Any]:
    """A setup file's JSON object, checked for what every reader relies on: a readable
    schema version, and the name of the file."""
    raw = json.loads(read_regular_file(path, MAX_STATE_BYTES).decode("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("not a saved setup")
    version = raw.get("schema_version")
    if version not in READABLE_SCHEMAS:
        raise ValueError(
            f"schema version {printable(repr(version))[:20]}, this program reads "
            f"{' and '.join(map(str, READABLE_SCHEMAS))}"
        )
    if raw.get("name") != path.name.removesuffix(SUFFIX):
        raise ValueError(f"it names itself {printable(repr(raw.get('name')))[:80]}")
    return raw


def _reason(error: BaseException) -> str:
    # Only a file that failed to load gets here; pydantic is loaded by then.
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return printable(f"invalid field {where or '?'}: {first.get('msg', 'invalid')}")[:160]
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON at line {error.lineno}"
    if isinstance(error, RecursionError):
        return "JSON nested too deeply"
    if isinstance(error, UnreadableFile):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return printable(text)[:160]
