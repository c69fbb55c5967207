"""Index maps stored as PNG (PaintBucket-Character ``label/`` and ``seg/``).

An index ``i`` is stored as the color ``(i >> 16, (i >> 8) & 255, i & 255)``, i.e.
``index = R * 65536 + G * 256 + B``. Label files are RGBA and mark the background
with alpha 0 (index -1); segment files are RGB with 0 meaning line.
"""

from __future__ import annotations

import numpy as np

from paintbucket.errors import InputError
from paintbucket.io.images import DEFAULT_MAX_PIXELS, PathLike, read_rgba, write_png

MAX_INDEX = 256**3 - 1


def decode_index(rgba: np.ndarray) -> np.ndarray:
    """Decode an RGB(A) index image.

    Parameters
    ----------
    rgba : (H, W, 3) or (H, W, 4) uint8
        Encoded index image. With an alpha channel, alpha 0 decodes to -1.

    Returns
    -------
    index : (H, W) int32
        ``R * 65536 + G * 256 + B``, or -1 where alpha is 0.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ValueError(f"expected (H, W, 3|4) index image, got shape {rgba.shape}")
    rgb = rgba[..., :3].astype(np.int32)
    index = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    if rgba.shape[2] == 4:
        index[rgba[..., 3] == 0] = -1
    return index


def encode_index(index: np.ndarray, alpha: bool) -> np.ndarray:
    """Encode an index map as an RGB or RGBA image.

    Parameters
    ----------
    index : (H, W) integer
        Indices in ``[0, 2**24)``; with ``alpha=True`` also -1 (background).
    alpha : bool
        Write RGBA with alpha 0 for -1 (label files) instead of RGB (segment files).

    Returns
    -------
    image : (H, W, 3) or (H, W, 4) uint8
    """
    index = np.asarray(index)
    if index.ndim != 2:
        raise ValueError(f"expected (H, W) index map, got shape {index.shape}")
    low = -1 if alpha else 0
    if index.size and (index.min() < low or index.max() > MAX_INDEX):
        raise ValueError(f"indices must lie in [{low}, {MAX_INDEX}]")
    background = index < 0
    value = np.where(background, 0, index).astype(np.int64)
    channels = [(value >> 16) & 255, (value >> 8) & 255, value & 255]
    if alpha:
        channels.append(np.where(background, 0, 255))
    return np.stack(channels, axis=-1).astype(np.uint8)


def read_label(path: PathLike) -> np.ndarray:
    """Read a ``label/NNNN.png`` file: (H, W) int32, -1 = background."""
    return decode_index(read_rgba(path))


def write_label(path: PathLike, label: np.ndarray) -> None:
    """Write a label map (-1 = background) as RGBA PNG, atomically."""
    write_png(path, encode_index(label, alpha=True))


def read_segments(path: PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read a ``seg/NNNN.png`` file: (H, W) int32 segment ids, 0 = line (``max_pixels``:
    see :func:`~paintbucket.io.images.read_rgba`)."""
    rgba = read_rgba(path, max_pixels)
    segment_ids = decode_index(rgba[..., :3])
    if np.any(rgba[..., 3] == 0):
        raise InputError(path, "segment image must be opaque (RGB); found transparent pixels")
    return segment_ids


def write_segments(path: PathLike, segment_ids: np.ndarray) -> None:
    """Write segment ids (0 = line) as RGB PNG, atomically."""
    write_png(path, encode_index(segment_ids, alpha=False))
