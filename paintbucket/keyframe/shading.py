"""Shade (highlight / normal / shadow) and parsing group (hair / skin / other) per segment.

Two inputs say what a target segment is:

* *Shading annotations* (SPEC section 3): the line art with highlight and shadow
  segments filled with one of six marker colors (:data:`ANNOTATION_COLORS`). A segment
  takes the shade and group of the majority of its pixels; it is ``normal`` (group
  unknown) unless more than half of it is annotated.
* *Semantic strokes* (paper section 6.5): rough strokes on a separate image, in any of
  the six annotation colors or in the plain scheme of :data:`STROKE_COLORS`, mark hair,
  skin and other regions; a segment takes the group of the majority of its stroke
  pixels. Shade comes from the target's color lines: the region a red line belongs to
  (the smaller region it bounds, see ``assign_color_lines``) is highlight, blue shadow.
"""

from __future__ import annotations

import numpy as np

from paintbucket.io.colorbook import ColorEntry
from paintbucket.segment.lines import BLUE_LINE, RED_LINE, classify_lines
from paintbucket.segment.stats import majority_vote, segment_areas

RGB = tuple[int, int, int]

#: Shade codes.
HIGHLIGHT, NORMAL, SHADOW = 0, 1, 2
SHADES = ("highlight", "normal", "shadow")
#: Parsing group codes (-1 = unknown).
HAIR, SKIN, OTHER = 0, 1, 2
GROUPS = ("hair", "skin", "other")
UNKNOWN = -1

#: Shading-annotation fill colors per (group, shade), SPEC section 3.
ANNOTATION_COLORS: dict[tuple[int, int], RGB] = {
    (HAIR, HIGHLIGHT): (239, 238, 52),
    (SKIN, HIGHLIGHT): (255, 227, 185),
    (OTHER, HIGHLIGHT): (255, 245, 139),
    (HAIR, SHADOW): (185, 137, 253),
    (SKIN, SHADOW): (255, 179, 196),
    (OTHER, SHADOW): (188, 201, 251),
}

#: Plain stroke colors accepted besides the annotation colors: hair magenta,
#: skin orange, other cyan.
STROKE_COLORS: dict[int, RGB] = {
    HAIR: (255, 0, 255),
    SKIN: (255, 128, 0),
    OTHER: (0, 255, 255),
}

#: Colorbook variant column (highlight, normal, shadow1, shadow2) used for each shade.
SHADE_VARIANT = {HIGHLIGHT: 0, NORMAL: 1, SHADOW: 2}


def _rgb_code(rgba: np.ndarray) -> np.ndarray:
    rgba = np.asarray(rgba)
    return (
        (rgba[..., 0].astype(np.int64) << 16)
        | (rgba[..., 1].astype(np.int64) << 8)
        | rgba[..., 2].astype(np.int64)
    )


def _lookup(rgba: np.ndarray, table: dict[int, int]) -> np.ndarray:
    """(H, W) int64 value of ``table[rgb code]`` for opaque pixels, -1 elsewhere."""
    codes = np.array(sorted(table), dtype=np.int64)
    values = np.array([table[c] for c in codes], dtype=np.int64)
    pixel = _rgb_code(rgba)
    slot = np.clip(np.searchsorted(codes, pixel), 0, len(codes) - 1)
    hit = (codes[slot] == pixel) & (np.asarray(rgba)[..., 3] > 0)
    return np.where(hit, values[slot], -1)


def _code(color: RGB) -> int:
    return (color[0] << 16) | (color[1] << 8) | color[2]


def annotation_codes(anno: np.ndarray) -> np.ndarray:
    """Per-pixel ``group * 3 + shade`` of annotation colors.

    Parameters
    ----------
    anno : (H, W, 4) uint8
        Annotated line art.

    Returns
    -------
    codes : (H, W) int64
        ``group * 3 + shade`` on annotation-colored pixels, -1 elsewhere.
    """
    table = {_code(c): g * 3 + s for (g, s), c in ANNOTATION_COLORS.items()}
    return _lookup(anno, table)


def shading_from_annotation(
    segment_ids: np.ndarray, anno: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shade and group of every target segment from shading annotations.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Target segments (from the plain line art), 0 = line.
    anno : (H, W, 4) uint8
        The same drawing with highlight/shadow segments filled with annotation colors.

    Returns
    -------
    shade : (N + 1,) int8
        :data:`HIGHLIGHT`, :data:`NORMAL` or :data:`SHADOW`; ``NORMAL`` for id 0.
    group : (N + 1,) int8
        :data:`HAIR`, :data:`SKIN`, :data:`OTHER`, or :data:`UNKNOWN` where the segment
        is not annotated.
    """
    if anno.shape[:2] != segment_ids.shape:
        raise ValueError(f"annotation {anno.shape[:2]} and segments {segment_ids.shape} differ")
    num = int(segment_ids.max(initial=0))
    codes = annotation_codes(anno)
    ids, winners, votes, _ = majority_vote(segment_ids, codes, valid=codes >= 0)
    areas = segment_areas(segment_ids, num)
    shade = np.full(num + 1, NORMAL, dtype=np.int8)
    group = np.full(num + 1, UNKNOWN, dtype=np.int8)
    annotated = 2 * votes > areas[ids]
    shade[ids[annotated]] = winners[annotated] % 3
    group[ids[annotated]] = winners[annotated] // 3
    return shade, group


def groups_from_strokes(segment_ids: np.ndarray, strokes: np.ndarray) -> np.ndarray:
    """Parsing group of every segment from semantic strokes.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Target segments, 0 = line.
    strokes : (H, W, 4) uint8
        Stroke image: pixels in an annotation color or a :data:`STROKE_COLORS` color
        mark a group; every other pixel is ignored.

    Returns
    -------
    group : (N + 1,) int8
        Majority group of the stroke pixels in each segment; :data:`UNKNOWN` where no
        stroke touches it.
    """
    if strokes.shape[:2] != segment_ids.shape:
        raise ValueError(f"strokes {strokes.shape[:2]} and segments {segment_ids.shape} differ")
    table = {_code(c): g for (g, _), c in ANNOTATION_COLORS.items()}
    table.update({_code(c): g for g, c in STROKE_COLORS.items()})
    values = _lookup(strokes, table)
    ids, winners, _, _ = majority_vote(segment_ids, values, valid=values >= 0)
    group = np.full(int(segment_ids.max(initial=0)) + 1, UNKNOWN, dtype=np.int8)
    group[ids] = winners
    return group


def shade_from_color_lines(segment_ids: np.ndarray, line_art: np.ndarray) -> np.ndarray:
    """Shade of every segment from the color lines of the target drawing.

    ``segment_line_art`` gives each color-line stroke to the smaller region it bounds;
    a segment holding red-line pixels is highlight, blue-line pixels shadow (the color
    with more pixels wins when both occur).

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of ``line_art`` from ``segment_line_art``.
    line_art : (H, W, 4) uint8

    Returns
    -------
    shade : (N + 1,) int8
    """
    kinds = classify_lines(line_art)
    num = int(segment_ids.max(initial=0))
    red = np.bincount(segment_ids[kinds == RED_LINE], minlength=num + 1)[: num + 1]
    blue = np.bincount(segment_ids[kinds == BLUE_LINE], minlength=num + 1)[: num + 1]
    shade = np.full(num + 1, NORMAL, dtype=np.int8)
    shade[(red > 0) & (red >= blue)] = HIGHLIGHT
    shade[(blue > 0) & (blue > red)] = SHADOW
    shade[0] = NORMAL
    return shade


def apply_shading(entry: ColorEntry, shade: int) -> RGB:
    """Color of ``entry`` for a shade: highlight, normal or shadow1 (the first shadow).

    Falls back to the normal color where the variant is null, and to the first
    non-null color when even normal is null.
    """
    color = entry.colors[SHADE_VARIANT[int(shade)]]
    if color is None:
        color = entry.normal
    if color is None:
        color = next(c for c in entry.colors if c is not None)
    return color


def entry_group(category: str) -> int:
    """Parsing group of a semantic category: hair, skin, or other (``hat`` included,
    as in the annotations ``pbc synth`` writes)."""
    return {"hair": HAIR, "skin": SKIN}.get(category, OTHER)
