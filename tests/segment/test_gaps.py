import numpy as np
import pytest

from paintbucket.io import read_rgba
from paintbucket.segment import label_paper, segment_areas, segment_line_art
from paintbucket.segment.gaps import (
    gap_lines,
    label_paper_closing_gaps,
    resolve_max_gap,
    skeleton,
    stroke_ends,
)
from tests.conftest import BLACK, blank, real_data


def _box_mask(gap: int, width: int = 1) -> np.ndarray:
    """(40, 40) bool: a box outline (rows/cols 5..34) with a ``gap``-px opening on top."""
    mask = np.zeros((40, 40), dtype=bool)
    mask[5 : 5 + width, 5:35] = True
    mask[35 - width : 35, 5:35] = True
    mask[5:35, 5 : 5 + width] = True
    mask[5:35, 35 - width : 35] = True
    mask[5 : 5 + width, 15 : 15 + gap] = False
    return mask


def test_skeleton_of_a_thick_bar_is_one_pixel_wide():
    mask = np.zeros((11, 30), dtype=bool)
    mask[4:7, 3:27] = True
    thin = skeleton(mask)
    assert thin.dtype == bool and thin.shape == mask.shape
    assert (thin[:, 8:22].sum(axis=0) == 1).all()
    assert not thin[~mask].any()


def test_skeleton_of_nothing_is_empty():
    assert not skeleton(np.zeros((4, 5), dtype=bool)).any()


def test_stroke_ends_of_a_straight_line():
    mask = np.zeros((20, 30), dtype=bool)
    mask[10, 5:26] = True
    points, directions = stroke_ends(mask)
    order = np.argsort(points[:, 1])
    np.testing.assert_array_equal(points[order], [[10, 5], [10, 25]])
    np.testing.assert_allclose(directions[order], [[0, -1], [0, 1]], atol=1e-9)


def test_stroke_ends_empty_input_gives_empty_arrays():
    points, directions = stroke_ends(np.zeros((8, 8), dtype=bool))
    assert points.shape == (0, 2) and points.dtype == np.int64
    assert directions.shape == (0, 2) and directions.dtype == np.float64


def test_a_closed_outline_has_no_ends():
    points, _ = stroke_ends(_box_mask(gap=0))
    assert len(points) == 0


def test_gap_lines_bridge_exactly_the_opening():
    mask = _box_mask(gap=6)
    closing = gap_lines(mask, max_gap=10)
    np.testing.assert_array_equal(np.argwhere(closing), [[5, x] for x in range(15, 21)])
    assert label_paper(~mask).max() == 1
    assert label_paper(~(mask | closing)).max() == 2


def test_thick_strokes_gap_is_bridged_without_corner_spurs():
    mask = _box_mask(gap=8, width=5)
    closing = gap_lines(mask, max_gap=12)
    assert closing.any() and not (closing & mask).any()
    assert label_paper(~(mask | closing)).max() == 2
    # Only the opening is drawn: no line leaves the thick box's corners.
    assert set(np.unique(np.nonzero(closing)[1])) <= set(range(15, 23))


def test_gap_wider_than_max_gap_stays_open():
    mask = _box_mask(gap=6)
    assert not gap_lines(mask, max_gap=4).any()
    assert not gap_lines(mask, max_gap=0).any()


def test_a_detail_line_ending_inside_a_region_is_not_extended():
    mask = _box_mask(gap=0)
    mask[20, 5:18] = True  # a fold from the left side, ending 16 px from the right one
    assert not gap_lines(mask, max_gap=12).any()


def test_resolve_max_gap():
    assert resolve_max_gap("auto", (100, 200)) == 10
    assert resolve_max_gap(7, (100, 200)) == 7
    for bad in (-1, "wide", True, 2.5):
        with pytest.raises(ValueError):
            resolve_max_gap(bad, (10, 10))


def test_segment_line_art_closegaps_splits_and_fills_the_bridge():
    art = blank(40, 40)
    art[_box_mask(gap=6)] = BLACK
    assert segment_line_art(art).max() == 1
    segment_ids = segment_line_art(art, seg_method="closegaps", max_gap=10)
    assert segment_ids.max() == 2
    assert segment_ids[20, 20] != segment_ids[2, 2]
    assert (segment_ids[art[..., 3] == 0] > 0).all()  # the bridge's pixels are painted


def test_label_paper_closing_gaps_exact_segments():
    mask = _box_mask(gap=6)
    segment_ids = label_paper_closing_gaps(~mask, max_gap=10)
    assert segment_ids.dtype == np.int32 and segment_ids.shape == mask.shape
    assert segment_ids.max() == 2
    assert (segment_ids[mask] == 0).all() and (segment_ids[~mask] > 0).all()
    # the bridge row: its pixels lie as near the inside as the outside; each takes a side
    assert set(np.unique(segment_ids[5, 15:21])) <= {segment_ids[2, 2], segment_ids[20, 20]}
    # max_gap 0 closes nothing: the plain labelling
    np.testing.assert_array_equal(label_paper_closing_gaps(~mask, max_gap=0), label_paper(~mask))


def test_label_paper_closing_gaps_empty_input():
    assert label_paper_closing_gaps(np.zeros((0, 0), bool), max_gap=4).shape == (0, 0)
    assert label_paper_closing_gaps(np.zeros((6, 6), bool), max_gap=4).max() == 0


def test_unclosed_sketch_closegaps_keeps_the_face_off_the_background():
    art = read_rgba(real_data("unclosed_sketch", "sketch.png"))
    plain = segment_line_art(art)
    assert plain[627, 920] == plain[0, 0]  # closed-line segmentation leaks everywhere
    segment_ids = segment_line_art(art, seg_method="closegaps")
    areas = segment_areas(segment_ids)
    face, background = segment_ids[627, 920], segment_ids[0, 0]
    assert face != background
    assert areas[face] > 20_000
    assert areas[background] < 0.75 * (plain > 0).sum()
    assert (areas[1:] > 20_000).sum() >= 4


def test_missing_opencv_contrib_is_a_one_line_error(monkeypatch):
    import cv2

    from paintbucket.errors import InputError

    monkeypatch.delattr(cv2, "ximgproc", raising=False)
    with pytest.raises(InputError, match="opencv-contrib-python-headless"):
        skeleton(_box_mask(gap=6))


def test_blocks_of_ends_give_the_same_lines(monkeypatch):
    from paintbucket.segment import gaps

    mask = _box_mask(gap=6)
    mask[20, 5:18] = True  # a fold whose end reaches nothing
    mask[28, 5:30] = True  # one that stops 4 px short of the right side
    whole = gap_lines(mask, max_gap=10)
    monkeypatch.setattr(gaps, "_BLOCK", 1)
    np.testing.assert_array_equal(gap_lines(mask, max_gap=10), whole)
    assert whole[28, 30:34].all()  # the short fold was extended to the side


@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (1, 5), (0, 7), (6, 6)])
@pytest.mark.parametrize("inked", [True, False])
def test_degenerate_masks_close_nothing(shape, inked):
    import warnings

    mask = np.full(shape, inked)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on an all-line mask either
        closing = gap_lines(mask, max_gap=5)
    assert closing.shape == shape and closing.dtype == bool and not closing.any()
