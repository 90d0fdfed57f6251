"""Outside text (arguments, paths, values) shown inside an error line: one line, with every
control, line-break and bidi character visible as an escape, so it can neither break the
line nor reorder or recolour the terminal."""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates reorder what follows them ("Trojan Source"); every
# other format character (a zero-width joiner in an emoji, say) is harmless and kept.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# An argument longer than this is cut in error messages: the point is to recognise it.
SHOWN_LIMIT = 120


def argument(text: str, limit: int = SHOWN_LIMIT) -> str:
    """`text` quoted for an error message, as Python's repr: non-printable characters
    (C0/C1 controls, DEL, line and paragraph separators, bidi and other format characters,
    lone surrogates from undecodable bytes) become escapes, and a backslash is doubled so
    an escape cannot be faked. Cut to `limit` characters, marked with an ellipsis."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


def one_line(message: str) -> str:
    """`message` with every non-printable character but the space shown as an escape: the
    last guard before an error line reaches the terminal."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in message
    )


def printable(text: str) -> str:
    """`text` with control characters (C0, C1, DEL) and bidi controls shown as escapes: safe to
    print to a terminal or to show in the wizard, whatever a server or a saved file held."""
    if text.isprintable():
        return text  # the usual case, at C speed
    out = []
    for ch in text:
        if (
            ch.isprintable()
            or ch == " "
            or (unicodedata.category(ch) == "Cf" and ch not in _BIDI_CONTROLS)
        ):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def wrapped(text: str, width: int | None, indent: str = "", rest: str = "") -> list[str]:
    """`text` as lines of at most `width` columns (a terminal's; at least 40), the first
    after `indent`, the others after `rest`; one whole line when `width` is None (piped or
    redirected, where a reader or a script wants whole lines). Never broken inside a word
    or at a hyphen: a quoted directive or URL must stay copyable."""
    if width is None:
        return [indent + text]
    import textwrap  # only for a terminal

    return textwrap.wrap(
        text,
        max(width, 40),
        initial_indent=indent,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )
