"""A frame's result files and the edits made to them by hand (paint, accept, recolor).

A result is ``<name>.png`` (the colorized frame, RGBA) + ``<name>.json`` (its segments'
colors, confidence, candidates and the ``reviewed`` segment ids), as ``pbc colorize``
writes them. The edits are plain functions returning new arrays and dicts; the inputs
are never changed, so a failed write leaves the caller's state as it was.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from paintbucket.errors import InputError
from paintbucket.io.images import read_rgba, write_png, write_text
from paintbucket.review.errors import ReviewError

#: Keys every result JSON has.
REQUIRED_KEYS = ("num_segments", "colors", "confidence", "candidates")


def read_result_info(path: Path) -> dict:
    """Read a result JSON.

    Returns
    -------
    info : dict
        The JSON, with ``reviewed`` (list of segment ids) set to ``[]`` when absent.

    Raises
    ------
    InputError
        If the file is unreadable, not JSON, or lacks one of :data:`REQUIRED_KEYS`.
    """
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(path, f"cannot read result JSON ({error})") from None
    if not isinstance(info, dict) or any(key not in info for key in REQUIRED_KEYS):
        raise InputError(path, f"result JSON needs the keys {', '.join(REQUIRED_KEYS)}")
    info.setdefault("reviewed", [])
    return info


def read_result_image(path: Path, shape: tuple[int, int]) -> np.ndarray:
    """Read a result PNG that must be ``shape`` (H, W) like its line art.

    Returns
    -------
    rgba : (H, W, 4) uint8

    Raises
    ------
    ReviewError
        With status 409 if the image is another size (it changed since the session
        opened).
    """
    rgba = read_rgba(path)
    if rgba.shape[:2] != shape:
        raise ReviewError(
            f"{path} is {rgba.shape[1]}x{rgba.shape[0]}, the line art {shape[1]}x{shape[0]}",
            409,
        )
    return rgba


def paint_segment(
    rgba: np.ndarray, info: dict, mask: np.ndarray, segment: int, color: tuple[int, ...]
) -> tuple[np.ndarray, dict]:
    """Fill one segment with a color, by hand: reviewed, confidence 1, frame edited.

    Parameters
    ----------
    rgba : (H, W, 4) uint8
        The frame's result image.
    info : dict
        Its result JSON.
    mask : (H, W) bool
        The segment's pixels (its color-line pixels included).
    segment : int
        The segment id, a key of ``info["colors"]``.
    color : tuple of 4 int
        RGBA.

    Returns
    -------
    rgba : (H, W, 4) uint8
        A copy with ``color`` on ``mask``.
    info : dict
        A copy with the segment's color ``list(color)``, confidence ``1.0``, the segment
        in ``reviewed`` (sorted, once) and ``edited: true``.
    """
    painted = rgba.copy()
    painted[mask] = color
    info = copy.deepcopy(info)
    key = str(segment)
    info["colors"][key] = list(color)
    info["confidence"][key] = 1.0
    info["reviewed"] = sorted(set(info["reviewed"]) | {segment})
    info["edited"] = True
    return painted, info


def accept_segment(info: dict, segment: int) -> dict:
    """Mark a segment's color as right.

    Returns
    -------
    info : dict
        A copy of ``info`` with the segment's confidence ``1.0`` and the segment in
        ``reviewed`` (sorted, once); its color unchanged.
    """
    info = copy.deepcopy(info)
    info["confidence"][str(segment)] = 1.0
    info["reviewed"] = sorted(set(info["reviewed"]) | {segment})
    return info


def recolor_result(
    rgba: np.ndarray | None,
    info: dict,
    segment_ids: np.ndarray | None,
    changes: dict[tuple[int, ...], tuple[int, ...]],
) -> tuple[np.ndarray | None, dict]:
    """Give every segment of an old color its new color (a palette-wide recolor).

    Parameters
    ----------
    rgba : (H, W, 4) uint8 or None
        The frame's result image; None to change the JSON only.
    info : dict
        Its result JSON.
    segment_ids : (H, W) int32 or None
        Its segment ids (0 = line); needed with ``rgba``.
    changes : dict
        Old RGBA tuple -> new RGBA tuple. No new color may be an old one of another
        change (the palette guarantees it), so the order does not matter.

    Returns
    -------
    rgba : (H, W, 4) uint8 or None
        A copy with every pixel of a recolored segment (color-line pixels included, the
        black lines of id 0 never) in the segment's new color; None when ``rgba`` is None
        or no segment had an old color.
    info : dict
        A copy with ``colors`` and the ``candidates``' colors changed; confidence,
        ``reviewed`` and the rest as they were.
    """
    info = copy.deepcopy(info)
    mapped = {old: list(new) for old, new in changes.items()}
    colors = info["colors"]
    recolored = [int(key) for key, color in colors.items() if tuple(color) in mapped]
    for key in colors:
        colors[key] = mapped.get(tuple(colors[key]), colors[key])
    for key, candidates in info["candidates"].items():
        info["candidates"][key] = [
            [mapped.get(tuple(color), color), probability] for color, probability in candidates
        ]
    if rgba is None or not recolored:
        return None, info
    count = int(info["num_segments"])
    table = np.zeros((count + 1, 4), np.uint8)
    changed = np.zeros(count + 1, bool)
    changed[recolored] = True
    table[recolored] = [colors[str(key)] for key in recolored]
    pixels = changed[segment_ids]
    painted = rgba.copy()
    painted[pixels] = table[segment_ids[pixels]]
    return painted, info


def write_result(png_path: Path, json_path: Path, rgba: np.ndarray | None, info: dict) -> None:
    """Rewrite a frame's result files, each atomically (temporary file + rename).

    Parameters
    ----------
    png_path, json_path : Path
    rgba : (H, W, 4) uint8 or None
        The new image; None keeps the PNG as it is.
    info : dict
        The new JSON, written as ``json.dumps(info)``.
    """
    if rgba is not None:
        write_png(png_path, rgba)
    write_text(json_path, json.dumps(info))
