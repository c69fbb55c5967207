"""Frames per second of three ways to color the same cuts: a shell loop of ``pbc colorize``,
``pbc batch --workers 1`` and ``pbc batch --workers 2``.

Usage::

    PYTHONPATH=. python bench/bench_batch.py [--cuts 6] [--frames 8] [--size 1024]
                                             [--engine inclusion] [--mode anchored]
                                             [--json FILE]

The cuts are held-out synthetic clips (``pbc synth --split test``) with only their first
frame painted (``gt/0000.png``), as a painter hands them over. Each way runs as its own
command, timed from start to exit (Python start-up, model loading and, for ``pbc batch``,
Ray's start included), and frames/s counts every frame written (the keyframe too, as
``pbc colorize`` writes it). The machine's load average is printed before and after each
way: the figures are only comparable at a similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from paintbucket.choices import DEFAULT_MODE, ENGINE_NAMES, MODES

REPO = Path(__file__).resolve().parents[1]


def pbc_command() -> list[str]:
    """The ``pbc`` command of this checkout."""
    return [sys.executable, "-m", "paintbucket.cli.main"]


def make_cuts(root: Path, cuts: int, frames: int, size: int) -> Path:
    """``cuts`` synthetic cuts under ``root/episode`` (3 per character), first frame
    painted."""
    data = root / "synth"
    options = {"--characters": -(-cuts // 3), "--clips-per-character": 3, "--frames": frames,
               "--size": size, "--split": "test", "--seed": 11}  # fmt: skip
    command = [*pbc_command(), "synth", str(data), "--quiet"]
    arguments = [str(x) for item in options.items() for x in item]
    subprocess.run(command + arguments, check=True, stdout=subprocess.DEVNULL)
    clips = sorted(p for p in data.iterdir() if (p / "line").is_dir())[:cuts]
    episode = root / "episode"
    for clip in clips:
        for folder in ("line", "line_anno"):
            shutil.copytree(clip / folder, episode / clip.name / folder)
        (episode / clip.name / "gt").mkdir()
        shutil.copy(clip / "gt" / "0000.png", episode / clip.name / "gt" / "0000.png")
    return episode


def timed(command: list[str] | str, shell: bool = False) -> dict:
    """Wall time of a command and the load average (1 min) before and after it."""
    before = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run(command, check=True, shell=shell, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "load_before": before, "load_after": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cuts", type=int, default=6)
    parser.add_argument("--frames", type=int, default=8, help="frames per cut")
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--engine", choices=ENGINE_NAMES, default=ENGINE_NAMES[0])
    parser.add_argument("--mode", choices=MODES, default=DEFAULT_MODE)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        episode = make_cuts(root, args.cuts, args.frames, args.size)
        cuts = sorted(p.name for p in episode.iterdir())
        frames = args.cuts * args.frames
        pbc = " ".join(shlex.quote(str(part)) for part in pbc_command())
        loop = (
            f"for cut in {' '.join(cuts)}; do {pbc} colorize {shlex.quote(str(episode))}/$cut "
            f"--out {shlex.quote(str(root / 'loop'))}/$cut --engine {args.engine} "
            f"--mode {args.mode} --quiet "
            "|| exit 1; done"
        )
        ways = {"shell loop of pbc colorize": timed(["bash", "-c", loop])}
        for workers in (1, 2):
            out = root / f"batch{workers}"
            command = [*pbc_command(), "batch", str(episode), "--out", str(out), "--engine",
                       args.engine, "--mode", args.mode, "--workers", str(workers),
                       "--quiet"]  # fmt: skip
            way = ways[f"pbc batch --workers {workers}"] = timed(command)
            summary = json.loads((out / "batch.json").read_text())
            busy = sum(cut["seconds"] for cut in summary["per_cut"])
            way["seconds_per_frame_in_cuts"] = round(busy / summary["frames"], 3)
        same = sum(
            (root / "loop" / cut / name).read_bytes() == (root / "batch2" / cut / name).read_bytes()
            for cut in cuts
            for name in os.listdir(root / "loop" / cut)
            if name.endswith(".png")
        )

    print(f"{args.cuts} cuts x {args.frames} frames at {args.size} px, engine {args.engine}, "
          f"mode {args.mode}, {os.cpu_count()} cores")  # fmt: skip
    print(f"{'way':32} {'seconds':>8} {'frames/s':>9}   load average before / after")
    for name, way in ways.items():
        way["frames_per_second"] = round(frames / way["seconds"], 3)
        print(f"{name:32} {way['seconds']:8.1f} {way['frames_per_second']:9.3f}   "
              f"{way['load_before']:.2f} / {way['load_after']:.2f}")  # fmt: skip
    for name, way in ways.items():
        if "seconds_per_frame_in_cuts" in way:
            print(f"{name}: {way['seconds_per_frame_in_cuts']:.2f} s per frame inside its "
                  "cuts (one worker's pace, weights loading included)")  # fmt: skip
    print(f"PNGs of pbc batch --workers 2 identical to the loop's: {same} of {frames}")
    if args.json:
        figures = {"cuts": args.cuts, "frames_per_cut": args.frames, "size": args.size,
                   "engine": args.engine, "mode": args.mode, "ways": ways,
                   "identical_pngs": same}  # fmt: skip
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
