"""Reading the admin's CSV of Managed Apple Accounts, however it was saved.

The file may come from JumpCloud's export script (`Id,Email,ManagedAppleId`), from Apple
Business Manager, or from Excel: UTF-8 with or without a byte-order mark (or UTF-16 with
one), CRLF or LF line ends, `,` or `;` (or a tab) between fields, quoted fields (with
separators or line breaks inside), blank lines. The first non-blank row names the columns,
in any case: one finds the user (`email` or `username`), one holds the account
(`managedAppleId`, `Managed Apple Account` or `Managed Apple ID`).

A file that cannot be read at all (missing, too large, no such columns) is InvalidInput; a
row that cannot be used is kept with its line number and why, so the plan can name it. A
row that names a user but leaves the account empty is left out and counted, as JumpCloud's
own script skips empty cells: a CSV never clears an account (`maid undo` does).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from wizard.core.domains import InvalidInput
from wizard.core.linking.given_file import read_given_file
from wizard.core.shown import argument

MAX_CSV_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
USER_HEADERS = {"email": "email", "username": "username"}
ACCOUNT_HEADERS = frozenset(["managedappleid", "managed apple account", "managed apple id"])
DELIMITERS = (",", ";", "\t")
NOT_UTF8 = 'not UTF-8 text here (save the file as "CSV UTF-8")'


@dataclass(frozen=True)
class CsvRow:
    """One data row: where it starts (`line`), the user's e-mail and username as written
    (either may be empty), the account, and `problem` when the row cannot be used."""

    line: int
    email: str
    username: str
    account: str
    problem: str | None = None


@dataclass(frozen=True)
class CsvAccounts:
    rows: list[CsvRow]
    # Rows that named a user but gave no account: left out of the plan.
    without_account: int
    delimiter: str
    read: int  # data rows read (blank lines not counted)


def read_accounts_csv(path: Path) -> CsvAccounts:
    """The rows of `path`; InvalidInput (one line) when the file cannot be read at all."""
    shown = argument(str(path), 80)
    try:
        data = read_given_file(path, MAX_CSV_BYTES)
    except OSError as error:
        raise InvalidInput(f"cannot read {shown}: {error.strerror or error}") from None
    except ValueError as error:
        raise InvalidInput(f"cannot read {shown}: {error}") from None
    return parse_accounts_csv(_decode(data, shown), shown)


def parse_accounts_csv(text: str, shown: str = "the CSV") -> CsvAccounts:
    """The rows of a CSV already decoded (undecodable bytes as surrogates, see `_decode`)."""
    delimiter = _delimiter(text)
    # newline="": lines end at \n, \r or \r\n only (never at the other characters
    # str.splitlines knows), and csv sees line breaks inside quoted fields.
    # A last line without its line break gets one: a quote left open there then shows as a
    # line break inside a cell, as it does anywhere else in the file.
    if text and not text.endswith(("\n", "\r")):
        text += "\n"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows: list[CsvRow] = []
    without_account = read = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if header is None:
                raise InvalidInput(
                    f"{shown}: line {start} cannot be read as CSV ({error})"
                ) from None
            rows.append(CsvRow(start, "", "", "", f"cannot be read as CSV ({error})"))
            read += 1
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a row of empty cells as Excel leaves them
        if header is None:
            header = cells
            columns = _columns(header, shown)
            continue
        read += 1
        if read > MAX_ROWS:
            raise InvalidInput(f"{shown} has more than {MAX_ROWS:,} rows")
        row = _row(cells, columns, start, reader.line_num)
        if row is None:
            without_account += 1
        else:
            rows.append(row)
    if header is None:
        raise InvalidInput(f"{shown} is empty: it needs a header row and one row per user")
    return CsvAccounts(rows, without_account, delimiter, read)


def _row(cells: list[str], columns: dict[str, int], start: int, end: int) -> CsvRow | None:
    """The row, or None when it names a user but no account (left out)."""

    def raw(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    # A line break inside a cell means a quote was left open; tested before stripping,
    # because at the end of the file the only sign of it is the last line's own break.
    unclosed = any(
        "\n" in raw(name) or "\r" in raw(name) for name in ("email", "username", "account")
    )
    email, username, account = (raw(name).strip() for name in ("email", "username", "account"))
    problem = None
    if any(_undecodable(value) for value in (email, username, account)):
        problem = NOT_UTF8
        email, username, account = (_visible(value) for value in (email, username, account))
    elif unclosed:
        problem = (
            f"a quoted field runs from line {start} to line {end}: a quote is not closed"
            if end > start
            else f"a quote opened on line {start} is never closed"
        )
    elif not email and not username:
        problem = "no e-mail or username to find the user by"
    elif not account:
        return None
    return CsvRow(start, email, username, account, problem)


def _columns(header: list[str], shown: str) -> dict[str, int]:
    """Where the user's e-mail, username and the account are; InvalidInput naming the
    columns found when one is missing."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = " ".join(name.strip().casefold().split())
        if key in USER_HEADERS and USER_HEADERS[key] not in found:
            found[USER_HEADERS[key]] = index
        elif key in ACCOUNT_HEADERS and "account" not in found:
            found["account"] = index
    names = ", ".join(argument(_visible(name.strip()), 40) for name in header[:12])
    if "email" not in found and "username" not in found:
        raise InvalidInput(
            f"{shown} has no column that finds the user: its first row should name an "
            f"`email` or `username` column (it has {names})"
        )
    if "account" not in found:
        raise InvalidInput(
            f"{shown} has no column for the account: its first row should name a "
            f"`managedAppleId`, `Managed Apple Account` or `Managed Apple ID` column (it "
            f"has {names})"
        )
    return found


def _delimiter(text: str) -> str:
    """The separator of the header row (the first non-blank line): the most frequent of
    `,` `;` and tab outside quotes; `,` when none is there."""
    for line in io.StringIO(text, newline=""):
        if not line.strip():
            continue
        counts = dict.fromkeys(DELIMITERS, 0)
        quoted = False
        for character in line:
            if character == '"':
                quoted = not quoted
            elif not quoted and character in counts:
                counts[character] += 1
        best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","
    return ","


def _decode(data: bytes, shown: str) -> str:
    """UTF-8 (a byte-order mark dropped) or UTF-16 with its byte-order mark. Bytes that are
    not UTF-8 are kept as surrogates: only the rows whose cells hold them are refused."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "surrogateescape")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput(f"{shown} starts as UTF-16 text but is not") from None
    if b"\x00" in data[:4096]:
        raise InvalidInput(
            f'{shown} is not text, or UTF-16 without a byte-order mark: save it as "CSV UTF-8"'
        )
    return data.decode("utf-8", "surrogateescape")


def _undecodable(text: str) -> bool:
    return any("\udc80" <= character <= "\udcff" for character in text)


def _visible(text: str) -> str:
    """`text` with undecodable bytes shown as `\\xNN`, so a message can name them."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
