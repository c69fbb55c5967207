from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.images import read_rgba, write_png
from paintbucket.keyframe.sheet import load_sheet, reference_entry_map


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


def test_reference_color_not_in_colorbook(tmp_path: Path, handmade, make_sheet) -> None:
    colorbook = "red part on clothes: [[235 130 130],[200 60 60],null,null]\n"  # no shadow
    root = make_sheet(tmp_path / "s", colorbook, {"v.png": handmade.colored})
    with pytest.raises(InputError) as error:
        load_sheet(root)
    message = str(error.value)
    assert message.startswith(str(root / "ref" / "v.png"))
    # The shadow shape: rows 10-37, columns 28-37.
    assert message.endswith("1 color(s) not in the colorbook (RGBA x pixel count): "
                            "(150, 45, 45, 255) x280")  # fmt: skip


def test_stray_pixels_are_not_colorbook_colors(sheet_copy: Path) -> None:
    path = sheet_copy / "ref" / "side.png"
    strays = int(load_sheet(sheet_copy).references[1].fills.stray.sum())
    color = read_rgba(path)
    ys, xs = np.nonzero((color[..., 3] == 255) & (color[..., :3].max(axis=2) > 0))
    color[ys[:5:2], xs[:5:2]] = (1, 2, 3, 255)  # isolated pixels, no flat area
    write_png(path, color)
    side = load_sheet(sheet_copy).references[1]
    assert side.fills.stray.sum() == strays + 3
    assert (1, 2, 3, 255) not in {tuple(c) for c in side.frame.palette.tolist()}


def test_colored_image_alone_has_its_lines_found(sheet_copy: Path) -> None:
    with_line_art = load_sheet(sheet_copy).references[2]
    (sheet_copy / "ref" / "back_line.png").unlink()
    back = load_sheet(sheet_copy).references[2]
    assert back.name == "back" and back.line_path is None
    found, drawn = back.frame.segment_ids == 0, with_line_art.frame.segment_ids == 0
    assert (found & drawn).sum() / drawn.sum() > 0.9
    assert (found & drawn).sum() / found.sum() > 0.9


def test_colored_image_without_any_line(sheet_copy: Path) -> None:
    (sheet_copy / "ref" / "back_line.png").unlink()
    path = sheet_copy / "ref" / "back.png"
    color = read_rgba(path)
    color[color[..., :3].max(axis=2) < 80] = 0
    write_png(path, color)
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
    with pytest.raises(InputError, match=r"front\.png: reference is not flat: \d+% of its color"):
        load_sheet(sheet_copy)


def test_fills_and_lineart_with_shapes_without_outline(
    tmp_path: Path, handmade, make_sheet
) -> None:
    root = make_sheet(tmp_path / "s", handmade.colorbook,
                  {"hero_fill.png": handmade.fill, "hero_lineart.png": handmade.line})  # fmt: skip
    sheet = load_sheet(root)
    (view,) = sheet.references
    assert view.name == "hero" and view.line_path == root / "ref" / "hero_lineart.png"
    entries = reference_entry_map(sheet, view)
    index = sheet.reference_index_map(view)
    assert entries[20, 30] == entries[30, 15] == entries[13, 13] == 1  # one entry, 3 tones
    assert tuple(sheet.palette[index[20, 30]][:3]) == handmade.shadow
    assert tuple(sheet.palette[index[13, 13]][:3]) == handmade.light
    assert entries[2, 2] == 0 and index[8, 8] == -1


def test_one_colored_image_and_layered_psd_read_alike(tmp_path: Path, handmade, make_sheet) -> None:
    from PIL import Image
    from psd_tools import PSDImage
    from psd_tools.api.layers import PixelLayer

    lineart = load_sheet(
        make_sheet(
            tmp_path / "a",
            handmade.colorbook,
            {"v_fill.png": handmade.fill, "v_line.png": handmade.line},
        )
    )
    colored = load_sheet(
        make_sheet(tmp_path / "b", handmade.colorbook, {"v.png": handmade.colored})
    )
    root = make_sheet(tmp_path / "c", handmade.colorbook, {})
    psd = PSDImage.new("RGB", (48, 48))
    for name, rgba in (("paint", handmade.fill), ("lines", handmade.line)):
        psd.append(PixelLayer.frompil(Image.fromarray(rgba, "RGBA"), psd, name=name))
    psd.save(root / "ref" / "v.psd")
    layered = load_sheet(root)  # fmt: skip
    expected = lineart.references[0].frame
    for sheet in (colored, layered):
        frame = sheet.references[0].frame
        assert np.array_equal(frame.segment_ids, expected.segment_ids)
        assert np.array_equal(frame.palette_index_map(), expected.palette_index_map())


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["v.png", "v_fill.png", "v_line.png"], r"v_fill\.png: two colored images of view 'v'"),
        (["v.png", "v.psd"], r"v\.psd: two colored images of view 'v'"),
        (["v.png", "v_line.png", "v_lineart.png"], r"v_lineart\.png: two line arts of view"),
        (["v.png", "w_line.png"], r"w_line\.png: line art without a colored image of view 'w'"),
        (["v_fill.png"], r"v_fill\.png: fills without line art: no v_line\.png"),
    ],
)
def test_unpaired_reference_files(tmp_path: Path, handmade, names, message, make_sheet) -> None:
    images = {name: handmade.line if "_line" in name else handmade.colored for name in names}
    root = make_sheet(tmp_path / "s", handmade.colorbook, {n: i for n, i in images.items()
                                                       if not n.endswith(".psd")})  # fmt: skip
    for name in names:
        if name.endswith(".psd"):
            (root / "ref" / name).write_bytes(b"")
    with pytest.raises(InputError, match=message):
        load_sheet(root)


def test_view_order(tmp_path: Path, handmade, make_sheet) -> None:
    names = ["zeta.png", "saha_side.png", "saha_front.png", "face.png", "back_view.png"]
    root = make_sheet(tmp_path / "s", handmade.colorbook, dict.fromkeys(names, handmade.colored))
    order = [r.name for r in load_sheet(root).references]
    assert order == ["saha_front", "saha_side", "face", "back_view", "zeta"]
