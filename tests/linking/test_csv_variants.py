"""The CSV as admins really save it: a byte-order mark, CRLF, `;` or tabs, quoted fields with
separators and line breaks inside, blank lines and rows of empty cells, UTF-16 from Excel's
"Unicode text"; bad rows named with their line, never a traceback."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.linking.conftest import SETUP, StartDirectory, plan_items, write_csv
from tests.support.commands import run_in_process
from tests.support.constants import ORG_ID
from tests.support.jumpcloud_api import make_user
from wizard.core.domains import InvalidInput
from wizard.core.linking import csv_source
from wizard.core.linking.csv_source import CsvRow, parse_accounts_csv, read_accounts_csv


def rows(path: Path) -> list[CsvRow]:
    return read_accounts_csv(path).rows


def test_excel_with_a_bom_crlf_semicolons_quotes_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "Name;EMAIL;Managed Apple Account\r\n"
        "\r\n"
        '"Doe; Jane";jane@example.com;jane@example.com\r\n'
        ";;\r\n"  # a row of empty cells, as Excel leaves them
        '"Line\r\nbreak";"bob@example.com";" bob@example.com "\r\n'
        '"""Quoted"" Ann";ann@example.com;ann@example.com\r\n'
    )
    path = write_csv(tmp_path, codecs.BOM_UTF8 + text.encode())
    read = read_accounts_csv(path)
    assert read.delimiter == ";"
    assert read.rows == [
        CsvRow(3, "jane@example.com", "", "jane@example.com"),
        CsvRow(5, "bob@example.com", "", "bob@example.com"),  # a record over two lines
        CsvRow(7, "ann@example.com", "", "ann@example.com"),
    ]


def test_jumpclouds_export_and_a_username_column(tmp_path: Path) -> None:
    export = "Id,Email,ManagedAppleId\n65b2,a@example.com,a@example.com\n"
    assert rows(write_csv(tmp_path, export)) == [CsvRow(2, "a@example.com", "", "a@example.com")]
    by_name = "username,Managed Apple ID\njdoe,jdoe@example.com\n"
    assert rows(write_csv(tmp_path, by_name)) == [CsvRow(2, "", "jdoe", "jdoe@example.com")]


def test_utf16_tab_separated_from_excel_unicode_text(tmp_path: Path) -> None:
    text = "email\tmanagedAppleId\r\nzoë@example.com\tzoe@example.com\r\n"
    path = write_csv(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert rows(path) == [CsvRow(2, "zoë@example.com", "", "zoe@example.com")]


def test_rows_without_an_account_are_left_out_and_counted(tmp_path: Path) -> None:
    text = (
        "email,managedAppleId,note\na@example.com,,\nb@example.com\nc@example.com,c@example.com\n"
    )
    read = read_accounts_csv(write_csv(tmp_path, text))
    assert read.without_account == 2 and read.read == 3
    assert [row.line for row in read.rows] == [4]


def test_bad_rows_keep_their_line_number_and_why(tmp_path: Path) -> None:
    data = (
        b"email,managedAppleId\n"
        b"ok@example.com,ok@example.com\n"
        b"caf\xe9@example.com,cafe@example.com\n"  # Windows-1252, not UTF-8
        b",orphan@example.com\n"
        b'late@example.com,"never closed@example.com\n'
        b"after@example.com,after@example.com\n"
    )
    found = rows(write_csv(tmp_path, data))
    assert [(row.line, row.problem) for row in found] == [
        (2, None),
        (3, csv_source.NOT_UTF8),
        (4, "no e-mail or username to find the user by"),
        (5, "a quoted field runs from line 5 to line 6: a quote is not closed"),
    ]
    assert found[1].email == "caf\\xe9@example.com"  # shown, not decoded wrongly


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""])
def test_a_quote_left_open_on_the_last_line_is_not_an_account(
    tmp_path: Path, ending: bytes
) -> None:
    data = b'email,managedAppleId\nuser1@example.com,"user1@example.com' + ending
    found = rows(write_csv(tmp_path, data))
    assert len(found) == 1
    assert found[0].problem is not None and "never closed" in found[0].problem


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "is empty"),
        (b"\r\n\r\n", "is empty"),
        (b"e\x00m\x00a\x00i\x00l\x00", "UTF-16 without a byte-order mark"),
        (b"email,account\na@example.com,a@example.com\n", "no column for the account"),
        (b"user,managedAppleId\n", "no column that finds the user"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_is_one_line(
    tmp_path: Path, data: bytes, said: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_accounts_csv(write_csv(tmp_path, data))
    assert said in str(refused.value) and "\n" not in str(refused.value)


def test_a_fifo_or_a_huge_file_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match="not a regular file"):
        read_accounts_csv(fifo)
    monkeypatch.setattr(csv_source, "MAX_CSV_BYTES", 64)
    with pytest.raises(InvalidInput, match="larger than"):
        read_accounts_csv(write_csv(tmp_path, "email,managedAppleId\n" + "a,b\n" * 20))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_one_line(data: bytes) -> None:
    """Whatever the file holds: rows (maybe with problems) or InvalidInput, never another
    exception."""
    try:
        text = csv_source._decode(b"email;managedAppleId\n" + data, "the CSV")
        parse_accounts_csv(text)
    except InvalidInput as error:
        assert "\n" not in str(error)


def test_the_plan_names_bad_rows_by_line(
    directory: StartDirectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory([make_user(1, ORG_ID), make_user(2, ORG_ID)])
    data = codecs.BOM_UTF8 + (
        b"EMAIL;ManagedAppleID\r\n"
        b"\r\n"
        b'"user00001@example.com";"user00001@example.com"\r\n'
        b"user00002@example.com;caf\xe9@example.com\r\n"
    )
    csv = write_csv(tmp_path, data)
    code, out, err = run_in_process(
        capsys, "maid", "plan", "--setup", SETUP, "--from", str(csv), "--json"
    )
    assert (code, err) == (0, "")
    items = plan_items(out)
    assert items[make_user(1, ORG_ID)["_id"]]["action"] == "set"
    assert items[make_user(1, ORG_ID)["_id"]]["line"] == 3
    assert items["line 4"]["action"] == "invalid"
    assert items["line 4"]["reason"] == f"line 4: {csv_source.NOT_UTF8}"
