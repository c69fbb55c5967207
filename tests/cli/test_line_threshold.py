"""Soft pencil line art through ``pbc colorize``: the line threshold adapts to the clip,
and a frame where almost no line is found is named in a warning."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from paintbucket.core import Frame

FILLS = ((230, 80, 80, 255), (80, 80, 230, 255), (80, 200, 80, 255), (240, 200, 60, 255))


def _pencil(shift: int) -> np.ndarray:
    """Grey 180 anti-aliased pencil on white, (120, 160) RGBA: a circle and two boxes."""
    canvas = np.full((120, 160), 255, np.uint8)
    cv2.circle(canvas, (40 + shift, 60), 28, 180, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (85 + shift, 20), (145 + shift, 100), 180, 1, cv2.LINE_AA)
    cv2.line(canvas, (115 + shift, 20), (115 + shift, 100), 180, 1, cv2.LINE_AA)
    return np.dstack([canvas, canvas, canvas, np.full_like(canvas, 255)])


def _pencil_clip(root: Path) -> Path:
    (root / "line").mkdir(parents=True)
    (root / "gt").mkdir()
    for index, shift in enumerate((0, 2, 4)):
        Image.fromarray(_pencil(shift)).save(root / "line" / f"{index:04d}.png")
    line_art = _pencil(0)
    frame = Frame.from_line_art(line_art)  # auto: the pencil strokes are lines
    assert frame.segment_ids.max() == 4
    painted = np.array(FILLS, np.uint8)[(frame.segment_ids - 1) % len(FILLS)]
    painted[frame.segment_ids == 0] = line_art[frame.segment_ids == 0]
    Image.fromarray(painted).save(root / "gt" / "0000.png")
    return root


def test_pencil_clip_colorizes_with_the_auto_threshold(pbc, tmp_path: Path) -> None:
    clip = _pencil_clip(tmp_path / "pencil")
    run = pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    assert "warning" not in run.stderr
    result = np.asarray(Image.open(tmp_path / "out" / "0001.png"))
    colors = {tuple(c) for c in result.reshape(-1, 4).tolist()}
    assert set(FILLS) <= colors  # every region found and filled
    # At the crisp threshold the pencil is no line: every frame is named in a warning,
    # and the painted keyframe is not flat over the few huge segments left.
    fixed = pbc("colorize", clip, "--out", tmp_path / "fixed", "--engine", "flow",
                "--line-threshold", "0.5")  # fmt: skip
    *warned, error = fixed.stderr.splitlines()
    assert fixed.rc == 2 and "Traceback" not in fixed.stderr
    assert error.startswith("pbc: error: ") and "gt/0000.png" in error and "not flat" in error
    assert len(warned) == 3 and all("almost no line found" in w for w in warned)
    assert not (tmp_path / "fixed").exists()


def test_frame_without_lines_is_named_in_a_warning(pbc, tmp_path: Path) -> None:
    clip = _pencil_clip(tmp_path / "pencil")
    faint = _pencil(2)
    faint[faint[..., 0] < 255, :3] = 246  # a trace of the sketch, too faint to be line
    Image.fromarray(faint).save(clip / "line" / "0001.png")
    run = pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("pbc: warning: ")]
    assert len(warnings) == 1 and "0001.png" in warnings[0], run.stderr
    assert "Traceback" not in run.stderr


def test_bad_line_threshold_is_a_usage_error(pbc, tmp_path: Path) -> None:
    clip = _pencil_clip(tmp_path / "pencil")
    for value in ("1.5", "0", "soft"):
        pbc("colorize", clip, "--out", tmp_path / "out", "--line-threshold", value
            ).assert_refused("--line-threshold")  # fmt: skip
    assert not (tmp_path / "out").exists()
