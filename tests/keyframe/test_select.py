import numpy as np
import pytest

from paintbucket.keyframe.select import selection_weights


def test_selection_keeps_references_above_threshold_else_the_first():
    refs = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    probabilities, weights = selection_weights(np.array([0.0, 1.0]), refs)
    assert probabilities.argmax() == 1 and probabilities.sum() == pytest.approx(1.0)
    assert weights.tolist() == [0.0, 1.0, 0.0]
    # Four equally similar references: none reaches 0.3, so the front view is used.
    _, weights = selection_weights(np.array([1.0, 0.0]), np.tile([[1.0, 0.0]], (4, 1)))
    assert weights.tolist() == [1.0, 0.0, 0.0, 0.0]
    probabilities, weights = selection_weights(np.array([1.0, 0.0]), np.zeros((0, 2)))
    assert probabilities.shape == weights.shape == (0,)
