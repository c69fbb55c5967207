import numpy as np
import pytest

from paintbucket.segment import (
    majority_vote,
    overlap_counts,
    pack_rgba,
    segment_areas,
    segment_colors,
    segment_label_entries,
    unpack_rgba,
)
from paintbucket.segment.stats import nearest_fill


def test_pack_unpack():
    colors = np.array([[1, 2, 3, 4], [255, 0, 255, 0]], np.uint8)
    assert pack_rgba(colors).tolist() == [0x01020304, 0xFF00FF00]
    assert np.array_equal(unpack_rgba(pack_rgba(colors)), colors)


def test_majority_vote_exact():
    ids = np.array([[1, 1, 1, 0], [2, 2, 3, 0]])
    values = np.array([[5, 5, 7, 9], [4, 6, 1, 9]])
    got = majority_vote(ids, values)
    assert [a.tolist() for a in got] == [[1, 2, 3], [5, 4, 1], [2, 1, 1], [3, 2, 1]]


def test_majority_vote_empty():
    got = majority_vote(np.zeros((2, 2), int), np.zeros((2, 2), int))
    assert all(a.shape == (0,) for a in got)


def test_segment_colors_and_label_entries():
    ids = np.array([[1, 1, 2]])
    rgba = np.array([[[9, 9, 9, 255], [9, 9, 9, 255], [1, 2, 3, 255]]], np.uint8)
    assert segment_colors(ids, rgba) == {1: (9, 9, 9, 255), 2: (1, 2, 3, 255)}
    assert segment_label_entries(ids, np.array([[-1, -1, 4]])) == {1: (2, -1), 2: (1, 4)}
    assert segment_areas(ids).tolist() == [0, 2, 1]


def test_nearest_fill():
    values = np.array([[3, 0, 0, 8]])
    known = np.array([[True, False, False, True]])
    assert nearest_fill(values, known).tolist() == [[3, 3, 8, 8]]


def test_nearest_fill_max_distance():
    values = np.array([[3, 0, 0, 0, 0]])
    known = np.array([[True, False, False, False, False]])
    assert nearest_fill(values, known, max_distance=2, fill=-1).tolist() == [[3, 3, 3, -1, -1]]
    nothing = np.zeros_like(known)
    assert nearest_fill(values, nothing, max_distance=2, fill=-1).tolist() == [[-1] * 5]
    assert nearest_fill(values, nothing).tolist() == values.tolist()


def test_overlap_counts_exact_and_empty():
    ids_a = np.array([[1, 1, 1, 0, 2, 2]])
    ids_b = np.array([[3, 3, 1, 1, 1, 0]])
    a, b, counts = overlap_counts(ids_a, ids_b)
    assert list(zip(a.tolist(), b.tolist(), counts.tolist())) == [(1, 1, 1), (1, 3, 2), (2, 1, 1)]
    a, b, counts = overlap_counts(ids_a, np.zeros_like(ids_a))
    assert a.shape == b.shape == counts.shape == (0,)


def test_segment_areas_returns_known_counts_that_fit():
    ids = np.array([[1, 1, 2]])
    known = np.array([0, 2, 1])
    assert segment_areas(ids, known=known) is known
    assert segment_areas(ids, 3, known=np.zeros(4, np.int64)).shape == (4,)
    with pytest.raises(ValueError, match=r"areas must be \(3,\)"):
        segment_areas(ids, known=known[:2])
