"""A small drawn clip to try the tool on: a waving mascot with shadow and highlight.

Parts are painted into an index map with OpenCV (no anti-aliasing); the line art is
the boundary of that map, so it is closed by construction. Boundaries between a part
and its own shadow or highlight are drawn as blue or red color lines, which painters
fill like the (smaller) shade region, as in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from paintbucket.io.images import write_png
from paintbucket.io.index_png import write_segments
from paintbucket.segment.labels import label_paper

PAPER_RGBA = (255, 255, 255, 0)
SHADOW, HIGHLIGHT = 1, 2
_LINE_RGBA = {0: (0, 0, 0, 255), SHADOW: (0, 0, 255, 255), HIGHLIGHT: (255, 0, 0, 255)}


@dataclass(frozen=True)
class Part:
    name: str
    rgb: tuple[int, int, int]
    shade_of: str | None = None  # the part this is a shadow/highlight of
    shade: int = 0  # 0, SHADOW or HIGHLIGHT


PARTS = (
    Part("background", (0, 0, 0)),
    Part("body", (88, 140, 214)),
    Part("body shadow", (58, 96, 168), "body", SHADOW),
    Part("belt", (92, 60, 40)),
    Part("buckle", (236, 200, 64)),
    Part("arm left", (250, 214, 186)),
    Part("arm right", (250, 214, 186)),
    Part("head", (250, 214, 186)),
    Part("cheek", (246, 160, 160)),
    Part("hair", (120, 72, 52)),
    Part("hair highlight", (176, 118, 88), "hair", HIGHLIGHT),
    Part("eye white left", (252, 252, 252)),
    Part("eye white right", (252, 252, 252)),
    Part("iris left", (52, 128, 92)),
    Part("iris right", (52, 128, 92)),
    Part("mouth", (196, 64, 72)),
    Part("button 1", (240, 240, 232)),
    Part("button 2", (240, 240, 232)),
)
_INDEX = {part.name: i for i, part in enumerate(PARTS)}


def _ellipse(canvas: np.ndarray, name: str, center, axes, angle: float = 0.0) -> None:
    center = tuple(int(round(c)) for c in center)
    axes = tuple(max(1, int(round(a))) for a in axes)
    cv2.ellipse(
        canvas, center, axes, angle, 0, 360, _INDEX[name], thickness=-1, lineType=cv2.LINE_8
    )


def _polygon(canvas: np.ndarray, name: str, points) -> None:
    pts = np.round(np.asarray(points, dtype=np.float64)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], _INDEX[name], lineType=cv2.LINE_8)


def _arm(canvas: np.ndarray, name: str, shoulder, angle: float, length: float, width: float):
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    start = np.asarray(shoulder, dtype=np.float64)
    end = start + direction * length
    half = normal * width / 2
    _polygon(canvas, name, [start + half, end + half, end - half, start - half])
    _ellipse(canvas, name, end, (width * 0.7, width * 0.7))


def draw_parts(size: int, t: float) -> np.ndarray:
    """Index map of the mascot at time ``t`` (frames are ``t = 0, 1, 2, ...``).

    Returns
    -------
    parts : (size, size) int32
        Index into :data:`PARTS` per pixel, 0 = background.
    """
    s = size / 512.0
    canvas = np.zeros((size, size), dtype=np.int32)
    cx = size * 0.5 + 14 * s * t
    cy = size * 0.56 + 6 * s * np.sin(t * 1.3)
    wave = -0.7 + 0.45 * np.sin(t * 1.6)
    _arm(canvas, "arm left", (cx - 70 * s, cy + 10 * s), 2.2 - 0.1 * t, 100 * s, 26 * s)
    _arm(canvas, "arm right", (cx + 70 * s, cy + 10 * s), wave, 100 * s, 26 * s)
    _ellipse(canvas, "body", (cx, cy + 70 * s), (88 * s, 110 * s))
    _ellipse(canvas, "body shadow", (cx + 40 * s, cy + 90 * s), (44 * s, 80 * s), 10)
    _polygon(
        canvas,
        "belt",
        [(cx - 95 * s, cy + 95 * s), (cx + 95 * s, cy + 95 * s),
         (cx + 95 * s, cy + 118 * s), (cx - 95 * s, cy + 118 * s)],
    )  # fmt: skip
    buckle = [(-14, 98), (14, 98), (14, 115), (-14, 115)]
    _polygon(canvas, "buckle", [(cx + x * s, cy + y * s) for x, y in buckle])
    _ellipse(canvas, "button 1", (cx, cy + 20 * s), (7 * s, 7 * s))
    _ellipse(canvas, "button 2", (cx, cy + 55 * s), (7 * s, 7 * s))
    # Re-clip the body parts to the body outline so the shadow stays inside it.
    body_mask = np.zeros_like(canvas)
    _ellipse(body_mask, "body", (cx, cy + 70 * s), (88 * s, 110 * s))
    outside_shadow = (canvas == _INDEX["body shadow"]) & (body_mask == 0)
    canvas[outside_shadow] = 0
    tilt = 8 * np.sin(t * 0.9)
    hx, hy = cx + 4 * s * np.sin(t), cy - 95 * s
    _ellipse(canvas, "head", (hx, hy), (78 * s, 72 * s), tilt)
    _ellipse(canvas, "hair", (hx, hy - 40 * s), (86 * s, 46 * s), tilt)
    _ellipse(canvas, "hair highlight", (hx - 30 * s, hy - 55 * s), (26 * s, 10 * s), tilt - 20)
    for side, sign in (("left", -1), ("right", 1)):
        ex = hx + sign * 30 * s
        _ellipse(canvas, f"eye white {side}", (ex, hy + 8 * s), (16 * s, 20 * s), tilt)
        _ellipse(canvas, f"iris {side}", (ex + 3 * s * np.sin(t), hy + 12 * s), (8 * s, 11 * s))
    _ellipse(canvas, "cheek", (hx + 48 * s, hy + 34 * s), (12 * s, 7 * s))
    _ellipse(canvas, "mouth", (hx, hy + 44 * s), (16 * s, 6 * s + 4 * s * abs(np.sin(t))))
    return canvas


def render_parts(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line art and colored frame of an index map.

    A pixel is a line pixel when a 4-neighbour belongs to another part. The line is
    black unless every differing neighbour is the same part's shadow or highlight (or
    the part it shades); then it is blue (shadow) or red (highlight) and is painted
    with the shade's color.

    Returns
    -------
    line : (H, W, 4) uint8
        Black/blue/red lines on transparent paper.
    color : (H, W, 4) uint8
        Flat colors, black lines, transparent background.
    """
    family = np.array([_INDEX[p.shade_of] if p.shade_of else i for i, p in enumerate(PARTS)])
    shade = np.array([p.shade for p in PARTS])
    padded = np.pad(parts, 1, mode="edge")
    height, width = parts.shape
    black = np.zeros(parts.shape, dtype=bool)
    shade_line = np.zeros(parts.shape, dtype=np.int32)  # part index of the shade, 0 = none
    for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
        neighbour = padded[dy : dy + height, dx : dx + width]
        differs = neighbour != parts
        same_family = family[neighbour] == family[parts]
        black |= differs & ~same_family
        shade_part = np.where(shade[parts] > 0, parts, neighbour)
        shade_line = np.where(differs & same_family, shade_part, shade_line)
    colored_line = (shade_line > 0) & ~black
    rgb = np.array([p.rgb for p in PARTS], dtype=np.uint8)
    color = np.concatenate([rgb[parts], np.full(parts.shape + (1,), 255, np.uint8)], axis=2)
    color[parts == 0] = (0, 0, 0, 0)
    color[colored_line] = np.concatenate(
        [rgb[shade_line[colored_line]], np.full((int(colored_line.sum()), 1), 255, np.uint8)], 1
    )
    color[black] = _LINE_RGBA[0]
    line = np.empty(parts.shape + (4,), dtype=np.uint8)
    line[...] = PAPER_RGBA
    line[black] = _LINE_RGBA[0]
    for kind in (SHADOW, HIGHLIGHT):
        mask = colored_line & (shade[shade_line] == kind)
        line[mask] = _LINE_RGBA[kind]
    return line, color


def write_example_clip(out_dir: str | Path, frames: int = 6, size: int = 512) -> Path:
    """Write the example clip.

    Layout: ``line/NNNN.png`` for every frame, ``gt/0000.png`` as the keyframe, and
    ``truth/gt/NNNN.png`` + ``truth/seg/NNNN.png`` (correct colors and segments of every
    frame) so that ``pbc eval RESULT_DIR OUT_DIR/truth`` scores a result.

    Returns
    -------
    out_dir : Path
    """
    if frames < 1 or size < 64:
        raise ValueError("need at least 1 frame of at least 64x64 pixels")
    out_dir = Path(out_dir)
    for index in range(frames):
        line, color = render_parts(draw_parts(size, float(index)))
        name = f"{index:04d}.png"
        write_png(out_dir / "line" / name, line)
        write_png(out_dir / "truth" / "gt" / name, color)
        write_segments(out_dir / "truth" / "seg" / name, label_paper(line[..., 3] == 0))
        if index == 0:
            write_png(out_dir / "gt" / name, color)
    return out_dir
