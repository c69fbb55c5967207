"""End-to-end time of one 1600x1600 frame: read, segment, flow, vote, render, write.

Uses ../shared/data/real/laughing_girl (0000 colored -> 0001) when present, else the
example mascot at 1600x1600. Run: ``python bench/bench_colorize.py``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from paintbucket.consecutive import FlowEngine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.io import read_rgba, write_png, write_text
from paintbucket.synth.example import write_example_clip

from _common import REAL_DATA, timeit


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clip = REAL_DATA / "laughing_girl"
        if not clip.is_dir():
            clip = write_example_clip(Path(tmp) / "clip", frames=2, size=1600)
        reference_line = read_rgba(clip / "line" / "0000.png")
        reference = ColoredFrame.from_keyframe(
            Frame.from_line_art(reference_line), read_rgba(clip / "gt" / "0000.png")
        )
        engine = FlowEngine()
        target_path = clip / "line" / "0001.png"

        def one_frame() -> None:
            target = Frame.from_line_art(read_rgba(target_path))
            coloring = engine(reference, target)
            write_png(Path(tmp) / "0001.png", coloring.render())
            write_text(Path(tmp) / "0001.json", json.dumps(coloring.to_json()))

        height, width = reference_line.shape[:2]
        median, best = timeit(one_frame)
        print(f"input: {clip} ({width}x{height})")
        print(f"one frame end to end (flow engine): median {median:.3f} s, best {best:.3f} s")
        median, best = timeit(
            lambda: ColoredFrame.from_keyframe(
                Frame.from_line_art(reference_line), read_rgba(clip / "gt" / "0000.png")
            )
        )
        print(f"keyframe preparation (segment + flatness check): median {median:.3f} s")


if __name__ == "__main__":
    main()
