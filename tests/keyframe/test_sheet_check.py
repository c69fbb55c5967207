"""``pbc sheet check``: every problem of a sheet in one list."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from paintbucket.errors import InputError
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.keyframe.sheet_check import check_sheet


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
