"""SegmentColoring: the JSON (colors, confidence, top candidates) of a hand-made table, and
rendering (pinholes, kept ink)."""

import numpy as np

from paintbucket.core.coloring import SegmentColoring, composite_over
from paintbucket.core.frames import Frame
from paintbucket.io.images import LINE_COLOR
from tests.conftest import BLACK, PAPER, blank

RED, GREEN, BLUE, WHITE = [255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255] * 4


def _coloring() -> SegmentColoring:
    probabilities = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],  # the line: unused
            [0.1, 0.6, 0.25, 0.05],  # green, then blue, then red
            [0.5, 0.5, 0.0, 0.0],  # a tie: the earlier palette color first
            [0.0, 0.0, 0.0, 1.2],  # not normalised: confidence clipped, candidates not
            [1 / 3, 0.0, 2 / 3, 0.0],  # rounded to 4 decimals
        ],
        dtype=np.float32,
    )
    segment_ids = np.array([[1, 0, 2], [3, 0, 4]], dtype=np.int32)
    return SegmentColoring(segment_ids, np.array([RED, GREEN, BLUE, WHITE], np.uint8),
                           probabilities)  # fmt: skip


def test_to_json_lists_the_top_three_candidates_best_first():
    assert _coloring().to_json(frame="0001") == {
        "frame": "0001",
        "num_segments": 4,
        "colors": {"1": GREEN, "2": RED, "3": WHITE, "4": BLUE},
        "confidence": {"1": 0.6, "2": 0.5, "3": 1.0, "4": 0.6667},
        "candidates": {
            "1": [[GREEN, 0.6], [BLUE, 0.25], [RED, 0.1]],
            "2": [[RED, 0.5], [GREEN, 0.5], [BLUE, 0.0]],
            "3": [[WHITE, 1.2], [RED, 0.0], [GREEN, 0.0]],
            "4": [[BLUE, 0.6667], [RED, 0.3333], [GREEN, 0.0]],
        },
    }


def test_to_json_k_is_capped_by_the_palette():
    coloring = _coloring()
    assert coloring.to_json(k=1)["candidates"]["1"] == [[GREEN, 0.6]]
    two_colors = SegmentColoring(coloring.segment_ids, coloring.palette[:2],
                                 coloring.probabilities[:, :2])  # fmt: skip
    assert two_colors.to_json()["candidates"]["1"] == [[GREEN, 0.6], [RED, 0.1]]


def _antialiased_box_with_pinhole() -> Frame:
    """A 4-px thick anti-aliased outline around a box, with a 1-px paper pinhole in
    its left side, 2 px from the box and 3 px from the outside: 2 segments (outside,
    box), the pinhole merged into the line as a speck."""
    art = blank(13, 13)
    art[1:12, 1:12] = BLACK
    art[5:8, 5:8] = PAPER
    art[0, 0] = (90, 90, 90, 255)  # one grey pixel: the drawing is anti-aliased
    art[6, 3] = PAPER  # the pinhole
    return Frame.from_line_art(art)


def test_render_paints_pinholes_like_their_nearest_segment_and_keeps_ink_black():
    frame = _antialiased_box_with_pinhole()
    assert frame.segment_ids.max() == 2 and frame.segment_ids[6, 3] == 0
    palette = np.array([RED, GREEN], np.uint8)
    probabilities = np.array([[0, 0], [1, 0], [0, 1]], np.float32)  # outside red, box green
    coloring = SegmentColoring(frame.segment_ids, palette, probabilities, frame.line_mask)
    rgba = coloring.render()
    assert rgba[6, 3].tolist() == GREEN  # the pinhole, nearest to the box
    assert rgba[6, 6].tolist() == GREEN and rgba[12, 12].tolist() == RED
    assert (rgba[frame.line_mask] == LINE_COLOR).all()
    # Without the ink mask the pinhole is line, as the segments say.
    plain = SegmentColoring(frame.segment_ids, palette, probabilities).render()
    assert plain[6, 3].tolist() == list(LINE_COLOR)


def test_keep_line_draws_the_frames_ink():
    frame = _antialiased_box_with_pinhole()
    art = frame.line_art.copy()
    light = frame.line_mask.copy()
    palette = np.array([RED, GREEN], np.uint8)
    probabilities = np.array([[0, 0], [1, 0], [0, 1]], np.float32)
    # A mask that calls one more pixel ink: keep_line draws the drawing there.
    light[12, 12] = True
    art[12, 12] = (200, 200, 200, 255)
    coloring = SegmentColoring(frame.segment_ids, palette, probabilities, light)
    assert coloring.render(art, keep_line=True)[12, 12].tolist() == [200, 200, 200, 255]


def test_faint_fringe_of_a_soft_drawing_is_painted_and_its_core_stays_black():
    # A 1-px black stroke with a faint 1-px fringe on both sides, between two regions.
    art = blank(5, 7)
    art[:, 3] = BLACK
    art[:, 2] = art[:, 4] = (0, 0, 0, 80)
    frame = Frame.from_line_art(art, line_threshold=0.25)
    assert frame.segment_ids[:, 2:5].max() == 0  # the fringe is line for the segments
    solid = frame.solid_line_mask()
    assert solid[:, 3].all() and not solid[:, [2, 4]].any()
    palette = np.array([RED, GREEN], np.uint8)
    probabilities = np.array([[0, 0], [1, 0], [0, 1]], np.float32)  # left red, right green
    rgba = SegmentColoring(frame.segment_ids, palette, probabilities, solid).render()
    assert rgba[:, 2].tolist() == [RED] * 5 and rgba[:, 4].tolist() == [GREEN] * 5
    assert rgba[:, 3].tolist() == [list(LINE_COLOR)] * 5


def test_composite_over_exact_values():
    top = np.array([[10, 20, 30, 255], [10, 20, 30, 0], [200, 0, 0, 128], [0, 0, 0, 0]], np.uint8)
    bottom = np.array([[0, 255, 0, 255], [0, 255, 0, 255], [0, 0, 0, 0], [0, 0, 0, 0]], np.uint8)
    assert composite_over(top, bottom).tolist() == [
        [10, 20, 30, 255],  # opaque ink is itself
        [0, 255, 0, 255],  # no ink shows the fill
        [200, 0, 0, 128],  # over transparent paper: unchanged
        [0, 0, 0, 0],
    ]
    assert composite_over(top[:0], bottom[:0]).shape == (0, 4)


def test_keep_line_blends_a_half_transparent_stroke_with_the_fill_under_it():
    art = blank(3, 6)
    art[:, 2:4] = (0, 0, 0, 128)  # a 2-px stroke at half alpha between two regions
    frame = Frame.from_line_art(art, line_threshold=0.4)
    palette = np.array([RED, GREEN], np.uint8)
    probabilities = np.array([[0, 0], [1, 0], [0, 1]], np.float32)
    coloring = SegmentColoring(frame.segment_ids, palette, probabilities, frame.line_mask)
    rgba = coloring.render(art, keep_line=True)
    # Each half of the stroke lies over the fill of its own side, half covered.
    assert rgba[:, 2].tolist() == [[127, 0, 0, 255]] * 3
    assert rgba[:, 3].tolist() == [[0, 127, 0, 255]] * 3
    assert rgba[:, 0].tolist() == [RED] * 3 and rgba[:, 5].tolist() == [GREEN] * 3
