"""A tiny generated design sheet shared by the keyframe tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from paintbucket.io.images import write_png
from paintbucket.synth.dataset import SynthConfig, generate


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One test-split character at 160 px: ``char000_sheet`` and one 2-frame clip."""
    out = tmp_path_factory.mktemp("keyframe-data")
    config = SynthConfig(
        characters=1, clips_per_character=1, frames=2, size=160, seed=7, split="test"
    )
    generate(out, config, progress=False)
    return out


@pytest.fixture
def sheet_copy(tiny_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the tiny sheet folder."""
    return Path(shutil.copytree(tiny_data / "char000_sheet", tmp_path / "sheet"))


#: Colors of the hand-made view: a red base with a shadow and a highlight shape.
BASE, SHADOW, LIGHT = (200, 60, 60), (150, 45, 45), (235, 130, 130)
BLACK = (0, 0, 0, 255)


@dataclass
class HandmadeView:
    """A 48 x 48 sheet view as studios paint one: a black 2-px square outline (rows and
    columns 8-39) around a red base fill, with a shadow shape (columns 28-37) and a
    highlight shape (rows 12-15, columns 12-19) painted inside it without any outline;
    transparent paper. The fills run on under the line.

    Attributes
    ----------
    line, fill, colored : (48, 48, 4) uint8
        Black lines on transparent paper; the fills alone; the fills with the lines drawn.
    base, shadow, light : RGB
    colorbook : str
        A ``colorbook.yml`` with the one entry of those three colors.
    """

    line: np.ndarray
    fill: np.ndarray
    colored: np.ndarray
    base: tuple = BASE
    shadow: tuple = SHADOW
    light: tuple = LIGHT
    colorbook: str = "red part on clothes: [[235 130 130],[200 60 60],[150 45 45],null]\n"


@pytest.fixture
def make_sheet():
    """``make_sheet(root, colorbook_text, {name: image}) -> root``: a sheet folder with
    ``colorbook.yml`` and the images written into ``ref/``."""

    def make(root: Path, colorbook: str, files: dict[str, np.ndarray]) -> Path:
        (root / "ref").mkdir(parents=True)
        (root / "colorbook.yml").write_text(colorbook)
        for name, image in files.items():
            write_png(root / "ref" / name, image)
        return root

    return make


@pytest.fixture
def handmade() -> HandmadeView:
    """A fresh :class:`HandmadeView`."""
    line = np.zeros((48, 48, 4), np.uint8)
    line[8:40, 8:40] = BLACK
    line[10:38, 10:38] = 0
    fill = np.zeros((48, 48, 4), np.uint8)
    fill[8:40, 8:40] = (*BASE, 255)
    fill[10:38, 28:38] = (*SHADOW, 255)
    fill[12:16, 12:20] = (*LIGHT, 255)
    colored = fill.copy()
    colored[line[..., 3] > 0] = BLACK
    return HandmadeView(line, fill, colored)


#: Parts of the hand-made character: (name, rows, columns, base color, tone shapes).
#: Each tone shape is (rows, columns, color), painted inside its part without outline.
CHARACTER_PARTS = (
    ("hair", (10, 22), (28, 52), (240, 210, 90), [((12, 20), (44, 50), (190, 165, 70))]),
    ("face", (22, 44), (30, 50), (245, 200, 170), [((24, 42), (44, 48), (200, 160, 135))]),
    ("shirt", (44, 84), (10, 70), (200, 60, 60),
     [((46, 82), (56, 68), (150, 45, 45)), ((46, 52), (12, 24), (235, 130, 130))]),
    ("left hand", (60, 70), (0, 10), (245, 200, 170), []),
    ("right hand", (60, 70), (70, 80), (245, 200, 170), []),
    ("pants", (84, 120), (26, 54), (50, 60, 160), [((86, 118), (46, 52), (35, 40, 120))]),
    ("shoes", (120, 130), (24, 56), (20, 20, 20), []),
)  # fmt: skip


@dataclass
class HandmadeCharacter:
    """A 140 x 80 T-pose-like character (:data:`CHARACTER_PARTS`): every part a
    rectangle outlined in black, shadows and highlights as shapes without outline.

    Attributes
    ----------
    line, fill, colored : (140, 80, 4) uint8
    """

    line: np.ndarray
    fill: np.ndarray
    colored: np.ndarray
    parts: tuple = CHARACTER_PARTS


@pytest.fixture
def character() -> HandmadeCharacter:
    """A fresh :class:`HandmadeCharacter`."""
    fill = np.zeros((140, 80, 4), np.uint8)
    line = np.zeros_like(fill)
    for _, (r0, r1), (c0, c1), base, shapes in CHARACTER_PARTS:
        fill[r0:r1, c0:c1] = (*base, 255)
        for (s0, s1), (t0, t1), tone in shapes:
            fill[s0:s1, t0:t1] = (*tone, 255)
        line[r0:r1, c0:c1] = BLACK
    for _, (r0, r1), (c0, c1), _, _ in CHARACTER_PARTS:
        line[r0 + 1 : r1 - 1, c0 + 1 : c1 - 1] = 0
    for _, (r0, r1), (c0, c1), _, _ in CHARACTER_PARTS:  # outlines drawn over neighbours
        line[r0, c0:c1] = line[r1 - 1, c0:c1] = BLACK
        line[r0:r1, c0] = line[r0:r1, c1 - 1] = BLACK
    colored = fill.copy()
    colored[line[..., 3] > 0] = BLACK
    return HandmadeCharacter(line, fill, colored)
