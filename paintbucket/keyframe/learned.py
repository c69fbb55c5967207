"""The learned keyframe matcher at inference: one sheet reference -> entry probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from paintbucket.core.cache import IdentityCache
from paintbucket.core.frames import Frame
from paintbucket.io.colorbook import CATEGORIES
from paintbucket.keyframe.fills import draw_color_boundaries
from paintbucket.keyframe.inputs import character_box, group_masks, segment_majority
from paintbucket.keyframe.sheet import DesignSheet, Reference, reference_entry_map
from paintbucket.models.inputs import work_line, work_shape
from paintbucket.models.runtime import OnnxKeyframeMatcher, color_probabilities
from paintbucket.models.weights import LazyModel
from paintbucket.segment.labels import foreground_mask


@dataclass
class KeyframeModel:
    """The shipped :class:`~paintbucket.models.KeyframeMatcher`, ready to match a target
    drawing against sheet references.

    Parameters
    ----------
    weights : path, optional
        safetensors file; the shipped keyframe weights by default.
    device : str
        ``"cpu"`` or ``"cuda"``.
    backend : str
        ``"auto"`` (ONNX Runtime where the graphs exported from ``weights`` exist, as for
        the shipped weights, else PyTorch), ``"onnx"`` or ``"torch"``
        (:func:`~paintbucket.models.weights.model_backend`).
    work_size : int
        Longer side of the network inputs (training used 384).
    min_line_width : float
        Strokes thinner than this many working pixels are widened before the drawings
        are shrunk (:func:`~paintbucket.segment.lines.widen_lines`), so that thin or
        high-resolution line art looks like the training frames: 1024-px renders with
        2-px outlines (1.68 px by :func:`~paintbucket.segment.lines.line_width`) shrunk
        to 384, i.e. 0.63. 0 uses the drawings as they are.
    reuse_references : bool
        Keep what is computed of a sheet view alone (its inputs and, on ONNX Runtime, its
        pooled features) while the view object lives, for the last
        :data:`VIEW_CACHE_SIZE` views: a sheet that colors every frame of a cut
        (``pbc colorize --sheet``) encodes each view once. False recomputes it every
        time (timing comparisons).
    flip_average : bool
        Also match the left-right mirrored target against the same view and average the
        two passes' entry probabilities (arithmetic mean), as the consecutive engine
        averages its mirrored pair: a character drawn facing the other way than its
        sheet view still meets a view that faces its way. On validation characters
        (README, keyframe section) it raised model + selection from 0.9238 to 0.9300
        Acc-Thres for 1.6 times the time; a geometric mean gave 0.9276.
    """

    weights: str | Path | None = None
    device: str = "cpu"
    backend: str = "auto"
    work_size: int = 384
    min_line_width: float = 0.63
    reuse_references: bool = True
    flip_average: bool = True
    #: :class:`_PreparedView` by sheet view and its sheet, and the categories.
    _views: IdentityCache = field(
        default_factory=lambda: IdentityCache(VIEW_CACHE_SIZE),
        init=False,
        repr=False,
        compare=False,
    )
    #: The :class:`~paintbucket.models.KeyframeMatcher` or its
    #: :class:`~paintbucket.models.runtime.OnnxKeyframeMatcher`, loaded on first use.
    model = LazyModel("keyframe")

    def entry_probabilities(
        self,
        sheet: DesignSheet,
        reference: Reference,
        target: Frame,
        categories: list[str],
        group: np.ndarray | None = None,
    ) -> np.ndarray:
        """Probability of every colorbook entry for every target segment.

        Parameters
        ----------
        sheet : DesignSheet
        reference : Reference
            One of ``sheet.references``.
        target : Frame
        categories : list of str
            Category of every colorbook entry (``sheet.colorbook.entries`` order).
        group : (N + 1,) int, optional
            Parsing group per target segment (hair / skin / other, -1 unknown), from
            shading annotations or strokes.

        Returns
        -------
        probabilities : (N + 1, E + 1) float32
            Rows: target segment ids (row 0 zero); columns: rows of
            ``sheet.entry_table()`` (0 = background). Each row sums to 1 (Eq. 9).
        """
        num_entries = len(sheet.colorbook.entries) + 1
        num_tgt = int(target.segment_ids.max(initial=0))
        probabilities = np.zeros((num_tgt + 1, num_entries), np.float32)
        if num_tgt == 0 or int(reference.frame.segment_ids.max(initial=0)) == 0:
            return probabilities
        view = self._prepared_view(sheet, reference, categories)
        group = np.full(num_tgt + 1, -1) if group is None else np.asarray(group)
        targets = (target, target.mirrored()) if self.flip_average else (target,)
        for frame in targets:
            log_probs = self._log_probs(self._target_inputs(view, frame, group), view)
            probabilities[1:] += color_probabilities(log_probs, view.entry_ref[1:], num_entries)
        return probabilities / len(targets)

    def _target_inputs(
        self, view: _PreparedView, target: Frame, group: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The matcher's inputs for ``target`` against the prepared ``view``."""
        tgt_shape = work_shape(*target.shape, self.work_size, enlarge=True)
        parsing = group_masks(target.segment_ids, group)
        parsing = cv2.resize(parsing, tgt_shape[::-1], interpolation=cv2.INTER_NEAREST)
        return {
            **view.inputs,
            "line_tgt": work_line(target.line_art, tgt_shape, min_width=self.min_line_width),
            "parsing_tgt": parsing,
            "segments_tgt": target.segment_ids,
            "frame_tgt": character_box(target.segment_ids, _background(target)),
        }

    def _prepared_view(
        self, sheet: DesignSheet, reference: Reference, categories: list[str]
    ) -> _PreparedView:
        """The reference's side of the matcher's inputs, from :attr:`_views` when this
        view object was prepared before with these categories."""
        if not self.reuse_references:
            return self._prepare_view(sheet, reference, categories)
        return self._views.get(
            (reference, sheet),
            tuple(categories),
            lambda: self._prepare_view(sheet, reference, categories),
        )

    def _prepare_view(
        self, sheet: DesignSheet, reference: Reference, categories: list[str]
    ) -> _PreparedView:
        """The reference's side of the matcher's inputs, computed."""
        ref_ids = reference.frame.segment_ids
        entry_pixels = reference_entry_map(sheet, reference)
        entry_ref = segment_majority(ref_ids, entry_pixels, entry_pixels >= 0)
        category_of_entry = np.array(
            [0] + [CATEGORIES.index(c) for c in categories], dtype=np.int64
        )
        ref_shape = work_shape(*ref_ids.shape, self.work_size, enlarge=True)
        return _PreparedView(
            entry_ref,
            {
                # the matcher learned shade boundaries drawn as color lines
                "line_ref": work_line(
                    draw_color_boundaries(reference.frame.line_art, ref_ids),
                    ref_shape,
                    min_width=self.min_line_width,
                ),
                "segments_ref": ref_ids,
                "category_ref": category_of_entry[entry_ref.clip(0)][1:],
                "frame_ref": character_box(ref_ids, entry_ref == 0),
            },
        )

    def _log_probs(self, data: dict[str, np.ndarray], view: _PreparedView) -> np.ndarray:
        """(N, M) log match probabilities from the model, whichever backend it runs on."""
        model = self.model
        if isinstance(model, OnnxKeyframeMatcher):
            if view.encoded is None:
                view.encoded = model.encode_reference(data)
            return model.log_probs(data, view.encoded)
        import torch  # lazy: torch (only the PyTorch backend needs it)

        from paintbucket.models.keyframe_matcher import keyframe_inputs  # lazy: torch

        with torch.no_grad():
            return model(keyframe_inputs(**data, device=self.device))["log_probs"][0].cpu().numpy()


#: How many prepared sheet views :class:`KeyframeModel` keeps (``reuse_references``).
VIEW_CACHE_SIZE = 8


@dataclass
class _PreparedView:
    """What the matcher needs of one sheet view, whatever the target.

    Attributes
    ----------
    entry_ref : (M + 1,) int
        Colorbook entry row of every reference segment (0 = background).
    inputs : dict
        ``line_ref``, ``segments_ref``, ``category_ref`` and ``frame_ref`` of
        :func:`~paintbucket.models.keyframe_matcher.keyframe_inputs`.
    encoded : dict or None
        :meth:`~paintbucket.models.runtime.OnnxKeyframeMatcher.encode_reference` of
        ``inputs``, once ONNX Runtime computed it.
    """

    entry_ref: np.ndarray
    inputs: dict[str, np.ndarray]
    encoded: dict[str, np.ndarray] | None = None


def _background(frame: Frame) -> np.ndarray:
    """(N + 1,) bool: the segments outside :func:`foreground_mask` (the background)."""
    outside = ~foreground_mask(frame.segment_ids)
    background = np.zeros(int(frame.segment_ids.max(initial=0)) + 1, dtype=bool)
    background[np.unique(frame.segment_ids[outside])] = True
    background[0] = False
    return background
