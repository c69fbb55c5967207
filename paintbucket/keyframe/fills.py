"""Flat fills of a design-sheet view, and the implicit color lines between them.

Studios paint cel shadows and highlights as shapes without an outline, and their fills
do not always stop at the line, so one line-enclosed segment of a sheet view often holds
two or more flat colors. Such a view is read as a drawing whose *color boundaries are
lines too*: every segment is split along the boundaries between two fills (or a fill and
the transparent paper), :func:`split_by_color`.

What counts as a flat color (:func:`analyze_fills`): a color that covers at least
:data:`MIN_CORE_PIXELS` pixels whose whole 3 x 3 neighbourhood has that same color (line
pixels and the image border do not count against it). Isolated off-palette pixels
(*strays*: a stray anti-aliased pixel, the odd dot of a gradient) take the color of the
nearest flat pixel. A view is refused as not flat when more than
:data:`MAX_SOFT_SHARE` of its color boundaries are *soft*: a stray lies on them
(anti-aliasing, blur) or the two colors differ by at most :data:`GRADIENT_STEP` levels
(the bands of a gradient). Measured on ``../shared/data/real/morevna`` with its line
art: the three ``*_fill.png`` views have 0.3 % (saha side), 1.7 % (saha front) and 17 %
(sita front, whose eyes glow) soft boundaries; saha's front fills alone, anti-aliased by
a 2x downscale, have 76 %, blurred (sigma 0.7) 100 %, shaded by a vertical 30 % ramp 62 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from paintbucket.io.images import LINE_COLOR, normalize_transparent
from paintbucket.segment.labels import relabel_sequential
from paintbucket.segment.stats import nearest_fill, pack_rgba, unpack_rgba

#: A flat color has at least this many pixels surrounded by their own color.
MIN_CORE_PIXELS = 4
#: Two touching colors closer than this in every channel are steps of a gradient.
GRADIENT_STEP = 3
#: A view with a larger share of soft color boundaries is refused as not flat.
MAX_SOFT_SHARE = 0.25
#: How many off-palette colors an error message names.
MAX_LISTED = 3
#: A piece of a segment lying within this many pixels of a line is fill that ran past
#: the outline (:func:`absorb_leaks`).
LEAK_WIDTH = 2
#: In a single colored image, lines are pixels this dark (max of R, G, B)...
DARK_LEVEL = 64
#: ...in strokes narrower than this many pixels (wider dark areas are fills).
MAX_LINE_WIDTH = 4

_NEIGHBOURS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


@dataclass
class FlatFills:
    """The flat colors of a colored image.

    Attributes
    ----------
    palette : (P, 4) uint8
        The flat colors, sorted by packed RGBA (transparent, when present, first).
    index : (H, W) int32
        Palette index of every pixel of the domain (strays: of the nearest flat pixel);
        -1 outside the domain.
    stray : (H, W) bool
        Domain pixels whose own color is not a flat color.
    stray_colors : (S, 4) uint8
        The distinct off-palette colors, most frequent first.
    boundary_pairs : int
        4-neighbour pixel pairs whose colors differ (strays flattened; pixels off the
        domain, such as lines, with their own colors).
    soft_pairs : int
        Those of them that touch a stray or join two colors of a gradient.
    """

    palette: np.ndarray
    index: np.ndarray
    stray: np.ndarray
    stray_colors: np.ndarray
    boundary_pairs: int
    soft_pairs: int

    @property
    def soft_share(self) -> float:
        """Share of the color boundaries that are soft, in [0, 1] (0 without boundaries)."""
        return self.soft_pairs / self.boundary_pairs if self.boundary_pairs else 0.0

    def problem(self) -> str | None:
        """Why the image is not flat (one line), or None when it is."""
        if len(self.palette) == 0:
            return "reference is not flat: no color covers a flat area (anti-aliased or noisy?)"
        if self.soft_share <= MAX_SOFT_SHARE:
            return None
        listed = ", ".join(str(tuple(c)) for c in self.stray_colors[:MAX_LISTED].tolist())
        strays = (
            f"; {len(self.stray_colors)} off-palette color(s) on "
            f"{int(self.stray.sum())} pixels, e.g. {listed}"
            if len(self.stray_colors)
            else ""
        )
        return (
            f"reference is not flat: {self.soft_share:.0%} of its color boundaries are soft "
            f"(anti-aliased, blurred or gradient; at most {MAX_SOFT_SHARE:.0%} allowed){strays}; "
            "a design sheet needs flat fills"
        )


def _core_pixels(packed: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """(H, W) bool: domain pixels whose 8 neighbours inside the domain share their color."""
    height, width = packed.shape
    padded = np.pad(packed, 1, mode="edge")
    padded_domain = np.pad(domain, 1, mode="constant", constant_values=False)
    core = domain.copy()
    for dy, dx in _NEIGHBOURS:
        window = (slice(1 + dy, 1 + dy + height), slice(1 + dx, 1 + dx + width))
        core &= (padded[window] == packed) | ~padded_domain[window]
    return core


def _pairs(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values of every horizontal and vertical pair of 4-neighbours, flattened."""
    first = np.concatenate([array[:, :-1].ravel(), array[:-1].ravel()])
    second = np.concatenate([array[:, 1:].ravel(), array[1:].ravel()])
    return first, second


def analyze_fills(color: np.ndarray, domain: np.ndarray | None = None) -> FlatFills:
    """Find the flat colors of an image and flatten its strays.

    Parameters
    ----------
    color : (H, W, 4) uint8
        The colored image; every fully transparent pixel counts as one color.
    domain : (H, W) bool, optional
        The fill pixels (e.g. not on a black line); all pixels by default.

    Returns
    -------
    FlatFills
    """
    height, width = color.shape[:2]
    domain = np.ones((height, width), bool) if domain is None else np.asarray(domain, bool)
    packed = pack_rgba(normalize_transparent(color))
    values, inverse = np.unique(packed, return_inverse=True)
    inverse = inverse.reshape(height, width).astype(np.int32)
    core = np.bincount(inverse[_core_pixels(packed, domain)], minlength=len(values))
    flat = core >= MIN_CORE_PIXELS
    lookup = np.cumsum(flat).astype(np.int32) - 1  # value index -> palette index
    known = domain & flat[inverse]
    index = nearest_fill(np.where(known, lookup[inverse], -1), known)
    index[~domain] = -1
    stray = domain & ~known
    stray_values, stray_counts = np.unique(packed[stray], return_counts=True)
    stray_colors = unpack_rgba(stray_values[np.argsort(-stray_counts, kind="stable")])

    # Boundaries are counted over the whole image: pixels off the domain (lines) keep
    # their own color, so an anti-aliased line edge is as soft as an anti-aliased fill edge.
    palette = unpack_rgba(values[flat]).reshape(-1, 4)
    own_label = np.where(flat, lookup, len(palette) + np.arange(len(values)))[inverse]
    label = np.where(domain, index, own_label)
    rgb = np.concatenate([palette, unpack_rgba(values).reshape(-1, 4)]).astype(np.int16)
    first, second = _pairs(label)
    boundary = first != second
    first, second = first[boundary], second[boundary]
    first_known, second_known = (k[boundary] for k in _pairs(known | ~domain))
    step = np.abs(rgb[first, :3] - rgb[second, :3]).max(axis=1) <= GRADIENT_STEP
    soft = ~(first_known & second_known) | (step & (rgb[first, 3] == rgb[second, 3]))
    return FlatFills(
        palette, index.astype(np.int32), stray, stray_colors.reshape(-1, 4),
        int(boundary.sum()), int(soft.sum()),
    )  # fmt: skip


def split_by_color(segment_ids: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split segments along color boundaries: the implicit color lines.

    A new segment is a 4-connected set of pixels of one old segment and one color.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the line art, 0 = line.
    index : (H, W) int
        Flat color (palette index) of every pixel, >= 0 wherever ``segment_ids > 0``.

    Returns
    -------
    segment_ids : (H, W) int32
        0 on the same line pixels, 1..N on the split segments.
    segment_palette_index : (N + 1,) int32
        Palette index of every new segment (-1 for id 0).

    Examples
    --------
    >>> ids = np.array([[1, 1, 1, 0, 2]], dtype=np.int32)
    >>> split, colors = split_by_color(ids, np.array([[0, 0, 1, 1, 1]]))
    >>> split.tolist(), colors.tolist()
    ([[1, 1, 2, 0, 3]], [-1, 0, 1, 1])
    """
    paper = segment_ids > 0
    component = np.zeros(segment_ids.shape, np.int64)
    offset = 0
    for color in np.unique(index[paper]).tolist():
        mask = (paper & (index == color)).view(np.uint8)
        count, labels = cv2.connectedComponents(mask, connectivity=4, ltype=cv2.CV_32S)
        component[labels > 0] = labels[labels > 0] + offset
        offset += count - 1
    key = component[paper] * (int(segment_ids.max(initial=0)) + 1) + segment_ids[paper]
    # Number the new segments in raster order of their first pixel.
    unique_keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    split = np.zeros(segment_ids.shape, np.int32)
    split[paper] = rank[inverse] + 1
    segment_palette_index = np.full(len(unique_keys) + 1, -1, np.int32)
    segment_palette_index[rank + 1] = index[paper][first]
    return split, segment_palette_index


def segment_contacts(segment_ids: np.ndarray) -> np.ndarray:
    """Every 4-neighbour pixel edge between two different segments (no line between).

    Parameters
    ----------
    segment_ids : (H, W) int, 0 = line

    Returns
    -------
    pairs : (M, 2) int64
        ``(segment, other segment)``, each edge once in each direction.

    Examples
    --------
    >>> segment_contacts(np.array([[1, 2, 0, 3]])).tolist()
    [[1, 2], [2, 1]]
    """
    first, second = _pairs(segment_ids)
    touching = (first != second) & (first > 0) & (second > 0)
    a, b = first[touching].astype(np.int64), second[touching].astype(np.int64)
    return np.stack([np.concatenate([a, b]), np.concatenate([b, a])], axis=1)


def absorb_leaks(
    segment_ids: np.ndarray,
    split: np.ndarray,
    split_palette_index: np.ndarray,
    line_mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Give fill that ran past an outline back to the piece it sits in.

    A piece of a line segment (see :func:`split_by_color`) that lies entirely within
    :data:`LEAK_WIDTH` pixels of a line, and is not the largest piece of its segment,
    joins the neighbouring piece of the same segment it shares the most pixel edges with.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the line art, 0 = line.
    split : (H, W) int32
        Those segments split by color (0 on the same pixels).
    split_palette_index : (N + 1,) int32
        Color of every piece (-1 for id 0).
    line_mask : (H, W) bool
        Line pixels.

    Returns
    -------
    split : (H, W) int32
        Renumbered 1..N' with the leaks merged, in the order of the pieces they keep.
    segment_palette_index : (N' + 1,) int32
        Color of every piece (a merged leak takes its neighbour's).
    """
    num = int(split.max(initial=0))
    if num == 0:
        return split, split_palette_index
    size = 2 * LEAK_WIDTH + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    near_line = cv2.dilate(line_mask.view(np.uint8), kernel).astype(bool)
    far = np.bincount(split[~near_line], minlength=num + 1)
    areas = np.bincount(split.ravel(), minlength=num + 1)
    owner = np.zeros(num + 1, np.int64)
    owner[split.ravel()] = segment_ids.ravel()
    # The largest piece of every segment stays whatever its shape.
    largest = np.zeros(int(owner.max()) + 1, np.int64)
    np.maximum.at(largest, owner, areas)
    leak = (far == 0) & (areas < largest[owner])
    leak[0] = False
    if not leak.any():
        return split, split_palette_index
    pairs = segment_contacts(split)
    pairs = pairs[
        leak[pairs[:, 0]] & ~leak[pairs[:, 1]] & (owner[pairs[:, 0]] == owner[pairs[:, 1]])
    ]
    if len(pairs) == 0:
        return split, split_palette_index
    unique_pairs, counts = np.unique(pairs, axis=0, return_counts=True)
    order = np.lexsort((-counts, unique_pairs[:, 0]))
    sources, first = np.unique(unique_pairs[order, 0], return_index=True)
    lookup = np.arange(num + 1, dtype=np.int32)
    lookup[sources] = unique_pairs[order, 1][first]
    kept = np.flatnonzero(lookup == np.arange(num + 1))
    return relabel_sequential(lookup[split]), split_palette_index[kept].astype(np.int32)


def lines_from_color(color: np.ndarray) -> np.ndarray:
    """Black line art of a colored image that has its lines drawn in.

    Line pixels are pure black (:data:`~paintbucket.io.images.LINE_COLOR`, the line color
    of a colored sheet view), or dark (every channel at most :data:`DARK_LEVEL`) and
    opaque in strokes at most :data:`MAX_LINE_WIDTH` pixels wide: a morphological opening
    removes the thin strokes from the dark mask, what it keeps are dark fills (black
    hair painted (16, 16, 16), dark trousers).

    Parameters
    ----------
    color : (H, W, 4) uint8

    Returns
    -------
    line_art : (H, W, 4) uint8
        Black on the line pixels, transparent elsewhere.
    """
    black = np.all(color == np.array(LINE_COLOR, np.uint8), axis=-1)
    dark = (color[..., :3].max(axis=2) <= DARK_LEVEL) & (color[..., 3] == 255)
    size = MAX_LINE_WIDTH + 1
    kernel = np.ones((size, size), np.uint8)
    wide = cv2.morphologyEx(dark.view(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    line_art = np.zeros(color.shape[:2] + (4,), np.uint8)
    line_art[black | (dark & ~wide)] = LINE_COLOR
    return line_art


def draw_color_boundaries(line_art: np.ndarray, segment_ids: np.ndarray) -> np.ndarray:
    """Line art with the implicit color lines drawn in, as a network should see it.

    A sheet view split by :func:`split_by_color` has segments that touch with no line
    between them (a cel shadow's edge). The matchers learned from drawings whose shade
    boundaries are drawn as color lines, so the pixels on both sides of every such
    boundary are drawn as line: a 2-px stroke, like a synthetic color line.

    Parameters
    ----------
    line_art : (H, W, 4) uint8
        The view's line art.
    segment_ids : (H, W) int32
        Its segments after the split, 0 = line.

    Returns
    -------
    line_art : (H, W, 4) uint8
        A copy, :data:`~paintbucket.io.images.LINE_COLOR` on the boundary pixels.

    >>> ids = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, 0, 0]], np.int32)
    >>> art = draw_color_boundaries(np.zeros((3, 4, 4), np.uint8), ids)
    >>> (art[..., 3] > 0).astype(int).tolist()
    [[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    """
    boundary = np.zeros(segment_ids.shape, dtype=bool)
    for first, second in ((np.s_[:, :-1], np.s_[:, 1:]), (np.s_[:-1], np.s_[1:])):
        a, b = segment_ids[first], segment_ids[second]
        differ = (a != b) & (a > 0) & (b > 0)
        boundary[first] |= differ
        boundary[second] |= differ
    drawn = line_art.copy()
    drawn[boundary] = LINE_COLOR
    return drawn
