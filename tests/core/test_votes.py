import numpy as np
import pytest

from paintbucket.core import ColoredFrame, Frame, mutual_overlap, stroke_votes, vote_probabilities


def test_vote_probabilities_exact():
    segment_ids = np.array([[1, 1, 1, 0, 2]])
    votes = np.array([[0, 0, 1, 1, -1]])
    probabilities = vote_probabilities(segment_ids, votes, 2)
    assert probabilities.shape == (3, 2)
    assert np.allclose(probabilities, [[0, 0], [2 / 3, 1 / 3], [0, 0]])


def test_mutual_overlap_exact():
    segment_ids = np.array([[1, 1, 1, 0, 2, 2]])
    warped_ids = np.array([[1, 1, 2, 2, 2, 0]])
    # (1, 1): 2 of 3 target pixels, 2 of 2 landed; (2, 2): 1 of 2, 1 of 3 landed.
    assert np.allclose(mutual_overlap(segment_ids, warped_ids), [0, 2 / 3, 1 / 3])


def test_mutual_overlap_one_to_one_and_empty():
    segment_ids = np.array([[1, 1, 0, 2]])
    assert np.allclose(mutual_overlap(segment_ids, segment_ids), [0, 1, 1])
    assert np.allclose(mutual_overlap(segment_ids, np.zeros_like(segment_ids)), [0, 0, 0])
    empty = mutual_overlap(np.zeros((0, 0), np.int32), np.zeros((0, 0), np.int32))
    assert empty.shape == (1,)


def _tick_frame(column: int) -> Frame:
    """A black box (outside 1, inside 2) with a red tick floating inside at ``column``."""
    art = np.zeros((10, 14, 4), np.uint8)
    art[[1, 8], 1:13] = art[1:9, [1, 12]] = (0, 0, 0, 255)
    art[3:7, column] = (255, 0, 0, 255)
    return Frame.from_line_art(art)


def _colored(frame: Frame) -> ColoredFrame:
    table = np.array([[0, 0, 0, 255], [0, 0, 0, 0], [250, 230, 220, 255], [230, 90, 90, 255]])
    return ColoredFrame.from_keyframe(frame, table.astype(np.uint8)[frame.segment_ids])


def test_stroke_segments_are_the_segments_without_paper():
    frame = _tick_frame(4)
    assert frame.segment_ids.max() == 3
    assert frame.stroke_segments().tolist() == [False, False, False, True]


def test_stroke_votes_take_the_nearest_warped_stroke_color():
    reference = _colored(_tick_frame(4))
    target = _tick_frame(7)  # moved 3 px right; the flow below does not know it
    still = np.zeros((10, 14, 2), np.float32)
    red = int(np.flatnonzero((reference.palette == (230, 90, 90, 255)).all(axis=1))[0])
    expected = np.zeros((4, len(reference.palette)), np.float32)
    expected[3, red] = 1.0
    assert np.array_equal(stroke_votes(reference, target, still, max_distance=3), expected)
    assert not stroke_votes(reference, target, still, max_distance=2).any()  # out of reach
    in_place = stroke_votes(reference, _tick_frame(4), still)
    assert not in_place[:3].any() and in_place[3, red] == 1.0  # only strokes get votes


def test_known_areas_give_the_same_votes_and_must_fit():
    segment_ids = np.array([[1, 1, 1, 0, 2]])
    votes = np.array([[0, 0, 1, 1, -1]])
    areas = np.array([1, 3, 1])
    np.testing.assert_array_equal(
        vote_probabilities(segment_ids, votes, 2, areas), vote_probabilities(segment_ids, votes, 2)
    )
    np.testing.assert_array_equal(
        mutual_overlap(segment_ids, segment_ids, areas), mutual_overlap(segment_ids, segment_ids)
    )
    with pytest.raises(ValueError, match="areas"):
        vote_probabilities(segment_ids, votes, 2, areas[:2])
    with pytest.raises(ValueError, match="areas"):
        mutual_overlap(segment_ids, segment_ids, np.ones(4))
