"""Where saved setups live, and how they are written so that progress is never lost.

- One JSON file per setup (`NAME.setup.json`) in the state folder: `--state-dir`, else
  $ADUE_WIZARD_STATE_DIR, else platformdirs' user state folder. Folder 0700, files 0600.
- Every write goes to a temporary file in the same folder, is fsynced, then renamed over the
  old file: a crash leaves the old file or the new one, never half of one.
- Writers take an exclusive lock and merge the verification history already on disk, so two
  instances working on the same setup do not lose each other's runs.
- A file that fails to load is moved aside with a timestamp and reported in one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.atomic_file import write_atomically

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState

ENVIRONMENT_VARIABLE = "ADUE_WIZARD_STATE_DIR"
# A suffix of its own, so other JSON files (a downloaded discovery document) left in the
# folder are never taken for setups.
SUFFIX = ".setup.json"
MAX_STATE_BYTES = 16 * 1024 * 1024


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

    def path_for(self, name: str) -> Path:
        return self.folder / f"{name}{SUFFIX}"

    def names(self) -> list[str]:
        try:
            if not self.folder.is_dir():
                return []
            paths = self.folder.glob(f"*{SUFFIX}")
            return sorted(path.name.removesuffix(SUFFIX) for path in paths if path.is_file())
        except OSError as error:
            self.notices.append(f"Cannot read saved setups in {self.folder}: {error.strerror}")
            return []

    def load_all(self) -> list[SetupState]:
        """Every readable setup, most recently changed first; unreadable ones moved aside."""
        setups = [state for name in self.names() if (state := self.load(name)) is not None]
        return sorted(setups, key=lambda state: state.updated_at, reverse=True)

    def load(self, name: str) -> SetupState | None:
        path = self.path_for(name)
        if not path.exists():
            return None
        try:
            return _parse(path)
        except (OSError, ValueError) as error:  # pydantic's ValidationError is a ValueError
            self._move_aside(path, _reason(error))
            return None

    def save(self, state: SetupState) -> Path:
        """Write `state` atomically, merging the history another instance may have added."""
        from wizard.core.setups.state import now

        self._ensure_folder()
        with self._locked():
            path = self.path_for(state.name)
            on_disk = None
            if path.exists():
                with contextlib.suppress(OSError, ValueError):
                    on_disk = _parse(path)
            if on_disk is not None:
                _merge_history(state, on_disk)
            state.updated_at = now()
            data = state.model_dump_json(indent=2).encode("utf-8")
            write_atomically(path, data, 0o600)
        return path

    def rename_for_domains(self, state: SetupState) -> None:
        """Give a provisionally named setup its domain-based name, moving its file."""
        from wizard.core.setups.state import setup_name_for

        if not state.provisional_name or not state.domains:
            return
        old = state.name
        taken = set(self.names()) - {old}
        state.name = setup_name_for(state.domains, state.org_id, taken)
        state.provisional_name = False
        self.save(state)
        if state.name != old:
            self.path_for(old).unlink(missing_ok=True)

    def _ensure_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            self.folder.chmod(0o700)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.folder / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _move_aside(self, path: Path, reason: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            path.replace(aside)
            where = f"moved it to {aside}"
        except OSError as error:
            where = f"could not move it aside ({error.strerror})"
        self.notices.append(
            f"Saved setup {path.name.removesuffix(SUFFIX)!r} could not be read ({reason}); "
            f"{where}; starting without it."
        )


def _parse(path: Path) -> SetupState:
    # Imported here: pydantic and the model cost ~10 MiB and ~40 ms, paid only once a saved
    # setup is actually read or written, not when the app or `status` starts.
    from wizard.core.setups.state import SCHEMA_VERSION, SetupState

    data = path.read_bytes()
    if len(data) > MAX_STATE_BYTES:
        raise ValueError("the file is too large to be a saved setup")
    raw = json.loads(data.decode("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("not a saved setup")
    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"schema version {version!r}, this program reads {SCHEMA_VERSION}")
    state = SetupState.model_validate(raw)
    if state.name != path.name.removesuffix(SUFFIX):
        raise ValueError(f"it names itself {state.name!r}")
    return state


def _merge_history(state: SetupState, on_disk: SetupState) -> None:
    """Keep runs that only the file on disk has (another instance recorded them)."""
    known = {run.at for run in state.history}
    extra = [run for run in on_disk.history if run.at not in known]
    if not extra:
        return
    state.history = sorted([*state.history, *extra], key=lambda run: run.at)
    if on_disk.last_verified_at and (
        state.last_verified_at is None or on_disk.last_verified_at > state.last_verified_at
    ):
        state.last_results = on_disk.last_results
        state.last_verified_at = on_disk.last_verified_at


def _reason(error: BaseException) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"invalid field {where or '?'}: {first.get('msg', 'invalid')}"
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON at line {error.lineno}"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:160]
