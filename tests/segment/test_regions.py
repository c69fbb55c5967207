import cv2
import numpy as np
import pytest

from paintbucket.consecutive import make_engine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.io import read_rgba, read_segments
from paintbucket.segment import (
    RED_LINE,
    assign_color_lines,
    classify_lines,
    label_paper,
    merge_specks,
    pack_rgba,
    relabel_sequential,
    segment_line_art,
)
from tests.conftest import BLACK, blank, boxes_line_art, real_data


def test_boxes_give_three_segments(boxes):
    segment_ids = segment_line_art(boxes)
    assert segment_ids.dtype == np.int32 and segment_ids.shape == boxes.shape[:2]
    assert segment_ids.max() == 3
    assert segment_ids[0, 0] == 1 and segment_ids[5, 5] == 2 and segment_ids[5, 10] == 3
    assert (segment_ids[boxes[..., 3] == 255] == 0).all()


def test_diagonal_gap_does_not_connect():
    # Paper pixels touching only diagonally are separate segments (4-connectivity).
    art = blank(3, 3)
    art[0, 1] = art[1, 0] = art[1, 2] = art[2, 1] = BLACK
    assert label_paper(art[..., 3] == 0).max() == 5


def test_color_line_joins_smaller_region():
    # A box split by a red line: the left part (small) gets the red pixels.
    art = boxes_line_art(split=5)
    art[3:9, 5] = (255, 0, 0, 255)
    segment_ids = segment_line_art(art)
    left, right = segment_ids[5, 4], segment_ids[5, 9]
    assert (segment_ids[3:9, 5] == left).all()
    assert left != right and (segment_ids == left).sum() < (segment_ids == right).sum()


def test_color_line_touching_nothing_becomes_its_own_segment():
    art = blank(5, 5)
    art[:, :] = BLACK
    art[2, 2] = (0, 0, 255, 255)
    segment_ids = assign_color_lines(np.zeros((5, 5), np.int32), classify_lines(art))
    assert segment_ids[2, 2] == 1 and segment_ids.sum() == 1


RED = (255, 0, 0, 255)


def _framed(height: int = 10, width: int = 12) -> np.ndarray:
    """A black rectangle outline: segment 1 outside, 2 inside (rows 2-7, cols 2-9)."""
    art = blank(height, width)
    art[[1, height - 2], 1 : width - 1] = BLACK
    art[1 : height - 1, [1, width - 2]] = BLACK
    return art


def test_floating_color_stroke_is_its_own_segment():
    art = _framed()
    art[3:7, 5] = RED  # a blush tick: the inside on every side, no black line near
    expected = np.zeros((10, 12), np.int32)
    expected[0, :] = expected[-1, :] = expected[:, 0] = expected[:, -1] = 1
    expected[2:8, 2:10] = 2
    expected[3:7, 5] = 3
    assert segment_line_art(art).tolist() == expected.tolist()


def test_color_stroke_splitting_a_region_joins_the_smaller_side():
    art = _framed()
    art[2:8, 4] = RED  # top to bottom: left side 2x6 px, right side 5x6 px
    segment_ids = segment_line_art(art)
    left, right = segment_ids[4, 2], segment_ids[4, 8]
    assert left != right and segment_ids.max() == 3
    assert (segment_ids[2:8, 4] == left).all()
    assert (segment_ids == left).sum() == 12 + 6 and (segment_ids == right).sum() == 30


def test_color_stroke_along_a_black_line_joins_its_region():
    # Touches one segment only, but lies against the outline: part of a boundary that
    # the black line already draws, painted like the region (smoke_explosion has many).
    art = _framed()
    art[2:8, 2] = RED
    segment_ids = segment_line_art(art)
    assert segment_ids.max() == 2 and (segment_ids[2:8, 2] == 2).all()


def test_stray_color_dots_join_their_region():
    art = _framed()
    art[4, 5] = RED
    art[3, 7:9] = RED
    segment_ids = segment_line_art(art)
    assert segment_ids.max() == 2 and segment_ids[4, 5] == 2 and (segment_ids[3, 7:9] == 2).all()
    kinds = classify_lines(art)
    assert assign_color_lines(label_paper(kinds == 0), kinds, max_dot_area=0).max() == 4


def test_black_lines_stay_zero_around_color_strokes():
    art = _framed()
    art[3:7, 5] = RED
    art[2:8, 8] = RED
    segment_ids = segment_line_art(art)
    assert segment_ids.max() == 4
    assert (segment_ids[classify_lines(art) == 1] == 0).all()
    assert (segment_ids[art[..., 3] == 0] > 0).all()


def test_assign_color_lines_outline_fraction_is_the_switch():
    kinds = np.zeros((6, 6), np.uint8)
    kinds[:, 0] = 1  # black line on the left
    kinds[1:5, 2] = 2  # red stroke, 1 px away from it: no pixel touches the black line
    segment_ids = np.where(kinds == 0, 1, 0).astype(np.int32)
    floating = assign_color_lines(segment_ids, kinds)
    assert (floating[1:5, 2] == 2).all() and floating.max() == 2
    kinds[1:5, 1] = 2  # widened to touch the black line with 4 of its 8 pixels
    segment_ids = np.where(kinds == 0, 1, 0).astype(np.int32)
    assert (assign_color_lines(segment_ids, kinds)[1:5, 1:3] == 1).all()
    assert assign_color_lines(segment_ids, kinds, max_outline_fraction=0.5).max() == 2


def test_merge_specks_turns_small_segments_into_line():
    segment_ids = np.array([[1, 1, 0, 2], [1, 1, 0, 0], [0, 0, 3, 3]], np.int32)
    merged = merge_specks(segment_ids, max_area=1)
    assert merged.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 2]]
    assert merge_specks(segment_ids, 0) is segment_ids


def test_relabel_sequential_keeps_order():
    assert relabel_sequential(np.array([[0, 7, 3], [7, 0, 9]])).tolist() == [[0, 2, 1], [2, 0, 3]]


def test_auto_specks_only_for_antialiased(boxes):
    art = boxes.copy()
    art[5, 4] = BLACK  # isolates nothing; a 1-pixel hole needs an enclosure:
    art[4:7, 10:13] = BLACK
    art[5, 11] = (255, 255, 255, 0)
    assert segment_line_art(art).max() == 4  # binary: the 1-pixel hole is a real segment
    art[0, 0] = (100, 100, 100, 255)  # now anti-aliased
    assert segment_line_art(art).max() == 3


def test_unknown_method_raises(boxes):
    with pytest.raises(ValueError, match="unknown segmentation method"):
        segment_line_art(boxes, seg_method="magic")


def test_empty_image():
    assert segment_line_art(np.zeros((0, 0, 4), np.uint8)).shape == (0, 0)


def test_matches_dataset_segments_exactly():
    folder = real_data("pbc_char_0242")
    segment_ids = segment_line_art(read_rgba(folder / "line" / "0242.png"))
    assert np.array_equal(segment_ids, read_segments(folder / "seg" / "0242.png"))


def _blush_ticks(folder, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A laughing_girl frame's segments and the mask of its segments made only of red
    line pixels (the blush ticks on the cheeks)."""
    art = read_rgba(folder / "line" / f"{name}.png")
    frame = Frame.from_line_art(art)
    red = classify_lines(art) == RED_LINE
    return frame.segment_ids, frame.stroke_segments()[frame.segment_ids] & red


def test_blush_ticks_of_hand_drawn_frame_are_segments_of_their_own():
    folder = real_data("laughing_girl")
    segment_ids, ticks = _blush_ticks(folder, "0000")
    assert len(np.unique(segment_ids[ticks])) == 4 and 90 < ticks.sum() < 120
    ring = cv2.dilate(ticks.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    around = ring & ~ticks & (segment_ids > 0)
    assert len(np.unique(segment_ids[around])) == 1  # all four float in the skin
    keyframe = pack_rgba(read_rgba(folder / "gt" / "0000.png"))
    assert not np.isin(keyframe[ticks], keyframe[around]).any()  # painted apart from it


@pytest.mark.parametrize("engine_name", ["flow", "inclusion"])
def test_blush_ticks_stay_red_through_a_colorized_clip(engine_name):
    folder = real_data("laughing_girl")
    keyframe = read_rgba(folder / "gt" / "0000.png")
    segment_ids, ticks = _blush_ticks(folder, "0000")
    blush = np.unique(keyframe[ticks].reshape(-1, 4), axis=0)
    assert len(blush) == 1 and blush[0, 0] > blush[0, 1] + 100  # one red, as painted
    reference = ColoredFrame.from_keyframe(
        Frame.from_line_art(read_rgba(folder / "line" / "0000.png")), keyframe
    )
    engine = make_engine(engine_name)
    for name in ("0001", "0002", "0003"):
        target = Frame.from_line_art(read_rgba(folder / "line" / f"{name}.png"))
        coloring = engine(reference, target)
        _, ticks = _blush_ticks(folder, name)
        assert len(np.unique(target.segment_ids[ticks])) == 4
        assert (coloring.render()[ticks] == blush[0]).all(), name
        reference = ColoredFrame.from_coloring(target, coloring)


def test_color_lines_of_hand_drawn_frame_are_filled():
    folder = real_data("laughing_girl")
    art = read_rgba(folder / "line" / "0000.png")
    segment_ids = segment_line_art(art)
    kinds = classify_lines(art)
    assert (kinds >= 2).sum() > 1000
    assert (segment_ids[kinds >= 2] > 0).all()
    assert (segment_ids[kinds == 1] == 0).all()
