"""Where a setup's webhook URLs are saved: `webhooks.json` in the state folder, mode 0600,
written atomically under the folder's lock, apart from the setup file (which is shown,
exported and reported in places). A webhook URL is a secret (its path is the token), so
nothing here ever puts one in a message; `wizard.core.watch.webhooks` decides which URLs
are accepted and how one is shown.

Here, beside the store, because the URLs follow their setup when it is renamed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.core.atomic_file import write_atomically
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import UnreadableFile, locked, make_private_folder, read_regular_file
from wizard.core.shown import printable

FILE_NAME = "webhooks.json"
SCHEMA_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024


class WebhookFileError(Exception):
    """The saved webhooks cannot be read or written; the message says why, in one line,
    and never holds a URL."""


@dataclass
class SavedWebhooks:
    """The webhook URLs saved per setup, in the state folder's `webhooks.json`."""

    folder: Path

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    def urls(self, setup: str) -> list[str]:
        return list(self._read().get(setup, []))

    def all(self) -> dict[str, list[str]]:
        """Every setup's URLs, by setup name, in name order."""
        return dict(sorted(self._read().items()))

    def add(self, setup: str, url: str) -> tuple[int, bool]:
        """Save `url` for `setup` (a checked URL); returns its index (from 1) and whether
        it is new (False: it was saved already)."""
        with self._changing() as saved:
            urls = saved.setdefault(setup, [])
            if url in urls:
                return urls.index(url) + 1, False
            urls.append(url)
            return len(urls), True

    def remove(self, setup: str, index: int) -> str:
        """Remove the `index`-th URL (from 1) of `setup`; returns it. InvalidInput when
        there is no such index."""
        with self._changing() as saved:
            urls = saved.get(setup, [])
            if not 1 <= index <= len(urls):
                have = f"1 to {len(urls)}" if urls else "none saved"
                raise InvalidInput(f"setup {setup!r} has no webhook {index} ({have})")
            removed = urls.pop(index - 1)
            if not urls:
                del saved[setup]
            return removed

    def rename(self, old: str, new: str) -> None:
        """Move `old`'s URLs to `new` (a setup renamed); nothing when it has none."""
        if not self.path.exists():
            return
        with self._changing() as saved:
            if old in saved:
                saved[new] = saved.pop(old)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, list[str]]]:
        """The saved URLs to change in place; written back (0600, atomically) when the
        block ends without an error, under the folder's lock so two changes never lose one."""
        try:
            make_private_folder(self.folder)
            with locked(self.folder):
                saved = self._read()
                yield saved
                data = {"schema_version": SCHEMA_VERSION, "webhooks": saved}
                text = json.dumps(data, indent=2, sort_keys=True) + "\n"
                write_atomically(self.path, text.encode("utf-8"), 0o600)
        except OSError as error:
            raise WebhookFileError(
                f"could not save the webhooks in {printable(str(self.path))}: "
                f"{error.strerror or type(error).__name__}"
            ) from None

    def _read(self) -> dict[str, list[str]]:
        try:
            raw = read_regular_file(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return {}
        except (OSError, UnreadableFile) as error:
            reason = str(error) if isinstance(error, UnreadableFile) else error.strerror
            raise WebhookFileError(self._unreadable(reason or "unreadable")) from None
        try:
            return _parse(json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError):
            # Never the parser's message: it may quote the file, and the file holds secrets.
            raise WebhookFileError(self._unreadable("not a webhooks file")) from None

    def _unreadable(self, reason: str) -> str:
        return (
            f"cannot read the saved webhooks in {printable(str(self.path))} ({reason}); "
            "fix or remove that file, then add the webhooks again"
        )


def _parse(data: Any) -> dict[str, list[str]]:
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError("not a webhooks file")
    webhooks = data.get("webhooks")
    if not isinstance(webhooks, dict):
        raise ValueError("not a webhooks file")
    parsed: dict[str, list[str]] = {}
    for name, urls in webhooks.items():
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            raise ValueError("not a webhooks file")
        parsed[str(name)] = list(urls)
    return parsed
