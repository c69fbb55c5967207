from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.colorize import colorize_keyframe
from paintbucket.keyframe.sheet import load_sheet


def _moved(line_art: np.ndarray, scale: float, shift: tuple[int, int]) -> np.ndarray:
    """The drawing scaled about its center and shifted, nearest-neighbour (stays binary)."""
    h, w = line_art.shape[:2]
    matrix = np.array([[scale, 0, (1 - scale) * w / 2 + shift[0]],
                       [0, scale, (1 - scale) * h / 2 + shift[1]]])  # fmt: skip
    return cv2.warpAffine(
        line_art, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=(255, 255, 255, 0)
    )


@pytest.mark.parametrize("view", ["front", "side", "back", "face"])
def test_a_moved_copy_of_a_view_selects_that_view(tiny_data: Path, view: str) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    line = _moved(read_rgba(tiny_data / "char000_sheet" / "ref" / f"{view}_line.png"), 0.9, (6, -4))
    result = colorize_keyframe(sheet, Frame.from_line_art(line), refine_flow=False)
    names = [r.name for r in sheet.references]
    assert names[int(np.argmax(result.reference_weights))] == view
