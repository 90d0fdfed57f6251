"""A strict reader of monitoring-plugin output, after the monitoring-plugins development
guidelines ("Plugin Output", "Performance data"):

    SERVICE STATUS - text | 'label'=value[UOM];[warn];[crit];[min];[max] ...
    optional long-output lines

A label is quoted (a quote inside doubled) or bare without spaces, and holds no `=`;
value, min and max are numbers with a decimal point, never a comma (or `U` for a value
that could not be determined); UOM is empty, s, ms, us, %, B, KB, MB, TB or c; a threshold
is `[@]start:end`, `start` a number or `~`, either end left out (`30:` means "alert below
30"); trailing empty fields may be left out. Anything else is an error here, since a
monitoring system would misread it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}

_STATUS_LINE = re.compile(
    r"(?P<service>[A-Z][A-Z0-9_]*) (?P<state>OK|WARNING|CRITICAL|UNKNOWN) - "
    r"(?P<text>[^|\n]*?)(?: \| (?P<perfdata>[^|\n]+))?"
)
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_RANGE = rf"@?(?:(?:{_NUMBER}|~)?:)?(?:{_NUMBER})?"
_UOM = r"(?:s|ms|us|%|B|KB|MB|TB|c)?"
_ITEM = re.compile(
    rf"(?P<label>'(?:[^'=]|'')+'|[^'= ]+)=(?P<value>{_NUMBER}|U)(?P<uom>{_UOM})"
    rf"(?:;(?P<warn>{_RANGE})(?:;(?P<crit>{_RANGE})(?:;(?P<min>{_NUMBER})?"
    rf"(?:;(?P<max>{_NUMBER})?)?)?)?)?"
)
# One item: a quoted label (spaces allowed inside) or a run of non-space characters.
_SPLIT = re.compile(r"(?:'(?:[^']|'')*'|[^ '])+")


@dataclass(frozen=True)
class Perf:
    value: float | None  # None: `U`
    uom: str
    warn: str
    crit: str
    min: float | None
    max: float | None


@dataclass(frozen=True)
class PluginOutput:
    service: str
    state: str
    text: str
    perfdata: dict[str, Perf]
    long_output: list[str]


def parse(stdout: str) -> PluginOutput:
    """The plugin output, or AssertionError saying what breaks the grammar."""
    assert stdout.endswith("\n") and "\r" not in stdout, repr(stdout[-40:])
    first, *rest = stdout[:-1].split("\n")
    matched = _STATUS_LINE.fullmatch(first)
    assert matched, f"status line not in the guidelines' form: {first!r}"
    perfdata: dict[str, Perf] = {}
    for item in _SPLIT.findall(matched["perfdata"] or ""):
        found = _ITEM.fullmatch(item)
        assert found, f"performance data item not in the guidelines' form: {item!r}"
        label = found["label"]
        if label.startswith("'"):
            label = label[1:-1].replace("''", "'")
        assert label not in perfdata, f"label {label!r} given twice"
        perfdata[label] = Perf(
            value=None if found["value"] == "U" else float(found["value"]),
            uom=found["uom"],
            warn=found["warn"] or "",
            crit=found["crit"] or "",
            min=float(found["min"]) if found["min"] else None,
            max=float(found["max"]) if found["max"] else None,
        )
    for line in rest:
        assert "|" not in line, f"a long-output line with `|` starts performance data: {line!r}"
    return PluginOutput(matched["service"], matched["state"], matched["text"], perfdata, rest)
