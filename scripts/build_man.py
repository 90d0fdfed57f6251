"""Build the man page adue-wizard.1 from the command's own parser, so it says what --help
says (argparse-manpage), with the sections a parser cannot give: exit status, environment,
files. `make man` runs it; the README says how to install the page.

Usage: python scripts/build_man.py [OUT] (default build/man/adue-wizard.1). The date in
the page is SOURCE_DATE_EPOCH's when set, for a reproducible build.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from argparse_manpage.manpage import Manpage  # noqa: E402

from wizard import __version__  # noqa: E402
from wizard.cli.main import build_parser  # noqa: E402

DEFAULT_OUT = ROOT / "build" / "man" / "adue-wizard.1"

EXIT_STATUS = r""".TP
.B 0
Done; for \fBverify\fR, every domain passed (warnings allowed).
.TP
.B 1
A check failed, or something could not be saved.
.TP
.B 2
Bad usage or input, in one line on standard error; nothing was changed."""

ENVIRONMENT = r""".TP
.B ADUE_WIZARD_STATE_DIR
Where saved setups and their history live, unless \fB\-\-state\-dir\fR is given.
.TP
.B ADUE_WIZARD_KEEP_DAYS
Days of verification runs kept per setup (default 90).
.TP
.B ADUE_WIZARD_KEEP_RUNS
Runs kept per setup at least, however old (default 1000).
.TP
.B NO_COLOR
When set, \fBverify\fR prints without colour."""

FILES = r""".TP
.I ~/.local/state/adue\-wizard/
The state folder on Linux (the platform's user state folder elsewhere): one
\fINAME\fR.setup.json per setup, \fIhistory.sqlite3\fR with every run, and
\fINAME\fR.setup.json.deleted\-\fISTAMP\fR for a deleted setup, which
\fBadue\-wizard setup restore\fR \fINAME\fR brings back."""


def build(out: Path) -> None:
    parser = build_parser()
    _leave_out_unlisted(parser)
    page = Manpage(
        parser,
        {
            "prog": "adue-wizard",
            "project_name": "adue-wizard",
            "version": __version__,
            "description": "set up and check Apple account-driven user enrollment",
            "manual_title": "adue-wizard manual",
            # As man-pages(7) writes it ("Month DD, YYYY"), which mandoc and groff both read.
            "date": f"{_build_date():%B} {_build_date().day}, {_build_date().year}",
        },
    )
    page.add_section("exit status", "=", EXIT_STATUS)
    page.add_section("environment", "=", ENVIRONMENT)
    page.add_section("files", "=", FILES)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(str(page), encoding="utf-8")


def _build_date() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC).date() if epoch else date.today()


def _leave_out_unlisted(parser: argparse.ArgumentParser) -> None:
    """Commands without help (`setup names`, for shell completion) are not in --help's
    list: the page leaves them out too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest for choice in action._choices_actions}
            for name in [name for name in action.choices if name not in listed]:
                del action.choices[name]
            for command in action.choices.values():
                _leave_out_unlisted(command)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
