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
    line_art = _check_rgba(line_art)
    darkest = line_art[..., :3].min(axis=2).astype(np.float32)
    return (line_art[..., 3].astype(np.float32) / 255.0) * (1.0 - darkest / 255.0)


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
    is_line = ink(line_art) >= line_threshold
    rgb = line_art[..., :3]
    chroma = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    is_color = is_line & (chroma >= color_threshold)
    kinds = np.where(is_line, BLACK_LINE, PAPER).astype(np.uint8)
    kinds[is_color] = (RED_LINE + rgb.argmax(axis=2)[is_color]).astype(np.uint8)
    return kinds


def is_binary(line_art: np.ndarray) -> bool:
    """True when the drawing has no anti-aliasing: every pixel is paper or fully inked."""
    coverage = ink(line_art)
    return bool(np.all((coverage <= 0.0) | (coverage >= 1.0)))
