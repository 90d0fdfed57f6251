"""How fast does `adue-wizard prereqs` read every JumpCloud user, against the plainest loop?

Prints, in one run against the same local JumpCloud stand-in (HTTPS on loopback, 10,000
users, each answer delayed 50 ms as a distant API would be):
- the whole `adue-wizard prereqs DOMAIN --org-id ID --json` command, as a process of its own
  (start-up, the organization, the Apple MDM and ADUE reads, the DNS and web server checks
  against loopback, and the users: the first page, then the other 99 side by side, 4 in flight
  at most); it must make exactly 100 user-list requests;
- a plain sequential httpx loop fetching the same 100 pages one after another;
- the ratio of the two (target <= 0.5).
The two sides run alternately, so a busy machine slows both alike; each run opens its own
connections, as a command would.

Usage: python benchmarks/jumpcloud_users.py [--repeat N] [--users N] [--latency S]
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.dns_server import DNSServer  # noqa: E402
from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState  # noqa: E402

KEY = "benchmark-key-0123456789abcdef"
ORG = "5f1b2c3d4e5f6a7b8c9d0e1f"
DOMAIN = "example.test"
USERS = "/api/systemusers"
FIELDS = "_id email username suspended state managedAppleId"


def with_prereqs(standin: JumpCloudStandIn, bundle: Path, dns: DNSServer) -> int:
    """One `prereqs` run; the users it counted as active."""
    environ = {**os.environ, "SSL_CERT_FILE": str(bundle), "JUMPCLOUD_API_KEY": KEY}
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        environ.pop(name, None)
    command = [sys.executable, "-m", "wizard", "prereqs", DOMAIN, "--org-id", ORG]
    command += ["--api-url", standin.base_url, "--json", "--nameserver", f"127.0.0.1:{dns.port}"]
    # The web server checks go to a closed port on loopback: refused at once.
    command += ["--resolve", f"{DOMAIN}:443:127.0.0.1", "--connect-to", f"{DOMAIN}:443:127.0.0.1:9"]
    done = subprocess.run(command, capture_output=True, text=True, env=environ, cwd=ROOT)
    if done.returncode not in (0, 1):
        raise SystemExit(f"prereqs failed: {done.stderr}")
    users = json.loads(done.stdout)["users"]
    return int(users["active"]) if users else 0


def with_a_plain_loop(standin: JumpCloudStandIn, context: ssl.SSLContext, pages: int) -> int:
    seen = 0
    with httpx.Client(verify=context, headers={"x-api-key": KEY}, trust_env=False) as http:
        for page in range(pages):
            params: dict[str, str | int] = {"limit": 100, "skip": page * 100}
            params |= {"sort": "_id", "fields": FIELDS}
            answer = http.get(standin.base_url + "/systemusers", params=params)
            answer.raise_for_status()
            seen += len(answer.json()["results"])
    return seen


def timed_requests(standin: JumpCloudStandIn, run: Callable[[], int]) -> tuple[float, int, int]:
    """(seconds, users read, user-list requests made) of one run."""
    before = standin.count("GET", USERS)
    started = time.perf_counter()
    seen = run()
    elapsed = time.perf_counter() - started
    return elapsed, seen, standin.count("GET", USERS) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    args = parser.parse_args()
    pages = -(-args.users // 100)

    ca = trustme.CA()
    state = JumpCloudState.single(args.users, key=KEY, org_id=ORG)
    state.latency = args.latency
    standin = JumpCloudStandIn(state, ca)
    standin.start()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    times: tuple[list[float], list[float]] = ([], [])
    with tempfile.TemporaryDirectory() as folder, DNSServer() as dns:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        for _ in range(args.repeat):
            standin.reset_peak()
            runs: tuple[Callable[[], int], ...] = (
                lambda: with_prereqs(standin, bundle, dns),
                lambda: with_a_plain_loop(standin, context, pages),
            )
            for side, run in enumerate(runs):
                elapsed, seen, requests = timed_requests(standin, run)
                if (seen, requests) != (args.users, pages):
                    raise SystemExit(
                        f"expected {args.users} users in {pages} requests, got {seen} in {requests}"
                    )
                times[side].append(elapsed)
            if standin.peak_in_flight > 4:
                raise SystemExit(f"{standin.peak_in_flight} requests were in flight at once")
    standin.stop()

    client, plain = statistics.median(times[0]), statistics.median(times[1])
    print(
        f"{args.users:,} users, {args.latency * 1000:.0f} ms per page: prereqs {client:.2f} s "
        f"({pages} user-list requests, at most 4 in flight), sequential httpx loop "
        f"{plain:.2f} s ({pages} requests), ratio {client / plain:.2f} (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
