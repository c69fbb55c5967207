import math

import numpy as np
import pytest

from paintbucket.metrics import (
    SIZE_BUCKETS,
    evaluate_frame,
    segment_correctness,
    summarize,
    truth_segments,
)

BG = (0, 0, 0, 0)
RED = (255, 0, 0, 255)
BLUE = (0, 0, 255, 255)
LINE = (0, 0, 0, 255)


def _frame(rows):
    return np.array(rows, dtype=np.uint8)


def _hand_frame():
    """Segments 1 (1 px, background), 2 (12 px, red), 3 (3 px, blue), column 0 line;
    the prediction gets segment 2 right and 1 and 3 wrong."""
    segment_ids = np.zeros((4, 5), int)
    segment_ids[0, 1] = 1
    segment_ids[1:, 1:] = 2
    segment_ids[0, 2:] = 3
    gt = np.zeros((4, 5, 4), np.uint8)
    gt[:, 0] = LINE
    gt[0, 1] = BG
    gt[1:, 1:] = RED
    gt[0, 2:] = BLUE
    pred = gt.copy()
    pred[0, 1] = RED  # segment 1 wrong (background painted red)
    pred[0, 2:] = BG  # segment 3 wrong (blue painted background)
    pred[:, 0] = (7, 7, 7, 255)  # line pixels are ignored
    return segment_ids, gt, pred


def test_hand_computed_frame():
    segment_ids, gt, pred = _hand_frame()
    scores = evaluate_frame(pred, gt, segment_ids)
    assert scores.acc == pytest.approx(1 / 3)
    assert scores.acc_thres == pytest.approx(1.0)  # only segment 2 is > 10 px
    assert scores.pix_acc == pytest.approx(12 / 16)
    assert scores.pix_f_acc == pytest.approx(12 / 15)
    assert scores.pix_b_miou == pytest.approx(0 / 4)  # union: seg 1 (1) + seg 3 (3), both wrong
    assert scores.num_segments == 3
    assert scores.bucket_total.tolist()[:2] == [2, 1] and scores.bucket_correct[1] == 1


def test_segment_correctness_agrees_with_evaluate_frame():
    segment_ids, gt, pred = _hand_frame()
    areas, correct = segment_correctness(pred, gt, segment_ids)
    assert areas.tolist() == [1.0, 12.0, 3.0]
    assert correct.tolist() == [False, True, False]
    assert correct.mean() == pytest.approx(evaluate_frame(pred, gt, segment_ids).acc)
    # two predictions that err on different segments: the best pick gets all of them
    other = gt.copy()
    other[1:, 1:] = BLUE
    _, other_correct = segment_correctness(other, gt, segment_ids)
    assert (correct | other_correct).tolist() == [True, True, True]


def test_segment_correctness_empty_and_bad_input():
    areas, correct = segment_correctness(
        np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2), int)
    )
    assert areas.shape == (0,) and correct.shape == (0,) and correct.dtype == bool
    with pytest.raises(ValueError, match="shape mismatch"):
        segment_correctness(np.zeros((2, 2, 4), np.uint8), np.zeros((2, 3, 4), np.uint8),
                            np.ones((2, 3), int))  # fmt: skip


def test_majority_color_decides_a_segment():
    segment_ids = np.ones((1, 4), int)
    gt = np.array([[RED] * 4], np.uint8)
    pred = np.array([[RED, RED, RED, BLUE]], np.uint8)
    assert evaluate_frame(pred, gt, segment_ids).acc == 1.0


def test_transparent_rgb_does_not_matter():
    segment_ids = np.ones((1, 2), int)
    gt = np.array([[(255, 255, 255, 0)] * 2], np.uint8)
    pred = np.array([[BG] * 2], np.uint8)
    scores = evaluate_frame(pred, gt, segment_ids)
    assert scores.acc == 1.0 and scores.pix_b_miou == 1.0 and math.isnan(scores.pix_f_acc)


def test_shape_mismatch_raises():
    with pytest.raises(ValueError):
        evaluate_frame(
            np.zeros((2, 2, 4), np.uint8), np.zeros((2, 3, 4), np.uint8), np.ones((2, 3))
        )


def test_empty_frame_and_summary():
    scores = evaluate_frame(
        np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2), int)
    )
    assert scores.num_segments == 0 and math.isnan(scores.acc)
    summary = summarize([scores])
    assert math.isnan(summary["acc"]) and summary["segments"] == 0
    assert len(summary["by_size"]) == len(SIZE_BUCKETS)


def test_summary_averages_frames():
    segment_ids = np.array([[1, 2]])
    gt = np.array([[RED, BLUE]], np.uint8)
    good = evaluate_frame(gt, gt, segment_ids)
    bad = evaluate_frame(np.array([[BLUE, BLUE]], np.uint8), gt, segment_ids)
    summary = summarize([good, bad])
    assert summary["acc"] == pytest.approx(0.75)
    assert summary["by_size"][0] == {"max_area": 10, "segments": 4, "acc": 0.75}


def test_truth_segments_split_a_leaking_segment_by_its_true_colors():
    # One segment (1) leaks from a red region into the background through a gap; segment 2
    # is blue; column 2 is ink, and (0, 3) a color-line pixel that carries segment 2's id.
    segment_ids = np.array([[1, 1, 0, 2, 2], [1, 1, 0, 2, 2]])
    gt = np.array([[BG, RED, LINE, BLUE, BLUE], [BG, RED, LINE, BLUE, BLUE]], np.uint8)
    line_mask = np.zeros((2, 5), bool)
    line_mask[:, 2] = True
    line_mask[0, 3] = True
    scoring = truth_segments(segment_ids, gt, line_mask)
    assert scoring.dtype == np.int32
    # Pieces in (segment, packed color) order: (1, BG), (1, RED), (2, BLUE).
    assert scoring.tolist() == [[1, 2, 0, 0, 3], [1, 2, 0, 3, 3]]
    # Painting the whole leaking segment the background is no longer scored correct.
    pred = gt.copy()
    pred[:, :2] = BG
    assert evaluate_frame(pred, gt, segment_ids).acc == 1.0
    assert evaluate_frame(pred, gt, scoring).acc == pytest.approx(2 / 3)


def test_truth_segments_keep_pure_segments_and_handle_empty_and_bad_input():
    segment_ids = np.array([[1, 0, 2]])
    gt = np.array([[RED, LINE, BLUE]], np.uint8)
    scoring = truth_segments(segment_ids, gt, segment_ids == 0)
    assert scoring.tolist() == [[1, 0, 2]]
    empty = truth_segments(np.zeros((0, 3), int), np.zeros((0, 3, 4), np.uint8),
                           np.zeros((0, 3), bool))  # fmt: skip
    assert empty.shape == (0, 3) and empty.dtype == np.int32
    with pytest.raises(ValueError):
        truth_segments(segment_ids, gt[:, :2], segment_ids == 0)
