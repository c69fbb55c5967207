"""A contact sheet PNG: the design sheet and a few frames of one generated character."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from paintbucket.io import read_rgba, write_png


def _tile(path: Path, tile: int) -> np.ndarray:
    """An RGBA image composited over white and shrunk to ``tile`` x ``tile`` RGB."""
    rgb = cv2.resize(_composite(path), (tile, tile), interpolation=cv2.INTER_AREA)
    rgb = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    rgb[:, -2:] = 128  # thin separators between tiles
    rgb[-2:, :] = 128
    return rgb


def _composite(path: Path) -> np.ndarray:
    """An RGBA image composited over white, (H, W, 3) float32."""
    rgba = read_rgba(path).astype(np.float32)
    alpha = rgba[..., 3:] / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def _crop_center(line_path: Path) -> tuple[int, int]:
    """(y, x) of the mean colored ink of a line drawing, or of all its ink, or its middle."""
    line = read_rgba(line_path).astype(np.int32)
    ink = line[..., 3] > 0
    colored = ink & (line[..., :3].max(axis=2) - line[..., :3].min(axis=2) > 128)
    for mask in (colored, ink):
        if mask.any():
            ys, xs = np.nonzero(mask)
            return int(np.median(ys)), int(np.median(xs))
    return line.shape[0] // 2, line.shape[1] // 2


def _zoom(path: Path, center: tuple[int, int], tile: int) -> np.ndarray:
    """A ``tile // 2`` crop around ``center`` at native resolution, shown 2x (nearest)."""
    rgb = _composite(path)
    half = tile // 4
    height, width = rgb.shape[:2]
    y0 = min(max(center[0] - half, 0), max(height - 2 * half, 0))
    x0 = min(max(center[1] - half, 0), max(width - 2 * half, 0))
    crop = rgb[y0 : y0 + 2 * half, x0 : x0 + 2 * half]
    crop = cv2.resize(crop, (tile, tile), interpolation=cv2.INTER_NEAREST)
    crop = np.clip(np.round(crop), 0, 255).astype(np.uint8)
    crop[:, -2:] = 128
    crop[-2:, :] = 128
    return crop


#: Content features shown on a contact sheet, as words of ``dataset.json`` ``content``.
FEATURES = ("second character", "prop", "enters", "leaves", "effect")


def _feature_clips(out: Path, character: str) -> list[str]:
    """The first clip of ``character`` showing each of :data:`FEATURES` (none when
    ``dataset.json`` has no content listing)."""
    listing = out / "dataset.json"
    if not listing.is_file():
        return []
    entries = json.loads(listing.read_text()).get("characters", [])
    content = next((e.get("content", {}) for e in entries if e.get("name") == character), {})
    chosen: list[str] = []
    for feature in FEATURES:
        for clip, features in content.items():
            if any(feature in f for f in features):
                if clip not in chosen:
                    chosen.append(clip)
                break
    return chosen


def contact_sheet(
    out_dir: str | Path,
    path: str | Path,
    character: str = "char000",
    frames: int = 4,
    tile: int = 256,
) -> Path:
    """Write a PNG overview of one character of a generated dataset.

    Row 1: the ``ref/`` images of the design sheet (colored then line art); following
    rows, for the character's first two clips: its first ``frames`` frames of gt, line
    and line_anno. When ``dataset.json`` lists content features of the character's clips
    (second character, props, entering or leaving, effects), one more clip per feature
    follows, with ``frames`` frames spread over the whole clip (so an entering object is
    seen outside and inside the frame). For a studio-style dataset a last row zooms into
    the first clip: line and gt of each frame, a quarter-tile crop at native resolution
    shown 2x, around the colored ink of its first frame (anti-aliasing, widths and gaps
    show).

    Parameters
    ----------
    out_dir : path-like
        A folder written by :func:`paintbucket.synth.dataset.generate`.
    path : path-like
        Destination PNG.
    character : str
        Character name (folder prefix).
    frames : int
        Frames per row.
    tile : int
        Tile size in pixels.

    Returns
    -------
    path : Path
    """
    out = Path(out_dir)
    refs = sorted((out / f"{character}_sheet" / "ref").glob("*.png"))
    colored = [r for r in refs if not r.stem.endswith("_line")]
    lines = [r for r in refs if r.stem.endswith("_line")]
    rows = [[_tile(p, tile) for p in colored + lines]]
    clips = sorted(d for d in out.glob(f"{character}_*") if (d / "gt").is_dir())[:2]
    picked = [(clip, False) for clip in clips]
    for clip_name in _feature_clips(out, character):
        if out / clip_name not in clips:
            picked.append((out / clip_name, True))
    for clip, spread in picked:
        names = sorted(p.name for p in (clip / "gt").glob("*.png"))
        if spread:
            names = [
                names[i]
                for i in np.linspace(0, len(names) - 1, min(frames, len(names))).round().astype(int)
            ]
        else:
            names = names[:frames]
        for kind in ("gt", "line", "line_anno"):
            rows.append([_tile(clip / kind / n, tile) for n in names])
    settings = json.loads((out / "dataset.json").read_text()).get("config", {})
    if clips and settings.get("style") == "studio":
        names = sorted(p.name for p in (clips[0] / "gt").glob("*.png"))[:frames]
        center = _crop_center(clips[0] / "line" / names[0])
        rows.append(
            [_zoom(clips[0] / kind / n, center, tile) for n in names for kind in ("line", "gt")]
        )
    width = max(len(r) for r in rows) * tile
    canvas = np.full((len(rows) * tile, width, 3), 255, dtype=np.uint8)
    for y, row in enumerate(rows):
        for x, image in enumerate(row):
            canvas[y * tile : (y + 1) * tile, x * tile : (x + 1) * tile] = image
    return write_png(path, canvas)
