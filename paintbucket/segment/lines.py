"""Telling line pixels from paper, and black lines from color lines.

A pixel's *ink* is how far it is from blank paper once composited over white::

    ink = alpha / 255 * (1 - min(R, G, B) / 255)

so black and pure red/green/blue lines have ink 1, paper has ink 0, and an
anti-aliased edge pixel has the coverage of its line. A pixel is a line pixel when
``ink >= line_threshold``. The threshold is 0.5 (at least half covered) for crisp
drawings; ``line_threshold="auto"`` (the default) lowers it for soft ones, see
:func:`auto_line_threshold`. Among line pixels, those with chroma
``max(R, G, B) - min(R, G, B) >= color_threshold`` are color lines, named by their
strongest channel; a line pixel under half coverage (only found under a lowered
threshold) needs ``color_threshold * ink``, as a pure color anti-aliased over white
keeps its hue while it fades.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

#: Values of the line-kind map returned by :func:`classify_lines`.
PAPER, BLACK_LINE, RED_LINE, GREEN_LINE, BLUE_LINE = 0, 1, 2, 3, 4

DEFAULT_LINE_THRESHOLD = 0.5
DEFAULT_COLOR_THRESHOLD = 128
#: :func:`auto_line_threshold` uses Otsu's split of a drawing's ink only below this...
SOFT_INK_SPLIT = 0.45
#: ...and only while the lines found at 0.5 are thinner than this (pixels, see
#: :func:`line_width`).
MAX_THIN_WIDTH = 1.5
#: :func:`auto_line_threshold` leaves out pixels with at least this much chroma (0-255,
#: composited over white): color lines, which are lines at any threshold.
AUTO_COLOR_INK = 64
#: :func:`line_coverage_warning`: a frame whose lines cover less than this share of it...
MIN_LINE_SHARE = 0.001
#: ...while this much more of it carries visible ink (at least :data:`FAINT_INK`).
FAINT_TO_LINE_RATIO = 2.0
FAINT_INK = 0.05

_FULL_INK = 255 * 255


def _check_rgba(line_art: np.ndarray) -> np.ndarray:
    line_art = np.asarray(line_art)
    if line_art.dtype != np.uint8 or line_art.ndim != 3 or line_art.shape[2] != 4:
        raise ValueError(
            f"expected (H, W, 4) uint8 RGBA line art, got {line_art.dtype} {line_art.shape}"
        )
    return line_art


def _ink_product(line_art: np.ndarray) -> np.ndarray:
    """``alpha * (255 - min(R, G, B))`` of (..., 4) RGBA as (...) int32: ink scaled to
    0..65025."""
    darkest = np.minimum(np.minimum(line_art[..., 0], line_art[..., 1]), line_art[..., 2])
    return line_art[..., 3].astype(np.int32) * (255 - darkest.astype(np.int32))


def _colored_ink(rgb: np.ndarray) -> np.ndarray:
    """Whether each pixel's ink is mostly color, at any coverage: chroma at least half
    of ``255 - min(R, G, B)`` (both scale alike with alpha, so the faint fringe of a red
    stroke is colored and a gray stroke is not). ``rgb`` is (..., 3) uint8."""
    low = rgb.min(axis=-1).astype(np.int32)
    chroma = rgb.max(axis=-1).astype(np.int32) - low
    return 2 * chroma >= np.maximum(255 - low, 1)


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


#: A line pixel is drawn as line when its ink reaches this share of the strokes'
#: darkness (the gt convention: pixels under half coverage are painted like their region).
SOLID_INK_SHARE = 0.5
#: The strokes' darkness: this percentile of the ink of the line pixels.
STROKE_DARKNESS_PERCENTILE = 95


def solid_lines(line_art: np.ndarray, line_mask: np.ndarray) -> np.ndarray:
    """The line pixels that a painted frame keeps as line.

    A soft drawing is segmented at a low threshold so that its faint strokes close their
    regions (:func:`auto_line_threshold`), which also counts the anti-aliased fringe of
    every stroke as line. A painter paints that fringe: only pixels with at least half a
    stroke's ink are line. The strokes' ink is measured, not assumed black, so a gray
    pencil stroke stays line. Black (or gray) strokes and color lines are measured
    apart: saturated red or blue carries full ink, and a light pencil drawing with color
    lines would otherwise lose every pencil stroke to their darkness.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
    line_mask : (H, W) bool
        The drawing's line pixels at its segmentation threshold.

    Returns
    -------
    solid : (H, W) bool
        The pixels of ``line_mask`` whose :func:`ink` reaches :data:`SOLID_INK_SHARE` of
        the :data:`STROKE_DARKNESS_PERCENTILE` th percentile of ink over the pixels of
        ``line_mask`` of their kind (black or gray ink, or color ink: chroma at least
        half the ink, whatever the coverage). Equal to ``line_mask`` on binary drawings.

    >>> art = np.full((1, 3, 4), 255, np.uint8); art[..., 3] = [255, 100, 40]
    >>> art[..., :3] = 0
    >>> solid_lines(art, np.array([[True, True, True]])).tolist()
    [[True, False, False]]
    """
    line_art = _check_rgba(line_art)
    if line_mask.shape != line_art.shape[:2]:
        raise ValueError(
            f"line_mask {line_mask.shape} does not match the drawing {line_art.shape[:2]}"
        )
    if not line_mask.any():
        return line_mask.copy()
    pixels = line_art[line_mask]  # only line pixels: a tenth of a frame or less
    product = _ink_product(pixels)
    colored = _colored_ink(pixels[:, :3])
    solid_pixels = np.zeros(len(pixels), bool)
    for kind in (~colored, colored):
        if kind.any():
            darkness = np.percentile(product[kind], STROKE_DARKNESS_PERCENTILE)
            solid_pixels[kind] = product[kind] >= SOLID_INK_SHARE * darkness - 1e-6
    solid = np.zeros_like(line_mask)
    solid[line_mask] = solid_pixels
    return solid


def line_ink(line_art: np.ndarray, line_threshold: float | str = "auto") -> np.ndarray:
    """Ink coverage rescaled so that the drawing's line threshold becomes 0.5.

    Networks and training crops cut lines at fixed levels of ink; a soft pencil drawing
    whose strokes never reach half coverage would lose them there. Scaling its ink by
    ``0.5 / threshold`` makes its strokes look like crisp ones. Crisp drawings (threshold
    0.5) are returned unchanged.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
    line_threshold : float or "auto"
        The drawing's line threshold (see :func:`auto_line_threshold`).

    Returns
    -------
    ink : (H, W) float32 in [0, 1]
        ``min(1, ink * 0.5 / threshold)``; ``>= 0.5`` exactly where the drawing's lines are.

    >>> grey = np.full((1, 2, 4), 255, np.uint8); grey[0, 0, :3] = 178  # ink 0.30
    >>> line_ink(grey, 0.3).round(2).tolist()
    [[0.5, 0.0]]
    """
    line_art = _check_rgba(line_art)
    product = _ink_product(line_art)
    threshold = _resolve_threshold(line_art, product, line_threshold)
    coverage = product.astype(np.float32) / np.float32(_FULL_INK)
    if threshold == DEFAULT_LINE_THRESHOLD:
        return coverage
    return np.minimum(coverage * np.float32(DEFAULT_LINE_THRESHOLD / threshold), 1.0)


def auto_line_threshold(line_art: np.ndarray | Sequence[np.ndarray]) -> float:
    """Line threshold that fits a drawing (or a clip of drawings).

    Otsu's method (``cv2.threshold`` with ``THRESH_OTSU``) splits the drawing's ink
    (paper included, rounded to 1/255) into two classes, paper and strokes. The split
    replaces the crisp default 0.5 only when the drawing is soft:

    - the split is below :data:`SOFT_INK_SPLIT` (0.45): strokes grey, or so thin that
      their anti-aliased cores stay near half coverage; and
    - the lines found at 0.5 are thinner than :data:`MAX_THIN_WIDTH` (1.5 px, see
      :func:`line_width`; 0 when grey strokes never reach 0.5). Lines already that wide
      are closed at 0.5, and a lower threshold only fattens them until narrow regions
      pinch off.

    Binary drawings (every pixel paper or fully inked; any threshold gives the same
    lines) get 0.5, so crisp drawings keep exactly today's segments. All real drawings
    in ``../shared/data/real`` but ``linefiller_sketch`` are binary, as are
    ``pbc synth`` frames; the sketch gets 0.386.

    Chosen on validation frames (``pbc synth --seed 7 --size 1024``, 6 frames of 1- and
    2-px lines, never the benchmark) blurred like soft drawings (Gaussian sigma 0.4, 0.6,
    0.9, black or grey 180 strokes), scoring the true segments over 10 px found with
    IoU >= 0.5: auto is never below 0.5 and far above it on soft frames. 1-px lines,
    sigma 0.6: 658/658 at auto (0.338) vs 284/658 at 0.5; grey 180 strokes: 607-658 of
    607-658 vs 5; 2-px black lines, sigma 0.9: Otsu's 0.313 alone gave 511/607 vs 589 at
    0.5, hence the width condition (these lines are 1.8 px wide at 0.5, the 1-px ones
    1.0-1.24, the sketch 1.24).

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA, or a sequence of them
        One drawing, or the frames of a clip: each gets its own threshold as above and
        the clip takes their median, so all its frames are cut alike.

    Returns
    -------
    threshold : float
        In (0, 0.5]; ``ink >= threshold`` is line.
    """
    if isinstance(line_art, np.ndarray) and line_art.ndim == 3:
        line_art = _check_rgba(line_art)
        return _auto_threshold(line_art, _ink_product(line_art))
    thresholds = [auto_line_threshold(frame) for frame in line_art]
    if not thresholds:
        raise ValueError("auto_line_threshold needs at least one drawing")
    return float(np.median(thresholds))


def _auto_threshold(line_art: np.ndarray, product: np.ndarray) -> float:
    """:func:`auto_line_threshold` of one drawing from its :func:`_ink_product`.

    Strongly colored pixels (color lines, at least :data:`AUTO_COLOR_INK` of chroma once
    composited over white) take no part: they are lines at any threshold, and a drawing
    of light grey pencil with saturated color lines would otherwise split between the
    two kinds of line and keep 0.5, losing every pencil stroke.
    """
    if _is_binary_product(product):
        return DEFAULT_LINE_THRESHOLD
    rgb = line_art[..., :3]
    chroma = rgb.max(axis=2).astype(np.int32) - rgb.min(axis=2)
    achromatic = chroma * line_art[..., 3].astype(np.int32) < AUTO_COLOR_INK * 255
    rounded_ink = ((product[achromatic] + 127) // 255).astype(np.uint8)
    if rounded_ink.size == 0 or int(rounded_ink.max()) == 0:
        return DEFAULT_LINE_THRESHOLD
    otsu, _ = cv2.threshold(rounded_ink.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu's strokes are the pixels above ``otsu`` once rounded: ink >= (otsu + 0.5) / 255.
    split = (otsu + 0.5) / 255
    if split >= SOFT_INK_SPLIT:
        return DEFAULT_LINE_THRESHOLD
    half_inked = (product >= DEFAULT_LINE_THRESHOLD * _FULL_INK - 1e-6) & achromatic
    if _mask_width(half_inked) >= MAX_THIN_WIDTH:
        return DEFAULT_LINE_THRESHOLD
    return float(split)


def _resolve_threshold(
    line_art: np.ndarray, product: np.ndarray, line_threshold: float | str
) -> float:
    if isinstance(line_threshold, str):
        if line_threshold != "auto":
            raise ValueError(f"line_threshold must be a number or 'auto', got {line_threshold!r}")
        return _auto_threshold(line_art, product)
    if not 0.0 < line_threshold <= 1.0:
        raise ValueError(f"line_threshold must be in (0, 1], got {line_threshold}")
    return float(line_threshold)


def classify_lines(
    line_art: np.ndarray,
    line_threshold: float | str = "auto",
    color_threshold: int = DEFAULT_COLOR_THRESHOLD,
) -> np.ndarray:
    """Label every pixel as paper, black line or red/green/blue color line.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
        Line drawing (grayscale and RGB files are read with opaque alpha).
    line_threshold : float or "auto"
        Minimum ink coverage of a line pixel, in (0, 1]; ``"auto"``: the drawing's own
        :func:`auto_line_threshold` (0.5 unless its ink is soft).
    color_threshold : int
        Minimum chroma (max - min of RGB) of a color-line pixel, in 1..255; scaled by
        the pixel's ink under half coverage.

    Returns
    -------
    kinds : (H, W) uint8
        :data:`PAPER` (0), :data:`BLACK_LINE` (1), :data:`RED_LINE` (2),
        :data:`GREEN_LINE` (3) or :data:`BLUE_LINE` (4).
    """
    if not 1 <= color_threshold <= 255:
        raise ValueError(f"color_threshold must be in 1..255, got {color_threshold}")
    line_art = _check_rgba(line_art)
    product = _ink_product(line_art)
    line_threshold = _resolve_threshold(line_art, product, line_threshold)
    is_line = product >= line_threshold * _FULL_INK - 1e-6
    kinds = is_line.view(np.uint8) * np.uint8(BLACK_LINE)
    rows, cols = np.nonzero(is_line)
    rgb = line_art[rows, cols, :3]
    chroma = rgb.max(axis=1).astype(np.int32) - rgb.min(axis=1)
    line_product = product[rows, cols]
    # chroma >= color_threshold for pixels at least half inked (as at threshold 0.5),
    # chroma >= color_threshold * ink below; in integer units of 1 / 255**2.
    needed = np.where(2 * line_product >= _FULL_INK, _FULL_INK, line_product)
    colored = chroma * _FULL_INK >= color_threshold * needed.astype(np.int64)
    kinds[rows[colored], cols[colored]] = RED_LINE + rgb[colored].argmax(axis=1)
    return kinds


def line_coverage_warning(line_art: np.ndarray, line_threshold: float | str = "auto") -> str | None:
    """A warning when almost no line is found in a drawing, else None.

    Fires when line pixels cover less than :data:`MIN_LINE_SHARE` (0.1%) of the frame
    while at least :data:`FAINT_TO_LINE_RATIO` times as many pixels carry visible ink
    (``ink >= FAINT_INK``, 0.05, i.e. grey 242 on white): the strokes are fainter than
    the threshold and the frame would become a few huge segments. Also fires on a frame
    without any visible ink. A frame that is merely small in ink but whose ink is all line
    (the first frames of smoke_explosion: 0.03% and 0.08% line, all of it crisp) passes.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
    line_threshold : float or "auto"
        As given to :func:`classify_lines`.

    Returns
    -------
    message : str or None
        One line without the file name (the caller prefixes it), e.g.
        ``"almost no line found: 0.00% of the pixels are line at line threshold 0.50, but
        4.21% carry ink; lower --line-threshold or use auto"``.
    """
    line_art = _check_rgba(line_art)
    product = _ink_product(line_art)
    if product.size == 0:
        return None
    threshold = _resolve_threshold(line_art, product, line_threshold)
    lines = np.count_nonzero(product >= threshold * _FULL_INK - 1e-6)
    marks = np.count_nonzero(product >= FAINT_INK * _FULL_INK)
    if marks == 0:
        return "no line found: the drawing is blank"
    if lines >= MIN_LINE_SHARE * product.size or marks < FAINT_TO_LINE_RATIO * lines:
        return None
    return (
        f"almost no line found: {lines / product.size:.2%} of the pixels are line at line "
        f"threshold {threshold:.2f}, but {marks / product.size:.2%} carry ink; "
        "lower --line-threshold or use auto"
    )


def is_binary(line_art: np.ndarray) -> bool:
    """True when the drawing has no anti-aliasing: every pixel is paper or fully inked."""
    return _is_binary_product(_ink_product(_check_rgba(line_art)))


def _is_binary_product(product: np.ndarray) -> bool:
    return bool(np.all((product == 0) | (product == _FULL_INK)))


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
    return _mask_width(np.asarray(coverage) >= threshold)


def _mask_width(inked: np.ndarray) -> float:
    """:func:`line_width` of a (H, W) bool ink mask."""
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
