from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.images import read_rgba, write_png
from paintbucket.keyframe.sheet import load_sheet


def test_loads_generated_sheet(sheet_copy: Path) -> None:
    sheet = load_sheet(sheet_copy)
    assert [r.name for r in sheet.references] == ["front", "side", "back", "face"]
    palette = {tuple(c) for c in sheet.palette.tolist()}
    for ref in sheet.references:
        index = sheet.reference_index_map(ref)
        assert index.min() >= -1
        assert {tuple(c) for c in sheet.palette[index[index >= 0]].tolist()} <= palette
    table = sheet.entry_table()
    assert table.shape == (len(sheet.colorbook.entries) + 1, 4)
    assert sheet.entry_keys[0] == "background"


def test_missing_colorbook(sheet_copy: Path) -> None:
    (sheet_copy / "colorbook.yml").unlink()
    with pytest.raises(InputError, match="colorbook.yml: file not found"):
        load_sheet(sheet_copy)


def test_duplicate_colors(sheet_copy: Path) -> None:
    path = sheet_copy / "colorbook.yml"
    path.write_text("a on hair: [null,[1 2 3],null,null]\nb on skin: [null,[1 2 3],null,null]\n")
    with pytest.raises(InputError, match=r"colorbook.yml: color \(1, 2, 3\) is used by both"):
        load_sheet(sheet_copy)


def test_reference_color_not_in_colorbook(sheet_copy: Path) -> None:
    path = sheet_copy / "ref" / "side.png"
    color = read_rgba(path)
    ys, xs = np.nonzero((color[..., 3] == 255) & (color[..., :3].max(axis=2) > 0))
    color[ys[:5], xs[:5]] = (1, 2, 3, 255)
    write_png(path, color)
    with pytest.raises(InputError) as error:
        load_sheet(sheet_copy)
    assert str(error.value).startswith(str(path))
    assert "not in the colorbook" in str(error.value) and "(1, 2, 3, 255) x5" in str(error.value)


def test_missing_line_art(sheet_copy: Path) -> None:
    (sheet_copy / "ref" / "back_line.png").unlink()
    with pytest.raises(InputError, match=r"back\.png: reference has no line art"):
        load_sheet(sheet_copy)


def test_line_art_of_another_size(sheet_copy: Path) -> None:
    path = sheet_copy / "ref" / "face_line.png"
    write_png(path, read_rgba(path)[:-4])
    with pytest.raises(InputError, match=r"face_line\.png: size 160x156 differs"):
        load_sheet(sheet_copy)


def test_no_references(sheet_copy: Path) -> None:
    for path in (sheet_copy / "ref").glob("*.png"):
        path.unlink()
    with pytest.raises(InputError, match="no reference images"):
        load_sheet(sheet_copy)


def test_non_flat_reference(sheet_copy: Path) -> None:
    path = sheet_copy / "ref" / "front.png"
    color = read_rgba(path)
    book = load_sheet(sheet_copy).palette[1:]
    fill = (color[..., 3] == 255) & (color[..., :3].max(axis=2) > 0)
    ys, xs = np.nonzero(fill)
    # Every other fill pixel gets some other (valid) colorbook color: not flat any more.
    color[ys[::2], xs[::2]] = book[np.arange(len(ys[::2])) % len(book)]
    write_png(path, color)
    with pytest.raises(InputError, match=r"front\.png: keyframe is not flat"):
        load_sheet(sheet_copy)
