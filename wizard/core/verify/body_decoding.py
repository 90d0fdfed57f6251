"""Decode a response body the way the device does (gzip, deflate, br), never past a limit.

The device asks for `Accept-Encoding: gzip, deflate, br` and decodes what comes back. A few
kilobytes of compressed zeros can expand to gigabytes (a decompression bomb), so every
decoder here is given the number of bytes it may still produce, and stops there.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

SUPPORTED = ("gzip", "x-gzip", "deflate", "br", "identity")


class BodyTooLarge(Exception):
    """The decoded body would exceed the limit."""


class BodyNotDecodable(Exception):
    """The body is not valid in the encoding the server declared (or one we do not know)."""


class _Stage(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...

    def more(self, room: int) -> bytes: ...


class _Zlib:
    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._object = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            if self._first and not self._gzip and data:
                self._first = False
                try:
                    return self._decompress(data, room)
                except zlib.error:
                    # Some servers send raw deflate (no zlib header) for "deflate"; so do
                    # browsers and Apple's stack accept it.
                    self._object = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._decompress(data, room)
        except zlib.error as error:
            raise BodyNotDecodable(str(error)) from None

    def _decompress(self, data: bytes, room: int) -> bytes:
        return self._object.decompress(self._object.unconsumed_tail + data, room + 1)

    def more(self, room: int) -> bytes:
        if not self._object.unconsumed_tail:
            return b""
        return self.feed(b"", room)


class _Brotli:
    def __init__(self) -> None:
        # Imported here: only a brotli-encoded answer pays for loading it.
        import brotli

        self._module: Any = brotli
        self._object = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            return bytes(self._object.process(data, output_buffer_limit=room + 1))
        except self._module.error as error:
            raise BodyNotDecodable(f"brotli: {error}") from None

    def more(self, room: int) -> bytes:
        if self._object.can_accept_more_data():
            return b""
        return self.feed(b"", room)


class BodyDecoder:
    """Feed raw chunks, get decoded bytes; raises BodyTooLarge past `limit` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        unknown = [c for c in codings if c not in SUPPORTED]
        if unknown:
            raise BodyNotDecodable(f"unsupported Content-Encoding {unknown[0]!r}")
        # Applied in the order listed, so undone in reverse.
        self._stages: list[_Stage] = [
            _Brotli() if coding == "br" else _Zlib(coding)
            for coding in reversed(codings)
            if coding != "identity"
        ]
        self._limit = limit
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        for stage in self._stages:
            room = self._limit - self.size
            out = stage.feed(data, room)
            # Drain what a stage held back because of `room`; stop as soon as it is too much.
            while len(out) <= room and (extra := stage.more(room - len(out))):
                out += extra
            if len(out) > room:
                raise BodyTooLarge
            data = out
        self.size += len(data)
        if self.size > self._limit:
            raise BodyTooLarge
        return data
