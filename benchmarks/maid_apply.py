"""How fast do `maid plan` and `maid apply` write 5,000 Managed Apple Accounts, against the
plainest loop?

Prints, in one run against the same local JumpCloud stand-in (HTTPS on loopback, 10,000
users of whom 5,000 have no account, each answer delayed a few milliseconds):
- `adue-wizard maid plan --same-as-email --out plan.json` then `maid apply plan.json --yes`,
  each a command of its own as an admin runs them (start-up, the journal's disk writes and
  all): the requests they make by kind (at most 5,000 writes plus three full reads of the
  user list) and the time of both together;
- a plain sequential httpx loop sending the same 5,000 PUTs one after another;
- the ratio of the two (target <= 0.5).
The two sides run alternately, each from the same directory (the accounts written are
cleared between runs), so a busy machine slows both alike.

Usage: python benchmarks/maid_apply.py [--repeat N] [--users N] [--latency S]
"""

from __future__ import annotations

import argparse
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.jumpcloud_api import (  # noqa: E402
    JumpCloudStandIn,
    JumpCloudState,
    User,
    make_user,
)
from wizard.core.setups.state import SetupState  # noqa: E402
from wizard.core.setups.store import Store  # noqa: E402

KEY = "benchmark-key-0123456789abcdef"
ORG = "5f1b2c3d4e5f6a7b8c9d0e1f"
PAGE = 100


def directory(users: int) -> list[User]:
    """Every other user already linked to their e-mail; the rest to write."""
    listed = []
    for number in range(users):
        linked = f"user{number:05d}@example.com" if number % 2 else None
        listed.append(make_user(number, ORG, managed_apple_id=linked))
    return listed


def unlink(users: list[User], to_write: list[str]) -> None:
    """Clear what a run wrote, so the next run of either side has the same work."""
    cleared = set(to_write)
    for user in users:
        if user["_id"] in cleared:
            user.pop("managedAppleId", None)


def with_maid(folder: Path, environment: dict[str, str]) -> float:
    plan = folder / "plan.json"
    started = time.perf_counter()
    for args in (
        ["plan", "--setup", "bench", "--same-as-email", "--out", str(plan)],
        ["apply", str(plan), "--yes"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "wizard", "maid", *args],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"maid {args[0]} failed: {done.stdout}{done.stderr}")
    return time.perf_counter() - started


def with_a_plain_loop(
    standin: JumpCloudStandIn, context: ssl.SSLContext, users: list[User]
) -> float:
    started = time.perf_counter()
    with httpx.Client(verify=context, headers={"x-api-key": KEY}, trust_env=False) as http:
        for user in users:
            url = f"{standin.base_url}/systemusers/{user['_id']}"
            http.put(url, json={"managedAppleId": user["email"]}).raise_for_status()
    return time.perf_counter() - started


def requests_since(standin: JumpCloudStandIn, start: int) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for request in standin.requests[start:]:
        path = request.path
        kind = "PUT user" if request.method == "PUT" else f"{request.method} {path}"
        kinds[kind] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds per answer")
    args = parser.parse_args()

    ca = trustme.CA()
    users = directory(args.users)
    to_write = [user for user in users if "managedAppleId" not in user]
    ids = [user["_id"] for user in to_write]
    state = JumpCloudState.single(users, key=KEY, org_id=ORG)
    state.latency = args.latency
    standin = JumpCloudStandIn(state, ca)
    standin.start()
    context = ssl.create_default_context()
    ca.configure_trust(context)
    pages = -(-args.users // PAGE)
    times: tuple[list[float], list[float]] = ([], [])
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        bundle = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        state_folder = folder / "state"
        setup = SetupState(
            name="bench", org_id=ORG, domains=["example.com"], jumpcloud_api_url=standin.base_url
        )
        Store(state_folder).save(setup)
        environment = {
            **os.environ,
            "JUMPCLOUD_API_KEY": KEY,
            "SSL_CERT_FILE": str(bundle),
            "ADUE_WIZARD_STATE_DIR": str(state_folder),
        }
        for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "JUMPCLOUD_API_URL"):
            environment.pop(name, None)
        for _ in range(args.repeat):
            standin.reset_peak()
            start = len(standin.requests)
            times[0].append(with_maid(folder, environment))
            kinds = requests_since(standin, start)
            written = [w for w in standin.writes[-len(ids) :] if w.status == 200]
            if kinds["PUT user"] != len(ids) or {w.user_id for w in written} != set(ids):
                raise SystemExit(f"expected {len(ids)} writes, one per user: {dict(kinds)}")
            reads = kinds["GET /api/systemusers"]
            if reads > 3 * pages or sum(kinds.values()) > len(ids) + 3 * pages:
                raise SystemExit(f"too many requests: {dict(kinds)}")
            if standin.peak_in_flight > 4:
                raise SystemExit(f"{standin.peak_in_flight} requests were in flight at once")
            unlink(users, ids)
            times[1].append(with_a_plain_loop(standin, context, to_write))
            unlink(users, ids)
    standin.stop()

    ours, plain = statistics.median(times[0]), statistics.median(times[1])
    print(
        f"{args.users:,} users, {len(ids):,} to write, {args.latency * 1000:.0f} ms per answer: "
        f"maid plan + apply {ours:.2f} s ({kinds['PUT user']:,} writes, {reads} user-list "
        f"reads = {reads / pages:g} full reads, {kinds['GET /api/organizations']} organization "
        f"look-ups; at most 4 in flight), sequential httpx loop {plain:.2f} s "
        f"({len(ids):,} PUTs), ratio {ours / plain:.2f} (target <= 0.5)"
    )


if __name__ == "__main__":
    main()
