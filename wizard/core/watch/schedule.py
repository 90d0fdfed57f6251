"""Running `verify` by itself: a systemd service and timer, or a crontab line.

Each value placed in them is written in the syntax that reads it back, so that the command
that runs is the one the admin asked for, whatever the paths hold:
- systemd (systemd.service(5), "Command lines"; systemd.unit(5), "Specifiers"): a word with
  anything but plain characters is double-quoted with `\\` and `"` escaped; `%` starts a
  specifier anywhere, so it is doubled; `$` starts a variable in ExecStart=, so it is
  doubled too.
- cron (crontab(5)): the command goes to /bin/sh, so each word is quoted for the shell; an
  unescaped `%` in the command ends it (the rest becomes its standard input), so each `%`
  is written `\\%`, which cron passes on as `%`.
A control character (a new line would end the line, in both syntaxes) is refused.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from wizard.core.domains import InvalidInput
from wizard.core.shown import argument

UNIT_PREFIX = "adue-wizard-verify"
# Words systemd reads as they are (no quoting needed): letters, digits and a few marks.
_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Every:
    """How often: as written (15m, 1h, 1d, 1w), in seconds, and in each syntax."""

    text: str
    seconds: int
    on_calendar: str
    cron_fields: str


_MINUTES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
_HOURS = (1, 2, 3, 4, 6, 8, 12)


def every(text: str) -> Every:
    """--every: minutes that divide an hour, hours that divide a day, a day or a week (a
    calendar runs at the same times every day; 7m would run at :56 and again at :00)."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([mhdw])\s*", text.lower())
    if match:
        number, unit = int(match.group(1)), match.group(2)
        minutes = number * {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit]
        if minutes in _MINUTES:
            fields = "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
            return Every(f"{minutes}m", minutes * 60, f"*-*-* *:00/{minutes}:00", fields)
        if minutes % 60 == 0 and minutes // 60 in _HOURS:
            hours = minutes // 60
            fields = "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
            return Every(f"{hours}h", minutes * 60, f"*-*-* 00/{hours}:00:00", fields)
        if minutes == 1440:
            return Every("1d", 86400, "*-*-* 00:00:00", "0 0 * * *")
        if minutes == 10080:
            return Every("1w", 604800, "Mon *-*-* 00:00:00", "0 0 * * 1")
    raise InvalidInput(
        f"--every {argument(text)}: give minutes that divide an hour (5m, 15m, 30m), hours "
        "that divide a day (1h, 6h, 12h), 1d or 1w"
    )


def unit_name(setup: str | None) -> str:
    """adue-wizard-verify-NAME for one setup, adue-wizard-verify-all for every setup (a
    setup name's characters are all allowed in a unit name)."""
    return f"{UNIT_PREFIX}-{setup or 'all'}"


def systemd_word(text: str) -> str:
    """One word of ExecStart= that systemd reads back as `text`."""
    _refuse_control(text)
    doubled = text.replace("%", "%%").replace("$", "$$")
    if _PLAIN.fullmatch(text):
        return doubled
    return '"' + doubled.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_value(text: str) -> str:
    """A whole value (a path, a description) that systemd reads back as `text`: only its
    specifiers need escaping."""
    _refuse_control(text)
    return text.replace("%", "%%")


def cron_word(text: str) -> str:
    """One word of a crontab command that cron and /bin/sh read back as `text`."""
    _refuse_control(text)
    return shlex.quote(text).replace("%", "\\%")


def service_unit(
    command: Sequence[str],
    *,
    what: str,
    user: str | None = None,
    working_directory: str | None = None,
    system: bool = True,
) -> str:
    """A oneshot service running `command` (an absolute program path first); `user` runs
    it as that user (system units); `working_directory` for `python -m wizard`."""
    lines = ["[Unit]", f"Description={systemd_value(f'adue-wizard: verify {what}')}"]
    if system:
        # A user manager has no network-online.target; a system one should wait for it.
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += ["", "[Service]", "Type=oneshot"]
    if user is not None:
        lines.append(f"User={systemd_value(user)}")
    if working_directory is not None:
        lines.append(f"WorkingDirectory={systemd_value(working_directory)}")
    lines.append("ExecStart=" + " ".join(systemd_word(word) for word in command))
    return "\n".join(lines) + "\n"


def timer_unit(every: Every, *, what: str) -> str:
    """The timer: at the calendar's times, runs missed while the machine was off made up
    for at boot (Persistent), spread by up to a tenth of the interval (at most 15 minutes)
    so that many machines do not ask at the same second."""
    delay = max(1, min(every.seconds // 10, 900))
    return (
        "\n".join(
            [
                "[Unit]",
                f"Description={systemd_value(f'adue-wizard: verify {what} every {every.text}')}",
                "",
                "[Timer]",
                f"OnCalendar={every.on_calendar}",
                "Persistent=true",
                f"RandomizedDelaySec={delay}s",
                "",
                "[Install]",
                "WantedBy=timers.target",
            ]
        )
        + "\n"
    )


def crontab_line(
    command: Sequence[str],
    every: Every,
    *,
    lock: str,
    flock: str = "flock",
    working_directory: str | None = None,
    what: str,
) -> str:
    """A comment and the crontab line: `flock -n` skips a run while the last one is still
    going (it holds `lock` for the whole run)."""
    words = " ".join(cron_word(word) for word in [flock, "-n", lock, *command])
    if working_directory is not None:
        words = f"cd {cron_word(working_directory)} && {words}"
    comment = f"# adue-wizard: verify {what} every {every.text} (add it with crontab -e)"
    _refuse_control(comment)
    return f"{comment}\n{every.cron_fields} {words}\n"


def _refuse_control(text: str) -> None:
    if _CONTROL.search(text):
        raise InvalidInput(
            f"{argument(text)} holds a control character (a new line ends a unit's or a "
            "crontab's line); choose a path without one"
        )
