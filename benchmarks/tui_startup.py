"""Start-up of the wizard, as an admin sees it, against a minimal Textual app.

Each case is a fresh process on a pseudo-terminal of 80x24, started as a user starts it
(`python -m wizard --state-dir DIR`, what `adue-wizard` runs, argument parsing included), and
timed from the spawn until the terminal has received the frame that shows what the case
waits for; its peak RSS is then read and the process killed. Reading the terminal, rather
than pausing a headless Pilot, times the frame itself: a Pilot pause waits in slices of
20 ms until the process is idle, which rounded every figure up to a slice.

- minimal: a Textual app with a Header, a Static and a Footer, until "Hello" is shown;
- wizard: no saved setup, until "No saved setups yet" is shown (target: <= 1.3x minimal);
- wizard with 20 saved setups (each with a history), until a saved setup's name is shown:
  the list is on screen (target: <= 1.3x minimal).
Peak memory against the minimal app: target <= 1.3x. The cases run interleaved, so a busy
machine slows all alike; figures are medians.

Usage: python benchmarks/tui_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAVED = 20
DEADLINE_S = 20.0

MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("Hello")
        yield Footer()

Minimal().run()
"""


def measure(command: list[str], shown: re.Pattern[bytes]) -> tuple[float, float]:
    """(seconds until `shown` reached the terminal, peak RSS in MiB) of one run."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    os.close(follower)
    output = b""
    elapsed = None
    try:
        while elapsed is None and time.perf_counter() - started < DEADLINE_S:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the process ended and the terminal closed
                break
            if not chunk:
                break
            output += chunk
            if shown.search(output):
                elapsed = time.perf_counter() - started
    finally:
        peak_mib = _peak_rss_mib(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(leader)
    if elapsed is None:
        tail = output[-400:].decode("utf-8", "replace").encode("unicode_escape").decode()
        raise SystemExit(f"{command[1:]} never showed {shown.pattern!r}; it wrote: {tail}")
    return elapsed, peak_mib


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM), read while it still runs.

    Not the rusage `wait4` returns: Linux carries the high-water mark of the forked copy of
    this script across exec into it, so every case read the benchmark's own size.
    """
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise SystemExit(f"no VmHWM in /proc/{pid}/status")
    return int(match.group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    wizard = [sys.executable, "-m", "wizard", "--state-dir"]
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as saved:
        _save_setups(saved, SAVED)
        cases = {
            "minimal": ([sys.executable, "-c", MINIMAL], re.compile(rb"Hello")),
            "wizard": ([*wizard, empty], re.compile(rb"No saved setups yet")),
            "wizard-resume": ([*wizard, saved], re.compile(rb"site\d+\.example\.com")),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.repeat):  # interleaved, so machine noise hits all alike
            for name, (command, shown) in cases.items():
                results[name].append(measure(command, shown))
    times = {which: statistics.median(r[0] for r in runs) for which, runs in results.items()}
    memory = {which: statistics.median(r[1] for r in runs) for which, runs in results.items()}
    print(
        f"start-up to first frame: wizard {times['wizard'] * 1000:.0f} ms, minimal Textual "
        f"app {times['minimal'] * 1000:.0f} ms, ratio {times['wizard'] / times['minimal']:.2f} "
        "(target <= 1.3)"
    )
    print(
        f"peak memory: wizard {memory['wizard']:.1f} MiB, minimal Textual app "
        f"{memory['minimal']:.1f} MiB, ratio {memory['wizard'] / memory['minimal']:.2f} "
        "(target <= 1.3)"
    )
    print(
        f"with {SAVED} saved setups, until their list is on screen: "
        f"{times['wizard-resume'] * 1000:.0f} ms, ratio "
        f"{times['wizard-resume'] / times['minimal']:.2f} (target <= 1.3); "
        f"{memory['wizard-resume']:.1f} MiB ({memory['wizard-resume'] / memory['minimal']:.2f}x)"
    )


def _save_setups(folder: str, count: int) -> None:
    """`count` setups, each with a failing run after a passing one."""
    sys.path.insert(0, str(ROOT))
    from tests.support.verifying import report_of
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store

    store = Store(Path(folder))
    for number in range(count):
        domain = f"site{number}.example.com"
        setup = SetupState(name=domain, domains=[domain], org_id="5f1b2c3d4e5f6a7b8c9d0e1f")
        store.save(setup)
        for ok in (True, False):
            store.record_run(setup, [report_of(domain, None if ok else "bad_status")], [])


if __name__ == "__main__":
    main()
