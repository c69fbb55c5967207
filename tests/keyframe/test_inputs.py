"""keyframe/inputs.py on arrays small enough to work out by hand."""

import numpy as np

from paintbucket.keyframe.inputs import character_box, group_masks, segment_majority

# Three segments on a 3 x 4 grid; column 2 is line (id 0).
SEGMENTS = np.array(
    [
        [1, 1, 0, 3],
        [1, 2, 0, 3],
        [2, 2, 0, 3],
    ],
    dtype=np.int32,
)


def test_segment_majority_takes_the_most_common_value_smaller_on_ties():
    values = np.array(
        [
            [7, 7, 9, 4],
            [5, 6, 9, 5],
            [5, 6, 9, 4],
        ]
    )
    # 1: {7, 7, 5} -> 7; 2: {6, 5, 6} -> 6; 3: {4, 5, 4} -> 4; the line votes nothing.
    assert segment_majority(SEGMENTS, values).tolist() == [-1, 7, 6, 4]
    valid = values != 7
    # 1 keeps only its 5; 3 is unchanged.
    assert segment_majority(SEGMENTS, values, valid).tolist() == [-1, 5, 6, 4]
    # 2 has a tie between 5 and 6 once one 6 is invalid: the smaller wins.
    valid[2, 1] = False
    assert segment_majority(SEGMENTS, values, valid).tolist() == [-1, 5, 5, 4]
    # A segment without a valid pixel (and one past every pixel's id) gets -1.
    assert segment_majority(SEGMENTS, values, SEGMENTS != 3).tolist() == [-1, 7, 6, -1]


def test_group_masks_one_channel_per_group_nothing_on_lines_or_unknown():
    # Segment 1 hair (0), 2 unknown (-1), 3 other (2); group of id 0 is ignored.
    masks = group_masks(SEGMENTS, np.array([1, 0, -1, 2]))
    assert masks.shape == (3, 4, 3) and masks.dtype == np.float32
    assert masks[..., 0].tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert masks[..., 1].tolist() == [[0, 0, 0, 0]] * 3
    assert masks[..., 2].tolist() == [[0, 0, 0, 1]] * 3


def test_character_box_spans_the_foreground_in_unit_coordinates():
    background = np.array([False, True, False, False])  # segment 1 is background
    # Foreground pixels: segment 2 at (1, 1), (2, 0), (2, 1); segment 3 at column 3;
    # the line (id 0, never background) at column 2. x over 3, y over 2.
    box = character_box(SEGMENTS, background)
    assert box.dtype == np.float32
    assert box.tolist() == [0.0, 0.0, 1.0, 1.0]
    only_three = np.array([True, True, True, False])  # the line counted as background too
    assert character_box(SEGMENTS, only_three).tolist() == [1.0, 0.0, 1.0, 1.0]
    only_two = np.array([True, True, False, True])  # (1, 1), (2, 0), (2, 1)
    assert character_box(SEGMENTS, only_two).tolist() == [0.0, 0.5, np.float32(1 / 3), 1.0]
    # No foreground at all: the whole image.
    assert character_box(SEGMENTS, np.ones(4, dtype=bool)).tolist() == [0.0, 0.0, 1.0, 1.0]
