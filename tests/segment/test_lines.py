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
    line_width,
    widen_lines,
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


def test_line_width_exact_values():
    canvas = np.zeros((12, 12), np.float32)
    canvas[2:10, 5] = 1.0  # 1 x 8 stroke: 8 pixels, 2 * 8 + 2 outline edges
    assert line_width(canvas) == pytest.approx(16 / 18)
    canvas[2:10, 6] = 1.0  # 2 x 8 stroke: 16 pixels, 2 * 8 + 2 * 2 edges
    assert line_width(canvas) == pytest.approx(32 / 20)
    assert line_width(np.full((4, 4), 0.4, np.float32)) == 0.0  # below the threshold
    assert line_width(np.zeros((0, 5), np.float32)) == 0.0


def test_widen_lines_only_thickens_strokes_too_thin_for_the_scale():
    canvas = np.zeros((12, 12), np.float32)
    canvas[2:10, 5] = 1.0
    # at half size a 1-px stroke is 0.5 px; 1 px wanted -> dilate by one pixel
    wide = widen_lines(canvas, 0.5, 1.0)
    assert wide.shape == canvas.shape and wide.dtype == np.float32
    assert line_width(wide) == pytest.approx(2 * 18 / 22)  # 2 x 9 stroke
    assert (wide[canvas > 0] == 1).all()
    assert widen_lines(canvas, 1.0, 1.0) is canvas  # wide enough already
    assert widen_lines(canvas, 0.5, 0.0) is canvas  # disabled
    empty = np.zeros((0, 0), np.float32)
    assert widen_lines(empty, 0.5, 1.0).shape == (0, 0)
