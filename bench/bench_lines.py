"""Line threshold on the real drawings: ``auto`` against the fixed 0.5.

For every drawing in ../shared/data/real (line frames, morevna line art, the sketches):
the auto threshold, the segment counts under 0.5 and under auto, and the median time of
``segment_line_art`` both ways with their ratio; then the per-clip threshold, any coverage
warning, and whether pbc_char_0242 still reproduces the dataset's seg/ exactly.
Run: ``python bench/bench_lines.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from paintbucket.io import read_rgba, read_segments
from paintbucket.segment import auto_line_threshold, line_coverage_warning, segment_line_art

from _common import REAL_DATA, timeit


def drawings() -> dict[str, list[Path]]:
    """Real line drawings by clip (a lone drawing is a clip of one)."""
    clips = {
        folder.name: sorted((folder / "line").glob("*.png"))
        for folder in sorted(REAL_DATA.iterdir())
        if (folder / "line").is_dir()
    }
    for path in sorted(REAL_DATA.glob("morevna/*_lineart.png")):
        clips[f"morevna/{path.stem}"] = [path]
    for path in sorted(REAL_DATA.glob("*/sketch.png")):
        clips[path.parent.name] = [path]
    return clips


def main() -> None:
    if not REAL_DATA.is_dir():
        raise SystemExit(f"no real data at {REAL_DATA}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"cores: {os.cpu_count()}, OpenCV threads: {cv2.getNumThreads()}, load: {load}")
    print(
        f"{'drawing':44s} {'size':>10s} {'auto':>6s} {'segs@0.5':>8s} {'segs@auto':>9s} "
        f"{'t@0.5 s':>8s} {'t@auto s':>8s} {'ratio':>6s}"
    )
    ratios = []
    for clip, paths in drawings().items():
        arts = [read_rgba(path) for path in paths]
        for path, art in zip(paths, arts):
            threshold = auto_line_threshold(art)
            fixed = int(segment_line_art(art, line_threshold=0.5).max())
            auto = int(segment_line_art(art).max())
            time_fixed, _ = timeit(lambda a=art: segment_line_art(a, line_threshold=0.5), 3)
            time_auto, _ = timeit(lambda a=art: segment_line_art(a), 3)
            ratios.append(time_auto / time_fixed)
            height, width = art.shape[:2]
            name = f"{clip}/{path.name}" if len(paths) > 1 else clip
            print(
                f"{name:44s} {width:>4d}x{height:<5d} {threshold:6.3f} {fixed:8d} {auto:9d} "
                f"{time_fixed:8.3f} {time_auto:8.3f} {ratios[-1]:6.2f}"
            )
            warning = line_coverage_warning(art)
            if warning:
                print(f"  warning: {path.name}: {warning}")
        if len(paths) > 1:
            print(f"{clip}: clip threshold {auto_line_threshold(arts):.3f} ({len(paths)} frames)")
    print(
        f"auto/0.5 time ratio: median {np.median(ratios):.2f}, max {max(ratios):.2f}; "
        f"load after: {', '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    folder = REAL_DATA / "pbc_char_0242"
    if (folder / "seg" / "0242.png").is_file():
        segment_ids = segment_line_art(read_rgba(folder / "line" / "0242.png"))
        same = np.array_equal(segment_ids, read_segments(folder / "seg" / "0242.png"))
        print(f"pbc_char_0242 under auto reproduces seg/0242.png exactly: {same}")


if __name__ == "__main__":
    main()
