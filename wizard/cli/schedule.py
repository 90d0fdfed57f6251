"""`adue-wizard schedule --systemd [--user] | --cron`: print (or install) what runs `verify`
by itself: a systemd service and timer, or a crontab line, with the outputs asked for."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.cli.parsing import (
    EXIT_FAILED,
    EXIT_OK,
    Parser,
    add_state_dir,
    examples,
    open_store,
    positive_float,
    positive_int,
    print_notices,
)
from wizard.core.domains import InvalidInput
from wizard.core.setups.files import check_setup_name
from wizard.core.shown import argument, printable

# The store is imported inside `run`: building this command's parser must not load it.
if TYPE_CHECKING:
    from wizard.core.setups.store import Store

SYSTEM_UNITS = Path("/etc/systemd/system")
# What `verify` writes for each output, as the monitoring systems read it.
FORMATS = ("nagios",)
NOTIFY_REFUSAL = (
    "--notify: a webhook URL is a secret, and a unit or a crontab can be read by others "
    "(systemctl cat, ps); save it with `adue-wizard notify add NAME URL` instead, and the "
    "scheduled runs of that setup send to it"
)


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    schedule = commands.add_parser(
        "schedule",
        help="print or install a systemd timer or a crontab line that runs verify by itself",
        description="Print a systemd service and timer (--systemd) or a crontab line "
        "(--cron) that runs `adue-wizard verify` on the saved setups every INTERVAL, with "
        "the outputs given here; --install writes the units and says how to enable them. "
        "The command is this adue-wizard's own absolute path, with the state folder in use.",
        **examples(
            "adue-wizard schedule --systemd --user --install --quiet",
            "adue-wizard schedule --cron --every 30m --quiet",
        ),
    )
    kind = schedule.add_mutually_exclusive_group(required=True)
    kind.add_argument(
        "--systemd", action="store_true", help="a oneshot service and its timer (Persistent)"
    )
    kind.add_argument(
        "--cron", action="store_true", help="a crontab line, with flock -n against overlap"
    )
    schedule.add_argument(
        "--user",
        action="store_true",
        help="systemd: user units, run as you (~/.config/systemd/user)",
    )
    schedule.add_argument(
        "--install",
        action="store_true",
        help="systemd: write the units (system units need root) and print the command that "
        "enables them",
    )
    schedule.add_argument(
        "--every",
        default="1h",
        metavar="INTERVAL",
        help="how often: minutes that divide an hour (5m, 15m, 30m), hours that divide a day "
        "(1h, 6h, 12h), 1d or 1w (default 1h)",
    )
    which = schedule.add_mutually_exclusive_group()
    which.add_argument("--setup", metavar="NAME", help="check this saved setup")
    which.add_argument("--all", action="store_true", help="check every saved setup (the default)")
    outputs = schedule.add_argument_group("the scheduled verify's outputs (see verify --help)")
    outputs.add_argument(
        "--quiet", action="store_true", help="nothing at all unless a domain fails or warns"
    )
    outputs.add_argument("--json", action="store_true", help="one JSON object per domain")
    outputs.add_argument("--format", choices=FORMATS, help="nagios: a monitoring plugin's output")
    outputs.add_argument(
        "--prometheus",
        metavar="FILE.prom",
        help="write node_exporter's textfile format to FILE.prom (an absolute path in the "
        "collector's folder)",
    )
    outputs.add_argument(
        "--junit", metavar="FILE.xml", help="write JUnit XML to FILE.xml (an absolute path)"
    )
    outputs.add_argument(
        "--notify",
        nargs="?",
        const="",
        metavar="URL",
        help="refused here: a webhook URL is a secret; save it with notify add NAME URL",
    )
    outputs.add_argument(
        "--timeout", type=positive_float, metavar="S", help="deadline per domain, seconds"
    )
    outputs.add_argument(
        "--concurrency", type=positive_int, metavar="N", help="domains checked at once"
    )
    add_state_dir(schedule)


def run(args: argparse.Namespace) -> int:
    from wizard.core.watch import schedule

    if args.notify is not None:
        raise InvalidInput(NOTIFY_REFUSAL)  # the URL itself is never repeated
    if args.cron and (args.user or args.install):
        flag = "--user" if args.user else "--install"
        raise InvalidInput(f"{flag} is for --systemd; add the --cron line with crontab -e")
    units = _user_units() if args.user else SYSTEM_UNITS
    if args.install and not args.user and os.geteuid() != 0:
        raise InvalidInput(
            f"system units go into {units}, which needs root: run it with sudo, or add --user"
        )
    every = schedule.every(args.every)
    store = open_store(args)
    folder = os.path.abspath(store.folder)
    name = _setup_to_check(store, args.setup)
    print_notices(store)
    program, working_directory = _program()
    which = ["--setup", name] if name else ["--all"]
    command = [*program, "verify", "--state-dir", folder, *which, *_outputs(args)]
    what = f"setup {name}" if name else "every saved setup"
    unit = schedule.unit_name(name)

    if args.cron:
        import shutil

        lock = os.path.join(folder, f".{unit}.lock")
        flock = shutil.which("flock") or "flock"
        print(
            schedule.crontab_line(
                command,
                every,
                lock=lock,
                flock=flock,
                working_directory=working_directory,
                what=what,
            ),
            end="",
        )
        return EXIT_OK

    user = None if args.user or os.geteuid() == 0 else _login_name()
    service = schedule.service_unit(
        command,
        what=what,
        user=user,
        working_directory=working_directory,
        system=not args.user,
    )
    timer = schedule.timer_unit(every, what=what)
    systemctl = "systemctl --user" if args.user else "systemctl"
    enable = f"{systemctl} daemon-reload && {systemctl} enable --now {unit}.timer"
    if args.install:
        try:
            _install(units, unit, service, timer)
        except OSError as error:
            print(
                f"adue-wizard: cannot write the units into {printable(str(units))}: "
                f"{printable(error.strerror or str(error))}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        print(f"Enable it with: {enable}")
        if args.user:
            print(
                "adue-wizard: note: user timers run while you are logged in; "
                "`loginctl enable-linger` keeps them running after you log out",
                file=sys.stderr,
            )
        return EXIT_OK
    print(printable(f"# {units / f'{unit}.service'}"))
    print(service)
    print(printable(f"# {units / f'{unit}.timer'}"))
    print(timer)
    print(f"# Save both files there (or add --install), then: {enable}")
    return EXIT_OK


def _setup_to_check(store: Store, setup: str | None) -> str | None:
    """The setup named (it must exist), or None for every saved setup (there must be one)."""
    if setup is not None:
        name = check_setup_name(setup)
        if store.load(name) is None:
            raise InvalidInput(f"no saved setup named {name!r} in {printable(str(store.folder))}")
        return name
    if not store.names():
        raise InvalidInput(
            f"no saved setups in {printable(str(store.folder))} to check; add one with "
            "adue-wizard setup add NAME --domain D"
        )
    return None


def _program() -> tuple[list[str], str | None]:
    """This adue-wizard as an absolute command, and the folder it must start in when it
    runs as `python -m wizard` (where the `wizard` package is found)."""
    script = sys.argv[0]
    if Path(script).name == "__main__.py":
        import wizard

        package = Path(wizard.__file__).resolve().parent
        return [os.path.abspath(sys.executable), "-m", "wizard"], str(package.parent)
    return [os.path.abspath(script)], None


def _outputs(args: argparse.Namespace) -> list[str]:
    """The verify options to pass, checked as far as they can be before verify runs."""
    words = []
    if args.quiet:
        words.append("--quiet")
    if args.json:
        if args.format is not None:
            raise InvalidInput(
                f"--json and --format {args.format} both write to stdout; choose one"
            )
        words.append("--json")
    if args.format is not None:
        words += ["--format", args.format]
    if args.prometheus is not None:
        path = _output_file(args.prometheus, "--prometheus")
        if not path.endswith(".prom"):
            raise InvalidInput(
                f"--prometheus {argument(args.prometheus)}: node_exporter's textfile collector "
                "reads only files ending in .prom"
            )
        words += ["--prometheus", path]
    if args.junit is not None:
        words += ["--junit", _output_file(args.junit, "--junit")]
    if args.timeout is not None:
        words += ["--timeout", f"{args.timeout:g}"]
    if args.concurrency is not None:
        words += ["--concurrency", str(args.concurrency)]
    return words


def _output_file(value: str, flag: str) -> str:
    """An absolute path whose folder exists: a scheduled run starts in another folder."""
    path = os.path.expanduser(value)
    if not os.path.isabs(path):
        raise InvalidInput(
            f"{flag} {argument(value)}: give an absolute path (a scheduled run starts in "
            "another folder)"
        )
    if os.path.isdir(path):
        raise InvalidInput(f"{flag} {argument(value)} is a folder; give a file name in it")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise InvalidInput(
            f"{flag} {argument(value)}: the folder {argument(folder)} does not exist"
        )
    return os.path.normpath(path)


def _login_name() -> str | None:
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without a name: the unit then runs as root
        return None


def _user_units() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(config) / "systemd" / "user"


def _install(folder: Path, unit: str, service: str, timer: str) -> None:
    from wizard.core.atomic_file import write_atomically

    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".service", service), (".timer", timer)):
        path = folder / f"{unit}{suffix}"
        write_atomically(path, text.encode("utf-8"), 0o644)  # read by systemd as it is
        print(printable(f"Wrote {path}"))
