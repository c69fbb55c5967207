import numpy as np
import pytest

from paintbucket.segment import (
    BLACK_LINE,
    BLUE_LINE,
    GREEN_LINE,
    PAPER,
    RED_LINE,
    classify_lines,
    ink,
    is_binary,
)


def _pixels(*rgba):
    return np.array([list(rgba)], dtype=np.uint8)


def test_kinds_of_pure_pixels():
    art = _pixels(
        (255, 255, 255, 0), (255, 255, 255, 255), (0, 0, 0, 255),
        (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255),
    )  # fmt: skip
    assert classify_lines(art).tolist() == [
        [PAPER, PAPER, BLACK_LINE, RED_LINE, GREEN_LINE, BLUE_LINE]
    ]


def test_threshold_on_antialiased_pixels():
    # Gray 128 opaque: ink 0.498; black at alpha 130: ink 0.51.
    art = _pixels((128, 128, 128, 255), (0, 0, 0, 130), (0, 0, 0, 120))
    assert np.allclose(ink(art), [[1 - 128 / 255, 130 / 255, 120 / 255]])
    assert classify_lines(art).tolist() == [[PAPER, BLACK_LINE, PAPER]]
    assert classify_lines(art, line_threshold=0.4).tolist() == [[BLACK_LINE] * 3]


def test_binary_detection():
    assert is_binary(_pixels((0, 0, 0, 255), (255, 255, 255, 0), (255, 0, 0, 255)))
    assert not is_binary(_pixels((0, 0, 0, 255), (100, 100, 100, 255)))


def test_bad_input_raises():
    with pytest.raises(ValueError):
        classify_lines(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError):
        classify_lines(np.zeros((2, 2, 4), np.uint8), line_threshold=0)


def test_empty_image():
    assert classify_lines(np.zeros((0, 5, 4), np.uint8)).shape == (0, 5)
