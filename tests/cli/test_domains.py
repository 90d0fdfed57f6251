"""Input normalisation: examples, and properties over arbitrary text (hypothesis)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.commands import run_cli
from tests.support.constants import ORG_ID, WELL_KNOWN
from wizard.core.domains import InvalidInput, display_domain, normalise_domain, validate_org_id
from wizard.core.verify.connect_to import ConnectTo, parse_connect_to, route


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("ada@Example.COM", "example.com"),
        ("first.last@sub@corp.example", "corp.example"),
        ("https://Example.com:443/.well-known/x?y=1#z", "example.com"),
        ("example.com.", "example.com"),
        ("  example.com  ", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("HTTP://user:pw@host.example.org:443", "host.example.org"),
        # Valid in DNS though IDNA reserves "--" at positions 3-4 (seen in CDN host names).
        ("ada@R3---sn-abc.example.com", "r3---sn-abc.example.com"),
    ],
)
def test_normalises(text: str, domain: str) -> None:
    assert normalise_domain(text) == domain


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "exa mple.com",
        "192.0.2.1",
        "[2001:db8::1]",
        "2001:db8::1",
        "localhost",
        "ada@",
        "-bad.example",
        "bad-.example",
        "under_score.example",
        "a..b.example",
        "x" * 64 + ".example",
        ("a" * 63 + ".") * 4 + "com",
        "example.123",
        "https://",
        "HTTP://user:pw@host.example.org:8443",  # a port other than the device's 443
        "example.com:8443",
        # `xn--` labels that are not IDNA: httpx (and a device) cannot use them.
        "xn--zz.com",
        "XN--ZZ.com",
        "xn--.com",
        "ada@shop.xn--zz.example",
    ],
)
def test_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        normalise_domain(text)
    assert "\n" not in str(error.value)


@given(st.text(max_size=300))
def test_any_text_is_a_domain_or_a_clean_error(text: str) -> None:
    try:
        domain = normalise_domain(text)
    except InvalidInput as error:
        assert "\n" not in str(error) and str(error)
        return
    assert domain.isascii() and domain == domain.lower()
    assert len(domain) <= 253 and "." in domain
    assert normalise_domain(domain) == domain
    # Whatever is accepted is a URL host the verifier's client takes and can show.
    httpx.URL(f"https://{domain}{WELL_KNOWN}")
    display_domain(domain)


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)


@given(st.lists(label, min_size=2, max_size=5), st.sampled_from(["", "user@", "https://"]))
def test_well_formed_names_survive_any_wrapping(labels: list[str], wrap: str) -> None:
    name = ".".join(labels)
    if labels[-1].isdigit() or any(label.startswith("xn--") for label in labels):
        return
    assert normalise_domain(f"{wrap}{name.upper()}/path") == name


def test_org_id() -> None:
    assert validate_org_id(ORG_ID) == ORG_ID
    # Upper case is the same ID: taken in lower case, as JumpCloud writes it.
    assert validate_org_id(f" {ORG_ID.upper()} ") == ORG_ID
    for bad in ["", ORG_ID.upper()[:-1], ORG_ID[:-1], "zz" * 12]:
        with pytest.raises(InvalidInput):
            validate_org_id(bad)


def test_connect_to_rules() -> None:
    rule = parse_connect_to("example.test:443:127.0.0.1:8443")
    assert rule == ConnectTo("example.test", 443, "127.0.0.1", 8443)
    assert route((rule,), "example.test", 443) == ("127.0.0.1", 8443)
    assert route((rule,), "other.test", 443) == ("other.test", 443)
    wildcard = parse_connect_to("::[::1]:")
    assert route((wildcard,), "any.test", 443) == ("::1", 443)
    for bad in ["example.test:443", "a:b:c:d", "a:99999:b:1"]:
        with pytest.raises(InvalidInput):
            parse_connect_to(bad)


def test_printable_escapes_controls_and_every_bidi_control() -> None:
    from wizard.core.shown import printable

    for dangerous in ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066", "\u2067", "\u2069"):
        assert dangerous not in printable(f"a{dangerous}b")
    assert printable("café 👩\u200d💻 [b]x[/b]") == "café 👩\u200d💻 [b]x[/b]"


@pytest.mark.parametrize("name", ["xn--zz.com", "a.xn--.example"])
def test_a_malformed_international_name_is_one_line_and_exit_2(name: str) -> None:
    """`verify -- xn--zz.com` used to end in an IDNAError traceback once the name resolved."""
    result = run_cli("verify", "--resolve", f"{name}:443:127.0.0.1", "--", name)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a valid international" in result.stderr
