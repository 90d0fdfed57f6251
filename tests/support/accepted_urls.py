"""Hypothesis strategies for URLs the generators accept: every RFC 3986 character a URL
may hold bare, percent-encodings of the bytes that break configurations, a port, user
information, and a query, so the escaping is exercised by what validation lets through."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from wizard.core.urls import url_problem

# pchar (RFC 3986 section 3.3) without `%`, which comes only as a full encoding below.
PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@"
QUERY_CHARACTERS = PATH_CHARACTERS + "/?"
# Encoded forms of characters that mean something to a server or a shell.
ENCODINGS = ["%20", "%22", "%24", "%25", "%27", "%3B", "%7B", "%7D", "%0A", "%00", "%E2%80%AE"]
HOSTS = ["mdm.example.test", "a-b.mdm.example.test", "MDM.Example.Test"]


def _text(characters: str, max_size: int) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(characters), st.sampled_from(ENCODINGS))
    return st.lists(piece, max_size=max_size).map("".join)


@st.composite
def accepted_urls(draw: st.DrawFn, without: str = "") -> str:
    """An https URL that `url_problem` accepts, holding none of `without`."""
    host = draw(st.sampled_from(HOSTS))
    port = draw(st.sampled_from(["", ":8443"]))
    userinfo = draw(st.sampled_from(["", "enrol:k;ey@"]))
    segments = draw(st.lists(_text(PATH_CHARACTERS, 8), min_size=1, max_size=3))
    url = f"https://{userinfo}{host}{port}/" + "/".join(segments)
    if draw(st.booleans()):
        url += "?" + draw(_text(QUERY_CHARACTERS, 12).filter(bool))
    url = url.rstrip("?&")
    for character in without:
        url = url.replace(character, "%" + format(ord(character), "02X"))
    assert url_problem(url, "test") is None, url
    return url
