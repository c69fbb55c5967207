"""SegmentColoring's JSON: colors, confidence and the top candidates of a hand-made table."""

import numpy as np

from paintbucket.core.coloring import SegmentColoring

RED, GREEN, BLUE, WHITE = [255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255] * 4


def _coloring() -> SegmentColoring:
    probabilities = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],  # the line: unused
            [0.1, 0.6, 0.25, 0.05],  # green, then blue, then red
            [0.5, 0.5, 0.0, 0.0],  # a tie: the earlier palette color first
            [0.0, 0.0, 0.0, 1.2],  # not normalised: confidence clipped, candidates not
            [1 / 3, 0.0, 2 / 3, 0.0],  # rounded to 4 decimals
        ],
        dtype=np.float32,
    )
    segment_ids = np.array([[1, 0, 2], [3, 0, 4]], dtype=np.int32)
    return SegmentColoring(segment_ids, np.array([RED, GREEN, BLUE, WHITE], np.uint8),
                           probabilities)  # fmt: skip


def test_to_json_lists_the_top_three_candidates_best_first():
    assert _coloring().to_json(frame="0001") == {
        "frame": "0001",
        "num_segments": 4,
        "colors": {"1": GREEN, "2": RED, "3": WHITE, "4": BLUE},
        "confidence": {"1": 0.6, "2": 0.5, "3": 1.0, "4": 0.6667},
        "candidates": {
            "1": [[GREEN, 0.6], [BLUE, 0.25], [RED, 0.1]],
            "2": [[RED, 0.5], [GREEN, 0.5], [BLUE, 0.0]],
            "3": [[WHITE, 1.2], [RED, 0.0], [GREEN, 0.0]],
            "4": [[BLUE, 0.6667], [RED, 0.3333], [GREEN, 0.0]],
        },
    }


def test_to_json_k_is_capped_by_the_palette():
    coloring = _coloring()
    assert coloring.to_json(k=1)["candidates"]["1"] == [[GREEN, 0.6]]
    two_colors = SegmentColoring(coloring.segment_ids, coloring.palette[:2],
                                 coloring.probabilities[:, :2])  # fmt: skip
    assert two_colors.to_json()["candidates"]["1"] == [[GREEN, 0.6], [RED, 0.1]]
