"""How much slower is `adue-wizard verify` than the least an HTTP client must do?

Prints, in one run against the same local HTTPS servers:
- single: whole-process time of `adue-wizard verify DOMAIN` on TLS 1.3, the handshake with
  the document's enrollment server (the `baseurl` check) included, against a bare Python
  script that does one httpx GET of the same URL (target: ratio <= 1.35);
- TLS 1.2: the same `verify` against a TLS 1.2-only server, whose extended master secret is
  probed beside the rest, against the TLS 1.3 case (target: ratio <= 1.5);
- four addresses: `verify` of a domain pinned (--resolve) to 4 loopback addresses, each
  serving the document, against the same domain pinned to one of them (target: ratio <= 1.5,
  the addresses are checked in parallel);
- batch: whole-process time to verify 500 domains mapped to loopback against a bare
  asyncio+httpx script making 500 GETs at the same concurrency (target: ratio <= 2).
The two sides of each ratio run alternately, so a busy machine slows both alike.
Each verified domain is a different host, so the baseline opens a new connection per GET
too (no keep-alive), as a real batch of domains would.

Usage: python benchmarks/verify_speed.py [--repeat N] [--domains N]
"""

from __future__ import annotations

import argparse
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

ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")

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


def median_times(first: list[str], second: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time of each command, the two run alternately."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        times[0].append(timed(first))
        times[1].append(timed(second))
    return statistics.median(times[0]), statistics.median(times[1])


def start_nodes(context: ssl.SSLContext) -> list[HTTPSServer]:
    """One server per address in ADDRESSES, all on one port."""
    for _attempt in range(10):
        nodes: list[HTTPSServer] = []
        try:
            for address in ADDRESSES:
                port = nodes[0].port if nodes else 0
                nodes.append(HTTPSServer(context).start(address, port))
        except OSError:
            for node in nodes:
                node.stop()
            continue
        for node in nodes:
            node.route(PATH, json_document(DOCUMENT))
        return nodes
    raise SystemExit("no port free on every loopback address")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--domains", type=int, default=500)
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
        python = sys.executable
        # The installed console script, as an admin runs it.
        wizard = [str(Path(python).with_name("adue-wizard")), "verify", "--ca-bundle", str(bundle)]
        route = ["--connect-to", f"::127.0.0.1:{server.port}"]
        url = f"https://127.0.0.1:{server.port}{PATH}"

        single_wizard, single_base = median_times(
            [*wizard, "example.test", *route],
            [python, "-c", SINGLE_BASELINE, url, str(bundle)],
            args.repeat,
        )

        tls12_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(tls12_context)
        tls12_context.maximum_version = ssl.TLSVersion.TLSv1_2
        tls12 = HTTPSServer(tls12_context).start()
        tls12.route(PATH, json_document(DOCUMENT))
        # The domain on TLS 1.2, the enrollment server on TLS 1.3, in both cases.
        to_tls12 = [
            *("--connect-to", f"example.test:443:127.0.0.1:{tls12.port}"),
            *("--connect-to", f"mdm.example.test:443:127.0.0.1:{server.port}"),
        ]
        on_tls12, on_tls13 = median_times(
            [*wizard, "example.test", *to_tls12],
            [*wizard, "example.test", *route],
            args.repeat,
        )
        tls12.stop()

        nodes = start_nodes(context)
        port = nodes[0].port
        pinned = ["example.test", "--connect-to", f"example.test:443:lb.test:{port}"]
        every = ",".join(ADDRESSES)
        four, one = median_times(
            [*wizard, *pinned, "--resolve", f"lb.test:{port}:{every}"],
            [*wizard, *pinned, "--resolve", f"lb.test:{port}:127.0.0.1"],
            args.repeat,
        )
        for node in nodes:
            node.stop()

        domains = [f"d{i}.example.test" for i in range(args.domains)]
        batch = [*wizard, *domains, *route, "--json", "--concurrency", str(args.concurrency)]
        batch_runs = max(1, args.repeat // 2)
        batch_wizard, batch_base = median_times(
            batch,
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
        "(target <= 1.35)"
    )
    print(
        f"TLS 1.2 with the EMS probe: adue-wizard verify {on_tls12 * 1000:.0f} ms, "
        f"TLS 1.3 {on_tls13 * 1000:.0f} ms, ratio {on_tls12 / on_tls13:.2f} (target <= 1.5)"
    )
    print(
        f"4 addresses: adue-wizard verify {four * 1000:.0f} ms, one address {one * 1000:.0f} ms, "
        f"ratio {four / one:.2f} (target <= 1.5)"
    )
    print(
        f"{args.domains} domains: adue-wizard verify {batch_wizard:.2f} s, "
        f"asyncio+httpx {batch_base:.2f} s, ratio {batch_wizard / batch_base:.2f} "
        "(target <= 2)"
    )


if __name__ == "__main__":
    main()
