"""Frames per second of the synthetic data generator.

Usage::

    PYTHONPATH=. python bench/bench_synth.py [--size 1024] [--frames 12] [--split test]

Renders the first clips of one character (long shot, face shot, close-up in turn) and
writes every file of every frame into a temporary folder, timing rendering (ray casting,
shading, lines, segments) and writing (PNG + JSON) separately.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from paintbucket.synth.character import build_character
from paintbucket.synth.dataset import (
    SynthConfig,
    character_seed,
    clip_frames,
    clip_plan,
    render_frame,
    write_frame,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--frames", type=int, default=12, help="total frames, over 3 clips")
    parser.add_argument("--split", choices=("train", "test"), default="test")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    per_clip = max(1, args.frames // 3)
    config = SynthConfig(frames=per_clip, size=args.size, seed=args.seed, split=args.split)
    seed = character_seed(args.seed, 0, args.split)
    character = build_character(seed)
    rng = np.random.default_rng([seed, 1])
    render_s = write_s = 0.0
    count = segments = 0
    with tempfile.TemporaryDirectory() as tmp:
        for action, camera in clip_plan(rng, 3):
            clip_dir = Path(tmp) / f"{action}_{camera}"
            for i, (motion, cam, light) in enumerate(
                clip_frames(character, action, camera, config, rng)
            ):
                t0 = time.perf_counter()
                frame = render_frame(character, motion, cam, args.size, light)
                t1 = time.perf_counter()
                write_frame(clip_dir, f"{i:04d}", frame, args.split)
                t2 = time.perf_counter()
                render_s += t1 - t0
                write_s += t2 - t1
                count += 1
                segments += len(frame.colors)
    total = render_s + write_s
    print(
        f"{count} frames {args.size}x{args.size} ({args.split}): "
        f"{count / total:.2f} frames/s ({total / count:.3f} s/frame: "
        f"render {render_s / count:.3f} s, write {write_s / count:.3f} s), "
        f"{segments / count:.0f} segments/frame"
    )


if __name__ == "__main__":
    main()
