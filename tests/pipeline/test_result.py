"""render_result: the rendered PNG and JSON of one colorized frame, exactly."""

from __future__ import annotations

import numpy as np

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import Frame
from paintbucket.pipeline.result import render_result

RED, BLUE, BLACK = [255, 0, 0, 255], [0, 0, 255, 255], [0, 0, 0, 255]
DARK_INK = [40, 40, 40, 255]


def tiny_frame() -> tuple[Frame, SegmentColoring]:
    """2x3 drawing: one dark-gray line pixel between segment 1 (left) and 2 (right)."""
    line_art = np.full((2, 3, 4), 255, np.uint8)
    line_art[..., 3] = 0
    line_art[0, 1] = DARK_INK
    ids = np.array([[1, 0, 2], [1, 1, 2]], np.int32)
    frame = Frame(line_art, ids, ids == 0)
    probabilities = np.array([[0.0, 0.0], [0.9, 0.1], [0.3, 0.6]], np.float32)
    return frame, SegmentColoring(ids, np.array([RED, BLUE], np.uint8), probabilities)


def test_render_result_image_and_json():
    frame, coloring = tiny_frame()
    rgba, info = render_result(
        frame, coloring, "0003", reference="0002", keyframe=False, engine="flow",
        propagated_from="0001",
    )  # fmt: skip
    assert rgba.dtype == np.uint8
    assert rgba.tolist() == [[RED, BLACK, BLUE], [RED, RED, BLUE]]
    assert list(info) == [
        "frame", "reference", "keyframe", "engine", "size", "propagated_from",
        "num_segments", "colors", "confidence", "candidates",
    ]  # fmt: skip
    assert info["frame"] == "0003" and info["reference"] == "0002"
    assert info["keyframe"] is False and info["engine"] == "flow"
    assert info["size"] == [3, 2]  # width, height
    assert info["propagated_from"] == "0001"
    assert info["num_segments"] == 2
    assert info["colors"] == {"1": RED, "2": BLUE}
    assert info["confidence"] == {"1": 0.9, "2": 0.6}
    assert info["candidates"] == {"1": [[RED, 0.9], [BLUE, 0.1]], "2": [[BLUE, 0.6], [RED, 0.3]]}


def test_render_result_keep_line_draws_the_original_ink():
    frame, coloring = tiny_frame()
    rgba, info = render_result(
        frame, coloring, "k", reference=None, keyframe=True, engine="keyframe", keep_line=True
    )
    assert rgba[0, 1].tolist() == DARK_INK  # not the flat black line
    assert rgba[1].tolist() == [RED, RED, BLUE]
    assert info["reference"] is None and info["keyframe"] is True
    assert "propagated_from" not in info
