"""Peak memory of ``pbc colorize`` (default engine) per megapixel of frame.

Renders a 3-frame ``pbc synth`` clip (test split, one keyframe) at each size, runs
``pbc colorize`` on it in a child process and reads that child's peak resident memory
from the kernel (``os.wait4``, the figure ``/usr/bin/time -v`` reports as "Maximum
resident set size"). Frames are processed one at a time, so the peak grows with the
frame size, not the clip length; the script fits ``peak = base + slope * megapixels``
through the sizes and extrapolates to the default ``--max-pixels`` (4096 x 4096).
Run: ``python bench/bench_memory.py [SIZE ...]`` (default 1024 2048).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_of_colorize(clip: Path, out: Path) -> tuple[float, float]:
    """(peak resident MB, wall seconds) of one ``pbc colorize`` child process."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "paintbucket.cli.main", "colorize", str(clip),
               "--out", str(out), "--quiet"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"pbc colorize failed with exit status {child.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start  # ru_maxrss is in KiB


def main() -> None:
    from paintbucket.io.images import DEFAULT_MAX_PIXELS
    from paintbucket.synth.dataset import SynthConfig, generate

    sizes = [int(arg) for arg in sys.argv[1:]] or [1024, 2048]
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data = Path(tmp) / f"d{size}"
            config = SynthConfig(characters=1, clips_per_character=1, frames=3, size=size,
                                 seed=11, split="test")  # fmt: skip
            generate(data, config, progress=False)
            clip = next(data.glob("*/line")).parent
            for later in sorted((clip / "gt").glob("*.png"))[1:]:
                later.unlink()  # synth writes every frame's colors; keep the first keyframe
            peak_mb, seconds = peak_of_colorize(clip, Path(tmp) / f"out{size}")
            megapixels = size * size / 1e6
            points.append((megapixels, peak_mb))
            print(f"{size}x{size} ({megapixels:.2f} MP): peak {peak_mb:.0f} MB "
                  f"({peak_mb / megapixels:.0f} MB/MP), {seconds:.1f} s for 3 frames")  # fmt: skip
    if len(points) >= 2:
        (x0, y0), (x1, y1) = points[0], points[-1]
        slope = (y1 - y0) / (x1 - x0)
        base = y0 - slope * x0
        limit = DEFAULT_MAX_PIXELS / 1e6
        print(f"fit: {base:.0f} MB + {slope:.0f} MB per megapixel; at the default --max-pixels "
              f"({limit:.1f} MP) about {base + slope * limit:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
