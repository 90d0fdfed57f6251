"""Does checking every saved setup at once cost more than checking their domains in one list?

Prints, in one run against the same local HTTPS server:
- all setups: whole-process time of `adue-wizard verify --all --json` over 200 saved setups
  of 20 domains each (each setup's settings loaded, each run recorded in the history),
  against `adue-wizard verify --json` of the same 4,000 domains given on the command line
  (target: ratio <= 1.2);
- monitoring outputs: `verify --all --format nagios --prometheus FILE --junit FILE`
  against `verify --all --quiet`, which prints nothing when every domain passes (target:
  ratio <= 1.05).
The sides of each ratio run alternately, so a busy machine slows both alike; the CPU time
each used is printed beside the wall time, for a machine too busy for the wall time to tell.
Every setup carries the same test settings (--connect-to to the server, its CA), as a fleet
of setups tested before DNS points at a server would.

Usage: python benchmarks/verify_all.py [--setups N] [--domains N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.https_server import HTTPSServer, json_document  # noqa: E402
from wizard.core.setups.state import SetupState, VerifySettings  # noqa: E402
from wizard.core.setups.store import Store  # noqa: E402

DOCUMENT = '{"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/enroll"}]}'
PATH = "/.well-known/com.apple.remotemanagement"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time, and the CPU time (user + system) the command used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {command[:6]}...\n{result.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def alternate(
    first: list[str], second: list[str], env: dict[str, str], repeat: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median wall and CPU times of each command, the two run alternately."""
    runs: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for _ in range(repeat):
        runs[0].append(timed(first, env))
        runs[1].append(timed(second, env))
    return medians(runs[0]), medians(runs[1])


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setups", type=int, default=200)
    parser.add_argument("--domains", type=int, default=20, help="domains per setup")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    ca = trustme.CA()
    cert = ca.issue_cert("example.test", "*.example.test", "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server = HTTPSServer(context).start()
    server.route(PATH, json_document(DOCUMENT))
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        state = Path(folder) / "state"
        route = f":443:127.0.0.1:{server.port}"
        settings = VerifySettings(connect_to=[route], ca_bundle=str(bundle), timeout=30)
        store = Store(state)
        domains = []
        for number in range(args.setups):
            names = [f"d{index}-s{number}.example.test" for index in range(args.domains)]
            domains += names
            store.save(
                SetupState(name=f"s{number}", provider="generic", domains=names, settings=settings)
            )
        # PYTHONPATH: this checkout's code, whichever one the console script was installed from.
        env = {**os.environ, "ADUE_WIZARD_STATE_DIR": str(state), "PYTHONPATH": str(ROOT)}
        # The installed console script, as an admin runs it.
        wizard = [str(Path(sys.executable).with_name("adue-wizard")), "verify"]
        concurrency = ["--concurrency", str(args.concurrency)]
        every = [*wizard, "--all", "--json", *concurrency]
        listed = [*wizard, *domains, "--json", "--connect-to", route, "--ca-bundle", str(bundle)]
        listed += [*concurrency, "--timeout", "30"]
        # One run of each first: the history database created, the page cache warm.
        timed(every, env)
        timed(listed, env)
        all_setups, one_list = alternate(every, listed, env, args.repeat)

        outputs = [
            *("--prometheus", str(Path(folder) / "adue.prom")),
            *("--junit", str(Path(folder) / "adue.xml")),
        ]
        nagios = [*wizard, "--all", "--format", "nagios", *outputs, *concurrency]
        quiet = [*wizard, "--all", "--quiet", *concurrency]
        # Twice the runs: the difference is small beside a busy machine's noise.
        with_outputs, plain = alternate(nagios, quiet, env, args.repeat * 2)
    server.stop()

    count = args.setups * args.domains
    print(
        f"{args.setups} setups of {args.domains} domains: verify --all {all_setups[0]:.2f} s, "
        f"verify of the same {count} domains {one_list[0]:.2f} s, "
        f"ratio {all_setups[0] / one_list[0]:.2f} (target <= 1.2); "
        f"CPU {all_setups[1]:.2f} s vs {one_list[1]:.2f} s, ratio {all_setups[1] / one_list[1]:.2f}"
    )
    print(
        f"Nagios output + Prometheus and JUnit files: {with_outputs[0]:.2f} s, "
        f"--quiet alone {plain[0]:.2f} s, ratio {with_outputs[0] / plain[0]:.2f} "
        f"(target <= 1.05); CPU {with_outputs[1]:.2f} s vs {plain[1]:.2f} s, "
        f"ratio {with_outputs[1] / plain[1]:.2f}"
    )


if __name__ == "__main__":
    main()
