"""A frame's result files and the hand edits, on a hand-made 2x3 result: exact pixels
and JSON values."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.images import read_rgba, write_png
from paintbucket.review.edits import (
    accept_segment,
    paint_segment,
    read_result_image,
    read_result_info,
    write_result,
)
from paintbucket.review.errors import ReviewError

RED, BLUE, GREEN, BLACK = [255, 0, 0, 255], [0, 0, 255, 255], [0, 255, 0, 255], [0, 0, 0, 255]
#: Segment ids: 1 top left, 2 right, 0 the line pixel at the bottom left.
IDS = np.array([[1, 1, 2], [0, 2, 2]], np.int32)


def tiny_result() -> tuple[np.ndarray, dict]:
    rgba = np.array([[RED, RED, BLUE], [BLACK, BLUE, BLUE]], np.uint8)
    info = {
        "frame": "0001",
        "num_segments": 2,
        "colors": {"1": RED, "2": BLUE},
        "confidence": {"1": 0.95, "2": 0.4},
        "candidates": {"1": [[RED, 0.95]], "2": [[BLUE, 0.4], [GREEN, 0.35]]},
        "reviewed": [1],
    }
    return rgba, info


def test_paint_segment_recolors_its_pixels_and_marks_it_reviewed():
    rgba, info = tiny_result()
    rgba_before, info_before = rgba.copy(), copy.deepcopy(info)
    painted, new_info = paint_segment(rgba, info, IDS == 2, 2, (0, 255, 0, 255))
    assert painted.tolist() == [[RED, RED, GREEN], [BLACK, GREEN, GREEN]]
    assert new_info == {
        **info_before,
        "colors": {"1": RED, "2": GREEN},
        "confidence": {"1": 0.95, "2": 1.0},
        "reviewed": [1, 2],
        "edited": True,
    }
    assert list(new_info)[-1] == "edited"
    assert np.array_equal(rgba, rgba_before) and info == info_before  # inputs untouched
    _, again = paint_segment(painted, new_info, IDS == 2, 2, (255, 0, 0, 255))
    assert again["reviewed"] == [1, 2] and again["colors"]["2"] == RED


def test_accept_segment_only_marks_it_reviewed():
    _, info = tiny_result()
    info_before = copy.deepcopy(info)
    accepted = accept_segment(info, 2)
    assert accepted == {**info_before, "confidence": {"1": 0.95, "2": 1.0}, "reviewed": [1, 2]}
    assert "edited" not in accepted and info == info_before
    assert accept_segment(accepted, 1)["reviewed"] == [1, 2]


def test_read_result_info_checks_the_keys(tmp_path):
    _, info = tiny_result()
    del info["reviewed"]
    path = tmp_path / "0001.json"
    path.write_text(json.dumps(info))
    assert read_result_info(path) == {**info, "reviewed": []}
    path.write_text(json.dumps({**info, "reviewed": [2]}))
    assert read_result_info(path)["reviewed"] == [2]
    del info["confidence"]
    path.write_text(json.dumps(info))
    with pytest.raises(InputError, match="needs the keys num_segments, colors") as error:
        read_result_info(path)
    assert str(path) in str(error.value)
    for bad in ("{broken", "[1, 2]"):
        path.write_text(bad)
        with pytest.raises(InputError, match=r"0001\.json"):
            read_result_info(path)


def test_read_result_image_refuses_another_size(tmp_path):
    rgba, _ = tiny_result()
    path = write_png(tmp_path / "0001.png", rgba)
    assert np.array_equal(read_result_image(path, (2, 3)), rgba)
    with pytest.raises(ReviewError, match=r"0001\.png is 3x2, the line art 4x2") as error:
        read_result_image(path, (2, 4))
    assert error.value.status == 409


def test_write_result_rewrites_both_files_or_only_the_json(tmp_path):
    rgba, info = tiny_result()
    png, js = tmp_path / "0001.png", tmp_path / "0001.json"
    painted, new_info = paint_segment(rgba, info, IDS == 1, 1, (0, 0, 255, 255))
    write_result(png, js, painted, new_info)
    assert read_rgba(png).tolist() == [[BLUE, BLUE, BLUE], [BLACK, BLUE, BLUE]]
    assert js.read_text() == json.dumps(new_info)
    png_bytes = png.read_bytes()
    accepted = accept_segment(new_info, 2)
    write_result(png, js, None, accepted)
    assert png.read_bytes() == png_bytes
    assert json.loads(js.read_text()) == accepted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001.json", "0001.png"]
