"""fill_pinholes: the paper pixels of the line take their nearest segment's id."""

import numpy as np
import pytest

from paintbucket.segment import fill_pinholes


def test_pinholes_take_the_nearest_segment_and_ink_stays_line():
    segment_ids = np.array(
        [
            [1, 1, 0, 0, 0, 0, 2],
            [1, 1, 0, 0, 0, 0, 2],
            [1, 1, 0, 0, 0, 0, 2],
        ],
        np.int32,
    )
    ink = np.ones(segment_ids.shape, bool)
    ink[:, [0, 1, 6]] = False
    ink[1, 2] = False  # a pinhole next to segment 1
    ink[0, 5] = ink[2, 5] = False  # two next to segment 2
    filled = fill_pinholes(segment_ids, ink)
    assert filled.dtype == np.int32
    assert filled.tolist() == [
        [1, 1, 0, 0, 0, 2, 2],
        [1, 1, 1, 0, 0, 0, 2],
        [1, 1, 0, 0, 0, 2, 2],
    ]


def test_without_pinholes_the_map_is_returned_as_is():
    segment_ids = np.array([[1, 0, 2]], np.int32)
    assert fill_pinholes(segment_ids, np.array([[0, 1, 0]], bool)) is segment_ids


def test_no_segment_leaves_the_pinholes_line():
    segment_ids = np.zeros((2, 3), np.int32)
    ink = np.array([[1, 0, 1], [1, 1, 1]], bool)
    assert fill_pinholes(segment_ids, ink).tolist() == [[0, 0, 0], [0, 0, 0]]


def test_empty_map_gives_an_empty_map():
    filled = fill_pinholes(np.zeros((0, 0), np.int32), np.zeros((0, 0), bool))
    assert filled.shape == (0, 0)


def test_mask_of_another_size_raises():
    with pytest.raises(ValueError, match="does not match"):
        fill_pinholes(np.zeros((2, 2), np.int32), np.zeros((2, 3), bool))
