"""Step 3: Redirect or Self-Host, with the trade-offs, and a recommendation for the platform."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import RadioSet, Select, Static

from wizard.core.artifacts.platforms import PLATFORMS
from wizard.tui.screens.step import StepScreen
from wizard.tui.widgets.tick_box import Choice

REDIRECT_TRADE_OFFS = (
    "Redirect: your web server answers the well-known URL with a 301 to the MDM's discovery "
    "URL. Nothing to keep in sync: if the MDM changes its endpoint, devices follow. Needs "
    "access to the server's configuration (or a redirect feature of your host)."
)
SELF_HOST_TRADE_OFFS = (
    "Self-Host: you publish the JSON file at the well-known URL. Less flexible than a "
    "Redirect (you must publish it again if the MDM changes it), but works where you can "
    "upload files and set their content type (application/json) without changing redirects."
)


def recommendation(platform: str | None) -> str:
    if platform is None:
        return "Choose where the domain's website runs to get a recommendation."
    entry = PLATFORMS[platform]
    if not entry.methods:
        return f"{entry.title} can do neither: {entry.summary}. Choose another platform."
    if entry.methods == ("redirect",):
        return f"{entry.title} supports only Redirect."
    if entry.forwards_query == "yes":
        return (
            f"Recommended on {entry.title}: Redirect. It can forward the device's query to the "
            "MDM, and there is no file to keep in sync."
        )
    return f"{entry.title} can do both; Redirect is simpler to keep working."


class MethodScreen(StepScreen):
    STEP = "method"

    def body(self) -> ComposeResult:
        yield Static("Where does the website of your domain run?", classes="question")
        yield Select(
            [(entry.title, name) for name, entry in PLATFORMS.items()],
            value=self.setup.platform or Select.NULL,
            prompt="Choose the platform",
            id="platform",
        )
        yield Static(recommendation(self.setup.platform), id="recommendation", markup=False)
        yield Static("How should the domain answer?", classes="question")
        preset = self.setup.preset
        if len(preset.methods) == 1:
            only = "Redirect" if preset.methods[0] == "redirect" else "Self-Host"
            yield Static(f"{preset.title} documents only {only}.", id="preset-method", markup=False)
        with RadioSet(id="method"):
            if "redirect" in preset.methods:
                yield Choice("Redirect", value=self.setup.method == "redirect", id="redirect")
            if "self-host" in preset.methods:
                yield Choice("Self-Host", value=self.setup.method == "self-host", id="self-host")
        if "redirect" in preset.methods:
            yield Static(REDIRECT_TRADE_OFFS, classes="explanation", markup=False)
        if "self-host" in preset.methods:
            yield Static(SELF_HOST_TRADE_OFFS, classes="explanation", markup=False)

    @on(Select.Changed, "#platform")
    def platform_changed(self, event: Select.Changed) -> None:
        self.setup.platform = str(event.value) if event.value != Select.NULL else None
        self.query_one("#recommendation", Static).update(recommendation(self.setup.platform))
        self.changed()

    @on(RadioSet.Changed, "#method")
    def method_changed(self, event: RadioSet.Changed) -> None:
        self.setup.method = "self-host" if event.pressed.id == "self-host" else "redirect"
        self.changed()

    def leave(self) -> bool:
        preset = self.setup.preset
        if self.setup.method not in preset.methods:
            self.setup.method = None
        if self.setup.method is None:
            self.problem("Choose Redirect or Self-Host.")
            return False
        if self.setup.platform:
            entry = PLATFORMS[self.setup.platform]
            if entry.methods and self.setup.method not in entry.methods:
                self.problem(f"{entry.title} supports only {' or '.join(entry.methods)}.")
                return False
        self.problem("")
        return True
