import numpy as np
import pytest

from paintbucket.core import flatness, keyframe_palette
from paintbucket.errors import InputError


def test_palette_and_segment_index():
    segment_ids = np.array([[1, 1, 0, 2, 2, 3]])
    color = np.array(
        [[[9, 9, 9, 255]] * 2 + [[0, 0, 0, 255]] + [[255, 255, 255, 0]] * 2 + [[9, 9, 9, 255]]],
        np.uint8,
    )
    palette, index = keyframe_palette(segment_ids, color)
    assert palette.tolist() == [[0, 0, 0, 0], [9, 9, 9, 255]]
    assert index.tolist() == [-1, 1, 0, 1]


def test_antialiased_keyframe_is_rejected():
    segment_ids = np.ones((4, 4), int)
    color = np.zeros((4, 4, 4), np.uint8)
    color[..., 3] = 255
    color[:, :2, 0] = np.arange(8).reshape(4, 2) * 10
    assert flatness(segment_ids, color) == pytest.approx(9 / 16)
    with pytest.raises(InputError, match="key.png: keyframe is not flat"):
        keyframe_palette(segment_ids, color, "key.png")


def test_keyframe_without_segments_is_rejected():
    with pytest.raises(InputError, match="no line-enclosed segments"):
        keyframe_palette(np.zeros((2, 2), int), np.zeros((2, 2, 4), np.uint8))
