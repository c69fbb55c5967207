"""Network-input preparation shared by the colorizers and the trainers.

Arrays in, arrays out (NumPy/OpenCV): working sizes, line masks at the working size and
the random colors of color redistribution. Only :func:`image_tensor` touches torch, and
imports it when called, so that the keyframe and consecutive colorizers (and ``pbc
--help``) can import this module without loading torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from paintbucket.segment.lines import line_ink, widen_lines

if TYPE_CHECKING:
    import torch

#: Ink above this (after resizing to the working size) is line, as in training.
WORK_LINE_THRESHOLD = 0.3


def work_shape(
    height: int, width: int, work_size: int, multiple: int = 16, enlarge: bool = False
) -> tuple[int, int]:
    """(h, w) network input size of an ``height`` x ``width`` frame: scaled so the longer
    side is ``work_size`` (never up unless ``enlarge``), both multiples of ``multiple``."""
    scale = work_size / max(height, width)
    if not enlarge:
        scale = min(1.0, scale)
    return (
        max(multiple, round(height * scale / multiple) * multiple),
        max(multiple, round(width * scale / multiple) * multiple),
    )


def work_line(
    line_art: np.ndarray,
    shape: tuple[int, int],
    threshold: float = WORK_LINE_THRESHOLD,
    min_width: float = 0.0,
) -> np.ndarray:
    """(h, w) float32 line mask of a drawing at the network's working ``shape``: ink
    coverage (:func:`~paintbucket.segment.lines.line_ink`, so a soft pencil drawing's
    strokes count as fully inked at its own line threshold) after area resizing,
    thresholded at ``threshold``. Strokes thinner than
    ``min_width`` working pixels are first widened
    (:func:`~paintbucket.segment.lines.widen_lines`; 0 = as drawn)."""
    coverage = line_ink(line_art)
    coverage = widen_lines(coverage, max(shape) / max(*coverage.shape, 1), min_width)
    coverage = cv2.resize(coverage, shape[::-1], interpolation=cv2.INTER_AREA)
    return (coverage >= threshold).astype(np.float32)


def view_image(
    ink: np.ndarray, foreground: np.ndarray, size: int = 96, min_width: float = 0.0
) -> np.ndarray:
    """Crop a drawing to its character and fit it into a square, keeping the aspect.

    Parameters
    ----------
    ink : (H, W) float32
        Ink coverage in [0, 1].
    foreground : (H, W) bool
        The character (e.g. :func:`paintbucket.segment.labels.foreground_mask`).
    size : int
        Side of the output.
    min_width : float
        Strokes thinner than this many output pixels are widened before shrinking
        (:func:`~paintbucket.segment.lines.widen_lines`); 0 = as drawn.

    Returns
    -------
    image : (size, size) float32
        Ink in [0, 1], centred, background 0.
    """
    ys, xs = np.nonzero(foreground)
    if xs.size == 0:
        ys, xs = np.nonzero(np.ones_like(foreground))
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    height, width = crop.shape
    scale = (size - 4) / max(height, width)
    crop = widen_lines(crop.astype(np.float32), scale, min_width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA)
    out = np.zeros((size, size), np.float32)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = resized
    return np.clip(out * 2.0, 0.0, 1.0)  # thin lines survive the downscale


#: Levels of the RGB grid that redistributed colors are drawn from (black is excluded).
GRID_LEVELS = np.array([0, 51, 102, 153, 204, 255], dtype=np.uint8)


def redistribution_colors(count: int, rng: np.random.Generator) -> np.ndarray:
    """Distinct random colors for color redistribution (paper section 5.3).

    Reference regions are repainted with these before warping, so that similar palette
    colors do not look alike to the network.

    Returns
    -------
    colors : (count, 3) uint8
        Distinct (while ``count`` < 215) non-black colors from a 6-level RGB grid.
    """
    levels = len(GRID_LEVELS)
    choices = rng.choice(levels**3 - 1, size=count, replace=count > levels**3 - 1) + 1
    return np.stack(
        [GRID_LEVELS[choices // levels**2], GRID_LEVELS[(choices // levels) % levels],
         GRID_LEVELS[choices % levels]], axis=1,
    )  # fmt: skip


def image_tensor(array: np.ndarray, device: str | torch.device = "cpu") -> torch.Tensor:
    """Numpy image -> model input: (H, W) -> [1 x 1 x H x W], (H, W, C) -> [1 x C x H x W],
    float32 on ``device``."""
    import torch  # lazy: torch (the colorizers import this module)

    value = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    value = value[None, None] if value.ndim == 2 else value.permute(2, 0, 1)[None]
    return value.to(device)
