"""evaluate_folder: which segments it scores against (seg/ first, else line/)."""

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.images import write_png
from paintbucket.io.index_png import write_segments
from paintbucket.metrics.evaluate import evaluate_folder

LINE, PAPER = (0, 0, 0, 255), (255, 255, 255, 0)
RED, GREEN, BLUE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)


def _two_halves(left, right, line) -> np.ndarray:
    """A 10 x 10 frame: 4 columns ``left``, the line at column 4, 5 columns ``right``."""
    image = np.zeros((10, 10, 4), np.uint8)
    image[:, :4], image[:, 4], image[:, 5:] = left, line, right
    return image


@pytest.fixture
def folders(tmp_path):
    truth, pred = tmp_path / "truth", tmp_path / "pred"
    write_png(truth / "line" / "0001.png", _two_halves(PAPER, PAPER, LINE))
    write_png(truth / "gt" / "0001.png", _two_halves(RED, BLUE, LINE))
    write_png(pred / "0001.png", _two_halves(RED, GREEN, LINE))  # the right half wrong
    return pred, truth


def test_without_seg_the_segments_come_from_the_line_art(folders):
    pred, truth = folders
    summary, frames = evaluate_folder(pred, truth)
    scores = frames["0001"]
    assert scores.num_segments == 2  # the two halves of the line art
    assert scores.acc == pytest.approx(1 / 2)
    assert scores.pix_acc == pytest.approx(40 / 90)
    assert summary["frames"] == 1


def test_seg_wins_over_the_line_art(folders):
    pred, truth = folders
    one_segment = np.ones((10, 10), np.int32)
    one_segment[:, 4] = 0
    write_segments(truth / "seg" / "0001.png", one_segment)
    # One segment: ground truth blue (50 px of 90), prediction green (50 px): wrong.
    scores = evaluate_folder(pred, truth)[1]["0001"]
    assert scores.num_segments == 1 and scores.acc == 0.0


def test_neither_seg_nor_line_is_an_input_error(folders):
    pred, truth = folders
    (truth / "line" / "0001.png").unlink()
    with pytest.raises(InputError, match="no segments: neither .*seg/0001.png nor"):
        evaluate_folder(pred, truth)


def test_without_seg_a_segment_leaking_through_a_gap_is_scored_by_its_true_colors(tmp_path):
    # The line at column 4 has a gap at row 0, so the line art is one segment; the truth
    # paints its halves red and blue. Painted all red, the blue half must count as wrong.
    truth, pred = tmp_path / "truth", tmp_path / "pred"
    line = _two_halves(PAPER, PAPER, LINE)
    line[0, 4] = PAPER
    gt = _two_halves(RED, BLUE, LINE)
    gt[0, 4] = RED
    write_png(truth / "line" / "0001.png", line)
    write_png(truth / "gt" / "0001.png", gt)
    write_png(pred / "0001.png", _two_halves(RED, RED, LINE))
    scores = evaluate_folder(pred, truth)[1]["0001"]
    assert scores.num_segments == 2
    assert scores.acc == pytest.approx(1 / 2)
    assert scores.pix_acc == pytest.approx(41 / 91)


def test_line_art_of_another_size_is_an_input_error(folders):
    pred, truth = folders
    write_png(truth / "line" / "0001.png", np.zeros((8, 10, 4), np.uint8))
    with pytest.raises(InputError, match="line/0001.png: size differs from gt"):
        evaluate_folder(pred, truth)
