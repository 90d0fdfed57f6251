"""The JumpCloud API key: where it is read from, and how it is kept out of every output.

The key grants an administrator's full access to the organization, so it is never taken as
a command-line value (any user of the machine can read a process's arguments): it comes
from a file named with `--api-key-file`, from `$JUMPCLOUD_API_KEY`, or from a prompt that
does not echo. Once read it lives in an `ApiKey`, whose every text form is `***`, so a log
line, an f-string or a traceback that shows local variables cannot reveal it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, quote_plus

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

KEY_VARIABLE = "JUMPCLOUD_API_KEY"
PROMPT = "JumpCloud API key (not shown): "
HIDDEN = "***"
# JumpCloud's keys are 40 characters; anything far longer is a wrong file, not a key.
MAX_KEY_LENGTH = 1024
# A header value must be visible ASCII; a key with anything else was pasted wrongly.
_KEY_CHARACTERS = re.compile(r"[\x21-\x7e]+")


class ApiKey:
    """An API key. `str()`, `repr()` and any format show `***`; `header_value()` is the one
    way to the key itself, for the `x-api-key` header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not _KEY_CHARACTERS.fullmatch(value) or len(value) > MAX_KEY_LENGTH:
            raise ValueError("not an API key: empty, too long, or not visible ASCII")
        self._value = value

    def header_value(self) -> str:
        """The key, for the `x-api-key` header and for masking; nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey({HIDDEN})"

    def __str__(self) -> str:
        return HIDDEN

    def __format__(self, format_spec: str) -> str:
        return HIDDEN

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __copy__(self) -> ApiKey:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, object]) -> ApiKey:
        return self

    def __reduce__(self) -> NoReturn:
        # Pickling would write the key wherever the pickle goes (a cache, a crash dump).
        raise TypeError("an API key is not saved anywhere")


def read_api_key(
    environ: Mapping[str, str],
    key_file: Path | None,
    ask: Callable[[str], str] | None,
) -> ApiKey | None:
    """The key from `key_file` (its first line), else `$JUMPCLOUD_API_KEY`, else `ask` (the
    caller passes `getpass.getpass` only when stdin is a terminal); None when there is none.

    Raises InvalidInput (one line, naming the file or the variable, never their content) when
    the file cannot be read or holds no key, or when the key found is not one.
    """
    if key_file is not None:
        return _key_or_refuse(_first_line(key_file), f"the API key file {_shown(key_file)}")
    from_environment = environ.get(KEY_VARIABLE, "").strip()
    if from_environment:
        return _key_or_refuse(from_environment, f"${KEY_VARIABLE}")
    if ask is None:
        return None
    try:
        typed = ask(PROMPT).strip()
    except EOFError:  # Ctrl-D at the prompt: no key, as an empty answer
        return None
    return _key_or_refuse(typed, "the API key typed") if typed else None


def mask(text: str, key: ApiKey | None) -> str:
    """`text` with every occurrence of the key, as it is or URL-encoded, replaced by `***`:
    for whatever a server sends back, which may echo the key."""
    if key is None:
        return text
    value = key.header_value()
    forms = {value, quote(value, safe=""), quote_plus(value, safe="")}
    # Percent escapes may come back in lower case (%2f); the rest of the key is exact.
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), form) for form in forms}
    pattern = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.sub(pattern, HIDDEN, text)


def _first_line(path: Path) -> str:
    """The first line of `path`, read without loading the rest (it may be /dev/stdin)."""
    try:
        with path.open("rb") as file:
            line = file.readline(MAX_KEY_LENGTH + 2)
    except FileNotFoundError:
        if os.sep in str(path):
            raise InvalidInput(
                f"cannot read the API key file {_shown(path)}: no such file"
            ) from None
        # A bare word that names no file is most often the key itself, given where its
        # file belongs: it is not repeated.
        raise InvalidInput(
            "no such API key file in this folder (the name given is not repeated: "
            "--api-key-file takes the path of a file holding the key, never the key itself)"
        ) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InvalidInput(f"cannot read the API key file {_shown(path)}: {reason}") from None
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"the API key file {_shown(path)} is not text: its first line should be the key"
        ) from None
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(
            f"the API key file {_shown(path)} has no key on its first line (it is empty)"
        )
    return stripped


def _key_or_refuse(value: str, source: str) -> ApiKey:
    try:
        return ApiKey(value)
    except ValueError:
        pass
    # Said without the value: a wrong key may still be most of a right one.
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidInput(f"{source} is not an API key: longer than {MAX_KEY_LENGTH} characters")
    raise InvalidInput(
        f"{source} is not an API key: it has spaces, control or non-ASCII characters in it "
        "(copy the key again from the Admin Portal)"
    )


def _shown(path: Path) -> str:
    return argument(str(path), 80)
