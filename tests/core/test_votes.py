import numpy as np

from paintbucket.core import mutual_overlap, vote_probabilities


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
