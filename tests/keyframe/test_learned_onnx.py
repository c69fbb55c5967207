"""The keyframe models on ONNX Runtime against PyTorch (needs the ``train`` extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import paintbucket.models.weights as weights_module
from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.select import ReferenceSelector
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.models.runtime import OnnxKeyframeMatcher, OnnxViewEncoder

pytest.importorskip("torch")


def test_shipped_keyframe_models_agree_on_both_backends(tiny_data: Path, monkeypatch) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    categories = ["clothes"] * len(sheet.colorbook.entries)
    assert isinstance(KeyframeModel().model, OnnxKeyframeMatcher)  # auto: the shipped graphs
    monkeypatch.setattr(weights_module, "torch_installed", lambda: False)
    assert isinstance(KeyframeModel().model, OnnxKeyframeMatcher)
    assert isinstance(ReferenceSelector().model, OnnxViewEncoder)
    results = {}
    for backend in ("onnx", "torch"):
        matcher = KeyframeModel(backend=backend)
        probabilities = [
            matcher.entry_probabilities(sheet, reference, target, categories)
            for reference in sheet.references
        ]
        results[backend] = (probabilities, ReferenceSelector(backend=backend)(sheet, target))
    for onnx_table, torch_table in zip(results["onnx"][0], results["torch"][0]):
        assert np.abs(onnx_table - torch_table).max() < 1e-4
        assert (onnx_table[1:].argmax(axis=1) == torch_table[1:].argmax(axis=1)).all()
    for onnx_part, torch_part in zip(results["onnx"][1], results["torch"][1]):
        assert np.abs(onnx_part - torch_part).max() < 1e-4
