"""How much slower is `adue-wizard verify` than the least an HTTP client must do?

Prints, in one run against the same local HTTPS server:
- single: whole-process time of `adue-wizard verify DOMAIN` against a bare Python script that
  does one httpx GET of the same URL (target: ratio <= 1.5);
- batch: whole-process time to verify 500 domains mapped to loopback against a bare
  asyncio+httpx script making 500 GETs at the same concurrency (target: ratio <= 2).
Each verified domain is a different host, so the baseline opens a new connection per GET
too (no keep-alive), as a real batch of domains would.

Usage: python benchmarks/verify_speed.py [--repeat N] [--domains N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.https_server import HTTPSServer, json_document  # noqa: E402

DOCUMENT = '{"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.test/enroll"}]}'
PATH = "/.well-known/com.apple.remotemanagement"

SINGLE_BASELINE = """
import sys, httpx
response = httpx.get(sys.argv[1], verify=sys.argv[2])
sys.exit(0 if response.status_code == 200 else 1)
"""

BATCH_BASELINE = """
import asyncio, sys, httpx
url, ca, count, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
async def main():
    limit = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(verify=ca, limits=limits) as client:
        async def one():
            async with limit:
                response = await client.get(url)
                await response.aread()
                return response.status_code
        codes = await asyncio.gather(*(one() for _ in range(count)))
    sys.exit(0 if all(code == 200 for code in codes) else 1)
asyncio.run(main())
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed: {command[:4]}...\n{result.stderr[-2000:]}")
    return elapsed


def median_time(command: list[str], repeat: int) -> float:
    return statistics.median(timed(command) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    ca = trustme.CA()
    cert = ca.issue_cert("example.test", "*.example.test", "127.0.0.1")
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    server = HTTPSServer(context).start()
    server.route(PATH, json_document(DOCUMENT))
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        python = sys.executable
        # The installed console script, as an admin runs it.
        wizard = [str(Path(python).with_name("adue-wizard")), "verify", "--ca-bundle", str(bundle)]
        route = ["--connect-to", f"::127.0.0.1:{server.port}"]
        url = f"https://127.0.0.1:{server.port}{PATH}"

        single_wizard = median_time([*wizard, "example.test", *route], args.repeat)
        single_base = median_time([python, "-c", SINGLE_BASELINE, url, str(bundle)], args.repeat)

        domains = [f"d{i}.example.test" for i in range(args.domains)]
        batch = [*wizard, *domains, *route, "--json", "--concurrency", str(args.concurrency)]
        batch_runs = max(1, args.repeat // 2)
        batch_wizard = median_time(batch, batch_runs)
        batch_base = median_time(
            [
                python,
                "-c",
                BATCH_BASELINE,
                url,
                str(bundle),
                str(args.domains),
                str(args.concurrency),
            ],
            batch_runs,
        )
    server.stop()

    print(
        f"single domain: adue-wizard verify {single_wizard * 1000:.0f} ms, "
        f"one httpx GET {single_base * 1000:.0f} ms, ratio {single_wizard / single_base:.2f} "
        "(target <= 1.5)"
    )
    print(
        f"{args.domains} domains: adue-wizard verify {batch_wizard:.2f} s, "
        f"asyncio+httpx {batch_base:.2f} s, ratio {batch_wizard / batch_base:.2f} "
        "(target <= 2)"
    )


if __name__ == "__main__":
    main()
