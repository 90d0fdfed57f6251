"""What the admin types on the Organization step (and passes to --org-id): each mistake gets
a message that says what is wrong, the same in the wizard and on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.support.constants import DOMAIN, JUMPCLOUD_DISCOVERY, ORG_ID
from tests.support.wizard_app import make_app, started
from wizard.core.domains import (
    ORG_ID_WHERE,
    display_domain,
    org_id_problem,
    parse_domain_list,
)
from wizard.tui.screens.organization import OrganizationScreen


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (ORG_ID[:-1] + "g", "'g' (character 24) is not a hex digit"),
        (
            JUMPCLOUD_DISCOVERY,
            f"that is a URL, not the ID: paste only the 24 characters; the ID in it is {ORG_ID}",
        ),
        (ORG_ID[:10], "10 characters; an organization ID has 24"),
        (ORG_ID + "00", "26 characters; an organization ID has 24"),
        (ORG_ID[:12] + " " + ORG_ID[12:], "it has a space in it"),
    ],
)
def test_each_org_id_mistake_says_what_is_wrong(typed: str, says: str) -> None:
    problem = org_id_problem(typed)
    assert problem is not None and says in problem
    result = subprocess.run(
        [sys.executable, "-m", "wizard", "verify", DOMAIN, "--org-id", typed],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert says in line and ORG_ID_WHERE in line  # where to find it: the same text


def test_a_valid_org_id_has_no_problem() -> None:
    assert org_id_problem(ORG_ID) is None
    assert org_id_problem(f"  {ORG_ID}  ") is None


@pytest.mark.parametrize(
    ("typed", "domains", "problem"),
    [
        ("Ada Lovelace <ada@example.com>", ["example.com"], None),
        ("Ada <ada@example.com>, bob@example.org", ["example.com", "example.org"], None),
        ("a.example.com b.example.com", ["a.example.com", "b.example.com"], None),
        ("exa mple.com", [], "'exa mple.com' has a space in it"),
        ("example.com:8443", [], "has port '8443'"),
        ("https://example.com:443/x", ["example.com"], None),
        ("bücher.example", ["xn--bcher-kva.example"], None),
    ],
)
def test_pasted_domains(typed: str, domains: list[str], problem: str | None) -> None:
    found, problems, _ = parse_domain_list(typed)
    assert found == domains
    if problem is None:
        assert problems == []
    else:
        assert problem in problems[0]


def test_www_gets_a_note_and_international_names_show_as_typed() -> None:
    _, _, notes = parse_domain_list("www.example.com")
    assert "usually without www." in notes[0] and "ada@example.com" in notes[0]
    assert display_domain("xn--bcher-kva.example") == "bücher.example"


def _text(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_the_organization_step_messages(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await started(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, OrganizationScreen)
        org = app.screen.query_one("#org-id", Input)
        org.value = ORG_ID.upper()  # the ID it clearly is, taken in lower case
        await pilot.pause()
        assert f"OK. Taken as {ORG_ID}." in _text(app, "#org-id-state")
        assert app.setup is not None and app.setup.org_id == ORG_ID
        org.value = ORG_ID[:-1] + "g"
        await pilot.pause()
        assert "is not a hex digit" in _text(app, "#org-id-state")
        org.value = ORG_ID
        await pilot.pause()
        await pilot.press("ctrl+n")  # no domain yet
        assert "Enter at least one domain" in _text(app, "#step-problem")
        domains = app.screen.query_one("#domains", Input)
        domains.value = "bücher.example, www.example.com"
        await pilot.pause()
        assert _text(app, "#step-problem") == ""  # the stale message went
        state = _text(app, "#domains-state")
        assert "Will check: bücher.example, www.example.com" in state
        assert "usually without www." in state
        domains.value = "Ada Lovelace <ada@example.com>"
        await pilot.pause()
        assert "Will check: example.com" in _text(app, "#domains-state")
        domains.value = "exa mple.com"
        await pilot.pause()
        assert "has a space in it" in _text(app, "#domains-state")
