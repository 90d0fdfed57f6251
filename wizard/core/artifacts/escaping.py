"""One function per artifact syntax that turns a value into a literal of that syntax.

Values are validated before they get here (`urls.url_problem`, `normalise_domain`,
`validate_org_id`); these functions escape anyway, and refuse with `UnsafeValue` what a
syntax has no way to carry, so a value that slipped past validation still cannot change
the meaning of the file around it.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import string

from wizard.core.shown import argument, one_line

_PRINTABLE_ASCII = frozenset(string.printable) - frozenset("\t\n\r\x0b\x0c")
_XML_CHARACTER_REFERENCES = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
# OWASP "CSV injection": a cell starting with one of these is run as a formula by
# spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UnsafeValue(ValueError):
    """`value` holds `character`, which `syntax` cannot carry; the message is one line."""

    def __init__(self, value: str, character: str, syntax: str, why: str) -> None:
        self.value = value
        self.character = character
        super().__init__(
            f"{argument(value)} contains {argument(character)}, which {syntax} cannot carry ({why})"
        )


def _refuse(value: str, syntax: str, forbidden: str = "", *, why: str = "") -> None:
    """Refuse anything but printable ASCII, and the `forbidden` characters."""
    for ch in value:
        if ch not in _PRINTABLE_ASCII:
            raise UnsafeValue(value, ch, syntax, "only printable ASCII is written there")
        if ch in forbidden:
            raise UnsafeValue(value, ch, syntax, why)


def nginx_string(value: str) -> str:
    """A double-quoted NGINX string. nginx's config reader turns `\\"` and `\\\\` back into
    `"` and `\\` (ngx_conf_read_token); `$` always starts a variable in a string that
    takes variables (`set`, `return`) and has no escape, so it is refused."""
    _refuse(value, "an NGINX string", "$", why="nginx reads $ as a variable, with no escape")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def apache_rewrite_substitution(value: str) -> str:
    """A double-quoted RewriteRule substitution. mod_rewrite's own argument reader ends a
    quoted argument at the next quote, with no escape, so `"` is refused; in the
    substitution `$N`, `%N`, `${map}` and `%{VAR}` expand and `\\` escapes the next
    character (mod_rewrite do_expand), so `\\`, `$` and `%` get a backslash."""
    _refuse(value, "an Apache RewriteRule", '"', why="mod_rewrite cannot escape a quote")
    escaped = "".join("\\" + ch if ch in "\\$%" else ch for ch in value)
    return f'"{escaped}"'


def apache_argument(value: str) -> str:
    """A double-quoted Apache directive argument (mod_alias Redirect): httpd's word reader
    (ap_getword_conf) turns `\\"` and `\\\\` back into `"` and `\\`; mod_alias uses the URL
    as it is, with no expansion."""
    _refuse(value, "an Apache directive")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def caddy_string(value: str, placeholder: str = "") -> str:
    """A double-quoted Caddyfile token: the lexer turns `\\"` into `"`. `{` and `}` are
    refused: Caddy expands `{...}` placeholders at run time and `{$VAR}` environment
    variables while reading the file, before any escape applies. A backslash is refused
    because the lexer keeps it and the replacer may consume it. `placeholder` is a
    trusted placeholder (such as `{query}`) appended inside the quotes."""
    _refuse(value, "a Caddyfile", "{}\\", why="Caddy reads {...} as a placeholder")
    return '"' + value.replace('"', '\\"') + placeholder + '"'


def xml_attribute(value: str) -> str:
    """A double-quoted XML attribute value: `&`, `<`, `>`, `"` and `'` become entities,
    tab, line feed and carriage return character references (a parser would otherwise
    turn them into spaces); other control characters are not allowed in XML 1.0."""
    for ch in value:
        if ch not in _XML_CHARACTER_REFERENCES and _xml_refuses(ch):
            raise UnsafeValue(value, ch, "XML", "XML 1.0 does not allow it")
    escaped = (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )
    for ch, reference in _XML_CHARACTER_REFERENCES.items():
        escaped = escaped.replace(ch, reference)
    return f'"{escaped}"'


def _xml_refuses(ch: str) -> bool:
    """XML 1.0's Char production leaves out C0 controls, surrogates, U+FFFE and U+FFFF;
    DEL and C1 controls are allowed but never meant, so they are refused too."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or ch in "\ufffe\uffff"


def iis_rewrite_url(value: str, server_variable: str = "") -> str:
    """The url attribute of an IIS URL Rewrite action: URL Rewrite expands `{...}` (server
    variables, back-references) with no escape, so braces are refused; then an XML
    attribute. `server_variable` is a trusted reference (such as `{C:0}`) appended."""
    _refuse(value, "an IIS rewrite URL", "{}", why="URL Rewrite reads {...} as a variable")
    return xml_attribute(value + server_variable)


def xml_comment(text: str) -> str:
    """Text for inside `<!-- -->`: XML 1.0 forbids `--` in a comment and a comment ending
    in `-`, and has no escape, so runs of hyphens are split by spaces; control and bidi
    characters are shown as escapes."""
    shown = one_line(text)
    while "--" in shown:
        shown = shown.replace("--", "- -")
    return shown + " " if shown.endswith("-") else shown


def line_comment(text: str) -> str:
    """Text for a line comment (`#` or `//`): a line break would end the comment and
    start code, so control, line-break and bidi characters are shown as escapes; a
    trailing backslash (Apache continues such a line) gets a space after it."""
    shown = one_line(text)
    return shown + " " if shown.endswith("\\") else shown


def json_text(value: object) -> str:
    """A JSON document (RFC 8259) with every string escaped by the json module, non-ASCII
    as \\uXXXX, two-space indented, ending in a newline."""
    return json.dumps(value, indent=2, ensure_ascii=True) + "\n"


def javascript_string(value: str) -> str:
    """A double-quoted JavaScript string literal: JSON's escaping, ASCII only, so `"`,
    `\\`, controls and U+2028/U+2029 (line terminators in older engines) are escaped and a
    backtick or `${` has no meaning inside it."""
    return json.dumps(value, ensure_ascii=True)


def cloudflare_string(value: str) -> str:
    """A double-quoted string of Cloudflare's Rules language: `\\` and `"` are escaped with
    a backslash (developers.cloudflare.com/ruleset-engine/rules-language/values/); anything
    but printable ASCII is refused (a URL or host has none)."""
    _refuse(value, "a Cloudflare rule expression")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csv_row(cells: list[str]) -> str:
    """One CSV record (RFC 4180): a cell holding `,`, `"` or a line break is quoted and its
    quotes doubled. A cell that a spreadsheet would run as a formula (starting with `=`,
    `+`, `-`, `@`, tab or CR, OWASP) is refused: the importer needs the value unchanged,
    so the usual `'` prefix would corrupt it."""
    for cell in cells:
        if cell.startswith(_FORMULA_STARTS):
            raise UnsafeValue(cell, cell[0], "a CSV cell", "a spreadsheet runs it as a formula")
        _refuse(cell, "a CSV cell")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def shell_word(value: str) -> str:
    """One POSIX shell word: left bare when it holds only safe characters, otherwise in
    single quotes with each `'` written as `'"'"'` (shlex.quote); `$`, backtick and `\\`
    have no meaning inside single quotes."""
    return shlex.quote(value)


def whitespace_field(value: str, syntax: str) -> str:
    """A field of a whitespace-separated line (Netlify _redirects, Squarespace URL
    mappings): there is no quoting, so whitespace and controls are refused, and so are
    `[` and `]`, which Squarespace reads as a variable."""
    _refuse(value, syntax, " []", why="the line has no quoting")
    return value
