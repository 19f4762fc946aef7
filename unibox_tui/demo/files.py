"""Attachment bytes made up on the fly, so a 200 MB attachment costs neither disk nor memory.

A file is its type's real magic header followed by one 64 KiB pseudo-random block (derived from the
dataset seed and the attachment id) repeated up to the declared size: deterministic, incompressible
like a real PDF or video, and streamable chunk by chunk.
"""

from __future__ import annotations

import functools
import random
import struct
import zlib
from collections.abc import Iterator

BLOCK_SIZE = 64 * 1024


def _png(width: int = 48, height: int = 32) -> bytes:
    """A small, valid PNG (a gradient): viewers show it and ignore the filler after IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"".join(bytes((x * 5 % 256, y * 8 % 256, 160)) for x in range(width))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


_ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00"
MAGIC: dict[str, bytes] = {
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
    "image/png": _png(),
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00H\x00H\x00\x00",
    "application/zip": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _ZIP,
    "video/mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free",
    "application/gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
}


@functools.lru_cache(maxsize=16)
def _block(seed: int, key: str) -> bytes:
    return random.Random(f"{seed}:{key}").randbytes(BLOCK_SIZE)


def header_for(content_type: str) -> bytes:
    return MAGIC.get(content_type.split(";", 1)[0].strip().lower(), b"")


def chunks(seed: int, key: str, content_type: str, size: int,
           chunk_size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """Yield exactly ``size`` bytes: magic header, then the repeated block, ``chunk_size`` at a time."""
    head = header_for(content_type)[:size]
    block = _block(seed, key)
    sent = 0
    if head:
        yield head
        sent = len(head)
    offset = sent % BLOCK_SIZE
    while sent < size:
        n = min(chunk_size, size - sent, BLOCK_SIZE - offset)
        yield block[offset:offset + n]
        sent += n
        offset = (offset + n) % BLOCK_SIZE


def read_all(seed: int, key: str, content_type: str, size: int) -> bytes:
    """The whole file (for tests and small files)."""
    return b"".join(chunks(seed, key, content_type, size))
