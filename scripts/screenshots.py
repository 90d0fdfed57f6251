"""Write an SVG screenshot of each main screen into screenshots/ (shown in the README).

Uses the same pinned setup as the snapshot tests, so the pictures change only when the
screens do. Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.wizard_app import app_at, app_with_five_domains  # noqa: E402
from wizard.core.setups.steps import Step  # noqa: E402

SIZE = (100, 30)
SCREENS: list[tuple[str, Step | None]] = [
    ("1-start", None),
    ("2-organization", "organization"),
    ("3-prerequisites", "prerequisites"),
    ("4-method", "method"),
    ("5-platform", "platform"),
    ("6-verify", "verify"),
    ("7-done", "done"),
]


async def capture(name: str, step: Step | None, folder: Path, scratch: Path) -> None:
    # The Verify screen is shown with five domains, as an admin with several sign-in
    # domains sees it.
    app = app_with_five_domains(scratch) if step == "verify" else app_at(step)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        if step is not None:
            await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(folder))


def main() -> None:
    os.environ["HOME"] = "/home/admin"  # the default paths shown on screen
    folder = ROOT / "screenshots"
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, step in SCREENS:
            asyncio.run(capture(name, step, folder, Path(scratch)))
            print(f"wrote screenshots/{name}.svg")


if __name__ == "__main__":
    main()
