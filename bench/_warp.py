"""Smooth random warps of a colored drawing, shared by the real-drawing benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from paintbucket.io import normalize_transparent
from paintbucket.segment import PAPER, classify_lines

#: Bilinear ink coverage that a warped pixel needs to be line. At 0.35 the 1-px strokes of
#: the real drawings broke where the warp stretched them (a 1-px gap in smoke_explosion's
#: outline let its smoke run into the background); at 0.25 none of them does.
LINE_COVERAGE = 0.25


@dataclass(frozen=True)
class Warp:
    """A rotation, scale and shift plus a gentle elastic field, for a drawing's size."""

    angle: float  # degrees
    scale: float  # 1 = unchanged
    shift: np.ndarray  # (2,) fraction of (width, height)
    field: np.ndarray  # (2, 5, 5) elastic displacement in pixels, coarse grid


def random_warp(rng: np.random.Generator, size: tuple[int, int], strength: float) -> Warp:
    """Draw a warp for a ``size = (height, width)`` drawing (draws in a fixed order, so a
    seed gives the same warp as before this helper existed)."""
    height, width = size
    angle = rng.uniform(-6, 6) * strength
    scale = 1 + rng.uniform(-0.06, 0.06) * strength
    shift = rng.uniform(-0.03, 0.03, 2) * strength
    field = rng.normal(0, 0.012 * strength * max(height, width), (2, 5, 5)).astype(np.float32)
    return Warp(angle, scale, shift, field)


def apply_warp(
    line: np.ndarray, color: np.ndarray, warp: Warp, amount: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Warp a drawing and its colors with ``amount`` (0..1) of ``warp``.

    Lines: coverage sampled bilinearly, anything at least :data:`LINE_COVERAGE` inked
    kept, so that 1-px strokes stay closed where the warp stretches or turns them;
    colors: nearest sampling, so they stay flat. Outside the source the drawing is
    mirrored, so that a character cut by the frame's edge stays cut by it (with an empty
    border its regions would open into the background there).
    """
    height, width = line.shape[:2]
    matrix = cv2.getRotationMatrix2D(
        (width / 2, height / 2), warp.angle * amount, 1 + (warp.scale - 1) * amount
    )
    matrix[:, 2] += warp.shift * amount * np.array([width, height])
    grid_x, grid_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    inverse = cv2.invertAffineTransform(matrix)
    map_x = inverse[0, 0] * grid_x + inverse[0, 1] * grid_y + inverse[0, 2]
    map_y = inverse[1, 0] * grid_x + inverse[1, 1] * grid_y + inverse[1, 2]
    field = warp.field * amount
    map_x = map_x + cv2.resize(field[0], (width, height), interpolation=cv2.INTER_CUBIC)
    map_y = map_y + cv2.resize(field[1], (width, height), interpolation=cv2.INTER_CUBIC)
    map_x, map_y = map_x.astype(np.float32), map_y.astype(np.float32)
    kinds = classify_lines(line)
    mirror = {"borderMode": cv2.BORDER_REFLECT}
    inked = cv2.remap((kinds != PAPER).astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, **mirror)
    ink_color = cv2.remap(line, map_x, map_y, cv2.INTER_NEAREST, **mirror)
    new_line = np.zeros_like(line)
    new_line[..., :3] = 255
    is_line = inked >= LINE_COVERAGE
    new_line[is_line] = ink_color[is_line]
    new_line[is_line & (ink_color[..., 3] == 0)] = (0, 0, 0, 255)
    new_color = cv2.remap(normalize_transparent(color), map_x, map_y, cv2.INTER_NEAREST, **mirror)
    return new_line, new_color
