"""Flat fills and implicit color lines of sheet views (hand-made views)."""

from __future__ import annotations

import cv2
import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.keyframe.fills import (
    MAX_SOFT_SHARE,
    absorb_leaks,
    analyze_fills,
    draw_color_boundaries,
    lines_from_color,
    segment_contacts,
    split_by_color,
)
from paintbucket.keyframe.sheet import reference_frame


def _colors_of_segments(frame) -> list[tuple]:
    """Color of every segment (ids 1..N) as RGBA tuples."""
    return [tuple(frame.palette[i]) for i in frame.segment_palette_index[1:]]


def test_segment_holding_three_fills_is_split_along_them(handmade) -> None:
    # The line art alone has two segments: the paper outside and the square inside.
    assert Frame.from_line_art(handmade.line).segment_ids.max() == 2
    frame, fills = reference_frame(handmade.line, handmade.fill)
    assert fills.problem() is None
    assert frame.segment_ids.max() == 4  # paper, base, shadow shape, highlight shape
    assert sorted(_colors_of_segments(frame)) == sorted(
        [(0, 0, 0, 0), (*handmade.base, 255), (*handmade.shadow, 255), (*handmade.light, 255)]
    )
    colors = frame.palette_index_map()
    assert tuple(frame.palette[colors[20, 30]]) == (*handmade.shadow, 255)
    assert tuple(frame.palette[colors[13, 13]]) == (*handmade.light, 255)
    assert tuple(frame.palette[colors[30, 15]]) == (*handmade.base, 255)
    assert (frame.segment_ids[handmade.line[..., 3] > 0] == 0).all()


def test_colored_image_with_lines_splits_alike(handmade) -> None:
    from_fill, _ = reference_frame(handmade.line, handmade.fill)
    from_colored, _ = reference_frame(handmade.line, handmade.colored)
    assert np.array_equal(from_fill.segment_ids, from_colored.segment_ids)


def test_stray_pixels_take_the_nearest_flat_color(handmade) -> None:
    fill = handmade.fill.copy()
    fill[20, 14], fill[25, 16], fill[30, 20] = (1, 2, 3, 255), (9, 9, 9, 255), (7, 8, 9, 255)
    fills = analyze_fills(fill)
    assert fills.problem() is None
    assert int(fills.stray.sum()) == 3
    assert {tuple(c) for c in fills.stray_colors.tolist()} == {
        (1, 2, 3, 255), (9, 9, 9, 255), (7, 8, 9, 255)
    }  # fmt: skip
    base = [tuple(c) for c in fills.palette.tolist()].index((*handmade.base, 255))
    assert fills.index[20, 14] == fills.index[25, 16] == fills.index[30, 20] == base
    assert len(fills.palette) == 4


def _anti_aliased(handmade, factor: int = 4) -> np.ndarray:
    """The hand-made colored view drawn ``factor`` times larger, then shrunk with area
    averaging: every edge anti-aliased."""
    big = cv2.resize(handmade.colored, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    # Shift by half a small pixel so the edges fall inside the small pixels.
    big = np.roll(big, factor // 2, axis=(0, 1))
    return cv2.resize(big, (48, 48), interpolation=cv2.INTER_AREA)


def test_anti_aliased_view_is_refused(handmade) -> None:
    fill_pixels = Frame.from_line_art(handmade.line).segment_ids > 0
    fills = analyze_fills(_anti_aliased(handmade), fill_pixels)
    assert fills.soft_share > MAX_SOFT_SHARE
    assert fills.problem().startswith("reference is not flat: ")
    assert "soft" in fills.problem() and "off-palette" in fills.problem()
    # The crisp drawing it was made from passes.
    assert analyze_fills(handmade.colored, fill_pixels).soft_share == 0.0


def test_gradient_is_refused_even_in_wide_bands(handmade) -> None:
    fill = handmade.fill.copy()
    # 3-px bands one level apart: each band is a flat color, the boundaries are steps.
    ramp = 100 + np.arange(42) // 3
    fill[3:45, 3:45, :3] = ramp[None, :, None]
    fill[3:45, 3:45, 3] = 255
    fills = analyze_fills(fill)
    assert len(fills.stray_colors) == 0  # every band has a flat core
    assert fills.problem() is not None and "gradient" in fills.problem()


def test_fill_running_past_the_outline_goes_back(handmade) -> None:
    fill = handmade.fill.copy()
    fill[12:30, 40] = (*handmade.base, 255)  # one column of red beyond the right outline
    frame, _ = reference_frame(handmade.line, fill)
    colors = frame.palette_index_map()
    assert tuple(frame.palette[colors[20, 40]]) == (0, 0, 0, 0)
    assert frame.segment_ids.max() == 4  # no sliver segment
    # The same column far from any line is a real shape and stays.
    fill = handmade.fill.copy()
    fill[12:30, 44] = (*handmade.base, 255)
    frame, _ = reference_frame(handmade.line, fill)
    assert frame.segment_ids.max() == 5


def test_absorb_leaks_keeps_the_largest_piece() -> None:
    segment_ids = np.array([[1, 1, 1, 0, 2, 2]], np.int32)
    line = segment_ids == 0
    colors = np.array([-1, 5, 6, 7])
    # Piece 2 lies within 2 px of the line and is the smaller piece of segment 1: it joins.
    merged, merged_colors = absorb_leaks(segment_ids, np.array([[1, 1, 2, 0, 3, 3]]), colors, line)
    assert merged.tolist() == [[1, 1, 1, 0, 2, 2]]
    assert merged_colors.tolist() == [-1, 5, 7]
    # Now piece 2 is the larger one, and piece 1 reaches 3 px from the line: both stay.
    split = np.array([[1, 2, 2, 0, 3, 3]], np.int32)
    merged, merged_colors = absorb_leaks(segment_ids, split, colors, line)
    assert merged.tolist() == split.tolist() and merged_colors.tolist() == colors.tolist()


def test_split_by_color_follows_old_segments_too() -> None:
    # One color over two touching segments (no line between): still two segments.
    ids = np.array([[1, 1, 2, 2]], np.int32)
    split, colors = split_by_color(ids, np.zeros((1, 4), np.int64))
    assert split.tolist() == [[1, 1, 2, 2]] and colors.tolist() == [-1, 0, 0]
    assert segment_contacts(split).tolist() == [[1, 2], [2, 1]]


def test_lines_from_color_keeps_wide_dark_fills() -> None:
    color = np.zeros((40, 40, 4), np.uint8)
    color[:, :] = (240, 200, 180, 255)
    color[5:7, 2:38] = (0, 0, 0, 255)  # a 2-px black line
    color[20:32, 10:22] = (10, 10, 10, 255)  # a black fill
    color[34:36, 2:38] = (20, 5, 0, 255)  # a near-black line
    color[20:32, 25:37] = (0, 0, 0, 255)  # pure black is always ink
    lines = lines_from_color(color)[..., 3] > 0
    assert lines[5:7, 2:38].all() and lines[34:36, 2:38].all() and lines[20:32, 25:37].all()
    assert not lines[20:32, 10:22].any()
    assert int(lines.sum()) == 2 * 2 * 36 + 12 * 12


def test_color_boundaries_are_drawn_on_both_sides_and_lines_are_kept(handmade) -> None:
    frame, _ = reference_frame(handmade.line, handmade.fill)
    drawn = draw_color_boundaries(handmade.line, frame.segment_ids)
    added = (drawn[..., 3] > 0) & (handmade.line[..., 3] == 0)
    # the shadow's edge (columns 27 | 28) and the highlight's outline, nothing else
    assert added[10:38, 27:29].all() and not added[10:38, 26].any()
    assert added[11, 12:20].all() and added[16, 12:20].all()
    assert not added[20:30, 12:26].any()
    assert (drawn[handmade.line[..., 3] > 0] == handmade.line[handmade.line[..., 3] > 0]).all()
    assert (drawn[added] == (0, 0, 0, 255)).all()


def test_color_boundaries_of_a_line_separated_drawing_add_nothing() -> None:
    ids = np.array([[1, 0, 2], [1, 0, 2]], np.int32)
    art = np.zeros((2, 3, 4), np.uint8)
    assert (draw_color_boundaries(art, ids) == art).all()
    assert draw_color_boundaries(art[:0, :0], ids[:0, :0]).shape == (0, 0, 4)
