"""Draw docs/images/morevna_open_lines.png: what open line art does to a real sheet.

Morevna's CC0 character saha (``../shared/data/real/morevna``): the front view's fills
made into a sheet with ``pbc sheet init`` (nothing edited), the side view's line art
colored from it as ``pbc keyframe`` colors it, that view's own fills as the truth, and
the pixels whose color differs from the truth in magenta. The side view's jacket, face
and hands are not closed by lines, so they fall into the paper's segment and stay
unpainted whatever the matcher says (see the README's real sheet benchmark). Run from
the repository root::

    python docs/morevna_figure.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from _panels import labelled, on_white

from paintbucket.core.frames import Frame
from paintbucket.io import normalize_transparent, read_rgba, write_png
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.sheet_init import init_sheet
from paintbucket.segment.stats import pack_rgba

ROOT = Path(__file__).resolve().parents[1]
MOREVNA = ROOT.parent / "shared" / "data" / "real" / "morevna"
OUT = ROOT / "docs" / "images" / "morevna_open_lines.png"
WRONG = np.array([255, 0, 255], np.uint8)


def character_box(*images: np.ndarray, margin: int = 12) -> tuple[slice, slice]:
    """Rows and columns around everything that is not white paper in ``images``."""
    inked = np.zeros(images[0].shape[:2], bool)
    for rgb in images:
        inked |= rgb.min(axis=2) < 250
    rows, cols = np.nonzero(inked)
    height, width = inked.shape
    return (
        slice(max(0, rows.min() - margin), min(height, rows.max() + margin + 1)),
        slice(max(0, cols.min() - margin), min(width, cols.max() + margin + 1)),
    )


def main() -> None:
    if not MOREVNA.is_dir():
        raise SystemExit(f"real data not found: {MOREVNA}")
    with tempfile.TemporaryDirectory() as scratch:
        sheet, _ = init_sheet([MOREVNA / "saha_front_fill.png"], Path(scratch) / "sheet")
        target = Frame.from_line_art(read_rgba(MOREVNA / "saha_side_lineart.png"))
        result = SheetColorizer(sheet)(target).coloring.render()
    truth = read_rgba(MOREVNA / "saha_side_fill.png")
    line, truth_rgb = on_white(target.line_art), on_white(truth)
    wrong = pack_rgba(normalize_transparent(result)) != pack_rgba(normalize_transparent(truth))
    wrong &= ~target.line_mask
    errors = on_white(result)
    errors[wrong] = WRONG
    sheet_view = on_white(read_rgba(MOREVNA / "saha_front_full.png"))
    sheet_box = character_box(sheet_view)
    box = character_box(line, truth_rgb)
    height = 520
    panels = [
        labelled(sheet_view[sheet_box], "sheet (front)", height),
        labelled(line[box], "target line art", height),
        labelled(truth_rgb[box], "truth (its fills)", height),
        labelled(on_white(result)[box], "pbc keyframe", height),
        labelled(errors[box], "wrong pixels", height),
    ]
    figure = np.concatenate(panels, axis=1)
    write_png(OUT, np.dstack([figure, np.full(figure.shape[:2], 255, np.uint8)]))
    share = wrong[truth[..., 3] > 0].mean()
    print(f"wrote {OUT}: {share:.0%} of the character's painted pixels are wrong")


if __name__ == "__main__":
    main()
