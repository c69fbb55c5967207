"""Telling line pixels from paper, and black lines from color lines.

A pixel's *ink* is how far it is from blank paper once composited over white::

    ink = alpha / 255 * (1 - min(R, G, B) / 255)

so black and pure red/green/blue lines have ink 1, paper has ink 0, and an
anti-aliased edge pixel has the coverage of its line. A pixel is a line pixel when
``ink >= line_threshold`` (default 0.5: at least half covered). Among line pixels,
those with chroma ``max(R, G, B) - min(R, G, B) >= color_threshold`` are color lines,
named by their strongest channel.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Values of the line-kind map returned by :func:`classify_lines`.
PAPER, BLACK_LINE, RED_LINE, GREEN_LINE, BLUE_LINE = 0, 1, 2, 3, 4

DEFAULT_LINE_THRESHOLD = 0.5
DEFAULT_COLOR_THRESHOLD = 128


def _check_rgba(line_art: np.ndarray) -> np.ndarray:
    line_art = np.asarray(line_art)
    if line_art.dtype != np.uint8 or line_art.ndim != 3 or line_art.shape[2] != 4:
        raise ValueError(
            f"expected (H, W, 4) uint8 RGBA line art, got {line_art.dtype} {line_art.shape}"
        )
    return line_art


def _ink_product(line_art: np.ndarray) -> np.ndarray:
    """``alpha * (255 - min(R, G, B))`` as (H, W) int32: ink scaled to 0..65025."""
    darkest = np.minimum(np.minimum(line_art[..., 0], line_art[..., 1]), line_art[..., 2])
    return line_art[..., 3].astype(np.int32) * (255 - darkest.astype(np.int32))


def ink(line_art: np.ndarray) -> np.ndarray:
    """Ink coverage of every pixel.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA

    Returns
    -------
    ink : (H, W) float32 in [0, 1]
        0 = blank paper, 1 = fully inked.
    """
    return _ink_product(_check_rgba(line_art)).astype(np.float32) / np.float32(255 * 255)


def classify_lines(
    line_art: np.ndarray,
    line_threshold: float = DEFAULT_LINE_THRESHOLD,
    color_threshold: int = DEFAULT_COLOR_THRESHOLD,
) -> np.ndarray:
    """Label every pixel as paper, black line or red/green/blue color line.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
        Line drawing (grayscale and RGB files are read with opaque alpha).
    line_threshold : float
        Minimum ink coverage of a line pixel, in (0, 1].
    color_threshold : int
        Minimum chroma (max - min of RGB) of a color-line pixel, in 1..255.

    Returns
    -------
    kinds : (H, W) uint8
        :data:`PAPER` (0), :data:`BLACK_LINE` (1), :data:`RED_LINE` (2),
        :data:`GREEN_LINE` (3) or :data:`BLUE_LINE` (4).
    """
    if not 0.0 < line_threshold <= 1.0:
        raise ValueError(f"line_threshold must be in (0, 1], got {line_threshold}")
    if not 1 <= color_threshold <= 255:
        raise ValueError(f"color_threshold must be in 1..255, got {color_threshold}")
    line_art = _check_rgba(line_art)
    is_line = _ink_product(line_art) >= line_threshold * (255 * 255) - 1e-6
    kinds = is_line.view(np.uint8) * np.uint8(BLACK_LINE)
    rows, cols = np.nonzero(is_line)
    rgb = line_art[rows, cols, :3]
    chroma = rgb.max(axis=1).astype(np.int16) - rgb.min(axis=1)
    colored = chroma >= color_threshold
    kinds[rows[colored], cols[colored]] = RED_LINE + rgb[colored].argmax(axis=1)
    return kinds


def is_binary(line_art: np.ndarray) -> bool:
    """True when the drawing has no anti-aliasing: every pixel is paper or fully inked."""
    product = _ink_product(_check_rgba(line_art))
    return bool(np.all((product == 0) | (product == 255 * 255)))


def line_width(coverage: np.ndarray, threshold: float = DEFAULT_LINE_THRESHOLD) -> float:
    """Mean stroke width of a drawing, in pixels.

    A stroke of width ``w`` and length ``L`` covers ``w * L`` pixels and has an outline
    of about ``2 * L`` pixel edges, so the width is twice the inked area over the
    number of 4-neighbour edges between ink and paper. Junctions and stair-stepped
    diagonals make it read a little low (a 2-px synthetic outline gives about 1.7).

    Parameters
    ----------
    coverage : (H, W) float
        Ink coverage in [0, 1] (see :func:`ink`).
    threshold : float
        Coverage from which a pixel counts as ink.

    Returns
    -------
    width : float
        0.0 for a drawing without ink.
    """
    inked = np.asarray(coverage) >= threshold
    edges = np.count_nonzero(inked[:, 1:] != inked[:, :-1]) + np.count_nonzero(
        inked[1:] != inked[:-1]
    )
    return 2.0 * np.count_nonzero(inked) / edges if edges else 0.0


def widen_lines(coverage: np.ndarray, scale: float, min_width: float) -> np.ndarray:
    """Thicken thin strokes before a drawing is shrunk by ``scale``.

    A model trained on drawings whose lines are about ``min_width`` pixels wide at its
    working size sees broken outlines when thinner strokes are shrunk; dilating them
    first by the whole number of pixels that makes up the difference restores the width
    it was trained on. Drawings already that wide are returned unchanged.

    Parameters
    ----------
    coverage : (H, W) float32
        Ink coverage in [0, 1] at full resolution.
    scale : float
        Working size over full size (e.g. 0.5).
    min_width : float
        Wanted stroke width at the working size, in working pixels; 0 disables.

    Returns
    -------
    coverage : (H, W) float32
        Dilated with a square of side ``1 + round(min_width / scale - line_width)``
        where that is at least 2, else the input itself.
    """
    if min_width <= 0 or scale <= 0 or coverage.size == 0:
        return coverage
    extra = int(round(min_width / scale - line_width(coverage)))
    if extra < 1:
        return coverage
    return cv2.dilate(coverage, np.ones((extra + 1, extra + 1), np.uint8))
