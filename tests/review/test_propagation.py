"""Propagation from a corrected result: the reference it makes and the chain, exactly."""

from __future__ import annotations

import numpy as np

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Frame
from paintbucket.review.propagation import propagate_results, reference_from_result

RED, GREEN, GRAY, BLACK = [255, 0, 0, 255], [0, 255, 0, 255], [9, 9, 9, 255], [0, 0, 0, 255]
IDS = np.array([[1, 1, 2], [0, 2, 2]], np.int32)


def tiny_frame(ink: int = 0) -> Frame:
    """2x3 drawing with one line pixel (bottom left) of gray level ``ink``."""
    line_art = np.full((2, 3, 4), 255, np.uint8)
    line_art[..., 3] = 0
    line_art[1, 0] = [ink, ink, ink, 255]
    return Frame(line_art, IDS.copy(), IDS == 0)


def test_reference_from_result_adds_the_result_colors_to_the_palette():
    frame = tiny_frame()
    info = {"num_segments": 2, "colors": {"2": GRAY, "1": GREEN}}
    reference = reference_from_result(frame, info, np.array([RED, GREEN], np.uint8))
    # Sorted as packed R << 24 | G << 16 | B << 8 | A: green, gray, red.
    assert reference.palette.tolist() == [GREEN, GRAY, RED]
    assert reference.segment_palette_index.tolist() == [-1, 0, 1]
    assert reference.segment_palette_index.dtype == np.int32
    assert reference.line_art is frame.line_art and reference.segment_ids is frame.segment_ids


class CopyBySegmentId:
    """An engine that gives each target segment its reference namesake's color, and
    records what it was given."""

    name = "copy"

    def __init__(self) -> None:
        self.calls: list[tuple[ColoredFrame, Frame]] = []

    def __call__(self, reference: ColoredFrame, target: Frame) -> SegmentColoring:
        self.calls.append((reference, target))
        index = reference.segment_palette_index
        probabilities = np.zeros((index.size, len(reference.palette)), np.float32)
        probabilities[np.arange(1, index.size), index[1:]] = 0.75
        return SegmentColoring(target.segment_ids, reference.palette, probabilities)


def test_propagate_results_chains_each_frame_from_the_one_before():
    source = reference_from_result(
        tiny_frame(), {"num_segments": 2, "colors": {"1": GREEN, "2": RED}},
        np.array([RED, GREEN], np.uint8),
    )  # fmt: skip
    frames = {"0002": tiny_frame(ink=10), "0003": tiny_frame(ink=20)}
    engine = CopyBySegmentId()
    read = []

    def read_frame(name: str) -> Frame:
        read.append((name, len(engine.calls)))
        return frames[name]

    results = propagate_results("0001", source, ["0002", "0003"], read_frame, engine, True)
    assert read == [("0002", 0), ("0003", 1)]  # each read just before it is colored
    assert engine.calls[0] == (source, frames["0002"])
    second_reference = engine.calls[1][0]
    assert second_reference.line_art is frames["0002"].line_art  # from the frame before
    assert [name for name, _, _ in results] == ["0002", "0003"]
    for (name, rgba, info), previous, ink in zip(results, ["0001", "0002"], [10, 20]):
        assert rgba.tolist() == [[GREEN, GREEN, RED], [[ink, ink, ink, 255], RED, RED]]
        assert info["frame"] == name and info["reference"] == previous
        assert info["keyframe"] is False and info["engine"] == "copy"
        assert info["propagated_from"] == "0001" and info["size"] == [3, 2]
        assert info["colors"] == {"1": GREEN, "2": RED}
        assert info["confidence"] == {"1": 0.75, "2": 0.75}
        assert list(info)[-1] == "reviewed" and info["reviewed"] == []


def test_propagate_results_without_keep_line_draws_flat_black_lines():
    source = reference_from_result(
        tiny_frame(), {"num_segments": 2, "colors": {"1": RED, "2": GREEN}},
        np.array([RED, GREEN], np.uint8),
    )  # fmt: skip
    (_, rgba, info), = propagate_results(
        "0001", source, ["0002"], lambda name: tiny_frame(ink=10), CopyBySegmentId()
    )  # fmt: skip
    assert rgba.tolist() == [[RED, RED, GREEN], [BLACK, GREEN, GREEN]]
    assert info["engine"] == "copy"
