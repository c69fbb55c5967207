"""``pbc sheet init``: palette, tones of one material, category proposals (hand-made views)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io.colorbook import read_colorbook
from paintbucket.io.images import write_png
from paintbucket.keyframe.sheet import load_sheet, reference_frame
from paintbucket.keyframe.sheet_init import (
    color_stats,
    group_tones,
    init_sheet,
    same_hue,
)


def _entries_by_normal(frames) -> dict[tuple, list]:
    stats = color_stats(frames)
    colors = [tuple(int(v) for v in c[:3]) for c in stats.colors]
    groups = group_tones(stats)
    return {colors[g[1]]: [None if m is None else colors[m] for m in g] for g in groups}


def test_tones_of_one_material_share_an_entry(character) -> None:
    frame, _ = reference_frame(character.line, character.fill)
    entries = _entries_by_normal([frame])
    assert entries == {
        (200, 60, 60): [(235, 130, 130), (200, 60, 60), (150, 45, 45), None],
        (245, 200, 170): [None, (245, 200, 170), (200, 160, 135), None],
        (50, 60, 160): [None, (50, 60, 160), (35, 40, 120), None],
        (240, 210, 90): [None, (240, 210, 90), (190, 165, 70), None],
        (20, 20, 20): [None, (20, 20, 20), None, None],
    }


def test_touching_colors_of_other_hues_or_far_tones_stay_apart() -> None:
    line = np.zeros((40, 40, 4), np.uint8)
    line[2:38, 2] = line[2:38, 37] = line[2, 2:38] = line[37, 2:38] = (0, 0, 0, 255)
    fill = np.zeros_like(line)
    fill[2:38, 2:38] = (255, 255, 255, 255)  # white with a black shape, no line between
    fill[5:15, 5:20] = (0, 0, 0, 255)
    fill[20:35, 5:20] = (200, 60, 60, 255)  # red beside a blue shape
    fill[20:35, 20:35] = (50, 60, 200, 255)
    frame, _ = reference_frame(line, fill)
    groups = _entries_by_normal([frame])
    assert len(groups) == 4 and all(g[0] is None and g[2] is None for g in groups.values())
    assert same_hue(np.array([0, 0, 0]), np.array([255, 255, 255]))  # hue alone would join
    assert not same_hue(np.array([200, 60, 60]), np.array([50, 60, 200]))


def _write(folder: Path, images: dict[str, np.ndarray]) -> list[Path]:
    return [write_png(folder / name, image) for name, image in images.items()]


def test_init_writes_a_sheet_covering_every_fill_color(tmp_path: Path, character) -> None:
    fill, line = _write(tmp_path / "in", {"hero_front_fill.png": character.fill,
                                          "hero_front_lineart.png": character.line})  # fmt: skip
    out = tmp_path / "sheet"
    sheet, entries = init_sheet([fill], out)  # the line art is found beside the fills
    assert sorted(p.name for p in (out / "ref").iterdir()) == [
        "hero_front_fill.png", "hero_front_line.png"
    ]  # fmt: skip
    assert (out / "ref" / "hero_front_fill.png").read_bytes() == fill.read_bytes()
    assert (out / "ref" / "hero_front_line.png").read_bytes() == line.read_bytes()
    colorbook = read_colorbook(out / "colorbook.yml")
    painted = {tuple(int(v) for v in c[:3]) for c in np.unique(
        character.fill[character.fill[..., 3] > 0].reshape(-1, 4), axis=0)}  # fmt: skip
    assert set(colorbook.palette()) == painted
    assert [e.key for e in colorbook.entries] == [e.entry.key for e in entries]
    assert len({e.description for e in colorbook.entries}) == len(colorbook.entries)
    categories = {e.colors[1]: e.category for e in colorbook.entries}
    assert categories == {
        (200, 60, 60): "clothes", (245, 200, 170): "skin", (50, 60, 160): "clothes",
        (240, 210, 90): "hair", (20, 20, 20): "shoes",
    }  # fmt: skip
    assert [r.name for r in sheet.references] == ["hero_front"]
    # The written file loads on its own and says what to do.
    assert [r.name for r in load_sheet(out).references] == ["hero_front"]
    assert (out / "colorbook.yml").read_text().startswith("# Written by pbc sheet init.")


def test_init_refuses_to_overwrite(tmp_path: Path, character) -> None:
    (colored,) = _write(tmp_path / "in", {"hero.png": character.colored})
    out = tmp_path / "sheet"
    init_sheet([colored], out)
    (out / "colorbook.yml").write_text("edited on skin: [null,[1 2 3],null,null]\n")
    with pytest.raises(InputError, match=r"colorbook\.yml: already exists \(pass --force"):
        init_sheet([colored], out)
    assert (out / "colorbook.yml").read_text().startswith("edited")
    init_sheet([colored], out, force=True)
    assert (out / "colorbook.yml").read_text().startswith("# Written")


def test_init_refuses_a_view_that_is_not_flat(tmp_path: Path, character) -> None:
    import cv2

    blurred = cv2.GaussianBlur(character.colored, (0, 0), 1.0)
    (colored,) = _write(tmp_path / "in", {"hero.png": blurred})
    with pytest.raises(InputError, match=r"hero\.png: reference is not flat"):
        init_sheet([colored], tmp_path / "sheet")
    assert not (tmp_path / "sheet").exists()
