"""Keyframe colorization from a design sheet: the driver both keyframe methods share.

The references of the sheet are weighted (the learned selector, or the silhouette
scores of :mod:`paintbucket.keyframe.baseline`); each chosen reference votes for colorbook
entries in every target segment (the learned matcher, or aligned color voting); votes are
pooled per entry, filtered by parsing group, and the variant comes from the shading
annotation or the most-voted variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from paintbucket.choices import KEYFRAME_BASELINE_WEIGHT, KEYFRAME_METHODS
from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import Frame
from paintbucket.io.colorbook import VARIANTS
from paintbucket.keyframe.baseline import reference_scores, vote_reference
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.select import ReferenceSelector
from paintbucket.keyframe.shading import (
    GROUPS,
    SHADE_VARIANT,
    UNKNOWN,
    entry_group,
    shading_from_annotation,
)
from paintbucket.keyframe.sheet import BACKGROUND_KEY, DesignSheet
from paintbucket.keyframe.text import entry_categories

#: Variant columns tried in this order when votes tie (normal first).
_VARIANT_PREFERENCE = np.array([1, 0, 2, 3])


@dataclass
class KeyframeResult:
    """Output of :func:`colorize_keyframe`.

    Attributes
    ----------
    coloring : SegmentColoring
        Over the sheet palette (transparent first).
    entry : (N + 1,) int64
        Row of ``sheet.entry_table()`` chosen per segment (0 = background, -1 for id 0).
    variant : (N + 1,) int64
        Column (highlight, normal, shadow1, shadow2) of the chosen color.
    confidence : (N + 1,) float32
        Pooled vote share of the chosen entry.
    reference_scores : (R,) float64
        Silhouette match score of every reference, or the learned selector's
        probability when it chose.
    reference_weights : (R,) float64
        Weight each reference's votes got (sums to 1).
    entry_probabilities : (N + 1, E + 1) float32
        Pooled vote of every segment for every row of ``sheet.entry_table()``, whatever
        the shade (row 0 zero).
    """

    coloring: SegmentColoring
    entry: np.ndarray
    variant: np.ndarray
    confidence: np.ndarray
    reference_scores: np.ndarray
    reference_weights: np.ndarray
    entry_probabilities: np.ndarray

    def to_json(
        self,
        sheet: DesignSheet,
        categories: list[str],
        group: np.ndarray | None = None,
        **extra: object,
    ) -> dict:
        """The JSON report ``pbc keyframe`` writes beside its PNG.

        Parameters
        ----------
        sheet : DesignSheet
            The sheet the result was colored from.
        categories : list of str
            Category of every colorbook entry (``sheet.colorbook.entries`` order).
        group : (N + 1,) int, optional
            Parsing group per segment (-1 unknown), reported where known.
        **extra
            More top-level keys (e.g. the method and the target file).

        Returns
        -------
        report : dict
            ``sheet`` (its folder), ``extra``, ``references`` (name, score, weight),
            ``num_segments`` and, per segment id, ``segments`` with the colorbook
            ``entry``, its ``category``, the ``variant``, the RGBA ``color`` and the
            ``confidence`` (and ``group``).
        """
        keys = sheet.entry_keys
        all_categories = ["background", *categories]
        colors = self.coloring.segment_rgba().tolist()
        segments = {}
        for i in range(1, self.coloring.num_segments + 1):
            entry = int(self.entry[i])
            background = keys[entry] == BACKGROUND_KEY
            segments[str(i)] = {
                "entry": keys[entry],
                "category": all_categories[entry],
                "variant": "background" if background else VARIANTS[self.variant[i]],
                "color": colors[i],
                "confidence": round(float(self.confidence[i]), 4),
            }
            if group is not None and group[i] >= 0:
                segments[str(i)]["group"] = GROUPS[int(group[i])]
        references = [
            {"name": ref.name, "score": round(float(s), 4), "weight": round(float(w), 4)}
            for ref, s, w in zip(sheet.references, self.reference_scores, self.reference_weights)
        ]
        return {"sheet": str(sheet.root), **extra, "references": references,
                "num_segments": self.coloring.num_segments, "segments": segments}  # fmt: skip


def reference_weights(scores: np.ndarray, refs: str | int) -> np.ndarray:
    """Weights of the references for ``refs`` = ``"auto"`` (best score, ties to the
    first), ``"all"`` (proportional to score) or an index."""
    weights = np.zeros(len(scores))
    if refs == "auto":
        weights[int(np.argmax(scores))] = 1.0
    elif refs == "all":
        weights = np.maximum(scores, 0.0)
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(scores), 1.0)
        weights /= weights.sum()
    else:
        index = int(refs)
        if not 0 <= index < len(scores):
            raise ValueError(f"reference index {index} out of range 0..{len(scores) - 1}")
        weights[index] = 1.0
    return weights


def colorize_keyframe(
    sheet: DesignSheet,
    target: Frame,
    shade: np.ndarray | None = None,
    group: np.ndarray | None = None,
    categories: list[str] | None = None,
    refs: str | int = "auto",
    refine_flow: bool = True,
    matcher: KeyframeModel | None = None,
    selector: ReferenceSelector | None = None,
    baseline_weight: float = KEYFRAME_BASELINE_WEIGHT,
) -> KeyframeResult:
    """Colorize one target drawing from a design sheet.

    Parameters
    ----------
    sheet : DesignSheet
    target : Frame
    shade : (N + 1,) int, optional
        Shade code per segment (see :mod:`paintbucket.keyframe.shading`); without it
        each segment keeps the variant most voted for its entry.
    group : (N + 1,) int, optional
        Parsing group per segment (-1 unknown); with ``categories``, entries of another
        group are dropped wherever a compatible entry got votes.
    categories : list of str, optional
        Category of every colorbook entry (``sheet.colorbook.entries`` order).
    refs : "auto", "all" or int
    refine_flow : bool
        Refine the global alignment with DIS optical flow (baseline only).
    matcher : KeyframeModel, optional
        The learned matcher; without it, the non-learned baseline votes. The matcher
        needs ``categories``.
    selector : ReferenceSelector, optional
        With ``refs="auto"``, the learned selector picks and weights the references
        (its probabilities become ``reference_scores``) instead of the best silhouette.
    baseline_weight : float
        With the matcher: the baseline's aligned votes (from the best-silhouette
        reference, or ``refs`` when it names one) are mixed into the matcher's with the
        weight ``baseline_weight`` x that reference's silhouette score in [0, 1], so a
        well aligned view adds where the shapes overlap and a poorly aligned one barely
        counts; 0 = the matcher alone.

    Returns
    -------
    KeyframeResult
    """
    if matcher is not None and categories is None:
        raise ValueError("the learned matcher needs the entries' categories")
    if baseline_weight < 0:
        raise ValueError(f"baseline_weight must be >= 0, got {baseline_weight}")
    silhouette = None  # (scores, transforms) of every reference, when computed
    if matcher is None or baseline_weight > 0 or selector is None or refs != "auto":
        silhouette = reference_scores(sheet, target)
    if selector is not None and refs == "auto":
        scores, weights = selector(sheet, target)
    else:
        scores = silhouette[0]
        weights = reference_weights(scores, refs)
    palette = sheet.palette
    table = sheet.entry_table()  # (E + 1, 4), -1 = null
    color_probs = np.zeros((target.segment_ids.max(initial=0) + 1, len(palette)), np.float32)
    # The matcher predicts entries, not variants: its votes go to each entry's normal color.
    normal = np.where(table[:, 1] >= 0, table[:, 1], table.max(axis=1))
    if matcher is None:
        color_probs += _aligned_votes(sheet, target, silhouette[1], weights, refine_flow)
    else:
        for ref, weight in zip(sheet.references, weights):
            if weight > 0:
                entry_probs = matcher.entry_probabilities(sheet, ref, target, categories, group)
                np.add.at(color_probs.T, normal, weight * entry_probs.T)
        if baseline_weight > 0:
            base_scores, transforms = silhouette
            base_weights = reference_weights(base_scores, "auto" if refs == "all" else refs)
            share = baseline_weight * float(np.clip(base_scores @ base_weights, 0.0, 1.0))
            base = _aligned_votes(sheet, target, transforms, base_weights, refine_flow)
            color_probs = (1.0 - share) * color_probs + share * base

    safe = np.where(table >= 0, table, 0)
    variant_votes = np.where(table[None] >= 0, color_probs[:, safe], 0.0)  # (N+1, E+1, 4)
    variant_votes[:, 0, 1:] = 0.0  # the background row repeats index 0 four times
    entry_probs = variant_votes.sum(axis=2)
    if group is not None and categories is not None:
        entry_groups = np.array([-2] + [entry_group(c) for c in categories])
        known = np.asarray(group) != UNKNOWN
        compatible = entry_groups[None, :] == np.asarray(group)[:, None]
        usable = known & ((entry_probs * compatible).sum(axis=1) > 0)
        entry_probs[usable] *= compatible[usable]

    rows = np.arange(len(entry_probs))
    entry = entry_probs.argmax(axis=1)
    confidence = np.clip(entry_probs[rows, entry], 0.0, 1.0).astype(np.float32)
    if shade is None:
        ordered = variant_votes[:, :, _VARIANT_PREFERENCE]
        variant_per_entry = _VARIANT_PREFERENCE[ordered.argmax(axis=2)]  # (N+1, E+1)
        variant_per_entry[:, 0] = 1
    else:
        wanted = np.vectorize(SHADE_VARIANT.get)(np.asarray(shade))
        variant_per_entry = np.repeat(wanted[:, None], len(table), axis=1)
    # Null variants fall back to normal, then to the first non-null one.
    first_valid = np.argmax(table >= 0, axis=1)
    fallback = np.where(table[:, 1] >= 0, 1, first_valid)
    null = table[np.arange(len(table))[None, :], variant_per_entry] < 0
    variant_per_entry = np.where(null, fallback[None, :], variant_per_entry)
    color_per_entry = table[np.arange(len(table))[None, :], variant_per_entry]  # (N+1, E+1)

    probabilities = np.zeros_like(color_probs)
    np.put_along_axis(probabilities, color_per_entry, entry_probs.astype(np.float32), axis=1)
    variant = variant_per_entry[rows, entry]
    entry[0], variant[0], confidence[0] = -1, -1, 0.0
    coloring = SegmentColoring(target.segment_ids, palette, probabilities, target.solid_line_mask())
    entry_probs = entry_probs.astype(np.float32)
    entry_probs[0] = 0.0
    return KeyframeResult(coloring, entry, variant, confidence, scores, weights, entry_probs)


def _aligned_votes(
    sheet: DesignSheet, target: Frame, transforms: list, weights: np.ndarray, refine_flow: bool
) -> np.ndarray:
    """(N + 1, P) float32: the baseline's palette votes, summed over the references
    with their ``weights``."""
    votes = np.zeros((target.segment_ids.max(initial=0) + 1, len(sheet.palette)), np.float32)
    for ref, transform, weight in zip(sheet.references, transforms, weights):
        if weight > 0:
            votes += weight * vote_reference(sheet, ref, target, transform, refine_flow)
    return votes


def material_coloring(
    segment_ids: np.ndarray, entry_probabilities: np.ndarray, entry_table: np.ndarray,
    palette: np.ndarray,
) -> SegmentColoring:  # fmt: skip
    """A coloring that names each segment's material but not its shade.

    Every color of a colorbook entry (all its variants) gets the entry's probability, so
    the table says which entry a segment belongs to and is indifferent between that
    entry's highlight, normal and shadow colors: fused with a frame's chained coloring
    (which knows the shade from the keyframe) it can only move a segment to another
    material.

    Parameters
    ----------
    segment_ids : (H, W) int32
        0 = line, 1..N = segments.
    entry_probabilities : (N + 1, E + 1) float
        :attr:`KeyframeResult.entry_probabilities`.
    entry_table : (E + 1, 4) int
        Palette index of every entry's (highlight, normal, shadow1, shadow2), -1 = none
        (:meth:`~paintbucket.keyframe.sheet.DesignSheet.entry_table`).
    palette : (P, 4) uint8

    Returns
    -------
    SegmentColoring
        ``probabilities[n, c]`` is the largest probability of an entry holding color
        ``c`` (rows are not normalised).

    >>> table = np.array([[0, 0, 0, 0], [-1, 1, 2, -1], [-1, 3, -1, -1]])
    >>> votes = np.array([[0, 0, 0], [0, 0.75, 0.25]], np.float32)
    >>> material_coloring(np.ones((1, 1), np.int32), votes, table,
    ...                   np.zeros((4, 4), np.uint8)).probabilities[1].tolist()
    [0.0, 0.75, 0.75, 0.25]
    """
    entries, variants = np.nonzero(entry_table >= 0)
    colors = entry_table[entries, variants]
    probabilities = np.zeros((len(entry_probabilities), len(palette)), np.float32)
    np.maximum.at(probabilities.T, colors, np.asarray(entry_probabilities, np.float32).T[entries])
    probabilities[0] = 0.0
    return SegmentColoring(segment_ids, palette, probabilities)


@dataclass
class SheetColorizer:
    """Colors drawings from one design sheet: the recipe ``pbc keyframe``, ``pbc colorize
    --sheet`` and the figures share.

    Parameters
    ----------
    sheet : DesignSheet
        A validated sheet (:func:`~paintbucket.keyframe.sheet.load_sheet`).
    method : {"model", "baseline"}
        The learned matcher + reference selector, or the non-learned baseline.
    refs : "auto", "all" or int
        As in :func:`colorize_keyframe`.
    refine_flow : bool
        Baseline only: refine the alignment with optical flow.
    weights, selector_weights : path, optional
        The matcher's and the selector's safetensors files (shipped weights by default).
    device : str
        ``"cpu"`` or ``"cuda"``, for both networks.
    baseline_weight : float
        As in :func:`colorize_keyframe` (learned method only).
    flip_average : bool
        The matcher also matches the mirrored target (:class:`KeyframeModel`).
    """

    sheet: DesignSheet
    method: str = "model"
    refs: str | int = "auto"
    refine_flow: bool = True
    weights: str | Path | None = None
    selector_weights: str | Path | None = None
    device: str = "cpu"
    baseline_weight: float = KEYFRAME_BASELINE_WEIGHT
    flip_average: bool = True
    categories: list[str] = field(init=False, repr=False)
    matcher: KeyframeModel | None = field(init=False, repr=False)
    selector: ReferenceSelector | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.method not in KEYFRAME_METHODS:
            raise ValueError(
                f"unknown keyframe method {self.method!r}; use one of {KEYFRAME_METHODS}"
            )
        self.categories = entry_categories(self.sheet.colorbook.entries)
        learned = self.method == "model"
        self.matcher = (
            KeyframeModel(self.weights, device=self.device, flip_average=self.flip_average)
            if learned
            else None
        )
        self.selector = (
            ReferenceSelector(self.selector_weights, device=self.device) if learned else None
        )

    def __call__(
        self, target: Frame, shade: np.ndarray | None = None, group: np.ndarray | None = None
    ) -> KeyframeResult:
        """Colorize ``target``; ``shade`` and ``group`` as in :func:`colorize_keyframe`."""
        return colorize_keyframe(
            self.sheet, target, shade=shade, group=group, categories=self.categories,
            refs=self.refs, refine_flow=self.refine_flow,
            matcher=self.matcher, selector=self.selector, baseline_weight=self.baseline_weight,
        )  # fmt: skip

    def first_keyframe(self, frame: Frame, annotation: np.ndarray | None = None) -> SegmentColoring:
        """A clip's first keyframe (the ``first_keyframe`` colorizer that
        :func:`~paintbucket.pipeline.clip.colorize_clip` takes).

        Parameters
        ----------
        frame : Frame
            The clip's first drawing.
        annotation : (H, W, 4) uint8, optional
            Its shading annotation (``line_anno/``), which decides the variants.
        """
        shade = group = None
        if annotation is not None:
            shade, group = shading_from_annotation(frame.segment_ids, annotation)
        return self(frame, shade, group).coloring

    def opinion(self, frame: Frame, annotation: np.ndarray | None = None) -> SegmentColoring:
        """The sheet's view of any frame of a cut: an extra reference for ``--mode
        anchored``.

        With the frame's shading annotation this is the frame colored from the sheet
        (:meth:`first_keyframe`: the annotation decides each segment's shade). Without
        one, the shade is unknown, so the table names only each segment's material
        (:func:`material_coloring`), every variant of an entry getting the entry's
        probability: fused with the chain, which knows the shade from the keyframe, it
        can move a segment to another material but not to another shade.

        Parameters
        ----------
        frame : Frame
        annotation : (H, W, 4) uint8, optional
            The frame's shading annotation (``line_anno/<name>.png``).
        """
        if annotation is not None:
            return self.first_keyframe(frame, annotation)
        result = self(frame)
        return material_coloring(frame.segment_ids, result.entry_probabilities,
                                 self.sheet.entry_table(), self.sheet.palette)  # fmt: skip
