"""Shared fixtures: tiny line drawings built in code, and the real data in ../shared."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"

BLACK = (0, 0, 0, 255)
PAPER = (255, 255, 255, 0)


def real_data(*parts: str) -> Path:
    """Path inside ../shared/data/real, skipping the test when it is absent."""
    path = REAL_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


def blank(height: int, width: int) -> np.ndarray:
    art = np.empty((height, width, 4), dtype=np.uint8)
    art[...] = PAPER
    return art


def boxes_line_art(height: int = 12, width: int = 16, split: int = 8) -> np.ndarray:
    """A rectangle outline split by one vertical line: two closed boxes plus the outside.

    Segments (4-connected paper): 1 = outside (touches the border), 2 = left box,
    3 = right box.
    """
    art = blank(height, width)
    art[2, 2:14] = BLACK
    art[9, 2:14] = BLACK
    art[2:10, 2] = BLACK
    art[2:10, 13] = BLACK
    art[2:10, split] = BLACK
    return art


def open_box() -> tuple[np.ndarray, np.ndarray]:
    """(80, 80) line art: a box outline with a 3-px opening in its top side (the joins
    close up to 5 % of 80 = 4 px), and its keyframe: the box blue inside, lines black."""
    art = blank(80, 80)
    art[10, 10:70] = art[69, 10:70] = BLACK
    art[10:70, 10] = art[10:70, 69] = BLACK
    art[10, 38:41] = (255, 255, 255, 0)
    keyframe = np.zeros_like(art)
    keyframe[11:69, 11:69] = (40, 90, 220, 255)
    keyframe[10, 38:41] = (40, 90, 220, 255)  # the opening joins the box, its nearest segment
    keyframe[art[..., 3] > 0] = BLACK
    return art, keyframe


@pytest.fixture
def boxes() -> np.ndarray:
    return boxes_line_art()


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width`` x ``height`` RGBA pixels but holds almost no
    data: a decompression bomb as far as any reader that trusts the header is concerned."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    return path
