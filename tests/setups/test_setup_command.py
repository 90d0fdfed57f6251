"""Setups made and changed without the wizard: `setup add` makes what the wizard makes (it
opens in the wizard, and `verify --setup` checks it), with the wizard's checks and one line
for bad input; `setup edit` changes only what it is given; `setup restore` brings back the
newest deleted copy with its history; `setup import` adds a CSV file's setups, all or none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.support.commands import one_line, run_cli
from tests.support.constants import BASE_URL, DOMAIN, GOOD, ORG_ID, TENANT, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document, respond
from tests.support.verifying import report_of
from tests.support.wizard_app import make_app, record, settled, started
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store
from wizard.tui.screens.method import MethodScreen
from wizard.tui.screens.organization import OrganizationScreen
from wizard.tui.screens.prerequisites import PrerequisitesScreen

# What only the wizard fills in: the ticks, the furthest step, the times.
WIZARD_ONLY = {"prerequisites", "step", "created_at", "updated_at"}


def saved_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.glob("*.setup.json*")}


async def test_setup_add_makes_what_the_wizard_makes(tmp_path: Path) -> None:
    by_wizard, by_command = tmp_path / "wizard", tmp_path / "command"
    app = make_app(by_wizard)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n", "tab", *ORG_ID, "tab", "tab", *"ada@Example.TEST", "ctrl+n")
        assert isinstance(app.screen, PrerequisitesScreen)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, MethodScreen)
        await pilot.press("enter", "down", "down", "enter")  # the platform list: NGINX
        await pilot.press("tab", "enter")  # Redirect
        await pilot.pause()
        await pilot.press("ctrl+q")
    [made_by_wizard] = Store(by_wizard).load_all()

    added = run_cli(
        "setup", "add", DOMAIN, "--domain", "ada@Example.TEST", "--org-id", ORG_ID,
        "--method", "redirect", "--platform", "nginx", state=by_command,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"adue-wizard verify --setup {DOMAIN}" in added.stdout
    made_by_command = Store(by_command).load(DOMAIN)
    assert made_by_command is not None
    assert made_by_command.model_dump(exclude=WIZARD_ONLY) == made_by_wizard.model_dump(
        exclude=WIZARD_ONLY
    )
    # The organization is done, the prerequisites are the admin's to tick: it opens there.
    assert made_by_command.step == "prerequisites" and made_by_command.prerequisites == {}

    again = make_app(by_command)
    async with again.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("enter")  # resume the setup made on the command line
        assert isinstance(again.screen, PrerequisitesScreen)
        await pilot.press("escape")
        assert isinstance(again.screen, OrganizationScreen)
        assert again.screen.query_one(f"#{'org-id'}", Input).value == ORG_ID
        assert again.screen.query_one("#domains", Input).value == DOMAIN
        await pilot.press("ctrl+n", "ctrl+n")  # the wizard takes its answers as they are
        assert isinstance(again.screen, MethodScreen)
        await settled(pilot)
        await pilot.press("ctrl+q")
    reopened = Store(by_command).load(DOMAIN)
    assert reopened is not None and reopened.platform == "nginx" and reopened.step == "method"


def test_a_setup_added_on_the_command_line_is_verified_like_any_other(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    added = run_cli(
        "setup", "add", "acme", "--domain", DOMAIN, "--mdm", "generic", "--base-url", BASE_URL,
        "--connect-to", f":443:127.0.0.1:{server.port}", "--ca-bundle", str(ca_bundle),
        state=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    checked = run_cli("verify", "--setup", "acme", "--json", state=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["ok"] is True
    assert "saved test settings" in checked.stderr  # announced, as for any saved setup
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["name"] == "acme" and row["runs"] == 1 and row["last_failure"] is None
    assert row["mdm"] == "generic" and row["step"] == "prerequisites"
    # A failing domain fails the setup's run, recorded in its history as any other.
    server.route(WELL_KNOWN, respond(404, "gone", {"Content-Type": "text/html"}))
    failed = run_cli("verify", "--setup", "acme", "--json", state=tmp_path)
    assert failed.returncode == 1 and json.loads(failed.stdout)["failure"] == "bad_status"
    [row] = json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    assert row["runs"] == 2 and row["last_failure"] == "bad_status"


def test_setup_add_without_an_mdm_is_judged_by_the_protocol_alone(tmp_path: Path) -> None:
    added = run_cli(
        "setup", "add", "bare", "--domain", "a.example.test", "--domain", "www.b.example.test",
        state=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    # The wizard's note about www. comes along, on stderr.
    assert "usually without www." in one_line(added.stderr)
    saved = Store(tmp_path).load("bare")
    assert saved is not None and saved.provider == "generic"
    assert saved.domains == ["a.example.test", "www.b.example.test"]
    # No MDM chosen yet: the wizard opens on the Organization step to ask for it.
    assert saved.step == "organization"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--domain", "exa mple.test"], "has a space in it"),
        (["--domain", "localhost"], "single-label name"),
        ([], "needs at least one domain"),
        (["--domain", DOMAIN, "--mdm", "jumpcloud"], "ID: it is empty (give --org-id)"),
        (["--domain", DOMAIN, "--org-id", "ABC"], "24 lowercase hex"),
        (["--domain", DOMAIN, "--tenant-id", TENANT], "--tenant-id needs --mdm NAME"),
        (["--domain", DOMAIN, "--mdm", "intune", "--tenant-id", TENANT, "--method", "redirect"],
         "allows only --method self-host"),
        (["--domain", DOMAIN, "--mdm", "nosuch"], "unknown MDM 'nosuch'"),
        (["--domain", DOMAIN, "--method", "self-host", "--platform", "shopify"],
         "Shopify supports only --method redirect"),
        (["--domain", DOMAIN, "--platform", "github-pages"], "GitHub Pages cannot serve"),
        (["--domain", DOMAIN, "--platform", "nosuch"], "unknown platform 'nosuch'"),
        (["--domain", DOMAIN, "--connect-to", "nonsense"], "is not HOST1:PORT1:HOST2:PORT2"),
        (["--domain", DOMAIN, "--ca-bundle", "/no/such.pem"], "no such file"),
        (["--domain", DOMAIN, "--org-id", ORG_ID, "--json-file", "/no/such.json"], "--json-file"),
    ],
)  # fmt: skip
def test_setup_add_refuses_bad_input_in_one_line(
    tmp_path: Path, arguments: list[str], said: str
) -> None:
    result = run_cli("setup", "add", "acme", *arguments, state=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert said in one_line(result.stderr)
    assert saved_files(tmp_path) == {}


def test_setup_add_refuses_a_name_that_exists_or_is_no_name(tmp_path: Path) -> None:
    assert run_cli("setup", "add", "acme", "--domain", DOMAIN, state=tmp_path).returncode == 0
    before = saved_files(tmp_path)
    again = run_cli("setup", "add", "acme", "--domain", "other.example.test", state=tmp_path)
    assert again.returncode == 2 and "already exists" in one_line(again.stderr)
    path_like = run_cli("setup", "add", "../acme", "--domain", DOMAIN, state=tmp_path)
    assert path_like.returncode == 2 and "is not a setup name" in one_line(path_like.stderr)
    assert saved_files(tmp_path) == before


def test_setup_edit_changes_only_what_it_is_given(tmp_path: Path, ca_bundle: Path) -> None:
    added = run_cli(
        "setup", "add", "acme", "--domain", "a.example.test", "--domain", "b.example.test",
        "--org-id", ORG_ID, "--method", "redirect", "--platform", "nginx",
        "--connect-to", ":443:127.0.0.1:8443", "--ca-bundle", str(ca_bundle), state=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    before = Store(tmp_path).load("acme")
    assert before is not None

    changed = run_cli(
        "setup", "edit", "acme", "--add-domain", "c.example.test",
        "--remove-domain", "a.example.test", state=tmp_path,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    after = Store(tmp_path).load("acme")
    assert after is not None and after.domains == ["b.example.test", "c.example.test"]
    kept = {"domains", "updated_at"}
    assert after.model_dump(exclude=kept) == before.model_dump(exclude=kept)

    # --domain replaces the list; '' clears a test setting; the rest stays.
    run_cli("setup", "edit", "acme", "--domain", "d.example.test", "--connect-to", "",
            "--ca-bundle", "", state=tmp_path)  # fmt: skip
    replaced = Store(tmp_path).load("acme")
    assert replaced is not None and replaced.domains == ["d.example.test"]
    assert replaced.settings.connect_to == [] and replaced.settings.ca_bundle is None
    assert replaced.org_id == ORG_ID and replaced.platform == "nginx"

    # Another MDM is held to its own inputs and methods, as in the wizard; a refusal
    # leaves the file as it was.
    unchanged = saved_files(tmp_path)
    for arguments, said in [
        (["--mdm", "intune"], "tenant ID: it is empty"),
        (["--tenant-id", TENANT], "--tenant-id is not an input of --mdm jumpcloud"),
        (["--remove-domain", "d.example.test"], "would have no domain left"),
        (["--remove-domain", "z.example.test"], "is not a domain of setup acme"),
        (["--domain", "e.example.test", "--add-domain", "f.example.test"], "not both"),
        ([], "nothing to change"),
    ]:
        refused = run_cli("setup", "edit", "acme", *arguments, state=tmp_path)
        assert refused.returncode == 2 and said in one_line(refused.stderr), arguments
    assert saved_files(tmp_path) == unchanged

    # Intune takes Self-Host only: choosing it sets the method, as the wizard does.
    switched = run_cli("setup", "edit", "acme", "--mdm", "intune", "--tenant-id", TENANT,
                       state=tmp_path)  # fmt: skip
    assert switched.returncode == 0, switched.stderr
    intune = Store(tmp_path).load("acme")
    assert intune is not None and intune.provider == "intune" and intune.method == "self-host"
    assert intune.tenant_id == TENANT
    missing = run_cli("setup", "edit", "nope", "--domain", DOMAIN, state=tmp_path)
    assert missing.returncode == 2 and "no saved setup named 'nope'" in one_line(missing.stderr)


def test_setup_restore_brings_back_the_newest_deleted_copy(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for domain in ("old.example.test", "new.example.test"):
        setup = SetupState(name="acme", domains=[domain])
        store.save(setup)
        record(store, setup, [report_of(domain)])
        assert run_cli("delete", "acme", "--yes", state=tmp_path).returncode == 0
    copies = sorted(tmp_path.glob("acme.setup.json.deleted-*"))
    assert len(copies) == 2
    for copy in copies:
        copy.chmod(0o644)  # loosened while it was aside (a backup tool, a hand)

    restored = run_cli("setup", "restore", "acme", state=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert store.path_for("acme").stat().st_mode & 0o777 == 0o600
    assert "new.example.test" in restored.stdout and "runs kept: 2" in restored.stdout
    back = Store(tmp_path).load("acme")
    assert back is not None and back.domains == ["new.example.test"]
    assert [
        row["runs"] for row in json.loads(run_cli("status", "--json", state=tmp_path).stdout)
    ] == [2]

    # A setup of that name is in the way: never replaced.
    taken = run_cli("setup", "restore", "acme", state=tmp_path)
    assert taken.returncode == 2 and "rename it first" in one_line(taken.stderr)
    assert run_cli("rename", "acme", "acme-new", state=tmp_path).returncode == 0
    older = run_cli("setup", "restore", "acme", state=tmp_path)
    assert older.returncode == 0 and "old.example.test" in older.stdout
    none_left = run_cli("setup", "restore", "acme", state=tmp_path)
    assert none_left.returncode == 2
    never = run_cli("setup", "restore", "never", state=tmp_path)
    assert never.returncode == 2 and "no deleted setup named 'never'" in one_line(never.stderr)


def test_a_new_setup_under_a_deleted_ones_name_is_told_of_its_runs(tmp_path: Path) -> None:
    store = Store(tmp_path)
    setup = SetupState(name="acme", domains=[DOMAIN])
    store.save(setup)
    record(store, setup, [report_of(DOMAIN, "bad_status")])
    assert run_cli("delete", "acme", "--yes", state=tmp_path).returncode == 0
    added = run_cli("setup", "add", "acme", "--domain", "new.example.test", state=tmp_path)
    assert added.returncode == 0
    assert "the history holds 1 earlier run under this name" in one_line(added.stderr)
    fresh = run_cli("setup", "add", "fresh", "--domain", "new.example.test", state=tmp_path)
    assert fresh.returncode == 0 and fresh.stderr == ""


HEADER = "name,domains,mdm,org_id,tenant_id,server_url,method,platform"


def test_setup_import_adds_every_row_or_none(tmp_path: Path) -> None:
    csv = tmp_path / "customers.csv"
    state = tmp_path / "state"
    # As Excel's "CSV UTF-8" writes it: a byte-order mark and CRLF; a blank line, and a
    # quoted cell, as a spreadsheet quotes one.
    rows = [
        HEADER,
        "acme,acme.example.test www.acme.example.test,,,,,,",
        f"jc,jc.example.test,jumpcloud,{ORG_ID},,,redirect,nginx",
        "bad,exa mple.test,,,,,,",
        "",
        f"in,in.example.test,intune,,{TENANT},,,",
        "acme,other.example.test,,,,,,",
        'quoted,"q.example.test",,,,,redirect,shopify',
        "nomdm,n.example.test,,,not-a-guid,,,",
    ]
    csv.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    refused = run_cli("setup", "import", str(csv), state=state)
    assert refused.returncode == 2 and refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert [line.split(" line ")[1].split(":")[0] for line in lines[:-1]] == ["4", "7", "9"]
    assert "has a space in it" in lines[0] and "named on line 2 too" in lines[1]
    assert "--tenant-id needs --mdm NAME" in lines[2]
    assert lines[-1] == "adue-wizard: nothing imported: 3 of 7 rows are wrong"
    assert not state.exists() or saved_files(state) == {}

    fixed = [row for row in rows if not row.startswith(("bad,", "acme,other", "nomdm,"))]
    csv.write_bytes(("\ufeff" + "\r\n".join(fixed) + "\r\n").encode("utf-8"))
    imported = run_cli("setup", "import", str(csv), state=state)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 4 setups" in imported.stdout
    saved = {setup.name: setup for setup in Store(state).load_all()}
    assert set(saved) == {"acme", "jc", "in", "quoted"}
    assert saved["acme"].domains == ["acme.example.test", "www.acme.example.test"]
    assert saved["jc"].org_id == ORG_ID and saved["jc"].platform == "nginx"
    assert saved["in"].provider == "intune" and saved["in"].method == "self-host"
    assert saved["quoted"].method == "redirect" and saved["quoted"].platform == "shopify"

    # Importing again: every name is taken now, and nothing changes.
    before = saved_files(state)
    again = run_cli("setup", "import", str(csv), state=state)
    assert again.returncode == 2 and again.stderr.count("already exists") == 4
    assert saved_files(state) == before


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("name,domain\nacme,a.example.test\n", "unknown column 'domain'"),
        ("name,mdm\nacme,generic\n", "the header has no domains column"),
        ("name,domains,name\nacme,a.example.test,b\n", "the column name is named twice"),
        ("", "the file is empty"),
        (f"{HEADER}\n", "has a header but no rows"),
        ('name,domains\nacme,"a.example.test\n', "line 2: not valid CSV"),
    ],
)
def test_setup_import_refuses_a_file_that_is_not_the_csv_described(
    tmp_path: Path, text: str, said: str
) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text(text)
    result = run_cli("setup", "import", str(csv), state=tmp_path / "state")
    assert result.returncode == 2 and said in one_line(result.stderr)


def test_setup_import_reads_stdin_and_names_too_many_cells(tmp_path: Path) -> None:
    def imported(text: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "wizard", "setup", "import", "-"],
            input=text,
            capture_output=True,
            env={**os.environ, "ADUE_WIZARD_STATE_DIR": str(tmp_path)},
        )

    shifted = imported(b"name,domains\nacme,a.example.test,extra\n")
    assert shifted.returncode == 2
    assert b"line 2: 3 cells, but the header names 2 columns" in shifted.stderr
    piped = imported(b"name,domains\nacme,a.example.test\n")
    assert piped.returncode == 0, piped.stderr
    assert [setup.name for setup in Store(tmp_path).load_all()] == ["acme"]


def test_setup_names_lists_only_names_and_is_not_in_the_help(tmp_path: Path) -> None:
    Store(tmp_path).save(SetupState(name="b.example", domains=["b.example"]))
    Store(tmp_path).save(SetupState(name="a.example", domains=["a.example"]))
    (tmp_path / "$(touch pwned).setup.json").write_text("{}")  # not a name: never listed
    listed = run_cli("setup", "names", state=tmp_path)
    assert listed.returncode == 0 and listed.stdout == "a.example\nb.example\n"
    assert listed.stderr == ""
    assert "names" not in run_cli("setup", "--help").stdout
