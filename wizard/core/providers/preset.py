"""What every MDM preset is: its facts as data (inputs, methods, versions, console steps) and
one interface for what it decides (the target or BaseURL its inputs build, whether a document
or a redirect chain is what it expects, whether a URL is its own). A preset module fills in
the data and overrides only what its MDM does differently; the registry
(`wizard.core.providers`) lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from wizard.core.codes import Code
from wizard.core.document import DocumentError, parse_document_text
from wizard.core.domains import InvalidInput
from wizard.core.placeholders import find_placeholder
from wizard.core.protocol import USER_ENROLLMENT, Enrollment, Method
from wizard.core.shown import argument
from wizard.core.urls import url_problem

if TYPE_CHECKING:
    from wizard.core.artifacts.model import MdmNotes

# The inputs a preset can take, named as their command-line flags without the dashes.
InputName = Literal["org-id", "tenant-id", "cloud", "server-url", "enrollment", "target",
                    "base-url", "json-file"]  # fmt: skip


@dataclass(frozen=True)
class Answers:
    """What the admin gave for a preset; None where not given."""

    org_id: str | None = None
    tenant_id: str | None = None
    cloud: str | None = None
    server_url: str | None = None
    base_url: str | None = None
    target: str | None = None
    document_text: str | None = None
    enrollment: Enrollment = "user"
    # Where `target` and `document_text` came from when not from the admin (e.g. "JumpCloud's
    # configuration", read through its API): a mismatch then says so. Not an input.
    expected_from: str | None = None

    def given(self) -> list[InputName]:
        """The inputs given, by name (e.g. ["tenant-id"]); the enrollment type is always
        there (it has a default) and is not listed."""
        return [
            INPUT_OF[f.name]
            for f in fields(self)
            if f.name in INPUT_OF and getattr(self, f.name) is not None
        ]

    def value(self, name: InputName) -> str | None:
        return getattr(self, ATTRIBUTE_OF[name])  # type: ignore[no-any-return]

    def with_value(self, name: InputName, value: str | None) -> Answers:
        """These answers with one input's value replaced (None clears it)."""
        changed: dict[str, Any] = {ATTRIBUTE_OF[name]: value}
        return replace(self, **changed)

    def keeping(self, names: tuple[InputName, ...]) -> Answers:
        """Only the inputs `names` (a preset's), the others cleared."""
        cleared: dict[str, Any] = {
            ATTRIBUTE_OF[name]: None for name in self.given() if name not in names
        }
        if "enrollment" not in names:
            cleared["enrollment"] = "user"
        return replace(self, **cleared)


# The last step of most vendors' guides, in the same words.
DEVICE_SIGN_IN = (
    "On a test device: Settings > General > VPN & Device Management > Sign In to Work or "
    "School Account, with a Managed Apple Account of the domain."
)

# Each input's name and the Answers field holding it.
ATTRIBUTE_OF: dict[InputName, str] = {
    "org-id": "org_id",
    "tenant-id": "tenant_id",
    "cloud": "cloud",
    "server-url": "server_url",
    "enrollment": "enrollment",
    "target": "target",
    "base-url": "base_url",
    "json-file": "document_text",
}
INPUT_OF = {attribute: name for name, attribute in ATTRIBUTE_OF.items() if name != "enrollment"}


@dataclass(frozen=True)
class Input:
    """One input as the wizard asks for it: the label says what it is and where it is found;
    `called` is its name in a sentence ("The tenant ID: it is empty."), `typed_as` while it
    is typed ("Not a tenant ID yet"); `choices` makes it a list to pick from (label, value);
    `checked` False where the preset has no rule to check it against as it is typed."""

    name: InputName
    label: str
    called: str
    # Shown in the empty field: an example (the wizard adds "e.g.") or "(a description)".
    placeholder: str = "https://..."
    choices: tuple[tuple[str, str], ...] = ()
    checked: bool = True
    typed_as: str = ""

    @property
    def not_yet(self) -> str:
        """How a value still being typed is described: "Not a tenant ID yet"."""
        noun = self.typed_as or self.called
        article = "an" if noun[:1].lower() in "aeiou" else "a"
        return f"Not {article} {noun} yet"


@dataclass(frozen=True)
class Step:
    """One thing the admin does in the vendor's console, and where; a prerequisite step may
    say why, keep a tick under its own `id`, and stand `after` one of Apple's items."""

    title: str
    where: str
    explanation: str = ""
    id: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class ArtifactInputs:
    """What the generators take, as the preset produces it from the answers."""

    target: str | None
    base_url: str | None
    document_text: str | None
    version: str


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    methods: tuple[Method, ...]
    # Every input the command line takes for it; `wizard_inputs` are the ones the wizard's
    # Organization step asks for (a document is imported on the Platform step).
    inputs: tuple[InputName, ...]
    # The Version a document for this MDM has, per enrollment type it supports.
    versions: dict[Enrollment, str]
    model_families: tuple[str, ...]
    wizard_inputs: tuple[Input, ...] = ()
    # Shown on the Organization step when the MDM needs nothing typed there.
    wizard_note: str = ""
    # The vendor's console steps before the domain is published (Apple's are shared), and
    # the OS versions it supports when fewer than Apple's.
    prerequisites: tuple[Step, ...] = ()
    os_versions: Step | None = None
    # What to do once the domain answers, in the vendor's console and on a device; may use
    # {domain} and {choice} (Redirect or Self Host).
    next_steps: tuple[str, ...] = ()
    # Mistakes the vendor's guide or the field reports, said before they bite.
    traps: tuple[str, ...] = ()
    # Facts the tool relies on that the vendor does not publish: shown as "unconfirmed".
    unconfirmed: tuple[str, ...] = ()
    # Where the vendor's portal checks the domain itself and its messages are known
    # (JumpCloud's "Troubleshooting Error Messages"): the message it shows per failure code,
    # and the name they are quoted under ("JumpCloud portal"). Only then are they quoted.
    portal_messages: Mapping[Code, str] = field(default_factory=dict)
    portal: str | None = None
    # The vendor's guide, when `--vendor-form` follows a form it documents ("JumpCloud's
    # guide"), for the generators' notes.
    guide: str | None = None
    # How to get the discovery document from the vendor again, rather than editing it by
    # hand (a fix's words for a document that is malformed or wrong); None: "your MDM".
    document_again: str | None = None
    # Where the admin downloads the Self-Host document, when the vendor's console offers it.
    download: str | None = None
    # A BaseURL still holding one of the stand-ins the vendor's own examples carry
    # ("YourAADTenantID") is refused before anything is generated.
    refuses_placeholders: bool = True
    # How this MDM registers its discovery URL with Apple Business Manager, which devices on
    # iOS/iPadOS 18.2 and later ask when the domain answers an HTTP error; None when unknown.
    abm_registration: str | None = None
    # What to confirm in the vendor's console once the domain answers, for a generator's
    # last step ({each}: "the domain" or "each domain").
    portal_step: str | None = None
    # What a generator is missing when neither the inputs nor a document were given.
    missing: str | None = None
    missing_document: str | None = None
    notes: tuple[str, ...] = field(default=())
    # Where the admin finds the server's URL, for the presets that take `server-url`: what
    # its problems point to ("it is empty; find it in ...").
    server_url_where: str = ""

    @property
    def enrollments(self) -> tuple[Enrollment, ...]:
        return tuple(self.versions)

    # -- the inputs --------------------------------------------------------------------------

    def input_problem(self, name: InputName, value: str) -> str | None:
        """What is wrong with one typed value, in words that say where it is found; None when
        it is fine (or the preset has no rule for it). A server URL is checked alike for
        every preset that takes one; a preset adds rules for its own inputs."""
        if name == "server-url" and self.server_url_where:
            return server_url_problem(value, self.server_url_where)
        return None

    def normalised(self, name: InputName, value: str) -> str:
        """The value one typed clearly means, in its one written form (an ID in upper case,
        a GUID in braces); the callers say so when it differs from what was typed."""
        return value.strip()

    def check_answers(self, answers: Answers, method: str | None) -> None:
        """Raise InvalidInput (one line) for an input the preset does not take, an enrollment
        type or method it does not have, or a malformed value."""
        taken = [f"--{name}" for name in self.inputs]
        for name in answers.given():
            if name not in self.inputs:
                raise InvalidInput(
                    f"--{name} is not an input of --mdm {self.name} "
                    f"(it takes {', '.join(taken) or 'no inputs'})"
                )
        if answers.enrollment not in self.enrollments:
            raise InvalidInput(
                f"--enrollment {answers.enrollment}: {self.title} has "
                f"{' and '.join(self.enrollments)} enrollment only here"
            )
        if method is not None and method not in self.methods:
            raise InvalidInput(
                f"--method {method}: {self.title} allows only --method {' or '.join(self.methods)}"
            )
        for name in answers.given():
            value = answers.value(name)
            if value is not None and (problem := self.input_problem(name, value)):
                raise InvalidInput(f"--{name}: {problem}")

    def complete(self, answers: Answers) -> str | None:
        """What the Organization step still needs before the admin goes on, or None."""
        for item in self.wizard_inputs:
            if item.choices:
                continue
            value = (answers.value(item.name) or "").strip()
            problem = self.input_problem(item.name, value)
            if problem:
                return f"The {item.called}: {problem}."
        return None

    # -- what the inputs build -----------------------------------------------------------------

    def expected_version(self, answers: Answers) -> str:
        return self.versions.get(answers.enrollment, USER_ENROLLMENT)

    def base_url(self, answers: Answers) -> str | None:
        """The BaseURL the inputs produce, or None when it comes from a document."""
        return answers.base_url

    def target(self, answers: Answers) -> str | None:
        """The redirect target the inputs produce, or None."""
        return answers.target

    def base_url_shape(self, answers: Answers) -> str | None:
        """What this MDM's BaseURL looks like, for a message, when the inputs do not build it."""
        return None

    def built(self, answers: Answers) -> str | None:
        """What the inputs build, for the wizard's "OK." line: the target or the BaseURL."""
        if self.methods == ("redirect",):
            target = self.target(answers)
            return f"Redirect target: {target}" if target else None
        base_url = self.base_url(answers)
        return f"BaseURL: {base_url}" if base_url else None

    def artifact_inputs(self, answers: Answers, method: str) -> ArtifactInputs:
        """The redirect target, or the BaseURL or document, for the generators; InvalidInput
        (one line) when an input is missing or the document is not what this MDM expects."""
        version = self.expected_version(answers)
        if method == "redirect":
            target = self.target(answers)
            if target is None and self.missing:
                raise InvalidInput(self.missing)
            return ArtifactInputs(target, None, None, version)
        text = answers.document_text
        base_url = None if text is not None else self.base_url(answers)
        if base_url is None and text is None:
            missing = self.missing_document or self.missing
            if missing:
                raise InvalidInput(missing)
            return ArtifactInputs(None, None, None, version)
        if text is not None:
            try:
                document = parse_document_text(text.removeprefix("\ufeff"))
            except DocumentError:
                # The generators say what is wrong with its shape, in their words.
                return ArtifactInputs(None, None, text, version)
            found_version, found_url = document.version, document.base_url
        else:
            assert base_url is not None
            found_version, found_url = version, base_url
        hit = find_placeholder(found_url) if self.refuses_placeholders else None
        if hit:
            raise InvalidInput(f"the BaseURL {found_url} holds {hit}: a placeholder left in")
        problem = self.document_problem(replace(answers, base_url=None), found_version, found_url)
        if problem:
            raise InvalidInput(f"not a {self.title} document: {problem}")
        return ArtifactInputs(None, base_url, text, version)

    # -- judging what a domain serves ----------------------------------------------------------

    def document_problem(self, answers: Answers, version: str, base_url: str) -> str | None:
        """Why a document with this Version and BaseURL is not what this MDM expects, naming
        the expected value; None when it is."""
        expected = self.expected_version(answers)
        if version != expected:
            return self.version_problem(answers, version, expected)
        # Here, not at the top: the registry imports every preset module, and they this one.
        from wizard.core.providers import recognise

        recognised = recognise(base_url)
        if recognised is not None and recognised.name != self.name:
            shape = self.base_url(answers) or self.base_url_shape(answers)
            return f"BaseURL {base_url} is {recognised.title}'s, not {self.title}'s" + (
                f"; expected {shape}" if shape else ""
            )
        return self.base_url_problem(answers, base_url)

    def version_problem(self, answers: Answers, version: str, expected: str) -> str:
        return (
            f'Version is "{version}"; {self.title} expects "{expected}" for '
            f"{answers.enrollment} enrollment"
        )

    def base_url_problem(self, answers: Answers, base_url: str) -> str | None:
        """Why this BaseURL (of the right Version, not another MDM's) is wrong, or None."""
        built = self.base_url(answers)
        if built is not None and base_url != built:
            return f"BaseURL is {base_url}; expected {built}"
        return None

    def redirect_problem(
        self, answers: Answers, domain: str, visited: list[str]
    ) -> tuple[Code, str] | None:
        """Why the redirect chain (every URL requested, the domain's first) does not land
        where this MDM expects, with the failure code; None when it does or when there is no
        rule to apply."""
        if answers.target is None:
            return None
        wanted = urlsplit(answers.target)
        wanted_query = parse_qs(wanted.query)
        for url in visited[1:]:
            parts = urlsplit(url)
            same_place = (parts.scheme, parts.netloc.lower(), parts.path) == (
                wanted.scheme,
                wanted.netloc.lower(),
                wanted.path,
            )
            query = parse_qs(parts.query)
            if same_place and all(query.get(key) == value for key, value in wanted_query.items()):
                return None
        return Code.BAD_CONFIG, f"the redirect does not reach {answers.target}"

    def recognises(self, host: str, path: str) -> bool:
        """Whether a redirect target or BaseURL with this host and path is this MDM's."""
        return False

    # -- what the generators and the wizard say -----------------------------------------------

    def header(self, answers: Answers) -> str:
        """The artifacts' header line naming what the admin gave (nothing secret)."""
        return f"MDM: {self.title}."

    def mdm_notes(self, answers: Answers, document_path: str | None = None) -> MdmNotes:
        """What the artifacts say about this MDM; `document_path` is where the imported
        document was read from, for the `verify` command they suggest."""
        # Here, not at the top: `verify` imports the presets and must not load the generators.
        from wizard.core.artifacts.model import MdmNotes

        return MdmNotes(
            header=self.header(answers),
            verify_arguments=tuple(self.verify_arguments(answers, document_path)),
            portal_step=self.portal_step,
            guide=self.guide,
        )

    def verify_arguments(self, answers: Answers, document_path: str | None = None) -> list[str]:
        """The `verify` options that judge a domain against this preset and its inputs (the
        imported document by its path, FILE when it is not known)."""
        arguments = ["--mdm", self.name]
        for name in answers.given():
            if name == "json-file":
                arguments += ["--json-file", document_path or "FILE"]
            elif name in self.inputs:
                arguments += [f"--{name}", answers.value(name) or ""]
        if answers.enrollment != "user":
            arguments += ["--enrollment", answers.enrollment]
        return arguments


def server_url_problem(text: str, where: str) -> str | None:
    """Why `text` cannot be a server's https URL (scheme, host, optional port and path)."""
    value = text.strip()
    if not value:
        return f"it is empty; find it in {where}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"{argument(value, 80)} is not a URL"
    if parts.scheme != "https" or not parts.hostname:
        return f"{argument(value, 80)} must start with https:// and name the host ({where})"
    if parts.query or parts.fragment:
        return f"{argument(value, 80)} has a query or fragment; give the server's address only"
    return url_problem(value, "the URL")
