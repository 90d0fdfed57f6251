"""The Verify screen with many domains: failures first, the selected domain's details filling
the window, and its diagnosis copied with one key (OSC 52)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from tests.support.wizard_app import app_with_five_domains, started
from wizard.tui.screens.verify import VerifyScreen
from wizard.tui.widgets.domain_result import DomainResultView


async def open_verify(pilot: Any) -> None:
    await started(pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_failures_first_and_details_fill_the_window(
    size: tuple[int, int], tmp_path: Path
) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_verify(pilot)
        screen = app.screen
        assert isinstance(screen, VerifyScreen)
        table = screen.query_one("#verify-domains", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys[:3] == ["shop.example.test", "www.example.test", "eu.example.test"]
        # Every domain's row is on the first screen, none clipped away.
        assert table.region.height >= len(keys) + 1
        assert table.region.bottom <= size[1]
        details = screen.query_one("#verify-details", VerticalScroll)
        footer_row = 1
        assert details.region.bottom == size[1] - footer_row  # down to the footer
        # One scrolling pane for the details: no scrolling container inside it.
        assert not list(details.query(VerticalScroll))
        assert screen.query_one(DomainResultView).domain == "shop.example.test"


async def test_copy_takes_the_selected_domains_diagnosis(tmp_path: Path) -> None:
    app = app_with_five_domains(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot)
        await pilot.press("down", "c")
        await pilot.pause()
        assert app.screen.query_one(DomainResultView).domain == "www.example.test"
        copied = app.clipboard
        assert copied.startswith("www.example.test: FAIL (bad_status)")
        assert "[cause: waf_challenge]" in copied
        assert "answered by Cloudflare (cf-ray)" in copied
        assert "shop.example.test" not in copied
