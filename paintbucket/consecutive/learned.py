"""The learned engine: flow-warped colors + the inclusion matcher (paper section 5.3)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from paintbucket.consecutive.flow import check_anchor_flow
from paintbucket.core.cache import IdentityCache
from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Frame
from paintbucket.core.votes import mutual_overlap, stroke_votes, vote_probabilities
from paintbucket.flow.dis import check_flow_shape, consistent_share, estimate_flow, warp_nearest
from paintbucket.models.inputs import redistribution_colors, work_line, work_shape
from paintbucket.models.runtime import (
    OnnxInclusionMatcher,
    available_threads,
    batched,
    color_probabilities,
)
from paintbucket.models.weights import LazyModel

#: How many encoded references :class:`LearnedEngine` keeps (``reuse_references``):
#: ``anchored`` mode reuses two per frame (a keyframe and the previous chained reference).
REFERENCE_CACHE_SIZE = 4


def average_probabilities(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Combine two probability tables of the same segments (e.g. a pass and its mirror).

    Parameters
    ----------
    first, second : (N + 1, P) float
        Color probabilities per segment; rows may be all zero (no prediction).

    Returns
    -------
    combined : (N + 1, P) float
        Row-normalised geometric mean. Where the two rows share no color with nonzero
        probability the geometric mean would be all zero and the arithmetic mean is used
        instead; rows zero in both stay zero.
    """
    combined = np.sqrt(first * second)
    disjoint = combined.sum(axis=1) == 0
    combined[disjoint] = (first[disjoint] + second[disjoint]) / 2
    return combined / np.maximum(combined.sum(axis=1, keepdims=True), 1e-12)


def merge_locks(
    first_votes: np.ndarray,
    first_locked: np.ndarray,
    second_votes: np.ndarray,
    second_locked: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Combine the flow locks of two passes over the same segments (a pass and its mirror).

    Parameters
    ----------
    first_votes, second_votes : (N + 1, P) float
        Each pass's flow vote per segment, rows summing to 1 where locked.
    first_locked, second_locked : (N + 1,) bool
        Segments each pass locks to its flow vote.

    Returns
    -------
    votes : (N + 1, P) float
        The locking pass's vote; the normalised geometric mean where both lock.
    locked : (N + 1,) bool
        Locked in either pass, except where both lock onto votes without a color in
        common: there the two flows contradict each other and the network decides.
    """
    both = first_locked & second_locked
    votes = np.where(first_locked[:, None], first_votes, second_votes)
    shared = np.sqrt(first_votes[both] * second_votes[both])
    totals = shared.sum(axis=1, keepdims=True)
    votes[both] = shared / np.maximum(totals, 1e-12)
    contradicting = np.zeros_like(both)
    contradicting[both] = totals[:, 0] == 0
    return votes, (first_locked | second_locked) & ~contradicting


@dataclass
class LearnedEngine:
    """Inclusion-matching colorizer.

    The reference's palette colors are replaced by distinct random colors (color
    redistribution), warped to the target along the optical flow, and both frames go
    through :class:`~paintbucket.models.InclusionMatcher` at a working size whose
    longer side is ``work_size``; features are pooled over the full-resolution segments.
    A target segment's probability for a color is its summed match probability over the
    reference segments of that color (paper Eq. 9).

    Parameters
    ----------
    weights : path, optional
        safetensors file; the shipped weights by default.
    device : str
        ``"cpu"`` or ``"cuda"`` (with ONNX Runtime: its CUDA provider, which must be
        installed).
    backend : str
        ``"auto"``: ONNX Runtime where the ONNX graphs exported from ``weights`` lie next
        to it (the shipped weights have them; ``python -m paintbucket.models.export
        WEIGHTS`` writes them), else PyTorch; ``"onnx"`` or ``"torch"`` to choose
        (:func:`~paintbucket.models.weights.model_backend`). Both give the same
        probabilities within 1e-4.
    work_size : int
        Longer side of the network input.
    seed : int
        Seed of the color redistribution.
    flow_prior : float
        Weight ``beta`` of the flow vote in the final score: probabilities are
        ``p_net * (p_flow + flow_floor) ** beta``, renormalised (0 = the network alone). The
        flow vote is the share of a segment's pixels that the warped reference colors
        give each palette color, as in :class:`~paintbucket.consecutive.flow.FlowEngine`.
        The default 0.5 was chosen on a validation set of held-out synthetic characters
        (``data/val-1024``, see the README), not on the benchmark.
    flow_floor : float
        Added to the flow vote before the power: the smaller, the more a pure flow vote
        outweighs the network. The default 0.01 was chosen on the same validation set
        (0.7882 Acc vs 0.7865 for 0.02).
    flow_lock : float
        A target segment whose :func:`~paintbucket.core.votes.mutual_overlap` with
        one warped reference segment reaches this takes the flow vote as its
        probabilities, whatever the network says: where the flow maps one region onto one
        region it is rarely wrong, while on real line art the network was sometimes
        confidently wrong there. On the
        validation set 0.7 costs 0.0003 Acc (0.7879 vs 0.7882 off); on real line art it
        lifts pbc_char_0242 from 0.968 to 0.972 Acc and its Acc-Thres to 1 (see the
        README). Above 1 disables it.
    consistency_lock : float
        A target segment takes the flow vote as its probabilities, too, when at least this
        share of its pixels pass the forward-backward check
        (:func:`~paintbucket.flow.consistent_flow`: the flow from the reference back to
        the target returns them where they started) and at least this share of its vote
        goes to one color. Two independent flow estimates that agree and a vote without
        rivals are rarely wrong, while the network is weakest on the small segments of
        real drawings. Chosen on the validation set (0.7882 vs 0.7879 off); it adds 0.0041
        Acc on the benchmark (see the README). Above 1 disables it and skips the backward
        flow.
    flip_average : bool
        Also colorize the horizontally mirrored pair (its own forward flow, its own
        network pass) and combine the two probability tables with
        :func:`average_probabilities` (test-time augmentation; about twice the work). The
        locks are applied after that, merged over the two passes by :func:`merge_locks`.
        The backward flow of the forward-backward check is estimated once and mirrored
        for the mirrored pass: on the validation set that scored as two estimates did
        (see the README), for one flow estimate less.
    threads : int, optional
        CPU threads of one call (default: the cores this process may use, or its
        :func:`~paintbucket.models.runtime.limit_threads` limit). On ONNX
        Runtime with ``flip_average`` and 2 or more threads, the two passes run side by
        side, each on half the threads: small convolutions scale badly over threads, so
        on 2 cores this is 1.2x (1024 px) to 1.5x (1920 px) faster than one pass after
        the other on both (``bench/bench_onnx_speed.py``). 1 runs everything on one
        thread (e.g. one worker per core).
    anchor_flow : {"direct", "chained"}
        In an ``anchored`` chain, the flow to the keyframe the chain starts from:
        estimated across the whole motion (``"direct"``) or composed along the chain's
        consecutive flows (``"chained"``, :func:`~paintbucket.flow.compose_flows`).
        Chained follows the drawing far better (a keyframe's flow votes alone: 0.59
        against 0.43 Acc-Thres on the validation cuts) and is the flow engine's
        default, but for this engine it changed little either way (validation cuts
        0.6696 → 0.6667 Acc-Thres, held-out 0.7162 / 0.7638 → 0.7088 / 0.7671 Acc /
        Acc-Thres; with :func:`~paintbucket.pipeline.chain.anchor_flows`'s check the
        real sequences 0.8808 → 0.8817 Acc): the network already matches the keyframe
        by shape, and a composed flow ties the keyframe's opinion to the chain whose
        errors it should outvote.
    reuse_references : bool
        On ONNX Runtime, keep what the network computes of a reference frame alone (its
        features pooled into tokens) while that frame object lives, for the last
        :data:`REFERENCE_CACHE_SIZE` references used, so that a frame that colors several
        targets is encoded once: in ``anchored`` mode the cut's keyframe and each extra
        reference (the previous step's chained reference). False encodes every time
        (timing comparisons).
    """

    weights: str | Path | None = None
    device: str = "cpu"
    backend: str = "auto"
    work_size: int = 512
    seed: int = 0
    flow_prior: float = 0.5
    flow_floor: float = 0.01
    flow_lock: float = 0.7
    consistency_lock: float = 0.8
    flip_average: bool = True
    threads: int | None = None
    anchor_flow: str = "direct"
    reuse_references: bool = True
    name: str = "inclusion"
    #: Encoded references by reference frame and working size:
    #: :meth:`~paintbucket.models.runtime.OnnxInclusionMatcher.encode_reference`.
    _encoded: IdentityCache = field(
        default_factory=lambda: IdentityCache(REFERENCE_CACHE_SIZE),
        init=False,
        repr=False,
        compare=False,
    )
    #: The :class:`~paintbucket.models.InclusionMatcher` (PyTorch) or
    #: :class:`~paintbucket.models.runtime.OnnxInclusionMatcher`, loaded on first use.
    model = LazyModel("consecutive")

    def __post_init__(self) -> None:
        check_anchor_flow(self.anchor_flow)

    @property
    def onnx_threads(self) -> int:
        """ONNX Runtime threads of one network pass (read by the model's loader)."""
        return max(1, self._threads() // 2) if self.flip_average else self._threads()

    def _threads(self) -> int:
        return self.threads or available_threads()

    def __call__(
        self, reference: ColoredFrame, target: Frame, flow: np.ndarray | None = None
    ) -> SegmentColoring:
        """Color ``target`` from ``reference``; ``flow`` (H, W, 2) from the target to the
        reference (as :meth:`estimate_flow` gives it, or composed along a chain of frames
        by :func:`~paintbucket.flow.compose_flows`), estimated here when None. The
        mirrored pass of ``flip_average`` always estimates its own."""
        if self.flip_average:
            probabilities, votes, locked = self._flip_averaged(reference, target, flow)
        else:
            probabilities, votes, locked = self._probabilities(reference, target, flow)
        probabilities[locked] = votes[locked]
        return SegmentColoring(
            target.segment_ids, reference.palette, probabilities, target.solid_line_mask()
        )

    def estimate_flow(self, reference: Frame, target: Frame) -> np.ndarray:
        """(H, W, 2) flow from the target to the reference, the one a call estimates
        itself (:func:`~paintbucket.flow.estimate_flow` of the line masks)."""
        return estimate_flow(target.line_mask, reference.line_mask)

    def opinions(
        self,
        references: Sequence[ColoredFrame],
        target: Frame,
        flows: Sequence[np.ndarray | None] | None = None,
        backward_flows: Sequence[np.ndarray | None] | None = None,
    ) -> list[SegmentColoring]:
        """The target colored from each of several extra references, one un-mirrored pass
        each (no flip averaging), the passes side by side as the flip passes are.

        What :func:`~paintbucket.pipeline.chain.colorize_sequence` asks of the extra
        references of ``anchored`` mode, which it fuses with a full call's coloring: on
        the validation cuts one pass per extra reference scored as well as flip-averaged
        ones (Acc-Thres 0.6703 vs 0.6651, see the README) for two thirds of the work.

        Parameters
        ----------
        references : sequence of ColoredFrame
        target : Frame
        flows : sequence of (H, W, 2) float32 or None, optional
            Flow from the target to each reference (None: estimated here), e.g. composed
            along the chain (:func:`~paintbucket.flow.compose_flows`).
        backward_flows : sequence of (H, W, 2) float32 or None, optional
            Flow from each reference to the target, for the forward-backward check (None:
            estimated here), e.g. the one :func:`~paintbucket.pipeline.chain.anchor_flows`
            estimated to weigh a keyframe, which need not be estimated twice.

        Returns
        -------
        list of SegmentColoring
            One per reference, in order, each over that reference's palette.
        """
        if flows is None:
            flows = [None] * len(references)
        if backward_flows is None:
            backward_flows = [None] * len(references)
        for given, kind in ((flows, "flows"), (backward_flows, "backward flows")):
            if len(given) != len(references):
                raise ValueError(f"{len(given)} {kind} for {len(references)} references")
        results = self._passes(list(zip(references, [target] * len(references), flows,
                                        backward_flows)))  # fmt: skip
        colorings = []
        for reference, (probabilities, votes, locked) in zip(references, results):
            probabilities[locked] = votes[locked]
            colorings.append(
                SegmentColoring(
                    target.segment_ids, reference.palette, probabilities, target.solid_line_mask()
                )
            )
        return colorings

    def _parallel(self) -> bool:
        """Whether two passes run side by side (ONNX Runtime with two or more threads)."""
        return isinstance(self.model, OnnxInclusionMatcher) and self._threads() >= 2

    def _passes(self, pairs: list[tuple]) -> list[tuple]:
        """:meth:`_probabilities` of every (reference, target, flow, backward flow), two
        at a time on ONNX Runtime with two or more threads (each graph runs on
        :attr:`onnx_threads`)."""
        if len(pairs) > 1 and self._parallel():
            # ONNX Runtime releases the GIL while a graph runs, as OpenCV and most of
            # NumPy do: the passes overlap.
            with ThreadPoolExecutor(2) as pool:
                return list(pool.map(lambda pass_: self._probabilities(*pass_), pairs))
        return [self._probabilities(*pass_) for pass_ in pairs]

    def _flip_averaged(
        self, reference: ColoredFrame, target: Frame, given_flow: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_probabilities` of the pair and of its mirror image, combined: the
        probabilities by :func:`average_probabilities`, the locks by :func:`merge_locks`.

        Each pass has its own forward flow, which the network reads and the votes come
        from; the backward flow of the forward-backward check is estimated once, on the
        pair, and mirrored for the mirror image. With :meth:`_parallel` the work splits
        in two even halves: a second thread runs the straight pass's network, then the
        backward flow and the straight check; this one runs the mirrored network, then
        both passes' flow votes, then the mirrored check.
        """
        _check_shapes(reference, target)
        if _is_empty(reference, target):
            return self._probabilities(reference, target, given_flow)
        straight_flow: Future = Future()
        backward_flow: Future = Future()

        def straight_network() -> tuple[np.ndarray, np.ndarray | None]:
            try:
                flow, warped_ids = _forward_flow(reference, target, given_flow)
                straight_flow.set_result((flow, warped_ids))
                probabilities = self._network_probabilities(reference, target, warped_ids)
                backward = self._backward_flow(reference, target)
                backward_flow.set_result(backward)
            except BaseException as error:
                for future in (straight_flow, backward_flow):
                    if not future.done():
                        future.set_exception(error)
                raise
            return probabilities, _consistent_share(target, flow, backward)

        def mirrored_network() -> tuple[ColoredFrame, Frame, np.ndarray, np.ndarray, np.ndarray]:
            mirrored_reference, mirrored_target = reference.mirrored(), target.mirrored()
            flow, warped_ids = _forward_flow(mirrored_reference, mirrored_target)
            probabilities = self._network_probabilities(
                mirrored_reference, mirrored_target, warped_ids
            )
            return mirrored_reference, mirrored_target, flow, warped_ids, probabilities

        def with_mirrored_locks(
            mirrored_target: Frame, flow: np.ndarray, evidence: tuple
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            backward = backward_flow.result()
            mirrored_backward = None if backward is None else _mirror_flow(backward)
            raw_votes, votes, locked = evidence
            share = _consistent_share(mirrored_target, flow, mirrored_backward)
            return raw_votes, votes, locked | self._consistency_locks(share, raw_votes)

        if self._parallel():
            # ONNX Runtime releases the GIL while a graph runs, as OpenCV and most of
            # NumPy do: the two halves overlap.
            with ThreadPoolExecutor(1) as pool:
                straight_job = pool.submit(straight_network)
                mirrored_reference, mirrored_target, flow, warped_ids, flipped = mirrored_network()
                flipped_evidence = self._flow_evidence(
                    mirrored_reference, mirrored_target, flow, warped_ids
                )
                straight_evidence = self._flow_evidence(reference, target, *straight_flow.result())
                flipped_evidence = with_mirrored_locks(mirrored_target, flow, flipped_evidence)
                straight, straight_share = straight_job.result()
        else:
            straight, straight_share = straight_network()
            straight_evidence = self._flow_evidence(reference, target, *straight_flow.result())
            mirrored_reference, mirrored_target, flow, warped_ids, flipped = mirrored_network()
            flipped_evidence = with_mirrored_locks(
                mirrored_target,
                flow,
                self._flow_evidence(mirrored_reference, mirrored_target, flow, warped_ids),
            )
        (straight_raw, straight_votes, straight_locked) = straight_evidence
        (flipped_raw, flipped_votes, flipped_locked) = flipped_evidence
        straight_locked |= self._consistency_locks(straight_share, straight_raw)
        probabilities = average_probabilities(
            self._fused(straight, straight_raw), self._fused(flipped, flipped_raw)
        )
        votes, locked = merge_locks(straight_votes, straight_locked, flipped_votes, flipped_locked)
        return probabilities, votes, locked

    def _probabilities(
        self,
        reference: ColoredFrame,
        target: Frame,
        given_flow: np.ndarray | None = None,
        given_backward: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One pass: (N + 1, P) fused color probabilities of the target segments (row 0
        zero), (N + 1, P) flow votes normalised to sum 1, (N + 1,) bool flow locks; along
        ``given_flow`` (target -> reference) when not None, checked against
        ``given_backward`` (reference -> target) when not None."""
        _check_shapes(reference, target)
        num_tgt, num_colors = int(target.segment_ids.max()), len(reference.palette)
        if _is_empty(reference, target):
            probabilities = np.zeros((num_tgt + 1, num_colors), np.float32)
            return probabilities, probabilities.copy(), np.zeros(num_tgt + 1, bool)
        flow, warped_ids = _forward_flow(reference, target, given_flow)
        probabilities = self._network_probabilities(reference, target, warped_ids)
        raw_votes, votes, locked = self._flow_evidence(reference, target, flow, warped_ids)
        backward = self._backward_flow(reference, target, given_backward)
        share = _consistent_share(target, flow, backward)
        locked |= self._consistency_locks(share, raw_votes)
        return self._fused(probabilities, raw_votes), votes, locked

    def _backward_flow(
        self, reference: ColoredFrame, target: Frame, given: np.ndarray | None = None
    ) -> np.ndarray | None:
        """(H, W, 2) flow from the reference to the target (``given``, else estimated),
        None when ``consistency_lock`` disables the forward-backward check."""
        if self.consistency_lock > 1:
            return None
        if given is not None:
            check_flow_shape(given, target.segment_ids.shape)
            return given
        return estimate_flow(reference.line_mask, target.line_mask)

    def _network_probabilities(
        self, reference: ColoredFrame, target: Frame, warped_ids: np.ndarray
    ) -> np.ndarray:
        """(N + 1, P) color probabilities of the target segments from the network alone
        (row 0 zero); ``warped_ids`` (H, W) are the reference's segment ids pulled into
        the target along the flow (0 = line or outside)."""
        model = self.model
        height, width = target.shape
        shape = work_shape(height, width, self.work_size, model.size_multiple)
        num_colors = len(reference.palette)
        rng = np.random.default_rng(self.seed)
        paint_by_color = redistribution_colors(num_colors, rng).astype(np.float32) / 255.0
        paint = np.zeros((reference.segment_palette_index.size, 3), np.float32)
        colored = reference.segment_palette_index >= 0
        paint[colored] = paint_by_color[reference.segment_palette_index[colored]]

        def color_image(ids: np.ndarray) -> np.ndarray:
            small = cv2.resize(ids.astype(np.float32), shape[::-1], interpolation=cv2.INTER_NEAREST)
            return paint[small.astype(np.int64)]

        images = {
            "line_ref": batched(work_line(reference.line_art, shape)),
            "color_ref": batched(color_image(reference.segment_ids)),
            "line_tgt": batched(work_line(target.line_art, shape)),
            "color_tgt": batched(color_image(warped_ids)),
        }
        probabilities = np.zeros((int(target.segment_ids.max()) + 1, num_colors), np.float32)
        log_probs = self._log_probs(images, reference, target.segment_ids)
        probabilities[1:] = color_probabilities(
            log_probs, reference.segment_palette_index[1:], num_colors
        )
        return probabilities

    def _flow_evidence(
        self, reference: ColoredFrame, target: Frame, flow: np.ndarray, warped_ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What the flow says of every target segment: (N + 1, P) raw votes (shares of
        its pixels per color, :func:`~paintbucket.core.votes.vote_probabilities`), the
        same normalised to sum 1 (floating strokes: their carried colors), and the
        (N + 1,) bool locks of ``flow_lock`` and of the strokes
        (:meth:`_consistency_locks` adds those of ``consistency_lock``)."""
        num_colors = len(reference.palette)
        warped_palette = reference.segment_palette_index[warped_ids]
        raw_votes = vote_probabilities(
            target.segment_ids, warped_palette, num_colors, target.areas()
        )
        vote_totals = raw_votes.sum(axis=1, keepdims=True)
        locked = mutual_overlap(target.segment_ids, warped_ids, target.areas()) >= self.flow_lock
        locked &= vote_totals[:, 0] > 0
        votes = raw_votes / np.maximum(vote_totals, 1e-12)
        # Floating color strokes (blush ticks) are thinner than the flow's error and than
        # a working-size pixel: they take the colors of the nearest warped reference
        # strokes, as in the flow engine, and are locked to them.
        carried = stroke_votes(reference, target, flow)
        reached = carried.sum(axis=1) > 0
        votes[reached], locked[reached] = carried[reached], True
        return raw_votes, votes, locked

    def _consistency_locks(
        self, consistent_share: np.ndarray | None, raw_votes: np.ndarray
    ) -> np.ndarray:
        """(N + 1,) bool: segments with at least ``consistency_lock`` of their pixels
        passing the forward-backward check (``consistent_share``, (N + 1,) from
        :func:`_consistent_share`; None: no check) and at least that share of their vote
        on one color. (Such a segment has votes; a floating stroke is locked already.)"""
        if consistent_share is None:
            return np.zeros(raw_votes.shape[0], bool)
        purity = raw_votes.max(axis=1) / np.maximum(raw_votes.sum(axis=1), 1e-12)
        return (consistent_share >= self.consistency_lock) & (purity >= self.consistency_lock)

    def _fused(self, probabilities: np.ndarray, raw_votes: np.ndarray) -> np.ndarray:
        """Network probabilities times ``(vote + flow_floor) ** flow_prior``, renormalised
        (row 0 stays zero)."""
        if self.flow_prior <= 0:
            return probabilities
        fused = probabilities * (raw_votes + self.flow_floor) ** self.flow_prior
        fused = fused / np.maximum(fused.sum(axis=1, keepdims=True), 1e-12)
        fused[0] = 0.0
        return fused

    def _log_probs(
        self, images: dict[str, np.ndarray], reference: ColoredFrame, segments_tgt: np.ndarray
    ) -> np.ndarray:
        """(N, M) log match probabilities from the model, whichever backend it runs on;
        ``images`` are the working-size inputs made from ``reference`` and the target."""
        model = self.model
        segments_ref = reference.segment_ids
        if isinstance(model, OnnxInclusionMatcher):
            encoded = self._encoded_reference(model, images, reference)
            return model.log_probs(images, segments_ref, segments_tgt, encoded)
        import torch  # lazy: torch (only the PyTorch backend needs it)

        data = {name: torch.from_numpy(array).to(self.device) for name, array in images.items()}
        for name, ids in (("segments_ref", segments_ref), ("segments_tgt", segments_tgt)):
            data[name] = torch.from_numpy(ids.astype(np.int64))[None].to(self.device)
        with torch.no_grad():
            return model(data)["log_probs"][0].cpu().numpy()

    def _encoded_reference(
        self, model: OnnxInclusionMatcher, images: dict[str, np.ndarray], reference: ColoredFrame
    ) -> dict[str, np.ndarray] | None:
        """``model.encode_reference`` of ``reference``, from :attr:`_encoded` when this
        frame object was encoded at this working size before; None when
        ``reuse_references`` is off (the model encodes it itself)."""
        if not self.reuse_references:
            return None
        return self._encoded.get(
            (reference,),
            images["line_ref"].shape,
            lambda: model.encode_reference(images, reference.segment_ids),
        )


def _forward_flow(
    reference: Frame, target: Frame, flow: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 2) flow from the target to the reference (``flow``, estimated when None)
    and the (H, W) reference segment ids it pulls into the target (0 = line or
    outside)."""
    if flow is None:
        flow = estimate_flow(target.line_mask, reference.line_mask)
    else:
        check_flow_shape(flow, target.shape)
    return flow, warp_nearest(reference.segment_ids, flow, fill=0)


def _consistent_share(
    target: Frame, flow: np.ndarray, backward: np.ndarray | None
) -> np.ndarray | None:
    """(N + 1,) share of each target segment's pixels that pass the forward-backward
    check of ``flow`` (target -> reference) and ``backward`` (reference -> target,
    :func:`~paintbucket.flow.consistent_share`); None without a backward flow."""
    if backward is None:
        return None
    return consistent_share(target.segment_ids, flow, backward, target.areas())


def _is_empty(reference: Frame, target: Frame) -> bool:
    """Whether either frame has no segment (nothing to match)."""
    return int(target.segment_ids.max()) == 0 or int(reference.segment_ids.max()) == 0


def _check_shapes(reference: Frame, target: Frame) -> None:
    if reference.shape != target.shape:
        raise ValueError(f"reference {reference.shape} and target {target.shape} differ in size")


def _flip(array: np.ndarray) -> np.ndarray:
    """``array`` flipped left-right (its first two axes are rows and columns)."""
    return np.ascontiguousarray(array[:, ::-1])


def _mirror_flow(flow: np.ndarray) -> np.ndarray:
    """The (H, W, 2) flow of the mirrored frames: flipped left-right, x motion negated."""
    mirrored = _flip(flow)
    mirrored[..., 0] *= -1
    return mirrored
