"""Draw the README pictures from the bundled example (run from the repository root).

``python docs/make_figures.py`` writes docs/images/example.png: the keyframe line art
and its colors, a later frame's line art, and pbc's result for it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from _panels import labelled, on_white

from paintbucket.io import read_rgba, write_png
from paintbucket.pipeline import colorize_clip
from paintbucket.synth.example import write_example_clip

OUT = Path(__file__).resolve().parent / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_example_clip(Path(tmp) / "clip", frames=6, size=384)
        colorize_clip(clip, Path(tmp) / "out", progress=False)
        panels = [
            labelled(on_white(read_rgba(clip / "line" / "0000.png")), "keyframe line"),
            labelled(on_white(read_rgba(clip / "gt" / "0000.png")), "keyframe colors"),
            labelled(on_white(read_rgba(clip / "line" / "0005.png")), "frame 5 line"),
            labelled(on_white(read_rgba(Path(tmp) / "out" / "0005.png")), "pbc colorize"),
        ]
    write_png(OUT / "example.png", np.concatenate(panels, axis=1))
    print(f"wrote {OUT / 'example.png'}")


if __name__ == "__main__":
    main()
