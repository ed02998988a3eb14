"""Refuse a gzip body that ends early instead of extracting the half that arrived.

Scrapy's ``gunzip`` is deliberately tolerant: a gzip stream cut short (a proxy or cache that
stored a truncated object, a server that closed the stream early but sent a matching
``Content-Length``) decompresses to whatever came through, and the article was emitted with
its text cut off, with no event at all. This subclass of
:class:`~scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware` checks that
each gzip body decompressed to its end: the trailer's CRC-32 and length match the output
(the usual single-member case, one CRC over the page), or else a strict pass finds the end
of every member. A body cut short fails the request with :class:`TruncatedBody`, so the
article's errback counts it (``fetch/failed/TruncatedBody``) and names its URL; the next run
fetches it again (nothing was marked seen).

Settings: Scrapy's (``COMPRESSION_ENABLED``, ``DOWNLOAD_MAXSIZE``); replaces Scrapy's
middleware at the same place. Stats: ``httpcompression/truncated`` (plus Scrapy's).
"""

from __future__ import annotations

import struct
import zlib

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware

GZIP_ENCODINGS = frozenset({b"gzip", b"x-gzip"})
_CHUNK = 1 << 16


class TruncatedBody(Exception):
    """A compressed body that ends before its compressed stream does."""


def trailer_matches(body: bytes, decoded: bytes) -> bool:
    """Whether the last gzip trailer (CRC-32, length mod 2**32) describes *decoded*.

    >>> import gzip
    >>> trailer_matches(gzip.compress(b"abc" * 100), b"abc" * 100)
    True
    >>> trailer_matches(gzip.compress(b"abc" * 100)[:-9], b"abc" * 50)
    False
    """
    if len(body) < 18:
        return False
    crc, size = struct.unpack("<II", body[-8:])
    return crc == zlib.crc32(decoded) and size == len(decoded) % (1 << 32)


def gzip_complete(body: bytes) -> bool:
    """Whether every gzip member of *body* reaches its end (output discarded, chunk by chunk).

    >>> import gzip
    >>> whole = gzip.compress(b"one") + gzip.compress(b"two")
    >>> gzip_complete(whole), gzip_complete(whole[:-5])
    (True, False)
    """
    data = body
    while data:
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            while not stream.eof:
                out = stream.decompress(data, _CHUNK)
                data = stream.unconsumed_tail
                if not out and not data:
                    break
        except zlib.error:
            return False
        if not stream.eof:
            return False
        data = stream.unused_data.lstrip(b"\0")  # some servers pad after the last member
    return True


class CompleteBodyCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, refusing a gzip body cut short (see the module)."""

    def _decode(self, body: bytes, encoding: bytes, max_size: int) -> bytes:  # type: ignore[override]
        decoded = HttpCompressionMiddleware._decode(body, encoding, max_size)
        if encoding in GZIP_ENCODINGS and not trailer_matches(body, decoded) and not gzip_complete(body):
            if self.stats:
                self.stats.inc_value("httpcompression/truncated")
            raise TruncatedBody(
                f"the gzip body ends early ({len(body)} bytes received, {len(decoded)} decompressed)"
            )
        return decoded
