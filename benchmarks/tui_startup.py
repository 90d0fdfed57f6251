"""Start-up to first paint, and peak memory, of the wizard against a minimal Textual app.

Each app runs in a fresh process (headless), shows its first screen, and exits as soon as
that screen has been painted; the whole-process wall time and the peak RSS of that process
are compared, as medians over several runs in this one invocation. Target: both ratios <= 1.3.
The wizard is measured with no saved setup, and with 20 saved setups (each with a history)
until the list of them has been painted: target <= 1.3 too.

Usage: python benchmarks/tui_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNNER = """
import sys
from pathlib import Path

async def first_paint(pilot):
    await pilot.pause()
    if sys.argv[1] == "wizard":
        # Until the saved setups are on screen (they are read after the first paint).
        while not getattr(pilot.app.screen, "loaded", False):
            await pilot.pause(0.001)
        await pilot.pause()
    pilot.app.exit()

if sys.argv[1] == "wizard":
    from wizard.core.setups.store import Store
    from wizard.tui.app import WizardApp
    app = WizardApp(Store(Path(sys.argv[2])))
else:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Static("Hello")
            yield Footer()

    app = Minimal()
app.run(headless=True, size=(80, 24), auto_pilot=first_paint)
"""


def measure(which: str, state: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUNNER, which, state])
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{which} run failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as saved:
        _save_setups(saved, 20)
        folders = {"wizard": empty, "minimal": empty, "wizard-resume": saved}
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in folders}
        for _ in range(args.repeat):  # interleaved, so machine noise hits all alike
            for name, folder in folders.items():
                results[name].append(measure(name.removesuffix("-resume"), folder))
    times = {which: statistics.median(r[0] for r in runs) for which, runs in results.items()}
    memory = {which: statistics.median(r[1] for r in runs) for which, runs in results.items()}
    print(
        f"start-up to first paint: wizard {times['wizard'] * 1000:.0f} ms, minimal Textual app "
        f"{times['minimal'] * 1000:.0f} ms, ratio {times['wizard'] / times['minimal']:.2f} "
        "(target <= 1.3)"
    )
    print(
        f"peak memory: wizard {memory['wizard']:.1f} MiB, minimal Textual app "
        f"{memory['minimal']:.1f} MiB, ratio {memory['wizard'] / memory['minimal']:.2f} "
        "(target <= 1.3)"
    )
    print(
        f"with 20 saved setups, until their list is painted: "
        f"{times['wizard-resume'] * 1000:.0f} ms, ratio "
        f"{times['wizard-resume'] / times['minimal']:.2f} (target <= 1.3); "
        f"{memory['wizard-resume']:.1f} MiB ({memory['wizard-resume'] / memory['minimal']:.2f}x)"
    )


def _save_setups(folder: str, count: int) -> None:
    """`count` setups, each with a failing run after a passing one."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from wizard.core.setups.state import DomainResult, SetupState
    from wizard.core.setups.store import Store

    store = Store(Path(folder))
    for number in range(count):
        domain = f"site{number}.example.com"
        setup = SetupState(name=domain, domains=[domain], org_id="5f1b2c3d4e5f6a7b8c9d0e1f")
        store.save(setup)
        for ok in (True, False):
            result = DomainResult(domain=domain, ok=ok, failure=None if ok else "bad_status")
            store.record_run(setup, [result.model_dump(mode="json")], [])


if __name__ == "__main__":
    main()
