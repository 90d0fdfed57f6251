"""The CSV file `setup import` reads: one setup per row, under a header naming the columns.

`name,domains,mdm,org_id,tenant_id,server_url,method,platform`: only `name` and `domains`
are required (columns may come in any order, and the others may be left out); `domains`
holds one or more domains separated by spaces. Read with the csv module, so quoted cells
(commas, new lines) are read as a spreadsheet writes them; a byte-order mark (Excel's
"CSV UTF-8") and CRLF line ends are taken as they come. Each row is then checked exactly
as `setup add` checks its options.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

COLUMNS = ("name", "domains", "mdm", "org_id", "tenant_id", "server_url", "method", "platform")
REQUIRED = ("name", "domains")
HEADER = ",".join(COLUMNS)


@dataclass(frozen=True)
class Row:
    """One row: the line it starts on, its cells by column (stripped; None when empty),
    and what is wrong with its shape, if anything."""

    line: int
    cells: dict[str, str | None]
    problem: str | None = None

    def get(self, column: str) -> str | None:
        return self.cells.get(column)


def read_rows(text: str) -> list[Row]:
    """The rows of a CSV file's text, blank lines left out. A header that is not the one
    described above raises InvalidInput naming line 1 (or the line a quote is left open)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    ended = 0  # the line the previous row ended on: a quoted cell may span lines
    try:
        for fields in reader:
            start, ended = ended + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if header is None:
                header = _header(fields, start)
                continue
            rows.append(_row(header, fields, start))
    except csv.Error as error:
        raise InvalidInput(f"line {reader.line_num}: not valid CSV ({error})") from None
    if header is None:
        raise InvalidInput(f"the file is empty; its first line must be the header {HEADER}")
    return rows


def _header(fields: list[str], line: int) -> list[str]:
    columns = [field.strip().lower() for field in fields]
    for column in columns:
        if column not in COLUMNS:
            raise InvalidInput(
                f"line {line}: unknown column {argument(column, 40)}; the header is {HEADER} "
                "(only name and domains are required)"
            )
        if columns.count(column) > 1:
            raise InvalidInput(f"line {line}: the column {column} is named twice")
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise InvalidInput(
            f"line {line}: the header has no {' and no '.join(missing)} column; it is "
            f"{HEADER} (only name and domains are required)"
        )
    return columns


def _row(header: list[str], fields: list[str], line: int) -> Row:
    # A spreadsheet may leave out a row's empty cells at the end; more cells than
    # columns is a comma too many, or a shifted row.
    cells = {column: (value.strip() or None) for column, value in zip(header, fields, strict=False)}
    problem = None
    if len(fields) > len(header):
        problem = f"{len(fields)} cells, but the header names {len(header)} columns"
    return Row(line, cells, problem)
