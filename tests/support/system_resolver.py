"""Running `adue-wizard` in a process whose system resolver is one the test controls, so that
getaddrinfo (what the verifier, like a device, resolves with) meets a real DNS server's
answers: NXDOMAIN, NODATA, SERVFAIL, no answer at all, or no server.

The process runs under `unshare --mount` with its own /etc/resolv.conf (and an nsswitch.conf
that asks `files dns` only, so no nscd or systemd-resolved answers in its place) bind-mounted
over the machine's: nothing changes for anything else on the machine. glibc reads
/etc/resolv.conf and talks to port 53 only, while the loopback DNS server listens on a free
port: a small UDP relay on port 53 of an address of its own in 127.0.0.0/8 forwards each query
to it and each answer back (a query the server drops gets no answer either).

Needs root (to mount, and to bind port 53); tests skip, saying why, where it is not allowed.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dns_server import DNSServer

# Tried in turn: glibc gives up on a silent server after this, not after 5 s x 2.
RESOLV_OPTIONS = "options timeout:1 attempts:1\n"
NSSWITCH = "hosts: files dns\n"


def require_unshare() -> None:
    """Skip unless this process may give a child its own mounts."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed: the system-resolver tests did NOT run")
    probe = subprocess.run(
        ["unshare", "--mount", "--", "true"], capture_output=True, text=True, timeout=10
    )
    if probe.returncode != 0:
        pytest.skip(
            "unshare --mount is not permitted here (it needs root): the system-resolver "
            f"tests did NOT run ({probe.stderr.strip() or probe.returncode})"
        )


class UDPRelay:
    """Port 53 of a loopback address of its own, relaying each datagram to `upstream`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.address = ""
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> UDPRelay:
        for _attempt in range(20):
            address = f"127.53.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((address, 53))
            except OSError:
                sock.close()
                continue
            sock.settimeout(0.2)
            self.address, self._socket = address, sock
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()
            return self
        pytest.skip("no loopback address with a free port 53 for the resolver relay")

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._socket is not None:
            self._socket.close()

    def _serve(self) -> None:
        assert self._socket is not None
        while not self._stopping.is_set():
            try:
                query, peer = self._socket.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._relay, args=(query, peer), daemon=True).start()

    def _relay(self, query: bytes, peer: tuple[str, int]) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as upstream:
            upstream.settimeout(3)
            try:
                upstream.sendto(query, self.upstream)
                answer = upstream.recv(65535)
            except OSError:
                return  # no answer: the client times out, as with a silent server
        with contextlib.suppress(OSError):
            assert self._socket is not None
            self._socket.sendto(answer, peer)


@contextlib.contextmanager
def resolver_files(folder: Path, nameserver: str) -> Iterator[tuple[Path, Path]]:
    """resolv.conf naming `nameserver`, and nsswitch.conf asking files then DNS."""
    resolv = folder / "resolv.conf"
    resolv.write_text(f"nameserver {nameserver}\n{RESOLV_OPTIONS}")
    nsswitch = folder / "nsswitch.conf"
    nsswitch.write_text(NSSWITCH)
    yield resolv, nsswitch


@contextlib.contextmanager
def relayed(server: DNSServer) -> Iterator[str]:
    """The address on port 53 that reaches `server`."""
    relay = UDPRelay((server.host, server.port)).start()
    try:
        yield relay.address
    finally:
        relay.stop()


def unused_nameserver() -> str:
    """A loopback address where nothing listens on port 53: queries are refused at once."""
    while True:
        address = f"127.54.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((address, 53))
            except OSError:
                continue
        return address


def run_resolving_with(
    folder: Path,
    nameserver: str,
    *args: str,
    state: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`adue-wizard ARGS` in a process whose resolver is `nameserver` (port 53)."""
    with resolver_files(folder, nameserver) as (resolv, nsswitch):
        script = (
            'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/nsswitch.conf '
            '&& shift 2 && exec "$@"'
        )
        env = {**os.environ, "NO_COLOR": "1"}
        if state is not None:
            env["ADUE_WIZARD_STATE_DIR"] = str(state)
        return subprocess.run(
            [
                "unshare",
                "--mount",
                "--",
                "sh",
                "-c",
                script,
                "sh",
                str(resolv),
                str(nsswitch),
                sys.executable,
                "-m",
                "wizard",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
