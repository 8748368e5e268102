"""A tiny PNG decoder (8-bit RGB/RGBA, not interlaced): enough to check a screenshot's pixels."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _unfilter(kind: int, row: bytearray, prev: bytearray, bpp: int) -> bytearray:
    if kind == 0:
        return row
    if kind == 2:
        return bytearray(
            (
                (np.frombuffer(row, np.uint8).astype(np.uint16) + np.frombuffer(prev, np.uint8))
                % 256
            ).astype(np.uint8)
        )
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + a) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (a + b) // 2) & 0xFF
        else:
            row[i] = (row[i] + _paeth(a, b, c)) & 0xFF
    return row


def read_png(path: Path) -> np.ndarray:
    """Pixels as an (height, width, channels) uint8 array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG layout"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = 1 + width * bpp
    prev = bytearray(width * bpp)
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        prev = _unfilter(line[0], bytearray(line[1:]), prev, bpp)
        rows.append(bytes(prev))
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, bpp)
