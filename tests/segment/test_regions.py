import numpy as np
import pytest

from paintbucket.io import read_rgba, read_segments
from paintbucket.segment import (
    assign_color_lines,
    classify_lines,
    label_paper,
    merge_specks,
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


def test_color_lines_of_hand_drawn_frame_are_filled():
    folder = real_data("laughing_girl")
    art = read_rgba(folder / "line" / "0000.png")
    segment_ids = segment_line_art(art)
    kinds = classify_lines(art)
    assert (kinds >= 2).sum() > 1000
    assert (segment_ids[kinds >= 2] > 0).all()
    assert (segment_ids[kinds == 1] == 0).all()
