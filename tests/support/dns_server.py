"""A real DNS server on loopback, over UDP and TCP, whose every answer a test chooses.

It listens on 127.0.0.1 and, where the machine has it, ::1, on one free port shared by UDP
and TCP on both addresses. Queries and answers are parsed and built by dnspython
(`dns.message.from_wire`, `make_response`, `to_wire`), never by hand, so what a client
receives is what a real server sends:

- answers from a small zone of names and records (TXT, A, AAAA, any type dnspython knows);
- NXDOMAIN for a name the zone does not hold, NODATA (NOERROR, no answer) for a name that
  holds no record of the type asked; both carry the zone's SOA in the authority section, as
  RFC 2308 says an authoritative server sends it;
- over UDP, an answer larger than the client may receive (512 bytes without EDNS, RFC 1035
  4.2.1; else the EDNS payload size it gave) is sent with the TC bit and no records, as BIND
  and Unbound do, so the client asks again over TCP;
- faults switched on per name and type: SERVFAIL, REFUSED, no answer at all (the client
  must time out), a forced truncation over UDP, and a delay before answering.

Like the other servers in tests/support it runs its own event loop in a thread, so
synchronous tests, async tests and subprocesses can all reach it, and a slow answer never
holds up the others. Every query is recorded (`queries`, `count`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import socket
import struct
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Literal, Self, cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

Transport = Literal["udp", "tcp"]
_Types = dict[dns.rdatatype.RdataType, list[dns.rdata.Rdata]]

TTL = 300
# A TXT character-string holds at most 255 bytes (RFC 1035 3.3.14): longer text is published
# as several strings in one record, as zone files and DNS providers split it.
STRING_LIMIT = 255
# RFC 1035 4.2.1: without EDNS a UDP answer is at most 512 bytes.
CLASSIC_UDP_LIMIT = 512


class Fault(StrEnum):
    SERVFAIL = "servfail"
    REFUSED = "refused"
    # No answer at all, over UDP or TCP: the client has to give up on its own.
    DROP = "drop"
    # Over UDP: the TC bit and no records, whatever the size; over TCP the full answer.
    TRUNCATE = "truncate"


@dataclass(frozen=True)
class Query:
    transport: Transport
    # The address the query arrived on (127.0.0.1 or ::1).
    address: str
    name: str
    rdtype: str


def split_txt(text: str | bytes) -> tuple[bytes, ...]:
    """`text` as the character-strings of one TXT record: 255 bytes each, the last shorter."""
    data = text.encode() if isinstance(text, str) else text
    return tuple(data[start : start + STRING_LIMIT] for start in range(0, len(data), STRING_LIMIT))


def txt_record(*strings: str | bytes) -> dns.rdata.Rdata:
    """One TXT record holding `strings` as given (each at most 255 bytes)."""
    return dns.rdtypes.ANY.TXT.TXT(
        dns.rdataclass.IN,
        dns.rdatatype.TXT,
        [item.encode() if isinstance(item, str) else item for item in strings],
    )


def ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


class DNSServer:
    """Serves `origin`'s zone (the root by default: every name) on loopback.

    Fill it before or while it runs; each change takes effect for the next query.
    A handler that raises is a bug in the server itself: the exception is kept in `errors`
    (a fixture asserts it stays empty).
    """

    def __init__(self, origin: str = ".") -> None:
        self.origin = dns.name.from_text(origin)
        self.port = 0
        self.addresses: list[str] = []
        self.queries: list[Query] = []
        self.errors: list[BaseException] = []
        self._records: dict[dns.name.Name, _Types] = {}
        self._faults: dict[tuple[dns.name.Name, dns.rdatatype.RdataType | None], Fault] = {}
        self._delays: dict[dns.name.Name, float] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._transports: list[asyncio.DatagramTransport] = []
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Event | None = None

    # -- the zone and the faults ---------------------------------------------------------

    def add(self, name: str, *records: dns.rdata.Rdata) -> None:
        """Add `records` (any types) at `name`; several of one type form one RRset."""
        owner = self._name(name)
        with self._lock:
            types = self._records.setdefault(owner, {})
            for record in records:
                types.setdefault(record.rdtype, []).append(record)

    def txt(self, name: str, *strings: str | bytes) -> None:
        """One TXT record at `name` made of `strings`, each one character-string."""
        self.add(name, txt_record(*strings))

    def long_txt(self, name: str, text: str | bytes) -> None:
        """One TXT record at `name` holding `text`, split into 255-byte strings."""
        self.add(name, txt_record(*split_txt(text)))

    def address(self, name: str, *addresses: str) -> None:
        """A records for IPv4 addresses, AAAA records for IPv6 ones."""
        for address in addresses:
            rdtype = dns.rdatatype.AAAA if ":" in address else dns.rdatatype.A
            self.add(name, dns.rdata.from_text(dns.rdataclass.IN, rdtype, address))

    def exists(self, name: str) -> None:
        """`name` exists without records: every query for it gets NODATA, not NXDOMAIN."""
        with self._lock:
            self._records.setdefault(self._name(name), {})

    def fault(self, name: str, fault: Fault, rdtype: str | None = None) -> None:
        """Queries for `name` (of `rdtype`, or of every type) meet `fault`."""
        key = dns.rdatatype.from_text(rdtype) if rdtype else None
        with self._lock:
            self._faults[(self._name(name), key)] = fault

    def delay(self, name: str, seconds: float) -> None:
        """Every answer about `name` leaves `seconds` after its query arrived."""
        with self._lock:
            self._delays[self._name(name)] = seconds

    def count(
        self,
        name: str | None = None,
        rdtype: str | None = None,
        transport: Transport | None = None,
    ) -> int:
        """Queries received so far matching every filter given (names compared as DNS does)."""
        wanted = self._name(name) if name is not None else None
        return sum(
            1
            for query in list(self.queries)
            if (wanted is None or self._name(query.name) == wanted)
            and (rdtype is None or query.rdtype == rdtype.upper())
            and (transport is None or query.transport == transport)
        )

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The IPv4 loopback address, on which it always listens."""
        return "127.0.0.1"

    @property
    def ipv6(self) -> bool:
        return "::1" in self.addresses

    def start(self) -> Self:
        """Listen on a free port (UDP and TCP, 127.0.0.1 and ::1 when there)."""
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(lambda _loop, _context: None)
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(10)
        except BaseException:
            self._close_loop()
            raise
        return self

    def stop(self) -> None:
        """Close every socket and connection, answer no more, end the thread."""
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._close_loop()

    def __enter__(self) -> Self:
        if self._loop is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- answering ------------------------------------------------------------------------

    def answer(self, wire: bytes, transport: Transport, address: str) -> bytes | None:
        """The answer to the query in `wire` (None: send nothing), built by dnspython."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not a DNS query: a real server ignores it too
        if len(query.question) != 1:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        self.queries.append(
            Query(
                transport,
                address,
                question.name.to_text(),
                dns.rdatatype.to_text(question.rdtype),
            )
        )
        fault = self._fault_for(question.name, question.rdtype)
        if fault is Fault.DROP:
            return None
        response = dns.message.make_response(query)
        # Authoritative for its zone, and willing to recurse (the resolver in resolv.conf
        # is one): clients check neither, but both are what `dig` shows from such a server.
        response.flags |= dns.flags.AA | dns.flags.RA
        if fault is Fault.SERVFAIL:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif fault is Fault.REFUSED or not question.name.is_subdomain(self.origin):
            response.set_rcode(dns.rcode.REFUSED)
        else:
            self._fill(response, question.name, question.rdtype)
        if transport == "tcp":
            return response.to_wire()
        # RFC 6891 6.2.5: an EDNS payload size below 512 is taken as 512.
        limit = max(query.payload, CLASSIC_UDP_LIMIT) if query.edns >= 0 else CLASSIC_UDP_LIMIT
        if fault is Fault.TRUNCATE:
            return _truncated(response)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            return _truncated(response)

    def _fill(
        self, response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> None:
        with self._lock:
            types = self._records.get(name)
            records = list(types.get(rdtype, [])) if types is not None else []
        if types is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        if records:
            response.answer.append(dns.rrset.from_rdata_list(name, TTL, records))
        else:
            response.authority.append(self._soa())

    def _soa(self) -> dns.rrset.RRset:
        origin = self.origin.to_text()
        prefix = "" if origin == "." else origin
        return dns.rrset.from_text(
            self.origin,
            TTL,
            "IN",
            "SOA",
            f"ns1.{prefix} hostmaster.{prefix} 2026010201 3600 600 86400 {TTL}",
        )

    def _fault_for(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> Fault | None:
        with self._lock:
            return self._faults.get((name, rdtype)) or self._faults.get((name, None))

    def _delay_for(self, wire: bytes) -> float:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return 0.0
        if not query.question:
            return 0.0
        with self._lock:
            return self._delays.get(query.question[0].name, 0.0)

    @staticmethod
    def _name(text: str) -> dns.name.Name:
        return dns.name.from_text(text)

    # -- sockets --------------------------------------------------------------------------

    async def _open(self) -> None:
        self._stopping = asyncio.Event()
        hosts = ["127.0.0.1"] + (["::1"] if ipv6_loopback_available() else [])
        # One port for UDP and TCP on every address, as a real server has: take a free UDP
        # port on 127.0.0.1 and bind the rest to it; another process may hold one of them
        # already, then try another port.
        for _attempt in range(50):
            try:
                await self._bind_all(hosts)
            except OSError as error:
                await self._close_sockets()
                if error.errno != errno.EADDRINUSE:
                    raise
                continue
            self.addresses = hosts
            return
        raise OSError(errno.EADDRINUSE, "no free port for UDP and TCP on every loopback address")

    async def _bind_all(self, hosts: list[str]) -> None:
        loop = asyncio.get_running_loop()
        port = 0
        for host in hosts:
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_UDPProtocol, self, host), local_addr=(host, port)
            )
            self._transports.append(transport)
            port = transport.get_extra_info("sockname")[1]
            server = await asyncio.start_server(
                functools.partial(self._connection, host=host), host, port
            )
            self._servers.append(server)
        self.port = port

    async def _close_sockets(self) -> None:
        for transport in self._transports:
            transport.close()
        for server in self._servers:
            server.close()
            await server.wait_closed()
        self._transports.clear()
        self._servers.clear()

    def _spawn(self, coroutine: Coroutine[None, None, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _udp(
        self, transport: asyncio.DatagramTransport, wire: bytes, peer: tuple[str, int], host: str
    ) -> None:
        try:
            reply = await self._reply(wire, "udp", host)
            if reply is not None and not transport.is_closing():
                transport.sendto(reply, peer)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.errors.append(error)

    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, host: str
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            # RFC 1035 4.2.2 (and RFC 7766): each message is preceded by its 2-byte length;
            # a client may send several queries on one connection.
            while True:
                try:
                    (length,) = struct.unpack("!H", await reader.readexactly(2))
                    wire = await reader.readexactly(length)
                except asyncio.IncompleteReadError:
                    return
                reply = await self._reply(wire, "tcp", host)
                if reply is None:
                    assert self._stopping is not None
                    await self._stopping.wait()  # dropped: hold the connection, say nothing
                    return
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (ConnectionError, TimeoutError):
            pass  # the client went away: normal for tests of timeouts
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.errors.append(error)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _reply(self, wire: bytes, transport: Transport, host: str) -> bytes | None:
        delay = self._delay_for(wire)
        if delay:
            await asyncio.sleep(delay)
        return self.answer(wire, transport, host)

    async def _shutdown(self) -> None:
        assert self._stopping is not None
        self._stopping.set()
        await self._close_sockets()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _close_loop(self) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None


class _UDPProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DNSServer, host: str) -> None:
        self._server = server
        self._host = host
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's UDP transport does not derive from DatagramTransport, though it is one.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self._transport is not None
        # A task per datagram: a delayed answer never holds up the next query.
        self._server._spawn(self._server._udp(self._transport, data, addr, self._host))


def _truncated(response: dns.message.Message) -> bytes:
    """What a server sends over UDP when the answer does not fit: the header with TC and the
    question, no records (RFC 2181 9: a client then asks again over TCP)."""
    response.answer.clear()
    response.authority.clear()
    response.additional.clear()
    response.flags |= dns.flags.TC
    return response.to_wire()
