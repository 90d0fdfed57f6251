"""Where the API is (a region, --api-url, $JUMPCLOUD_API_URL) and where the key comes from
(a file, $JUMPCLOUD_API_KEY, a prompt): the order, and one clear line for anything wrong,
never repeating a secret."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wizard.core.domains import InvalidInput
from wizard.core.jumpcloud.regions import REGIONS, api_base
from wizard.core.jumpcloud.secret import ApiKey, mask, read_api_key

KEY = "jc0123456789abcdef0123456789abcdef0123"


def test_regions_are_the_documented_servers() -> None:
    assert REGIONS == {
        "us": "https://console.jumpcloud.com/api",
        "eu": "https://console.eu.jumpcloud.com/api",
        "in": "https://console.in.jumpcloud.com/api",
    }
    assert api_base(None, None, {}) == REGIONS["us"]
    assert api_base("eu", None, {}) == REGIONS["eu"]
    assert api_base(" IN ", None, {}) == REGIONS["in"]


def test_api_url_option_then_variable_then_region() -> None:
    environ = {"JUMPCLOUD_API_URL": "https://gateway.example.com/jc/api/"}
    assert api_base("eu", "https://127.0.0.1:8443/api/", environ) == "https://127.0.0.1:8443/api"
    assert api_base("eu", None, environ) == "https://gateway.example.com/jc/api"
    assert api_base("eu", None, {"JUMPCLOUD_API_URL": "  "}) == REGIONS["eu"]
    assert api_base(None, "https://[::1]:9443/api", {}) == "https://[::1]:9443/api"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://console.jumpcloud.com/api", "must be an https:// URL"),
        ("console.jumpcloud.com/api", "must be an https:// URL"),
        ("https://admin:hunter2@console.jumpcloud.com/api", "user name or password"),
        ("https://console.jumpcloud.com/api?token=s3cr3t", "must not have a query"),
        ("https://console.jumpcloud.com/api#s3cr3t", "must not have a fragment"),
        ("https://console.jumpcloud.com:99999/api", "not a valid URL"),
        ("https:///api", "no host name"),
        ("https://console.jumpcloud.com/a pi", "spaces or control characters"),
        ("https://console.jumpcloud.com/\x1b[2Japi", "spaces or control characters"),
        ("", "is empty"),
    ],
)
def test_bad_api_urls_are_one_line_without_the_url(url: str, words: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        api_base(None, url, {})
    message = str(raised.value)
    assert words in message and message.startswith("--api-url")
    assert "\n" not in message
    for secret in ("hunter2", "s3cr3t", "\x1b"):
        assert secret not in message
    with pytest.raises(InvalidInput) as from_variable:
        api_base(None, None, {"JUMPCLOUD_API_URL": url or "http://x.example"})
    assert str(from_variable.value).startswith("$JUMPCLOUD_API_URL")


def test_unknown_region() -> None:
    with pytest.raises(InvalidInput, match=r"unknown JumpCloud region 'xx': choose one of us, eu"):
        api_base("xx", None, {})


def test_key_shows_only_stars() -> None:
    key = ApiKey(KEY)
    assert str(key) == f"{key}" == f"{key:>10}" == "***"
    assert "%s" % key == "***"  # noqa: UP031
    assert repr(key) == f"{key!r}" == "ApiKey(***)"
    assert KEY not in repr([key, {"key": key}])
    assert key.header_value() == KEY
    assert key == ApiKey(KEY) and key != ApiKey(KEY + "x")
    assert copy.copy(key) is key and copy.deepcopy([key])[0] is key
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_key_file_first_line_wins(tmp_path: Path) -> None:
    path = tmp_path / "jumpcloud.key"
    path.write_text(f"\ufeff  {KEY}  \r\nsecond line is ignored\n")
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "typed"

    key = read_api_key({"JUMPCLOUD_API_KEY": "from-environment"}, path, ask)
    assert key is not None and key.header_value() == KEY
    assert asked == []


def test_then_the_variable_then_the_prompt() -> None:
    from_variable = read_api_key({"JUMPCLOUD_API_KEY": f" {KEY}\n"}, None, None)
    assert from_variable is not None and from_variable.header_value() == KEY
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return KEY + "\n"

    typed = read_api_key({"JUMPCLOUD_API_KEY": ""}, None, ask)
    assert typed is not None and typed.header_value() == KEY
    assert prompts == ["JumpCloud API key (not shown): "]
    assert read_api_key({}, None, None) is None
    assert read_api_key({}, None, lambda _prompt: "   ") is None


def test_end_of_input_at_the_prompt_is_no_key() -> None:
    def ask(_prompt: str) -> str:
        raise EOFError

    assert read_api_key({}, None, ask) is None


def test_unreadable_or_empty_key_file_names_the_file_not_its_content(tmp_path: Path) -> None:
    missing = tmp_path / "missing.key"
    empty = tmp_path / "empty.key"
    empty.write_text("\n\n" + KEY)
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe" + KEY.encode())
    spaced = tmp_path / "spaced.key"
    spaced.write_text(KEY[:10] + " " + KEY[10:])
    expected = {
        missing: "cannot read the API key file",
        tmp_path: "cannot read the API key file",
        empty: "has no key on its first line",
        binary: "is not text",
        spaced: "has spaces, control or non-ASCII characters",
    }
    for path, words in expected.items():
        with pytest.raises(InvalidInput) as raised:
            read_api_key({}, path, None)
        message = str(raised.value)
        assert words in message, message
        assert repr(str(path)) in message
        assert KEY[:10] not in message and "\n" not in message


def test_a_bad_key_in_the_variable_is_named_without_its_value() -> None:
    for value in (KEY + "\x1b[2J", "é" + KEY, "x" * 5000):
        with pytest.raises(InvalidInput) as raised:
            read_api_key({"JUMPCLOUD_API_KEY": value}, None, None)
        assert str(raised.value).startswith("$JUMPCLOUD_API_KEY is not an API key")
        assert KEY not in str(raised.value) and "xxxxx" not in str(raised.value)


def test_mask_hides_the_key_as_it_is_and_url_encoded() -> None:
    key = ApiKey("k/y+1=2&3")
    text = "a k/y+1=2&3 b k%2Fy%2B1%3D2%263 c k%2fy%2b1%3d2%263 d k%2Fy%2B1%3D2%263"
    assert mask(text, key) == "a *** b *** c *** d ***"
    assert mask("nothing here", key) == "nothing here"
    assert mask("k/y", None) == "k/y"


@given(st.text(max_size=200))
def test_mask_never_leaves_the_key(text: str) -> None:
    masked = mask(f"{text}{KEY}{text}{KEY}", ApiKey(KEY))
    assert KEY not in masked
