import numpy as np
import pytest

from paintbucket.io import read_rgba
from paintbucket.segment import segment_areas, segment_line_art, trapped_ball_fill
from tests.conftest import BLACK, blank, real_data


def _box_with_gap(gap: int) -> np.ndarray:
    """A 40x60 canvas: a 30x30 box outline whose right side has a ``gap``-pixel opening."""
    art = blank(40, 60)
    art[5, 5:36] = BLACK
    art[35, 5:36] = BLACK
    art[5:36, 5] = BLACK
    art[5:36, 35] = BLACK
    art[20 - gap // 2 : 20 - gap // 2 + gap, 35] = (255, 255, 255, 0)
    return art


def test_default_leaks_through_gap_trappedball_does_not():
    art = _box_with_gap(3)
    assert segment_line_art(art).max() == 1
    segment_ids = segment_line_art(art, seg_method="trappedball")
    assert segment_ids.max() == 2
    assert segment_ids[20, 20] != segment_ids[2, 2]
    assert (segment_ids[art[..., 3] == 0] > 0).all()  # every paper pixel is filled


def test_radii_must_decrease():
    with pytest.raises(ValueError):
        trapped_ball_fill(np.ones((5, 5), bool), radii=(1, 3))


def test_all_line_gives_no_segments():
    assert trapped_ball_fill(np.zeros((6, 6), bool)).max() == 0


def test_unclosed_sketch_face_and_hair_do_not_leak_together():
    art = read_rgba(real_data("unclosed_sketch", "sketch.png"))
    paper_pixels = (segment_line_art(art) > 0).sum()
    plain = segment_areas(segment_line_art(art))[1:]
    balls = segment_areas(segment_line_art(art, seg_method="trappedball"))[1:]
    assert plain.max() > 0.9 * paper_pixels  # closed-line segmentation leaks everywhere
    assert balls.max() < 0.5 * paper_pixels
    assert (balls > 20_000).sum() >= 4  # several large regions survive separately
