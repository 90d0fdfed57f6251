"""One screen per step of the wizard; `screen_for` maps a saved step to its screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.steps import Step
    from wizard.tui.screens.step import StepScreen


def screen_for(step: Step, setup: SetupState) -> StepScreen:
    # Imported here so the app starts by loading only the start screen.
    from wizard.tui.screens.done import DoneScreen
    from wizard.tui.screens.method import MethodScreen
    from wizard.tui.screens.organization import OrganizationScreen
    from wizard.tui.screens.platform import PlatformScreen
    from wizard.tui.screens.prerequisites import PrerequisitesScreen
    from wizard.tui.screens.verify import VerifyScreen

    screens: dict[str, type[StepScreen]] = {
        "organization": OrganizationScreen,
        "prerequisites": PrerequisitesScreen,
        "method": MethodScreen,
        "platform": PlatformScreen,
        "verify": VerifyScreen,
        "done": DoneScreen,
    }
    return screens[step](setup)
