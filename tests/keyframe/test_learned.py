from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.colorize import colorize_keyframe
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.select import ReferenceSelector
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.keyframe.text import entry_categories
from paintbucket.models import KeyframeMatcher
from paintbucket.models.view_encoder import ViewEncoder
from paintbucket.models.weights import DEFAULT_KEYFRAME_WEIGHTS, save_model


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory) -> tuple[Path, Path]:
    torch.manual_seed(0)
    matcher = KeyframeMatcher({"widths": (8, 8, 8), "parsing_widths": (8, 8), "feature_dim": 16,
                               "num_layers": 1, "num_heads": 2})  # fmt: skip
    matcher.category_embeddings.copy_(torch.randn(12, 384))
    selector = ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8})
    out = tmp_path_factory.mktemp("weights")
    return save_model(matcher, out / "kf.safetensors"), save_model(selector, out / "v.st")


def test_entry_probabilities_shape_and_normalisation(tiny_data: Path, tiny_weights) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    categories = entry_categories(sheet.colorbook.entries)
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    probabilities = KeyframeModel(tiny_weights[0]).entry_probabilities(
        sheet, sheet.references[0], target, categories
    )
    num = int(target.segment_ids.max())
    assert probabilities.shape == (num + 1, len(sheet.colorbook.entries) + 1)
    assert probabilities[0].sum() == 0
    assert np.allclose(probabilities[1:].sum(axis=1), 1.0, atol=1e-5)


def test_flip_average_is_the_mean_of_the_straight_and_the_mirrored_pass(
    tiny_data: Path, tiny_weights
) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    categories = entry_categories(sheet.colorbook.entries)
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    reference = sheet.references[0]
    single = KeyframeModel(tiny_weights[0], flip_average=False)
    straight = single.entry_probabilities(sheet, reference, target, categories)
    mirrored = single.entry_probabilities(sheet, reference, target.mirrored(), categories)
    assert not np.allclose(straight, mirrored)  # the drawing is not symmetric
    averaged = KeyframeModel(tiny_weights[0]).entry_probabilities(
        sheet, reference, target, categories
    )
    np.testing.assert_allclose(averaged, (straight + mirrored) / 2, atol=1e-6)
    assert np.allclose(averaged[1:].sum(axis=1), 1.0, atol=1e-5)


def test_learned_keyframe_uses_only_sheet_colors_and_selected_refs(
    tiny_data: Path, tiny_weights
) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    categories = entry_categories(sheet.colorbook.entries)
    target = Frame.from_line_art(read_rgba(tiny_data / "char000_sheet/ref/side_line.png"))
    selector = ReferenceSelector(tiny_weights[1])
    matcher = KeyframeModel(tiny_weights[0])
    result = colorize_keyframe(
        sheet, target, categories=categories, matcher=matcher, selector=selector
    )
    rendered = result.coloring.render()
    colors = {tuple(c) for c in rendered.reshape(-1, 4)}
    allowed = {tuple(c) for c in sheet.palette} | {(0, 0, 0, 255)}
    assert colors <= allowed
    assert result.reference_weights.sum() == pytest.approx(1.0)
    assert result.reference_scores.sum() == pytest.approx(1.0)  # selector probabilities
    with pytest.raises(ValueError, match="categories"):
        colorize_keyframe(sheet, target, matcher=KeyframeModel(tiny_weights[0]))


@pytest.mark.skipif(not DEFAULT_KEYFRAME_WEIGHTS.is_file(), reason="no shipped keyframe weights")
def test_shipped_matcher_beats_chance_on_a_generated_keyframe(tiny_data: Path) -> None:
    from paintbucket.keyframe.shading import shading_from_annotation
    from paintbucket.metrics.segment_accuracy import evaluate_frame

    sheet = load_sheet(tiny_data / "char000_sheet")
    categories = entry_categories(sheet.colorbook.entries)
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    shade, group = shading_from_annotation(
        target.segment_ids, read_rgba(clip / "line_anno" / "0000.png")
    )
    result = colorize_keyframe(sheet, target, shade=shade, group=group, categories=categories,
                               matcher=KeyframeModel(), selector=ReferenceSelector())  # fmt: skip
    scores = evaluate_frame(result.coloring.render(), read_rgba(clip / "gt" / "0000.png"),
                            target.segment_ids)  # fmt: skip
    chance = 1.0 / (len(sheet.colorbook.entries) + 1)
    assert scores.pix_acc > 0.5 and scores.acc > 2 * chance
