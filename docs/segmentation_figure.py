"""Draw docs/images/segmentation.png: the three segmentations of an unclosed drawing.

LineFiller's example sketch (MIT, ``../shared/data/real/linefiller_sketch``), segmented
with each ``--seg-method``; every segment gets its own pastel color, the paper's segment
(the one in the top-left corner) stays white, lines are black and the joins that
``closegaps`` draws are red. With the default, strokes that stop short of each other let
the background run into the face and hair; ``trappedball`` closes the gaps narrower
than its largest ball; ``closegaps`` extends the stroke ends. Run from the repository
root::

    python docs/segmentation_figure.py
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from _panels import labelled

from paintbucket.io import read_rgba, write_png
from paintbucket.segment import PAPER, classify_lines, segment_areas, segment_line_art
from paintbucket.segment.gaps import gap_lines

ROOT = Path(__file__).resolve().parents[1]
SKETCH = ROOT.parent / "shared" / "data" / "real" / "linefiller_sketch" / "sketch.png"
OUT = ROOT / "docs" / "images" / "segmentation.png"
JOIN = np.array([230, 0, 0], np.uint8)


def segment_colors(segment_ids: np.ndarray, seed: int = 0) -> np.ndarray:
    """(N + 1, 3) uint8 pastel colors, one per segment id; the paper's segment (the id in
    the top-left corner) white."""
    rng = np.random.default_rng(seed)
    colors = rng.integers(120, 256, size=(int(segment_ids.max()) + 1, 3)).astype(np.uint8)
    colors[segment_ids[0, 0]] = 255
    return colors


def main() -> None:
    if not SKETCH.is_file():
        raise SystemExit(f"real data not found: {SKETCH}")
    line_art = read_rgba(SKETCH)
    lines = classify_lines(line_art, "auto") != PAPER
    joins = cv2.dilate(gap_lines(lines).view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    height = 360
    panels = []
    for method in ("default", "trappedball", "closegaps"):
        segment_ids = segment_line_art(line_art, method)
        picture = segment_colors(segment_ids)[segment_ids]
        picture[lines] = 0
        if method == "closegaps":
            picture[joins & ~lines] = JOIN
        paper = segment_areas(segment_ids)[segment_ids[0, 0]] / segment_ids.size
        text = f"{method}: {int(segment_ids.max())} segments, paper {paper:.0%}"
        panels.append(labelled(picture, text, height))
        print(text)
    figure = np.concatenate(panels, axis=1)
    write_png(OUT, np.dstack([figure, np.full(figure.shape[:2], 255, np.uint8)]))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
