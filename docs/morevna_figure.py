"""Draw docs/images/morevna_open_lines.png: what open line art does to a real sheet.

Morevna's CC0 character saha (``../shared/data/real/morevna``): the front view's fills
made into a sheet with ``pbc sheet init`` (nothing edited), the side view's line art
colored from it as ``pbc keyframe`` colors it, that view's own fills as the truth, and
the pixels whose color differs from the truth in magenta, once with the default
segmentation and once with ``--seg-method closegaps``. With the default, the side view's
jacket, face and hands are not closed by lines, so they fall into the paper's segment
and stay unpainted whatever the matcher says; ``closegaps`` extends the stroke ends
across the gaps (drawn red on the line art) and closes the jacket (see the README's real
sheet benchmark). Run from the repository root::

    python docs/morevna_figure.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from _panels import labelled, on_white

from paintbucket.core.frames import Frame
from paintbucket.io import normalize_transparent, read_rgba, write_png
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.sheet_init import init_sheet
from paintbucket.segment.gaps import gap_lines
from paintbucket.segment.stats import pack_rgba

ROOT = Path(__file__).resolve().parents[1]
MOREVNA = ROOT.parent / "shared" / "data" / "real" / "morevna"
OUT = ROOT / "docs" / "images" / "morevna_open_lines.png"
WRONG = np.array([255, 0, 255], np.uint8)
CLOSING = np.array([230, 0, 0], np.uint8)


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


def colorize(scratch: Path, seg_method: str) -> tuple[Frame, np.ndarray]:
    """The side view as ``pbc keyframe --seg-method SEG_METHOD`` colors it from the front
    view's sheet: the target frame and the rendered (H, W, 4) uint8 result."""
    sheet, _ = init_sheet(
        [MOREVNA / "saha_front_fill.png"], scratch / f"sheet-{seg_method}", seg_method=seg_method
    )
    target = Frame.from_line_art(read_rgba(MOREVNA / "saha_side_lineart.png"), seg_method)
    return target, SheetColorizer(sheet)(target).coloring.render()


def wrong_pixels(result: np.ndarray, truth: np.ndarray, line_mask: np.ndarray) -> np.ndarray:
    """(H, W) bool: paper pixels whose color differs from the truth."""
    wrong = pack_rgba(normalize_transparent(result)) != pack_rgba(normalize_transparent(truth))
    return wrong & ~line_mask


def main() -> None:
    if not MOREVNA.is_dir():
        raise SystemExit(f"real data not found: {MOREVNA}")
    truth = read_rgba(MOREVNA / "saha_side_fill.png")
    painted = truth[..., 3] > 0
    with tempfile.TemporaryDirectory() as scratch:
        results = {method: colorize(Path(scratch), method) for method in ("default", "closegaps")}
    target = results["default"][0]
    line, truth_rgb = on_white(target.line_art), on_white(truth)
    closed_line = line.copy()
    closing = cv2.dilate(gap_lines(target.line_mask).view(np.uint8), np.ones((3, 3), np.uint8))
    closed_line[closing > 0] = CLOSING
    sheet_view = on_white(read_rgba(MOREVNA / "saha_front_full.png"))
    sheet_box = character_box(sheet_view)
    box = character_box(line, truth_rgb)
    height = 520
    panels = [
        labelled(sheet_view[sheet_box], "sheet (front)", height),
        labelled(closed_line[box], "target, gaps closed", height),
        labelled(truth_rgb[box], "truth (its fills)", height),
    ]
    for method, (frame, result) in results.items():
        wrong = wrong_pixels(result, truth, frame.line_mask)
        errors = on_white(result)
        errors[wrong] = WRONG
        share = wrong[painted].mean()
        panels.append(labelled(errors[box], f"{method}: {share:.0%} wrong", height))
        print(f"{method}: {share:.1%} of the character's painted pixels are wrong")
    figure = np.concatenate(panels, axis=1)
    write_png(OUT, np.dstack([figure, np.full(figure.shape[:2], 255, np.uint8)]))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
