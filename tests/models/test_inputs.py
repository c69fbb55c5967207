import cv2
import numpy as np

from paintbucket.models.inputs import redistribution_colors, work_line, work_shape
from paintbucket.segment import label_paper


def test_work_shape_shrinks_only_unless_enlarging():
    assert work_shape(1024, 512, 512) == (512, 256)
    assert work_shape(100, 50, 512) == (96, 48)  # small frames keep their size
    assert work_shape(100, 50, 512, enlarge=True) == (512, 256)
    assert work_shape(4, 4, 512) == (16, 16)  # at least one multiple


def test_widened_thin_ring_stays_closed_when_shrunk():

    line_art = np.zeros((128, 128, 4), np.uint8)
    ring = np.zeros((128, 128), np.uint8)
    cv2.circle(ring, (64, 64), 40, 1, thickness=1, lineType=cv2.LINE_8)
    line_art[ring > 0] = (0, 0, 0, 255)
    as_drawn = work_line(line_art, (32, 32))
    widened = work_line(line_art, (32, 32), min_width=1.0)
    assert label_paper(as_drawn < 0.5).max() == 1  # the shrunk 1-px ring has gaps
    assert label_paper(widened < 0.5).max() == 2  # inside and outside


def test_redistribution_colors_are_distinct_and_not_black():
    colors = redistribution_colors(50, np.random.default_rng(0))
    assert colors.shape == (50, 3) and colors.dtype == np.uint8
    assert len({tuple(c) for c in colors}) == 50
    assert not (colors == 0).all(axis=1).any()
