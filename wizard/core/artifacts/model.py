"""What the generators take and give: the admin's setup in, a plan of artifacts and steps out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wizard.core.artifacts.escaping import line_comment, shell_word
from wizard.core.protocol import DOCUMENT_PATH, WELL_KNOWN_PATH, Method
from wizard.core.shown import argument

# Where no domain was given, steps say so instead of inventing one; in a command or a URL
# the stand-in is a word the shell and a reader both take as a placeholder.
YOUR_DOMAIN = "your domain"
DOMAIN_STAND_IN = "YOUR-DOMAIN"
# The date in every artifact's header: saving again on another day must not count it as a
# change (see output_folder.write_plan).
GENERATED_ON = re.compile(rb"Generated \d{4}-\d{2}-\d{2}\.")

QUERY_WHY = (
    "Apple devices do not carry their query (user-identifier, model-family) across a "
    "redirect, so this rule appends it to the target, after the target's own query."
)
QUERY_WHY_LINES = (
    "Apple devices do not carry their query (user-identifier, model-family)",
    "across a redirect, so this rule appends it after the target's own query.",
)


def as_typed_name(domain: str) -> str:
    """An IDNA (xn--) name in the Unicode form users type; other names as they are."""
    if "xn--" not in domain:
        return domain
    # Only for an international name: the codec costs 1-5 ms to load.
    import idna

    try:
        return str(idna.decode(domain))
    except idna.IDNAError:
        return domain


def shown_name(domain: str) -> str:
    """A domain for a step: the ASCII form configurations need, and the form users type
    beside it when that differs (`xn--bcher-kva.example (bücher.example)`)."""
    typed = as_typed_name(domain)
    return domain if typed == domain else f"{domain} ({typed})"


def in_words(items: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`: a list for a sentence."""
    listed = list(items)
    if len(listed) <= 1:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} and {listed[-1]}"


def why_comment(prefix: str, indent: str = "") -> str:
    """QUERY_WHY as comment lines, for artifacts that forward the device's query."""
    return "".join(f"{indent}{prefix}{line}\n" for line in QUERY_WHY_LINES)


class GenerateError(ValueError):
    """The request cannot produce an artifact; the message is one line, fit to show."""


class FilesDiffer(GenerateError):
    """Files with these names exist and hold something else than the plan (beyond the
    generated date); nothing was written. The caller decides: replace them, or not."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        shown = argument(str(paths[0]))
        more = f" (and {len(paths) - 1} more)" if len(paths) > 1 else ""
        super().__init__(f"{shown}{more} exists and differs")


@dataclass(frozen=True)
class MdmNotes:
    """What the artifacts say about the MDM, as its preset words it: the header line naming
    what the admin gave (nothing secret), the `verify` options that judge a domain against
    it, and what to confirm in its console afterwards ({each}: "the domain" or "each
    domain")."""

    header: str = "MDM: not named."
    verify_arguments: tuple[str, ...] = ()
    portal_step: str | None = None
    # The vendor's guide, when it documents a form `--vendor-form` follows to the letter
    # ("JumpCloud's guide"); None: no vendor's words in the notes.
    guide: str | None = None


@dataclass(frozen=True)
class Setup:
    """Everything a generator needs. `target` is set for Redirect, `document` for Self-Host."""

    method: Method
    domains: tuple[str, ...] = ()
    mdm: MdmNotes = MdmNotes()
    target: str | None = None
    document: str | None = None
    forward_query: bool = True
    generated_on: date = date(2000, 1, 1)

    @property
    def named(self) -> str:
        """The domains for a sentence, or "your domain" when none was given."""
        return in_words(shown_name(domain) for domain in self.domains) or YOUR_DOMAIN

    @property
    def hosts(self) -> tuple[str, ...]:
        """The domains, or the stand-in for commands and URLs when none was given."""
        return self.domains or (DOMAIN_STAND_IN,)

    @property
    def stand_in(self) -> str:
        """What the stand-in means, for a step that uses `hosts`; empty with domains."""
        return "" if self.domains else f" ({DOMAIN_STAND_IN}: {YOUR_DOMAIN})"

    def well_known_urls(self) -> str:
        return in_words(f"https://{host}{WELL_KNOWN_PATH}" for host in self.hosts)

    def per_domain(self, step: Callable[[str], str], once: str) -> list[str]:
        """One step per domain (`step(domain)`), or one for "your domain"; with several,
        `once` adds when one place that serves several of them needs the change only once."""
        steps = [step(shown_name(domain)) for domain in self.domains] or [step(YOUR_DOMAIN)]
        if len(self.domains) > 1:
            steps.append(once)
        return steps

    @property
    def redirect_target(self) -> str:
        if self.target is None:
            raise GenerateError("a redirect needs a target")
        return self.target

    @property
    def query_separator(self) -> str:
        """What joins the device's query to the target: `&` after an existing query."""
        return "&" if "?" in self.redirect_target else "?"

    def header(self, *, as_typed: bool = False) -> list[str]:
        """The opening comment of every artifact: domains, organization, date; nothing
        secret. `as_typed` shows international names in Unicode (an XML comment cannot hold
        the `--` of their ASCII form)."""
        method = "Redirect" if self.method == "redirect" else "Self-Host"
        names = [as_typed_name(domain) if as_typed else domain for domain in self.domains]
        return [
            f"adue-wizard: Apple account-driven enrollment ({method}) for "
            f"{', '.join(names) or YOUR_DOMAIN}",
            f"{self.mdm.header} Generated {self.generated_on.isoformat()}.",
        ]

    def header_sentence(self) -> str:
        """The header on one line, for a format without comments."""
        return ". ".join(self.header())

    def commented(self, prefix: str, extra: tuple[str, ...] = ()) -> str:
        """The header (and `extra` lines) as line comments starting with `prefix`."""
        return "".join(f"{prefix}{line_comment(line)}\n" for line in (*self.header(), *extra))


@dataclass(frozen=True)
class Artifact:
    """One file: `filename` is where `--out DIR` writes it, the place its steps give it when
    DIR is the folder they start from (the DocumentRoot, the publish directory, the project
    root); `title` says where it goes."""

    filename: str
    title: str
    content: str


@dataclass(frozen=True)
class Plan:
    """Artifacts (the first is the primary one, printed by `--raw`), steps and notes."""

    platform: str
    method: Method
    artifacts: tuple[Artifact, ...]
    steps: tuple[str, ...]
    notes: tuple[str, ...] = ()
    # What it does with the device's query, for a heading (set by `generate`).
    does: str = ""

    @property
    def primary(self) -> Artifact | None:
        return self.artifacts[0] if self.artifacts else None


@dataclass(frozen=True)
class Platform:
    name: str
    title: str
    methods: tuple[Method, ...]
    forwards_query: str
    build: Callable[[Setup], Plan]
    summary: str


def document_artifact(setup: Setup, folder: str = "") -> Artifact:
    """The discovery document, exactly as imported or built (never rewritten), at its place
    below the folder the steps say it is served from (`folder`, e.g. "public/"): `--out DIR`
    taken as that folder (a DocumentRoot, a publish directory) is then ready to serve."""
    if setup.document is None:
        raise GenerateError("self-host needs the discovery document")
    return Artifact(
        folder + DOCUMENT_PATH,
        "The discovery document (serve as application/json)",
        setup.document,
    )


def server_plan(platform: str, setup: Setup, configs: list[Artifact], steps: list[str]) -> Plan:
    """A plan for a server the admin runs: its config files, then (Self-Host) the document;
    the steps end with checking the result as a device would."""
    artifacts = [*configs, document_artifact(setup)] if setup.method == "self-host" else configs
    return Plan(platform, setup.method, tuple(artifacts), (*steps, verify_step(setup)))


def publish_step(setup: Setup) -> str:
    serves = "serves" if len(setup.hosts) == 1 else "each serve"
    return (
        f"Publish the discovery document so that {setup.well_known_urls()}{setup.stand_in} "
        f"{serves} "
        "it byte for byte (the file has no extension; the folder starts with a dot)."
    )


def verify_step(setup: Setup) -> str:
    options = "".join(f" {shell_word(argument)}" for argument in setup.mdm.verify_arguments)
    targets = " ".join(shell_word(host) for host in setup.hosts)
    stand_in = (
        ""
        if setup.domains
        else f" ({DOMAIN_STAND_IN}: {YOUR_DOMAIN}, the part after @ in users' Managed Apple "
        "Accounts)"
    )
    each = "each domain" if len(setup.domains) > 1 else "the domain"
    portal = f"; then, {setup.mdm.portal_step.format(each=each)}" if setup.mdm.portal_step else ""
    return f"Check it as a device would: adue-wizard verify {targets}{options}{stand_in}{portal}."
