"""A tiny generated design sheet shared by the keyframe tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

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
