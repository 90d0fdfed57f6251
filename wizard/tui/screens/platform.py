"""Step 4: the platform's artifacts (highlighted, scrollable) and their numbered steps, for
every domain of the setup; copy any of the files to the clipboard (OSC 52, works over SSH)
or save them all to a folder. For JumpCloud Self-Host, import the JSON file downloaded from
the portal first."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from wizard.core.artifacts.model import FilesDiffer, GenerateError, Plan
from wizard.core.artifacts.output_folder import write_plan
from wizard.core.artifacts.platforms import PLATFORMS, generate, switches_form
from wizard.core.document import DocumentFileError, read_document_file
from wizard.core.setups.options import artifact_setup, imported_document
from wizard.core.shown import argument, one_line
from wizard.tui.clipboard import send, sent_line
from wizard.tui.safe_text import plain
from wizard.tui.screens.replace_dialog import Answer, ReplaceFilesDialog
from wizard.tui.screens.step import StepScreen
from wizard.tui.widgets.field import Field

if TYPE_CHECKING:
    from wizard.core.setups.state import SetupState
    from wizard.tui.screens.jumpcloud_connect import Connected

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
    # Letter keys act only while no text field has the focus: there they type the letter.
    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        # In the order they are left out of a narrow footer: the last first.
        Binding("c", "copy", "Copy file", id="copy"),
        Binding("s", "save", "Save", id="save"),
        Binding("f", "next_file", "Next file", id="next-file"),
        Binding("e", "exact_seed", "Vendor's form", id="exact-seed"),
    ]

    def __init__(self, setup: SetupState) -> None:
        super().__init__(setup)
        self.plan: Plan | None = None
        self.selected = 0  # the file `c` copies; `f` moves on to the next
        self.switchable = False  # whether `e` (the vendor's form) changes the plan
        self.saved_in: Path | None = None  # where this screen last saved the plan shown

    def body(self) -> ComposeResult:
        setup = self.setup
        yield Static("Platform:", classes="question")
        yield Select(
            [(entry.title, name) for name, entry in PLATFORMS.items()],
            value=setup.platform or Select.NULL,
            prompt="Choose the platform",
            id="platform",
        )
        # The MDMs whose Self-Host document is a file downloaded from their console.
        if setup.method == "self-host" and setup.preset.download:
            with Vertical(id="import"):
                yield Static(setup.preset.download, classes="question")
                with Horizontal(classes="row"):
                    yield Field(
                        setup.imported_json or "", placeholder="~/Downloads/...json", id="json-path"
                    )
                    yield Button("Import", id="import-json")
                if setup.provider == "jumpcloud":
                    yield Button("Or take it from JumpCloud (API key)", id="from-jumpcloud")
                yield Static("", id="import-state", markup=False)
        yield Static("", id="plan-title", classes="question", markup=False)
        yield Vertical(id="artifacts")
        yield Static("", id="steps", markup=False)
        with Horizontal(classes="row"):
            yield Input(setup.artifact_dir or default_folder(setup.name), id="folder")
            yield Button("Save files (s)", id="save")
            yield Button("Copy (c)", id="copy")

    def below_body(self) -> ComposeResult:
        # What copying or saving did: here, not in a notification over the steps.
        yield Static("", id="platform-note", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_plan()

    @on(Select.Changed, "#platform")
    def platform_changed(self, event: Select.Changed) -> None:
        self.setup.platform = str(event.value) if event.value != Select.NULL else None
        self.saved_in = None  # another platform's files: what was saved is not this plan
        self.changed()
        self.refresh_plan()

    @on(Button.Pressed, "#import-json")
    @on(Input.Submitted, "#json-path")
    def import_json(self) -> None:
        raw = self.query_one("#json-path", Input).value.strip()
        state = self.query_one("#import-state", Static)
        path = Path(raw).expanduser()
        try:
            text = read_document_file(path)
            checked, warnings = imported_document(self.setup, text)
        except DocumentFileError as error:
            state.update(plain(f"Not imported: {argument(str(path))} {error}."))
            return
        except GenerateError as error:
            state.update(plain(f"Not imported: {error}"))
            return
        self.setup.imported_json = str(path)
        self.setup.document_text = checked.document
        self.changed()
        note = f" Warning: {warnings[0]}." if warnings else ""
        state.update(f"Imported and valid (kept exactly as downloaded).{note}")
        self.refresh_plan()

    @dataclass
    class JumpCloudRead(Message):
        """JumpCloud's Self Host JSON (None: it has none), or why it could not be read."""

        json_config: str | None
        problem: str | None = None

    @on(Button.Pressed, "#from-jumpcloud")
    def from_jumpcloud(self) -> None:
        self.with_jumpcloud(self.read_jumpcloud_json)

    def read_jumpcloud_json(self, connected: Connected) -> None:
        self.query_one("#import-state", Static).update("Reading JumpCloud's configuration...")
        self.read_configuration(connected)

    @work(exclusive=True, name="JumpCloud's configuration", group="jumpcloud")
    async def read_configuration(self, connected: Connected) -> None:
        from wizard.core.jumpcloud.access import read_adue_configuration
        from wizard.core.jumpcloud.errors import ApiError

        try:
            config = await read_adue_configuration(connected.access, connected.org_id)
        except ApiError as error:
            self.post_message(self.JumpCloudRead(None, str(error)))
            return
        self.post_message(self.JumpCloudRead(config.json_config))

    @on(JumpCloudRead)
    def jumpcloud_read(self, message: JumpCloudRead) -> None:
        state = self.query_one("#import-state", Static)
        if message.problem is not None:
            state.update(plain(f"Not read from JumpCloud: {message.problem}"))
            return
        if message.json_config is None:
            state.update(
                "JumpCloud has no Self Host configuration yet: in the Admin Portal, DEVICE "
                "MANAGEMENT > MDM > Apple > iOS Enrollment, choose Self Host."
            )
            return
        try:
            checked, warnings = imported_document(self.setup, message.json_config)
        except GenerateError as error:
            state.update(plain(f"Not taken from JumpCloud: {error}"))
            return
        self.setup.imported_json = None
        self.setup.document_text = checked.document
        self.changed()
        note = f" Warning: {warnings[0]}." if warnings else ""
        state.update(f"Taken from JumpCloud's configuration (exactly as JumpCloud gives it).{note}")
        self.refresh_plan()

    def refresh_plan(self) -> None:
        title = self.query_one("#plan-title", Static)
        artifacts = self.query_one("#artifacts", Vertical)
        steps = self.query_one("#steps", Static)
        artifacts.remove_children()
        self.note("")  # what was copied or saved belongs to the plan being replaced
        self.plan = None
        self.switchable = False
        self.refresh_bindings()
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
        entry = PLATFORMS[self.setup.platform]
        method = "Redirect" if self.plan.method == "redirect" else "Self-Host"
        switch = ""
        self.switchable = switches_form(self.setup.platform, setup)
        if self.switchable:
            switch = " (e: forward it)" if self.setup.exact_seed else " (e: the vendor's form)"
        title.update(f"{entry.title}, {method}: {self.plan.does}{switch}")
        self.selected = min(self.selected, max(len(self.plan.artifacts) - 1, 0))
        for index, artifact in enumerate(self.plan.artifacts):
            with_button = Horizontal(
                Static(self.head_text(index), classes="artifact-title"),
                Button("Copy", classes="copy-file", name=str(index)),
                classes="artifact-head",
            )
            artifacts.mount(with_button)
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
        self.refresh_bindings()
        lines = [f"{number}. {step}" for number, step in enumerate(self.plan.steps, 1)]
        lines += [f"Note: {note}" for note in self.plan.notes]
        steps.update("Steps:\n" + "\n".join(lines))

    def head_text(self, index: int) -> Content:
        """A file's heading; the one `c` copies is marked in words as well as colour
        (NO_COLOR, 16 colours)."""
        assert self.plan is not None
        artifact = self.plan.artifacts[index]
        if len(self.plan.artifacts) == 1:
            return plain(f"{artifact.filename}: {artifact.title}", "bold")
        chosen = index == self.selected
        mark = "> " if chosen else "  "
        hint = " (c copies; f: next)" if chosen else ""
        return plain(f"{mark}{artifact.filename}: {artifact.title}{hint}", "bold")

    def mark_selected(self) -> None:
        if self.plan is None:
            return
        heads = list(self.query(".artifact-title").results(Static))
        for index, head in enumerate(heads[: len(self.plan.artifacts)]):
            head.update(self.head_text(index))
            head.set_class(index == self.selected, "selected")
            if index == self.selected:
                # After the layout: the heading's height may have changed.
                self.call_after_refresh(head.scroll_visible, top=True, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "exact_seed":
            return self.switchable
        if action == "next_file":
            return self.plan is not None and len(self.plan.artifacts) > 1
        return True

    def note(self, text: str, *, error: bool = False) -> None:
        """Say what copying or saving did, under the steps (empty text clears it)."""
        line = self.query_one("#platform-note", Static)
        line.update(text)
        line.set_class(bool(text), "shown")
        line.set_class(error, "error")

    def action_next_file(self) -> None:
        if self.plan is None or not self.plan.artifacts:
            return
        self.selected = (self.selected + 1) % len(self.plan.artifacts)
        self.mark_selected()

    def action_exact_seed(self) -> None:
        """Switch between the forwarding form and the vendor's, and say so where the admin
        looks: a stray `e` must not change the files unnoticed."""
        self.setup.exact_seed = not self.setup.exact_seed
        self.changed()
        self.refresh_plan()
        if self.plan is None:
            return
        said = f"Switched: now {self.plan.does}; e switches back."
        if self.saved_in is not None:
            said += (
                f" The files saved in {one_line(str(self.saved_in))} hold the other form: "
                "s saves this one."
            )
        self.note(said)

    def on_key(self, event: events.Key) -> None:
        """A character typed while no text field has the focus, that no key here takes
        (a path typed into the wrong place), is not lost without a word."""
        if not event.is_printable or isinstance(self.focused, Input):
            return
        if event.key in self.active_bindings:
            return  # c, f, s, e: each says what it did
        self.note(
            f"Not typed: no text field has the focus (Tab moves to the folder field). "
            f"Here letters are keys: {self.letter_keys()}."
        )

    def letter_keys(self) -> str:
        return ", ".join(
            f"{active.binding.key} {active.binding.description.lower()}"
            for active in self.active_bindings.values()
            if len(active.binding.key) == 1 and active.binding.description
        )

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.copy_file(self.selected)

    @on(Button.Pressed, ".copy-file")
    def copy_pressed(self, event: Button.Pressed) -> None:
        self.selected = int(event.button.name or 0)
        self.mark_selected()
        self.copy_file(self.selected)

    def copy_file(self, index: int) -> None:
        if self.plan is None or not self.plan.artifacts:
            self.note("Nothing to copy yet.", error=True)
            return
        artifact = self.plan.artifacts[index]
        send(self.app, artifact.content)
        self.note(sent_line(artifact.filename, "save the files with s"))

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#folder")
    def action_save(self) -> None:
        if self.plan is None or not self.plan.artifacts:
            self.note("Nothing to save yet.", error=True)
            return
        folder = Path(
            self.query_one("#folder", Input).value.strip() or default_folder(self.setup.name)
        )
        self.save_into(self.plan, folder.expanduser())

    def save_into(self, plan: Plan, folder: Path, *, replace: bool = False) -> None:
        try:
            written = write_plan(plan, folder, force=replace)
        except FilesDiffer as differ:
            # Different content, not just another date: the admin decides.
            self.app.push_screen(
                ReplaceFilesDialog(folder, differ.paths), partial(self.replace_answer, plan, folder)
            )
            return
        except (GenerateError, OSError) as error:
            self.note(f"Not saved: {error}", error=True)
            return
        self.setup.artifact_dir = str(folder)
        self.setup.artifact_paths = [str(folder / a.filename) for a in plan.artifacts]
        self.saved_in = folder
        self.changed()
        kept = len(plan.artifacts) - len(written)
        unchanged = f" ({kept} already there, unchanged)" if kept else ""
        self.note(f"Saved {len(plan.artifacts)} file(s) in {one_line(str(folder))}{unchanged}.")

    def replace_answer(self, plan: Plan, folder: Path, answer: Answer) -> None:
        if answer == "replace":
            self.save_into(plan, folder, replace=True)
        elif answer == "elsewhere":
            field = self.query_one("#folder", Input)
            field.focus()
            field.select_all()
            self.note("Type another folder and press Enter to save there.")
        else:
            self.note("Not saved: the files there were left as they are.")

    def leave(self) -> bool:
        if self.plan is None:
            self.problem("Choose a platform (and import the JSON file for Self-Host) first.")
            return False
        self.problem("")
        return True
