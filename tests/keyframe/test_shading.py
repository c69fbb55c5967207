from __future__ import annotations

import numpy as np

from paintbucket.io.colorbook import ColorEntry
from paintbucket.keyframe.shading import (
    ANNOTATION_COLORS,
    HAIR,
    HIGHLIGHT,
    NORMAL,
    OTHER,
    SHADOW,
    SKIN,
    STROKE_COLORS,
    UNKNOWN,
    apply_shading,
    groups_from_strokes,
    shade_from_color_lines,
    shading_from_annotation,
)
from paintbucket.segment import segment_line_art

# Four 2x3 segments side by side (ids 1..4).
SEGMENTS = np.repeat(np.repeat(np.arange(1, 5, dtype=np.int32)[None], 2, axis=0), 3, axis=1)


def _canvas() -> np.ndarray:
    image = np.zeros(SEGMENTS.shape + (4,), dtype=np.uint8)
    image[...] = (255, 255, 255, 0)
    return image


def test_shading_from_annotation_majority() -> None:
    anno = _canvas()
    anno[:, 0:3] = (*ANNOTATION_COLORS[(HAIR, SHADOW)], 255)  # segment 1 fully
    anno[:, 3:6] = (*ANNOTATION_COLORS[(SKIN, HIGHLIGHT)], 255)  # segment 2: 4 of 6
    anno[0, 3:5] = (*ANNOTATION_COLORS[(OTHER, SHADOW)], 255)
    anno[0, 6] = (*ANNOTATION_COLORS[(OTHER, SHADOW)], 255)  # segment 3: 1 of 6 only
    shade, group = shading_from_annotation(SEGMENTS, anno)
    assert shade.tolist() == [NORMAL, SHADOW, HIGHLIGHT, NORMAL, NORMAL]
    assert group.tolist() == [UNKNOWN, HAIR, SKIN, UNKNOWN, UNKNOWN]


def test_groups_from_strokes_both_schemes() -> None:
    strokes = _canvas()
    strokes[0, 0] = (*STROKE_COLORS[SKIN], 255)  # one stroke pixel is enough
    strokes[1, 3:6] = (*ANNOTATION_COLORS[(HAIR, HIGHLIGHT)], 255)
    strokes[0, 3] = (*STROKE_COLORS[OTHER], 255)
    strokes[0, 9] = (10, 20, 30, 255)  # not a stroke color
    group = groups_from_strokes(SEGMENTS, strokes)
    assert group.tolist() == [UNKNOWN, SKIN, HAIR, UNKNOWN, UNKNOWN]


def test_shade_from_color_lines_picks_smaller_region() -> None:
    art = np.zeros((12, 20, 4), dtype=np.uint8)
    art[...] = (255, 255, 255, 0)
    art[1, 1:19] = art[10, 1:19] = (0, 0, 0, 255)
    art[1:11, 1] = art[1:11, 18] = (0, 0, 0, 255)
    art[2:10, 5] = (255, 0, 0, 255)  # red line: small pocket on the left is highlight
    art[2:10, 14] = (0, 0, 255, 255)  # blue line: small pocket on the right is shadow
    segments = segment_line_art(art)
    shade = shade_from_color_lines(segments, art)
    assert shade[segments[5, 3]] == HIGHLIGHT
    assert shade[segments[5, 16]] == SHADOW
    assert shade[segments[5, 10]] == NORMAL
    assert shade[segments[0, 0]] == NORMAL


def test_apply_shading_falls_back_to_normal() -> None:
    entry = ColorEntry("hair", "hair", ((9, 9, 9), (5, 5, 5), None, None))
    assert apply_shading(entry, HIGHLIGHT) == (9, 9, 9)
    assert apply_shading(entry, NORMAL) == (5, 5, 5)
    assert apply_shading(entry, SHADOW) == (5, 5, 5)
    odd = ColorEntry("x", "clothes", (None, None, (1, 1, 1), None))
    assert apply_shading(odd, HIGHLIGHT) == (1, 1, 1)
