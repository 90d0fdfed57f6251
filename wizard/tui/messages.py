"""Messages that cross screens: a screen asks the app to move on or to save, never does it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from wizard.core.results import DomainReport
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.steps import Step
    from wizard.tui.screens.jumpcloud_connect import Connected


@dataclass
class Navigate(Message):
    """Go to a step of the current setup (the app saves the step reached)."""

    step: Step


@dataclass
class SetupChanged(Message):
    """An answer changed: the app saves the setup at once."""


@dataclass
class OpenSetup(Message):
    """Start working on this setup (new or resumed), at its saved step."""

    setup: SetupState


@dataclass
class BackToStart(Message):
    """Leave the current setup (it stays saved) and show the start screen."""


@dataclass
class RecordRun(Message):
    """A verification of the current setup finished: the app shows it and records it in the
    history."""

    results: list[DomainReport]
    conditions: list[str]
    at: datetime


@dataclass
class JumpCloudConnected(Message):
    """JumpCloud accepted the admin's key: the app keeps it in memory for the session (never
    saved) and hands it to the steps that read JumpCloud; the region is saved with the
    setup."""

    connected: Connected
