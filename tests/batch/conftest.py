"""Tiny episodes made in code: cuts drawn by ``write_example_clip``, and checks that a
cut's results are complete and valid."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from paintbucket.io import list_pngs, read_rgba, write_png
from paintbucket.synth.example import write_example_clip


def make_episode(root: Path, names: list[str], frames: int = 3, size: int = 96) -> Path:
    """An episode folder with one example clip (``line/``, ``gt/0000.png``) per name."""
    for name in names:
        write_example_clip(root / name, frames=frames, size=size)
    return root


def break_cut(clip: Path) -> Path:
    """Make ``clip`` bad input: its keyframe a different size from its line art."""
    write_png(clip / "gt" / "0000.png", np.zeros((40, 40, 4), np.uint8))
    return clip / "gt" / "0000.png"


def assert_complete(clip: Path, results: Path) -> None:
    """Every frame of ``clip`` has a PNG of its size and a JSON that parses, and no
    temporary file is left in ``results``."""
    names = [path.stem for path in list_pngs(clip / "line")]
    size = read_rgba(clip / "line" / f"{names[0]}.png").shape
    assert sorted(p.name for p in results.iterdir()) == sorted(
        f"{name}.{ext}" for name in names for ext in ("json", "png")
    )
    for name in names:
        assert read_rgba(results / f"{name}.png").shape == size
        assert isinstance(json.loads((results / f"{name}.json").read_text()), dict)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ray: starts Ray (the cluster extra): a local instance or a 2-node test cluster; "
        "tens of seconds on 2 cores (deselect with -m 'not ray')",
    )
