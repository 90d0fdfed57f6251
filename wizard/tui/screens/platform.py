"""Step 4: the platform's artifact (highlighted, scrollable) and its numbered steps; copy it
to the clipboard (OSC 52, works over SSH) or save it to a folder. For JumpCloud Self-Host,
import the JSON file downloaded from the portal first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from wizard.core.artifacts import (
    PLATFORMS,
    GenerateError,
    Plan,
    generate,
    write_plan,
)
from wizard.core.setups.options import artifact_setup, imported_document
from wizard.core.shown import argument, one_line
from wizard.tui.safe_text import plain
from wizard.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState

MAX_IMPORT_BYTES = 64 * 1024
# First match wins: the NGINX snippet before other .conf files.
LEXERS = {
    "nginx-remotemanagement.conf": "nginx",
    ".conf": "apacheconf",
    ".htaccess": "apacheconf",
    "web.config": "xml",
    ".json": "json",
    ".js": "javascript",
    ".sh": "bash",
    "remotemanagement": "json",
}
OSC52_HINT = (
    "Sent to the clipboard with OSC 52. Terminals that ignore it (some Windows consoles, tmux "
    "without set-clipboard, older macOS Terminal) copy nothing: press s to save the files."
)


# The MDMs whose Self-Host document is a file downloaded from their console.
IMPORT_TEXTS = {
    "jumpcloud": "JumpCloud Self-Host: in the Admin Portal, DEVICE MANAGEMENT > MDM > Apple > "
    "iOS Enrollment > Self Host, click Download JSON, then give the file here:",
    "manageengine": "ManageEngine MDM Plus: download the discovery JSON from its console "
    "(menu names unconfirmed), then give the file here:",
}


def lexer_for(filename: str) -> str:
    for ending, lexer in LEXERS.items():
        if filename.endswith(ending):
            return lexer
    return "text"


def default_folder(name: str) -> str:
    return str(Path.home() / "adue-wizard" / name)


class PlatformScreen(StepScreen):
    STEP = "platform"
    FIRST_FOCUS = "Select"
    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        Binding("c", "copy", "Copy", id="copy"),
        Binding("s", "save", "Save", id="save"),
        Binding("e", "exact_seed", "Exact form", id="exact-seed"),
    ]

    def __init__(self, setup: SetupState) -> None:
        super().__init__(setup)
        self.plan: Plan | None = None

    def body(self) -> ComposeResult:
        setup = self.setup
        yield Static("Platform:", classes="question")
        yield Select(
            [(entry.title, name) for name, entry in PLATFORMS.items()],
            value=setup.platform or Select.NULL,
            prompt="Choose the platform",
            id="platform",
        )
        if setup.method == "self-host" and setup.provider in IMPORT_TEXTS:
            with Vertical(id="import"):
                yield Static(IMPORT_TEXTS[setup.provider], classes="question")
                with Horizontal(classes="row"):
                    yield Input(
                        setup.imported_json or "", placeholder="~/Downloads/...json", id="json-path"
                    )
                    yield Button("Import", id="import-json")
                yield Static("", id="import-state", markup=False)
        yield Static("", id="plan-title", classes="question", markup=False)
        yield Vertical(id="artifacts")
        yield Static("", id="steps", markup=False)
        with Horizontal(classes="row"):
            yield Input(setup.artifact_dir or default_folder(setup.name), id="folder")
            yield Button("Save files (s)", id="save")
            yield Button("Copy (c)", id="copy")

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_plan()

    @on(Select.Changed, "#platform")
    def platform_changed(self, event: Select.Changed) -> None:
        self.setup.platform = str(event.value) if event.value != Select.NULL else None
        self.changed()
        self.refresh_plan()

    @on(Button.Pressed, "#import-json")
    @on(Input.Submitted, "#json-path")
    def import_json(self) -> None:
        raw = self.query_one("#json-path", Input).value.strip()
        state = self.query_one("#import-state", Static)
        path = Path(raw).expanduser()
        try:
            if not path.is_file():
                raise GenerateError(f"no file at {argument(str(path))}")
            data = path.read_bytes()[: MAX_IMPORT_BYTES + 1]
            if len(data) > MAX_IMPORT_BYTES:
                raise GenerateError("the file is too large to be a discovery document")
            text = data.decode("utf-8")
            checked, warnings = imported_document(self.setup, text)
        except UnicodeDecodeError:
            state.update("Not imported: the file is not UTF-8 text.")
            return
        except (GenerateError, OSError) as error:
            state.update(plain(f"Not imported: {error}"))
            return
        self.setup.imported_json = str(path)
        self.setup.document_text = checked.document
        self.changed()
        note = f" Warning: {warnings[0]}." if warnings else ""
        state.update(f"Imported and valid (kept exactly as downloaded).{note}")
        self.refresh_plan()

    def refresh_plan(self) -> None:
        title = self.query_one("#plan-title", Static)
        artifacts = self.query_one("#artifacts", Vertical)
        steps = self.query_one("#steps", Static)
        artifacts.remove_children()
        self.plan = None
        if not self.setup.platform:
            title.update("Choose the platform to see what to publish.")
            steps.update("")
            return
        try:
            setup, _ = artifact_setup(self.setup, getattr(self.app, "today", None))
            self.plan = generate(self.setup.platform, setup)
        except GenerateError as error:
            title.update(plain(f"Not ready: {error}."))
            steps.update("")
            return
        form = "the vendor's exact form" if self.setup.exact_seed else "forwards the device's query"
        entry = PLATFORMS[self.setup.platform]
        title.update(f"{entry.title}, {self.setup.method} ({form}; e switches)")
        for artifact in self.plan.artifacts:
            artifacts.mount(Static(plain(f"{artifact.filename}: {artifact.title}", "bold")))
            artifacts.mount(
                Static(
                    Syntax(
                        artifact.content.rstrip("\n"),
                        lexer_for(artifact.filename),
                        theme="ansi_dark",
                        word_wrap=True,
                    ),
                    classes="artifact",
                )
            )
        lines = [f"{number}. {step}" for number, step in enumerate(self.plan.steps, 1)]
        lines += [f"Note: {note}" for note in self.plan.notes]
        steps.update("Steps:\n" + "\n".join(lines))

    def action_exact_seed(self) -> None:
        self.setup.exact_seed = not self.setup.exact_seed
        self.changed()
        self.refresh_plan()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        if self.plan is None or self.plan.primary is None:
            self.notify("Nothing to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(self.plan.primary.content)
        self.notify(f"Copied {self.plan.primary.filename}. {OSC52_HINT}", timeout=8, markup=False)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.plan is None or not self.plan.artifacts:
            self.notify("Nothing to save yet.", severity="warning")
            return
        folder = Path(
            self.query_one("#folder", Input).value.strip() or default_folder(self.setup.name)
        )
        folder = folder.expanduser()
        try:
            write_plan(self.plan, folder)
        except (GenerateError, OSError) as error:
            self.notify(f"Not saved: {error}", severity="error", markup=False)
            return
        self.setup.artifact_dir = str(folder)
        self.setup.artifact_paths = [str(folder / a.filename) for a in self.plan.artifacts]
        self.changed()
        shown = one_line(str(folder))
        self.notify(f"Saved {len(self.plan.artifacts)} file(s) in {shown}", markup=False)

    def leave(self) -> bool:
        if self.plan is None:
            self.problem("Choose a platform (and import the JSON file for Self-Host) first.")
            return False
        self.problem("")
        return True
