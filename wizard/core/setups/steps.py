"""The wizard's steps, in order, with their titles (plain data: no pydantic, so the TUI can
draw its first screen before the saved-state model is loaded)."""

from __future__ import annotations

from typing import Literal

Step = Literal["organization", "prerequisites", "method", "platform", "verify", "done"]
STEPS: tuple[Step, ...] = ("organization", "prerequisites", "method", "platform", "verify", "done")
STEP_TITLES: dict[str, str] = {
    "organization": "Organization",
    "prerequisites": "Prerequisites",
    "method": "Method",
    "platform": "Platform and artifacts",
    "verify": "Verify",
    "done": "Done",
}
