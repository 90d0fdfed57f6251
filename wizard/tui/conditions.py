"""The test settings a setup's checks run under (--connect-to, --resolve, a private CA, a
User-Agent), as the wizard shows them: a verdict made under them is never shown bare."""

from __future__ import annotations

import shlex

from wizard.core.domains import InvalidInput
from wizard.core.setups.options import verify_options
from wizard.core.setups.state import SetupState
from wizard.core.verify.text_report import render_conditions


def setup_conditions(setup: SetupState) -> list[str]:
    """What `verify` lists as `conditions` for this setup's saved settings."""
    try:
        return verify_options(setup).conditions()
    except InvalidInput:
        # A malformed saved rule still shapes the run the admin asked for: show it as saved.
        settings = setup.settings
        shown = [f"--connect-to {shlex.quote(spec)}" for spec in settings.connect_to]
        if settings.ca_bundle:
            shown.append(f"--ca-bundle {shlex.quote(settings.ca_bundle)}")
        return shown


def conditions_line(conditions: list[str]) -> str:
    """The line before any verdict, escaped for display; empty when there are none."""
    return render_conditions(conditions) if conditions else ""
