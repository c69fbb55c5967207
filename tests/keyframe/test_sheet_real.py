"""The raw Morevna model sheets (../shared/data/real/morevna, CC0) as design sheets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.core.palette import keyframe_palette
from paintbucket.errors import InputError
from paintbucket.io.colorbook import CATEGORIES, read_colorbook
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.keyframe.sheet_init import init_sheet
from tests.conftest import real_data


def test_saha_front_works_as_a_sheet(tmp_path: Path) -> None:
    folder = real_data("morevna")
    fill = read_rgba(folder / "saha_front_fill.png")
    line = read_rgba(folder / "saha_front_lineart.png")
    # The issue: its line-enclosed segments hold several fills, so it was refused.
    try:
        keyframe_palette(Frame.from_line_art(line).segment_ids, fill)
        raise AssertionError("the raw view is flat by the per-segment rule after all")
    except InputError as error:
        assert "not flat" in str(error)

    out = tmp_path / "saha"
    sheet, entries = init_sheet([folder / "saha_front_fill.png"], out)
    colorbook = read_colorbook(out / "colorbook.yml")
    assert all(e.category in CATEGORIES for e in colorbook.entries)
    # Every flat fill color of the view has an entry; only isolated strays have none.
    (view,) = sheet.references
    fills = {tuple(c[:3]) for c in view.fills.palette.tolist() if c[3] == 255}
    used = {tuple(c[:3]) for c in view.frame.palette[view.frame.segment_palette_index[1:]]
            .tolist() if c[3] == 255}  # fmt: skip
    assert used <= set(colorbook.palette()) <= fills
    painted = fill[(fill[..., 3] > 0) & (line[..., 0] > 0)]  # off the black lines
    book = np.array([(*c, 255) for c in colorbook.palette()], np.uint8)
    assert np.isin(painted.view(np.uint32), book.view(np.uint32)).mean() > 0.998
    # Jacket gray with its shadow tone, skin with two shadow tones, blond hair + shadow.
    by_normal = {e.colors[1]: e for e in colorbook.entries}
    assert by_normal[(158, 158, 159)].colors[2] == (115, 115, 116)
    assert by_normal[(244, 188, 157)].colors[2:] == ((193, 149, 124), (178, 137, 114))
    assert by_normal[(226, 203, 124)].colors[2] == (165, 148, 90)
    assert by_normal[(226, 203, 124)].category == "hair"
    assert by_normal[(244, 188, 157)].category == "skin"
    assert by_normal[(158, 158, 159)].category == "clothes"

    # ... and colors the side view with no hand editing.
    side = Frame.from_line_art(read_rgba(folder / "saha_side_lineart.png"))
    result = SheetColorizer(load_sheet(out), method="baseline")(side)
    assert result.coloring.render().shape == fill.shape
