"""A decompression bomb for the simulated hub: /gzip-bomb.

200 text/html with `Content-Encoding: gzip`: a valid gzip stream of
BOMB_SIZE (1 GiB) zeros, about 1 MB on the wire. It is produced on the
fly from one small precomputed deflate block (BLOCK_SIZE zeros, ~1 KB)
repeated, so the hub never holds more than that block. A client that
lets its HTTP library inflate a 64 KB read at once gets ~64 MB; a client
with a bounded decoder stops at its body cap.
"""

from __future__ import annotations

import functools
import struct
import threading
import zlib

from pipeline.sim.answers import Request, Response, Writer

BLOCK_SIZE = 1024 * 1024  # zeros per repeated block
BLOCK_COUNT = 1024  # BLOCK_COUNT * BLOCK_SIZE = 1 GiB
BOMB_SIZE = BLOCK_SIZE * BLOCK_COUNT
# gzip member header: magic, deflate, no flags, no mtime, max compression, unknown OS
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty final fixed-Huffman block: the end of the deflate data


@functools.cache
def zero_block() -> bytes:
    """Raw deflate data for BLOCK_SIZE zeros, ending on a full flush.

    The full flush ends on a byte boundary and forgets the history, so
    copies of the block can follow one another in a single stream.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(bytes(BLOCK_SIZE)) + compressor.flush(zlib.Z_FULL_FLUSH)


def bomb_length() -> int:
    """Bytes on the wire: header, the blocks, the final block, CRC32 and size."""
    return len(GZIP_HEADER) + BLOCK_COUNT * len(zero_block()) + len(FINAL_BLOCK) + 8


def stream_bomb(write: Writer, stopping: threading.Event) -> None:
    """Write the whole gzip stream, or stop early when the hub stops.

    The CRC of the zeros is computed as the blocks go out, so a client
    that hangs up early costs the hub nothing more.
    """
    block = zero_block()
    zeros = bytes(BLOCK_SIZE)
    crc = 0
    write(GZIP_HEADER)
    for _ in range(BLOCK_COUNT):
        if stopping.is_set():
            return
        write(block)
        crc = zlib.crc32(zeros, crc)
    write(FINAL_BLOCK + struct.pack("<II", crc, BOMB_SIZE & 0xFFFFFFFF))


def gzip_bomb(_: Request) -> Response:
    """/gzip-bomb: the 1 GiB gzip bomb, with the Content-Length of its ~1 MB stream."""
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"))
    return Response(200, headers, stream=stream_bomb, declared_length=bomb_length())
