from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.core.frames import Frame
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.colorize import SheetColorizer, colorize_keyframe, reference_weights
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.select import ReferenceSelector
from paintbucket.keyframe.shading import shading_from_annotation
from paintbucket.keyframe.sheet import load_sheet


def test_reference_weights_rules() -> None:
    scores = np.array([0.2, 0.6, 0.6, 0.2])
    assert reference_weights(scores, "auto").tolist() == [0, 1, 0, 0]
    assert reference_weights(scores, 3).tolist() == [0, 0, 0, 1]
    assert np.allclose(reference_weights(scores, "all"), scores / scores.sum())
    with pytest.raises(ValueError):
        reference_weights(scores, 4)


def test_clip_frame_gets_only_colorbook_colors(tiny_data: Path) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    shade, group = shading_from_annotation(
        target.segment_ids, read_rgba(clip / "line_anno" / "0000.png")
    )
    result = colorize_keyframe(sheet, target, shade=shade, refs="all")
    rendered = result.coloring.render()
    allowed = {tuple(c) for c in sheet.palette.tolist()} | {(0, 0, 0, 255)}
    assert {tuple(c) for c in np.unique(rendered.reshape(-1, 4), axis=0).tolist()} <= allowed
    # Annotated shadow segments get a shadow variant (or normal where it is null).
    table = sheet.entry_table()
    shadowed = np.flatnonzero((shade == 2) & (result.entry > 0))
    expected = np.where(table[result.entry[shadowed], 2] >= 0, 2, 1)
    assert (result.variant[shadowed] == expected).all()
    assert np.isclose(result.reference_weights.sum(), 1.0)


def test_sheet_colorizer_is_the_shared_recipe(tiny_data: Path) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0000.png"))
    annotation = read_rgba(clip / "line_anno" / "0000.png")
    shade, group = shading_from_annotation(target.segment_ids, annotation)

    colorizer = SheetColorizer(sheet)
    by_hand = colorize_keyframe(
        sheet, target, shade=shade, group=group, categories=colorizer.categories,
        matcher=KeyframeModel(), selector=ReferenceSelector(),
    )  # fmt: skip
    first = colorizer.first_keyframe(target, annotation)
    assert np.array_equal(first.probabilities, by_hand.coloring.probabilities)
    # Without an annotation the variants come from the votes: another coloring.
    assert first.probabilities.shape == colorizer.first_keyframe(target).probabilities.shape

    baseline = SheetColorizer(sheet, method="baseline", refs="all")
    assert baseline.matcher is None and baseline.selector is None
    expected = colorize_keyframe(sheet, target, shade=shade, categories=baseline.categories,
                                 refs="all")  # fmt: skip
    assert np.array_equal(baseline(target, shade).coloring.probabilities,
                          expected.coloring.probabilities)  # fmt: skip


def test_sheet_colorizer_rejects_unknown_method(tiny_data: Path) -> None:
    with pytest.raises(ValueError, match="unknown keyframe method 'magic'"):
        SheetColorizer(load_sheet(tiny_data / "char000_sheet"), method="magic")


def test_opinion_names_the_material_unless_the_shade_is_known(tiny_data: Path) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    target = Frame.from_line_art(read_rgba(clip / "line" / "0001.png"))
    annotation = read_rgba(clip / "line_anno" / "0001.png")
    colorizer = SheetColorizer(sheet)
    shaded = colorizer.opinion(target, annotation)
    assert np.array_equal(shaded.probabilities,
                          colorizer.first_keyframe(target, annotation).probabilities)  # fmt: skip
    material = colorizer.opinion(target).probabilities
    entry_probs = colorizer(target).entry_probabilities
    table = sheet.entry_table()
    assert material.shape == (target.segment_ids.max() + 1, len(sheet.palette))
    assert not material[0].any()
    for entry in range(1, len(table)):
        for color in table[entry][table[entry] >= 0]:  # every shade of an entry: its vote
            assert np.allclose(material[1:, color], entry_probs[1:, entry])


class _UniformMatcher:
    """A matcher with no opinion: every entry equally likely for every segment."""

    def entry_probabilities(self, sheet, reference, target, categories, group=None):
        num_entries = len(sheet.colorbook.entries) + 1
        rows = int(target.segment_ids.max(initial=0)) + 1
        return np.full((rows, num_entries), 1.0 / num_entries, np.float32)


def test_baseline_weight_mixes_the_aligned_votes_into_the_matcher(tiny_data: Path) -> None:
    sheet = load_sheet(tiny_data / "char000_sheet")
    target = sheet.references[0].frame  # a view aligns perfectly with itself
    categories = SheetColorizer(sheet, method="baseline").categories
    baseline = colorize_keyframe(sheet, target, refs=0)
    undecided = colorize_keyframe(
        sheet, target, refs=0, categories=categories, matcher=_UniformMatcher(),
        baseline_weight=0.0,
    )  # fmt: skip
    fused = colorize_keyframe(
        sheet, target, refs=0, categories=categories, matcher=_UniformMatcher(),
        baseline_weight=0.5,
    )  # fmt: skip
    # Without the baseline a uniform matcher decides nothing: one color for all.
    assert len(np.unique(undecided.entry[1:])) == 1
    # With it, the aligned votes break every tie: the baseline's own choices.
    assert np.array_equal(fused.entry, baseline.entry)
    assert np.array_equal(fused.coloring.render(), baseline.coloring.render())
    with pytest.raises(ValueError, match="baseline_weight"):
        colorize_keyframe(
            sheet, target, categories=categories, matcher=_UniformMatcher(),
            baseline_weight=-0.1,
        )  # fmt: skip
