"""How fast does the JumpCloud client read every user, against the plainest loop?

Prints, in one run against the same local JumpCloud stand-in (HTTPS on loopback, 10,000
users, each answer delayed 50 ms as a distant API would be):
- the client's `users()`: the first page, then the other 99 side by side, 4 in flight at
  most; it must make exactly 100 user-list requests;
- a plain sequential httpx loop fetching the same 100 pages one after another;
- the ratio of the two (target <= 0.5).
The two sides run alternately, so a busy machine slows both alike; each run opens its own
connections, as a command would.

Usage: python benchmarks/jumpcloud_users.py [--repeat N] [--users N] [--latency S]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.jumpcloud_api import JumpCloudStandIn, JumpCloudState  # noqa: E402
from wizard.core.jumpcloud.client import JumpCloudClient  # noqa: E402
from wizard.core.jumpcloud.secret import ApiKey  # noqa: E402

KEY = "benchmark-key-0123456789abcdef"
USERS = "/api/systemusers"
FIELDS = "_id email username suspended state managedAppleId"


async def with_the_client(standin: JumpCloudStandIn, bundle: Path) -> int:
    environ = {"SSL_CERT_FILE": str(bundle)}
    async with JumpCloudClient(standin.base_url, ApiKey(KEY), environ=environ) as jumpcloud:
        return len(await jumpcloud.users())


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
    state = JumpCloudState.single(args.users, key=KEY)
    state.latency = args.latency
    standin = JumpCloudStandIn(state, ca)
    standin.start()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    times: tuple[list[float], list[float]] = ([], [])
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        for _ in range(args.repeat):
            standin.reset_peak()
            runs: tuple[Callable[[], int], ...] = (
                lambda: asyncio.run(with_the_client(standin, bundle)),
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
        f"{args.users:,} users, {args.latency * 1000:.0f} ms per page: client {client:.2f} s "
        f"({pages} user-list requests, at most 4 in flight), sequential httpx loop "
        f"{plain:.2f} s ({pages} requests), ratio {client / plain:.2f} (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
