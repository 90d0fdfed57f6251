"""`schedule`: the systemd units pass `systemd-analyze verify` and systemd reads their
command back word for word, whatever the paths hold (spaces, `%`, quotes, `$`); the crontab
line runs the check for real, as cron would, and `flock -n` skips a run while one is going;
what cannot work is refused in one line, a webhook URL without repeating it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import wizard
from tests.support.commands import one_line, run_cli, run_in_process
from tests.support.constants import DOMAIN, GOOD, WELL_KNOWN
from tests.support.https_server import HTTPSServer, json_document
from tests.support.system_tools import tool
from wizard.core.setups.state import SetupState, VerifySettings
from wizard.core.setups.store import Store

# A folder name with everything both syntaxes treat specially.
STRANGE = "state dir 100% 'q' \"d\" $HOME back\\slash ;"
SOURCE = str(Path(wizard.__file__).resolve().parent.parent)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    folder = tmp_path / STRANGE
    Store(folder).save(SetupState(name="acme", domains=[DOMAIN]))
    return folder


def printed_units(stdout: str) -> dict[str, str]:
    """The files `schedule --systemd` prints, each under a `# /path/NAME` line."""
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in stdout.splitlines():
        if line.startswith("# /"):
            current = files.setdefault(Path(line[2:]).name, [])
        elif line.startswith("# "):
            current = None
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() + "\n" for name, lines in files.items()}


def systemd_analyze(
    *paths: Path, user: bool = False, debug: bool = False
) -> subprocess.CompletedProcess[str]:
    # A user manager's checks need a runtime folder, short enough for the socket paths of
    # the user units installed on the machine; debug also prints each unit as parsed.
    with tempfile.TemporaryDirectory(prefix="rt") as runtime:
        env = {**os.environ, "XDG_RUNTIME_DIR": runtime}
        if debug:
            env["SYSTEMD_LOG_LEVEL"] = "debug"
        scope = ["--user"] if user else []
        return subprocess.run(
            [tool("systemd-analyze", "systemd"), *scope, "verify", *map(str, paths)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )


def exec_start_as_systemd_reads_it(service: Path) -> list[str]:
    """ExecStart='s words as systemd parsed them. Its debug dump prints the command line
    quoted for a shell ("Command Line: ..."), so a real shell reads it back; `$$` is then
    passed on as `$` when the command runs (systemd.service(5), "Command lines")."""
    dumped = systemd_analyze(service, debug=True)
    [line] = [
        line for line in (dumped.stdout + dumped.stderr).splitlines() if "Command Line:" in line
    ]
    quoted = line.split("Command Line:", 1)[1]
    words = subprocess.run(
        ["/bin/sh", "-c", f"printf '%s\\0' {quoted}"], capture_output=True, text=True, check=True
    ).stdout.split("\0")[:-1]
    return [word.replace("$$", "$") for word in words]


def written(folder: Path, units: dict[str, str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in units.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    return paths


def test_systemd_units_pass_systemd_analyze_and_run_the_command_asked_for(
    tmp_path: Path, state: Path
) -> None:
    node_exporter = tmp_path / "node exporter 100%"
    node_exporter.mkdir()
    metrics = node_exporter / "adue %h.prom"
    result = run_cli(
        "schedule", "--systemd", "--setup", "acme", "--every", "15m", "--quiet",
        "--prometheus", str(metrics), "--timeout", "7.5", "--state-dir", str(state),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    units = printed_units(result.stdout)
    assert set(units) == {"adue-wizard-verify-acme.service", "adue-wizard-verify-acme.timer"}
    assert "systemctl daemon-reload && systemctl enable --now adue-wizard-verify-acme.timer" in (
        result.stdout
    )
    service, timer = written(tmp_path / "units", units)
    checked = systemd_analyze(service, timer)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr

    assert exec_start_as_systemd_reads_it(service) == [
        sys.executable, "-m", "wizard", "verify", "--state-dir", str(state), "--setup", "acme",
        "--quiet", "--prometheus", str(metrics), "--timeout", "7.5",
    ]  # fmt: skip
    service_text, timer_text = service.read_text(), timer.read_text()
    assert "Type=oneshot" in service_text and f"WorkingDirectory={SOURCE}" in service_text
    assert "After=network-online.target" in service_text
    for setting in ("OnCalendar=*-*-* *:00/15:00", "Persistent=true", "RandomizedDelaySec=90s"):
        assert setting in timer_text.splitlines()
    calendar = subprocess.run(
        [tool("systemd-analyze", "systemd"), "calendar", "*-*-* *:00/15:00"],
        capture_output=True,
        text=True,
    )
    assert calendar.returncode == 0 and "Next elapse" in calendar.stdout


def test_user_units_are_installed_where_systemd_looks_for_them(tmp_path: Path, state: Path) -> None:
    config = tmp_path / "config"
    result = run_cli(
        "schedule", "--systemd", "--user", "--install", "--all", "--every", "1d", "--json",
        "--state-dir", str(state), env={"XDG_CONFIG_HOME": str(config)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = config / "systemd" / "user"
    service = folder / "adue-wizard-verify-all.service"
    timer = folder / "adue-wizard-verify-all.timer"
    assert f"Wrote {service}" in result.stdout and f"Wrote {timer}" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "Enable it with: systemctl --user daemon-reload && "
        "systemctl --user enable --now adue-wizard-verify-all.timer"
    )
    assert "enable-linger" in one_line(result.stderr)
    assert oct(service.stat().st_mode & 0o777) == "0o644"
    checked = systemd_analyze(service, timer, user=True)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    # A user manager has no network-online.target, and runs the unit as its user.
    assert "network-online" not in service.read_text() and "User=" not in service.read_text()
    assert "OnCalendar=*-*-* 00:00:00" in timer.read_text()
    assert exec_start_as_systemd_reads_it(service)[-4:] == [
        "--state-dir", str(state), "--all", "--json",
    ]  # fmt: skip


def test_the_program_path_is_absolute_and_quoted(tmp_path: Path, state: Path) -> None:
    """Installed as a console script in a folder with a space: that script's own path."""
    folder = tmp_path / "bin dir"
    folder.mkdir()
    script = folder / "adue-wizard"
    script.write_text(
        f"#!{sys.executable}\nfrom wizard.cli import main\nraise SystemExit(main())\n"
    )
    script.chmod(0o755)
    result = subprocess.run(
        [str(script), "schedule", "--systemd", "--user", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # started from elsewhere: the path must not depend on it
        env={**os.environ, "PYTHONPATH": SOURCE},
    )
    assert result.returncode == 0, result.stderr
    service, timer = written(tmp_path / "units", printed_units(result.stdout))
    assert "WorkingDirectory" not in service.read_text()
    assert systemd_analyze(service, timer, user=True).returncode == 0
    assert exec_start_as_systemd_reads_it(service)[:2] == [str(script), "verify"]


def as_cron_runs(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A crontab line run as cron runs it (crontab(5)): after the five time fields, a `%`
    not escaped with a backslash ends the command (the rest is its standard input), a `\\%`
    is passed on as `%`, other backslashes stay; the command goes to /bin/sh -c. (The loop
    follows cron's do_command.c; cron itself fires only on the minute.)"""
    command = line.split(None, 5)[5]
    out: list[str] = []
    escaped = False
    stdin = ""
    for index, char in enumerate(command):
        if escaped and char != "%":
            out.append("\\")
        elif not escaped and char == "%":
            stdin = command[index + 1 :].replace("%", "\n")
            break
        escaped = char == "\\"
        if not escaped:
            out.append(char)
    return subprocess.run(
        ["/bin/sh", "-c", "".join(out)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=120,
    )


def test_the_crontab_line_runs_the_check_as_cron_would(
    tmp_path: Path, server: HTTPSServer, ca_bundle: Path
) -> None:
    server.route(WELL_KNOWN, json_document(GOOD))
    state = tmp_path / STRANGE
    settings = VerifySettings(
        connect_to=[f":443:127.0.0.1:{server.port}"], ca_bundle=str(ca_bundle), timeout=5
    )
    Store(state).save(SetupState(name="acme", domains=[DOMAIN], settings=settings))
    result = run_cli(
        "schedule", "--cron", "--every", "5m", "--setup", "acme", "--json",
        "--state-dir", str(state),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    comment, line = result.stdout.splitlines()
    assert comment.startswith("# adue-wizard: verify setup acme every 5m")
    assert line.startswith("*/5 * * * * ") and " -n " in line
    tool("flock", "util-linux")
    # cron's environment: a short PATH, no state folder in it; --state-dir says where.
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}
    ran = as_cron_runs(line, cron_env)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["domain"] == DOMAIN  # stdout, which cron mails
    status = run_cli("status", "--json", "--state-dir", str(state))
    assert json.loads(status.stdout)[0]["runs"] == 1

    # While a run holds the lock, the next one is skipped at once.
    lock = state / ".adue-wizard-verify-acme.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        skipped = as_cron_runs(line, cron_env)
    assert skipped.returncode == 1 and skipped.stdout == ""
    status = run_cli("status", "--json", "--state-dir", str(state))
    assert json.loads(status.stdout)[0]["runs"] == 1


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--systemd", "--setup", "nope"], "no saved setup named 'nope'"),
        (["--systemd", "--every", "7m"], "give minutes that divide an hour"),
        (["--systemd", "--every", "2d"], "give minutes that divide an hour"),
        (["--systemd", "--prometheus", "adue.prom"], "give an absolute path"),
        (["--systemd", "--prometheus", "/tmp/adue.txt"], "reads only files ending in .prom"),
        (["--systemd", "--prometheus", "/no/such/folder/a.prom"], "does not exist"),
        (["--systemd", "--junit", "junit.xml"], "give an absolute path"),
        (["--systemd", "--junit", "/tmp"], "is a folder"),
        (["--systemd", "--json", "--format", "nagios"], "both write to stdout"),
        (["--cron", "--user"], "--user is for --systemd"),
        (["--cron", "--install"], "--install is for --systemd"),
        (["--systemd", "--prometheus", "/tmp/a\nb.prom"], "control character"),
        (["--systemd", "--format", "xml"], "--format: not a choice (choose from"),
        (["--setup", "acme"], "one of the arguments --systemd --cron is required"),
        (["--systemd", "--cron"], "not allowed with argument"),
    ],
)
def test_schedule_refuses_what_cannot_work_in_one_line(
    state: Path, arguments: list[str], said: str
) -> None:
    result = run_cli("schedule", *arguments, "--state-dir", str(state))
    assert result.returncode == 2 and result.stdout == ""
    assert said in one_line(result.stderr)


def test_a_webhook_url_is_refused_without_repeating_it(state: Path) -> None:
    secret = "https://hooks.example.test/services/T000/B000/s3cr3tt0k3n"
    for arguments in (["--notify", secret], [f"--notify={secret}"], ["--notify"]):
        result = run_cli("schedule", "--systemd", *arguments, "--state-dir", str(state))
        assert result.returncode == 2 and result.stdout == ""
        line = one_line(result.stderr)
        assert "notify add NAME URL" in line and "s3cr3t" not in line and "hooks" not in line


def test_a_schedule_needs_a_saved_setup(tmp_path: Path) -> None:
    result = run_cli("schedule", "--cron", "--state-dir", str(tmp_path / "empty"))
    assert result.returncode == 2 and "adue-wizard setup add" in one_line(result.stderr)


def test_system_units_are_installed_only_by_root(
    state: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ordinary user's id: the tests run as root here, and another user could not run
    # this Python (it lives in root's home).
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, out, err = run_in_process(
        capsys, "schedule", "--systemd", "--install", "--state-dir", str(state)
    )
    assert code == 2 and out == ""
    assert "needs root: run it with sudo, or add --user" in one_line(err)
