"""Start-up to first paint, and peak memory, of the wizard against a minimal Textual app.

Each app runs in a fresh process (headless), shows its first screen, and exits as soon as
that screen has been painted; the whole-process wall time and the peak RSS of that process
are compared, as medians over several runs in this one invocation. Target: both ratios <= 1.3.

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
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as one_saved:
        _save_one_setup(one_saved)
        folders = {"wizard": empty, "minimal": empty, "wizard-resume": one_saved}
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
        f"with one saved setup to list (pydantic loaded after the first paint): "
        f"{times['wizard-resume'] * 1000:.0f} ms "
        f"({times['wizard-resume'] / times['minimal']:.2f}x), "
        f"{memory['wizard-resume']:.1f} MiB ({memory['wizard-resume'] / memory['minimal']:.2f}x)"
    )


def _save_one_setup(folder: str) -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from wizard.core.setups.state import SetupState
    from wizard.core.setups.store import Store

    Store(Path(folder)).save(
        SetupState(name="example.com", domains=["example.com"], org_id="5f1b2c3d4e5f6a7b8c9d0e1f")
    )


if __name__ == "__main__":
    main()
