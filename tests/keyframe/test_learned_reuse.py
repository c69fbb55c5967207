"""KeyframeModel reuses what it computed of a sheet view (ONNX Runtime, no torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.models.runtime import OnnxKeyframeMatcher


def test_a_sheet_view_is_prepared_once_while_it_lives(tiny_data: Path, monkeypatch) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    paths = sorted((clip / "line").glob("*.png"))[:2]
    targets = [Frame.from_line_art(read_rgba(path)) for path in paths]
    categories = ["clothes"] * len(sheet.colorbook.entries)
    reference = sheet.references[0]
    fresh = KeyframeModel(reuse_references=False)
    expected = [fresh.entry_probabilities(sheet, reference, t, categories) for t in targets]
    encoded = []
    original = OnnxKeyframeMatcher.encode_reference
    monkeypatch.setattr(OnnxKeyframeMatcher, "encode_reference",
                        lambda self, data: encoded.append(1) or original(self, data))  # fmt: skip
    matcher = KeyframeModel()
    for target, want in zip(targets, expected):
        np.testing.assert_array_equal(
            matcher.entry_probabilities(sheet, reference, target, categories), want
        )
    assert len(encoded) == 1
    # Other categories change the reference's inputs: prepared again.
    matcher.entry_probabilities(sheet, reference, targets[0], ["hair"] * len(categories))
    assert len(encoded) == 2
