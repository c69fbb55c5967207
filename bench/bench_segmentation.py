"""Segmentation speed on a 1920x1920 PaintBucket-Character frame.

Uses ../shared/data/real/pbc_char_0242 when present, else the example mascot drawn at
1920x1920. Run: ``python bench/bench_segmentation.py``.
"""

from __future__ import annotations

import os

import cv2

from paintbucket.choices import SEG_METHODS
from paintbucket.io import read_rgba, read_segments
from paintbucket.segment import segment_line_art
from paintbucket.synth.example import draw_parts, render_parts

from _common import REAL_DATA, timeit


def main() -> None:
    path = REAL_DATA / "pbc_char_0242" / "line" / "0242.png"
    if path.is_file():
        line_art, source = read_rgba(path), str(path)
    else:
        line_art, source = render_parts(draw_parts(1920, 0.0))[0], "example mascot"
    height, width = line_art.shape[:2]
    print(
        f"input: {source} ({width}x{height}); cores: {os.cpu_count()}, "
        f"OpenCV threads: {cv2.getNumThreads()}"
    )
    segment_ids = segment_line_art(line_art)
    seg_path = REAL_DATA / "pbc_char_0242" / "seg" / "0242.png"
    if path.is_file() and seg_path.is_file():
        same = (segment_ids == read_segments(seg_path)).mean()
        print(f"segments: {segment_ids.max()}, pixels agreeing with the dataset's seg/: {same:.4%}")
    for method in SEG_METHODS:
        median, best = timeit(lambda m=method: segment_line_art(line_art, seg_method=m))
        print(f"segment_line_art(seg_method={method!r}): median {median:.3f} s, best {best:.3f} s")


if __name__ == "__main__":
    main()
