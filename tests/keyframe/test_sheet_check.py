"""``pbc sheet check``: every problem of a sheet in one list."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.keyframe.sheet_check import check_sheet, enclosed_share


def test_sound_sheet_has_no_problem(tmp_path: Path, handmade, make_sheet) -> None:
    root = make_sheet(tmp_path / "s", handmade.colorbook, {"front.png": handmade.colored})
    problems, references = check_sheet(root)
    assert problems == [] and [r.name for r in references] == ["front"]


def test_every_error_in_one_list(tmp_path: Path, handmade, make_sheet) -> None:
    colorbook = "red part on clothes: [[235 130 130],[200 60 60],null,null]\n"  # no shadow
    blurred = cv2.GaussianBlur(handmade.colored, (0, 0), 1.0)
    root = make_sheet(tmp_path / "s", colorbook, {
        "front.png": handmade.colored,  # shadow color not in the colorbook
        "side.png": blurred,  # not flat
        "side_line.png": handmade.line,
        "back_line.png": handmade.line,  # line art without its view
    })  # fmt: skip
    with pytest.raises(InputError):  # load_sheet names one of them
        load_sheet(root)
    problems, references = check_sheet(root)
    assert references == []
    assert [p.severity for p in problems] == ["error"] * 3
    messages = sorted(p.message for p in problems)
    assert messages[0].startswith(f"{root / 'ref' / 'back_line.png'}: line art without")
    assert messages[1].startswith(f"{root / 'ref' / 'front.png'}: 1 color(s) not in the colorbook")
    assert messages[2].startswith(f"{root / 'ref' / 'side.png'}: reference is not flat")
    assert str(problems[0]).startswith("error: ")


def test_warnings(tmp_path: Path, handmade, make_sheet) -> None:
    colorbook = handmade.colorbook + "spare on jacket: [null,[1 2 3],null,null]\n"
    colored = handmade.colored.copy()
    colored[20, 14] = (9, 99, 9, 255)  # one stray pixel
    root = make_sheet(tmp_path / "s", colorbook, {"front.png": colored})
    problems, references = check_sheet(root)
    assert len(references) == 1
    assert [p.severity for p in problems] == ["warning"] * 3
    text = "\n".join(p.message for p in problems)
    assert "entry 'spare on jacket' is used by no view" in text
    assert "'jacket' is not one of the 12 categories; the text encoder reads it as clothes" in text
    assert "front.png: 1 off-palette pixel(s)" in text


def test_missing_colorbook_and_views(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    problems, _ = check_sheet(tmp_path / "s")
    assert [p.message.split(": ", 1)[1] for p in problems] == [
        "file not found",
        "folder of reference images not found",
    ]
    problems, _ = check_sheet(tmp_path / "nowhere")
    assert [p.message for p in problems] == [
        f"{tmp_path / 'nowhere'}: design sheet folder not found"
    ]


def _two_rooms(gap: int) -> np.ndarray:
    """(120, 120, 4) colored view: a box split by a wall with a ``gap``-px doorway, the
    left room red, the right one blue, lines black."""
    colored = np.zeros((120, 120, 4), np.uint8)
    colored[10:110, 10:60] = (200, 60, 60, 255)
    colored[10:110, 60:110] = (50, 60, 160, 255)
    line = np.zeros((120, 120), bool)
    line[10:12, 10:110] = line[108:110, 10:110] = True
    line[10:110, 10:12] = line[10:110, 108:110] = True
    line[10:110, 59:61] = True
    line[58 : 58 + gap, 59:61] = False
    colored[line] = (0, 0, 0, 255)
    return colored


OPEN_SHEET = "red room on clothes: [null,[200 60 60],null,null]\n" + (
    "blue room on clothes: [null,[50 60 160],null,null]\n"
)


def test_open_line_art_is_a_warning(tmp_path: Path, make_sheet) -> None:
    root = make_sheet(tmp_path / "s", OPEN_SHEET, {"front.png": _two_rooms(gap=4)})
    problems, references = check_sheet(root)
    assert len(references) == 1
    assert [p.severity for p in problems] == ["warning"]
    assert "front.png: open line art: " in problems[0].message
    assert "(100% with closed gaps)" in problems[0].message
    assert "--seg-method closegaps" in problems[0].message
    assert check_sheet(root, seg_method="closegaps")[0] == []


def test_closed_line_art_is_no_warning(tmp_path: Path, make_sheet) -> None:
    root = make_sheet(tmp_path / "s", OPEN_SHEET, {"front.png": _two_rooms(gap=0)})
    assert check_sheet(root)[0] == []


def test_enclosed_share_exact() -> None:
    segment_ids = np.array([[1, 1, 0, 2], [1, 1, 0, 2]], np.int32)
    color = np.zeros((2, 4, 4), np.uint8)
    color[:, :2] = (9, 9, 9, 255)
    color[0, 1] = (7, 7, 7, 255)  # the minority color of segment 1
    color[:, 3] = (5, 5, 5, 255)
    line_mask = segment_ids == 0
    assert enclosed_share(segment_ids, color, line_mask) == pytest.approx(5 / 6)
    assert enclosed_share(segment_ids, np.zeros_like(color), line_mask) == 1.0


def test_loading_an_open_sheet_warns(tmp_path: Path, make_sheet) -> None:
    import warnings

    from paintbucket.errors import InputWarning
    from paintbucket.keyframe.sheet_check import warn_open_line_art

    root = make_sheet(tmp_path / "s", OPEN_SHEET, {"front.png": _two_rooms(gap=4)})
    with pytest.warns(InputWarning, match="front.png: open line art"):
        warn_open_line_art(load_sheet(root))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_open_line_art(load_sheet(root, "closegaps"), "closegaps")
