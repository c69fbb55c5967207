"""The review segments a soft drawing at the threshold its results were colorized with."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba, write_png
from paintbucket.pipeline.clip import clip_line_threshold, colorize_clip
from paintbucket.review.session import ReviewSession
from paintbucket.segment import fill_pinholes
from paintbucket.synth.example import write_example_clip


def _soften(line_art: np.ndarray, gray: int, sigma: float) -> np.ndarray:
    """The drawing redrawn with blurred strokes of gray level ``gray``."""
    coverage = cv2.GaussianBlur(line_art[..., 3].astype(np.float32) / 255, (0, 0), sigma)
    soft = np.zeros_like(line_art)
    soft[..., :3] = gray
    soft[..., 3] = np.round(np.clip(coverage, 0, 1) * 255).astype(np.uint8)
    return soft


@pytest.fixture(scope="module")
def soft_clip(tmp_path_factory) -> Path:
    """The example clip (3 frames, 160 px) drawn in soft gray strokes, each frame
    softer than the one before, so that each has its own automatic threshold."""
    root = tmp_path_factory.mktemp("soft") / "clip"
    write_example_clip(root, frames=3, size=160)
    for index, path in enumerate(sorted((root / "line").glob("*.png"))):
        write_png(path, _soften(read_rgba(path), gray=120 + 20 * index, sigma=0.5 + 0.1 * index))
    return root


@pytest.mark.parametrize("line_threshold", ["auto", 0.3])
def test_review_cuts_each_frame_as_it_was_colorized(soft_clip, tmp_path, line_threshold):
    out = tmp_path / "colorized"
    colorize_clip(soft_clip, out, engine="flow", progress=False, line_threshold=line_threshold)
    paths = sorted((soft_clip / "line").glob("*.png"))
    expected = clip_line_threshold(paths, line_threshold, None)
    session = ReviewSession(soft_clip, out, engine="flow")
    for path in paths:
        info = json.loads((out / f"{path.stem}.json").read_text())
        assert info["line_threshold"] == pytest.approx(expected)
        assert session.line_threshold(path.stem) == pytest.approx(expected)
        frame = Frame.from_line_art(read_rgba(path), "default", expected)
        ids = session.segments(path.stem)
        assert ids.max() == info["num_segments"]
        assert np.array_equal(ids, fill_pinholes(frame.segment_ids, frame.solid_line_mask()))


def test_results_without_a_threshold_get_the_clips_automatic_one(soft_clip, tmp_path):
    out = tmp_path / "colorized"
    colorize_clip(soft_clip, out, engine="flow", progress=False)
    for path in out.glob("*.json"):
        info = json.loads(path.read_text())
        del info["line_threshold"]
        path.write_text(json.dumps(info))
    paths = sorted((soft_clip / "line").glob("*.png"))
    per_frame = [clip_line_threshold([p], "auto", None) for p in paths]
    clip_threshold = clip_line_threshold(paths, "auto", None)
    assert len(set(per_frame)) > 1  # frames on their own would be cut differently
    session = ReviewSession(soft_clip, out, engine="flow")
    assert session.line_threshold(paths[0].stem) == pytest.approx(clip_threshold)


def test_painting_a_segment_repaints_the_fringe_painted_with_it(soft_clip, tmp_path):
    out = tmp_path / "colorized"
    colorize_clip(soft_clip, out, engine="flow", progress=False)
    session = ReviewSession(soft_clip, out, engine="flow")
    name = "0001"
    frame = session._frame(name)
    ids = session.segments(name)
    absorbed = (frame.segment_ids == 0) & (ids > 0)  # fringe pixels painted with a segment
    assert absorbed.any()
    segment = int(np.bincount(ids[absorbed]).argmax())
    current = json.loads((out / f"{name}.json").read_text())["colors"][str(segment)]
    fringe = absorbed & (ids == segment)
    assert (read_rgba(out / f"{name}.png")[fringe] == current).all()  # colorize painted it
    new_color = next(c for c in session.palette.tolist() if c != current and c[3] == 255)
    session.paint(name, segment, new_color)
    result = read_rgba(out / f"{name}.png")
    assert (result[ids == segment] == new_color).all()  # the fringe included
