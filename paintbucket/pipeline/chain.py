"""Chaining a cut: which reference colors each frame, and fusing several references.

A cut has one or more painted keyframes; every other frame is colored from an already
colored neighbour (the *chain*). Errors in a chain are copied forward, so in the
``anchored`` mode each frame is also matched against the neighbour's own chained
predecessor and against the cut's keyframes (its *anchors*: the nearest keyframe on each
side), and the per-segment color probabilities are fused (:func:`fuse_colorings`): an
error made on one frame of the chain is outvoted where the other references agree, and a
confident keyframe match overrides an uncertain chained one. Given a design sheet, its
view of every frame joins them: the one reference that never drifts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from paintbucket.choices import MODES
from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.flow.dis import compose_flows, consistent_share, prefer_consistent
from paintbucket.segment.stats import pack_rgba


def plan_references(names: Sequence[str], keyframes: set[str], mode: str) -> list[tuple[int, int]]:
    """Order in which to colorize frames and the chained reference of each.

    Parameters
    ----------
    names : sequence of str
        Frame names in clip order.
    keyframes : set of str
        Names that have a colored keyframe.
    mode : {"anchored", "forward", "nearest"}
        ``forward`` and ``anchored``: each frame from its predecessor, starting at the
        first keyframe (frames before it are walked backwards from it); a later keyframe
        restarts the chain. ``nearest``: each frame from its neighbour on the side of its
        nearest keyframe (ties go to the earlier keyframe). ``anchored`` also matches
        every frame against the keyframes themselves (:func:`anchor_references`); it
        walks forward because a cut's later keyframe often shows less of what the
        frames before it hold (a character turned away or gone), and a chain walked
        back from it starts from what it lacks (see the README's cut section).

    Returns
    -------
    steps : list of (frame index, reference index)
        In processing order: keyframe by keyframe, each followed by the frames colored
        from it, nearest first, so only a few frames at a time wait to serve as a
        reference. The reference is -1 for keyframes and is always processed before
        the frames that use it.

    >>> plan_references(["a", "b", "c", "d"], {"a", "d"}, "forward")
    [(0, -1), (1, 0), (2, 1), (3, -1)]
    >>> plan_references(["a", "b", "c", "d"], {"a", "d"}, "nearest")
    [(0, -1), (1, 0), (3, -1), (2, 3)]
    >>> plan_references(["a", "b", "c", "d"], {"a", "d"}, "anchored")
    [(0, -1), (1, 0), (2, 1), (3, -1)]
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {MODES}")
    keys = np.array([i for i, name in enumerate(names) if name in keyframes])
    if keys.size == 0:
        raise ValueError("no keyframe among the frames")
    steps = []
    for index in range(len(names)):
        if index in keys:
            steps.append((index, 0, index, -1))
            continue
        if mode in ("forward", "anchored"):
            previous = keys[keys < index]
            root = int(previous.max()) if previous.size else int(keys.min())
        else:
            root = int(keys[np.argmin(np.abs(keys - index))])
        reference = index - 1 if root < index else index + 1
        steps.append((root, abs(index - root), index, reference))
    steps.sort()
    return [(index, reference) for _, _, index, reference in steps]


def anchor_references(index: int, key_indices: Sequence[int]) -> list[int]:
    """The keyframes that anchor frame ``index``: the nearest one on each side.

    >>> anchor_references(5, [0, 10, 20])
    [0, 10]
    >>> anchor_references(25, [0, 10, 20])
    [20]
    """
    keys = np.asarray(sorted(key_indices))
    before, after = keys[keys < index], keys[keys > index]
    return [int(k) for k in (*before[-1:], *after[:1])]


def extra_references(index: int, reference: int, key_indices: Sequence[int]) -> list[int]:
    """The references ``anchored`` mode fuses with frame ``index``'s chained ``reference``.

    The chained reference's own predecessor on the chain (``2 * reference - index``; none
    when the reference is a keyframe), then the nearest keyframe on each side
    (:func:`anchor_references`), without repeats and without ``reference`` itself. Two
    chained neighbours err on different segments more often than not, so the second
    outvotes a mistake the first made; the keyframes pull back what both inherited.

    >>> extra_references(5, 4, [0, 10])
    [3, 0, 10]
    >>> extra_references(2, 1, [0])
    [0]
    >>> extra_references(1, 0, [0])
    []
    """
    keys = set(int(k) for k in key_indices)
    candidates = [] if reference in keys else [2 * reference - index]
    candidates += anchor_references(index, sorted(keys))
    return list(dict.fromkeys(c for c in candidates if c != reference))


def union_palette(palettes: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One palette holding every color of several, and where each palette's colors went.

    Parameters
    ----------
    palettes : sequence of (P_i, 4) uint8

    Returns
    -------
    palette : (P, 4) uint8
        The distinct colors, sorted by packed RGBA value.
    columns : list of (P_i,) int64
        ``palette[columns[i]] == palettes[i]``.

    >>> palette, columns = union_palette([np.array([[9, 9, 9, 255]], np.uint8),
    ...                                   np.array([[1, 1, 1, 255], [9, 9, 9, 255]], np.uint8)])
    >>> palette.tolist(), [c.tolist() for c in columns]
    ([[1, 1, 1, 255], [9, 9, 9, 255]], [[1], [0, 1]])
    """
    packed = [pack_rgba(p) for p in palettes]
    values = np.unique(np.concatenate(packed)) if packed else np.zeros(0, np.int64)
    columns = [np.searchsorted(values, p) for p in packed]
    index = np.concatenate(columns) if columns else np.zeros(0, np.int64)
    palette = np.zeros((values.size, 4), np.uint8)
    if index.size:
        palette[index] = np.concatenate(palettes)
    return palette, columns


#: Weight of each extra reference's log-probabilities (chained neighbours and keyframes)
#: against the chain's, and of a design sheet's opinion of a frame: drawn only (it names
#: the material) or with the frame's shading annotation (it names the color). Chosen on
#: validation cuts, not the benchmark; see the README's cut section.
ANCHOR_WEIGHT = 0.6
SHEET_WEIGHT = 0.5
ANNOTATED_SHEET_WEIGHT = 2.0
#: Added to every probability before the product, so that one table's zero does not veto
#: a color the other is sure of.
FUSION_FLOOR = 0.2
#: Added to a keyframe's weight for a segment, times the share of the segment's pixels
#: whose flow to the keyframe passes the forward-backward check (:func:`anchor_weights`).
#: Chosen on validation cuts and the real sequences; see the README's cut section.
ANCHOR_CONSISTENCY_WEIGHT = 2.0
#: Base weight, in place of :data:`ANCHOR_WEIGHT`, of a keyframe on the other side of a
#: frame from the keyframe its chain walks from (a cut with keyframes at both ends): it
#: counts only where its flow passes the forward-backward check. It is not on the chain,
#: and across many frames of motion it is often sure and wrong about what moved. Chosen
#: on validation cuts; see the README's cut section.
FAR_ANCHOR_WEIGHT = 0.0


def anchor_flows(engine: Engine, keyframe: Frame, target: Frame) -> tuple[np.ndarray, np.ndarray]:
    """The engine's flow from ``target`` to ``keyframe`` and back: ``(direct, backward)``,
    each (H, W, 2) float32 (``engine.estimate_flow``, which the engine must have).

    They weigh the keyframe's opinion (:func:`anchor_weights`), and for an engine that
    :func:`tracks_flow` they also choose the flow to the keyframe its chain starts from:
    ``direct`` where it passes the forward-backward check, the chain's consecutive flows
    composed elsewhere (:func:`~paintbucket.flow.prefer_consistent`). Two direct
    estimates that agree are seldom wrong, and on small motion they are sharper than a
    composition, which blurs with every step; on large motion they disagree and the
    chain takes over. With the flow engine on the held-out synthetic cuts, Acc /
    Acc-Thres: direct 0.6024 / 0.6991, composed alone 0.6163 / 0.7106, both this way
    0.6173 / 0.7130; on the real sequences 0.8394, 0.8328 and 0.8387 Acc (0.9409
    Acc-Thres each).
    """
    return engine.estimate_flow(keyframe, target), engine.estimate_flow(target, keyframe)


def anchor_weights(
    target: Frame, direct: np.ndarray, backward: np.ndarray, base: float = ANCHOR_WEIGHT
) -> np.ndarray:
    """Fusion weight of a keyframe's opinion of every segment of ``target``.

    ``base`` (:data:`ANCHOR_WEIGHT`; :data:`FAR_ANCHOR_WEIGHT` for a keyframe the chain
    does not walk from) plus :data:`ANCHOR_CONSISTENCY_WEIGHT` times the share of the
    segment's pixels whose flow to the keyframe passes the forward-backward check
    (:func:`~paintbucket.flow.consistent_share`). Where the keyframe's drawing is
    followed by two flow estimates that agree, its colors are the chain's source without
    the chain's inherited errors, so it should outvote the chain; where they disagree (large
    motion, occlusion) it weighs as any extra reference does. A fixed weight was wrong
    one way or the other: on the real sequences (smooth motion) the keyframe's opinion
    alone beat the fusion (0.8991 against 0.8667 Acc), on the synthetic cuts (large
    motion) it was the weakest opinion (see the README's cut section).

    Parameters
    ----------
    target : Frame
    direct, backward : (H, W, 2) float32
        Flow from the target to the keyframe and back (:func:`anchor_flows`).
    base : float
        The weight of a segment none of whose pixels passes the check.

    Returns
    -------
    weights : (N + 1,) float64
        Per target segment id (row 0, the line, included).

    >>> target = Frame(np.zeros((1, 2, 4), np.uint8), np.array([[1, 2]], np.int32),
    ...                np.zeros((1, 2), bool))
    >>> still, away = np.zeros((1, 2, 2), np.float32), np.full((1, 2, 2), 5, np.float32)
    >>> anchor_weights(target, still, still).tolist()
    [0.6, 2.6, 2.6]
    >>> anchor_weights(target, away, away).tolist()
    [0.6, 0.6, 0.6]
    >>> anchor_weights(target, away, away, base=FAR_ANCHOR_WEIGHT).tolist()
    [0.0, 0.0, 0.0]
    """
    share = consistent_share(target.segment_ids, direct, backward, target.areas())
    return base + ANCHOR_CONSISTENCY_WEIGHT * share


def weighed_sheet_opinion(
    sheet_opinion: Callable[[Frame, np.ndarray | None], SegmentColoring],
    frame: Frame,
    annotation: np.ndarray | None,
) -> tuple[SegmentColoring, float]:
    """``sheet_opinion(frame, annotation)`` and its fusion weight: :data:`SHEET_WEIGHT`
    from the drawing alone (the sheet names the material), :data:`ANNOTATED_SHEET_WEIGHT`
    with the frame's shading annotation (it names the color)."""
    weight = SHEET_WEIGHT if annotation is None else ANNOTATED_SHEET_WEIGHT
    return sheet_opinion(frame, annotation), weight


def fuse_colorings(
    chained: SegmentColoring,
    others: Sequence[SegmentColoring],
    weights: Sequence[float] | None = None,
    floor: float = FUSION_FLOOR,
) -> SegmentColoring:
    """Fuse the chained coloring of a frame with its other references' colorings.

    A product of experts: every table is brought to a common palette and normalised per
    segment, then ``log(chained + floor) + sum(weight * log(other + floor))`` is turned
    back into probabilities. Where the tables agree the color is reinforced; where they
    disagree, the surer table wins, and a keyframe that is sure overrides an unsure
    chain. Simple weighted sums were tried and were worse on the validation cuts: a far
    keyframe is often confidently wrong about a few segments, and a sum lets that
    confidence through.

    Parameters
    ----------
    chained : SegmentColoring
        From the colored neighbour.
    others : sequence of SegmentColoring
        From the other references (keyframes, chained frames, a design sheet), same
        target segments; rows need not be normalised.
    weights : sequence of float or (N + 1,) float arrays, optional
        Weight of each of ``others`` (the chain's is 1), one for all segments or one per
        segment (e.g. :func:`anchor_weights`); :data:`ANCHOR_WEIGHT` each by default.
    floor : float
        Added to every probability before the logarithm; above 0.

    Returns
    -------
    SegmentColoring
        Over the union palette; rows sum to 1 (row 0, the line, is 0).
    """
    if floor <= 0:
        raise ValueError(f"floor must be above 0, got {floor}")
    if weights is None:
        weights = [ANCHOR_WEIGHT] * len(others)
    if len(weights) != len(others):
        raise ValueError(f"{len(weights)} weights for {len(others)} colorings")
    if not others:
        return chained
    tables = [chained, *others]
    palette, columns = union_palette([t.palette for t in tables])
    rows = chained.probabilities.shape[0]
    log_fused = np.zeros((rows, len(palette)), np.float64)
    for weight, table, cols in zip([1.0, *weights], tables, columns):
        if table.probabilities.shape[0] != rows:
            raise ValueError("colorings of different segmentations cannot be fused")
        probabilities = np.zeros((rows, len(palette)), np.float64)
        probabilities[:, cols] = table.probabilities
        probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
        weight = np.asarray(weight, np.float64)
        if weight.ndim and weight.shape != (rows,):
            raise ValueError(f"per-segment weights must be ({rows},), got {weight.shape}")
        log_fused += (weight[:, None] if weight.ndim else weight) * np.log(probabilities + floor)
    fused = np.exp(log_fused - log_fused.max(axis=1, keepdims=True))
    fused /= fused.sum(axis=1, keepdims=True)
    fused[0] = 0.0
    return SegmentColoring(
        chained.segment_ids, palette, fused.astype(np.float32), chained.line_mask
    )


def extra_opinions(
    engine: Engine,
    references: Sequence[ColoredFrame],
    target: Frame,
    flows: Sequence[np.ndarray | None] | None = None,
    backward_flows: Sequence[np.ndarray | None] | None = None,
) -> list[SegmentColoring]:
    """``target`` colored from each extra reference of ``anchored`` mode.

    ``engine.opinions(references, target)`` where the engine has that cheaper way (the
    learned engine: one un-mirrored pass per reference, side by side), else
    ``engine(reference, target)`` for each. ``flows`` (target -> each reference, None
    where the engine should estimate it) are passed on as ``flows=`` / ``flow=``; only
    an engine that takes them (one with an ``estimate_flow`` method) may be given them.
    ``backward_flows`` (each reference -> target, None where unknown) go to an engine's
    ``opinions`` as ``backward_flows=`` when any is known, so that a flow
    :func:`anchor_flows` estimated is not estimated again for its check; an engine
    without ``opinions`` does not use them.
    """
    if not references:
        return []
    opinions = getattr(engine, "opinions", None)
    if opinions is not None:
        options = {} if flows is None else {"flows": flows}
        if backward_flows is not None and any(f is not None for f in backward_flows):
            options["backward_flows"] = backward_flows
        return list(opinions(references, target, **options))
    if flows is None:
        return [engine(reference, target) for reference in references]
    return [engine(reference, target, flow=flow) for reference, flow in zip(references, flows)]


def estimates_flow(engine: Engine) -> bool:
    """Whether ``engine`` has ``estimate_flow(reference, target)`` (then it also takes
    ``flow=``, and ``flows=`` and ``backward_flows=`` in ``opinions``)."""
    return callable(getattr(engine, "estimate_flow", None))


def tracks_flow(engine: Engine) -> bool:
    """Whether ``engine`` follows the chain's flow to its keyframe: it has
    ``estimate_flow(reference, target)``, takes ``flow=`` (and ``flows=`` in
    ``opinions``) and its ``anchor_flow`` is ``"chained"``. :func:`colorize_sequence`
    then gives it its own consecutive flows and, for the keyframe a chain starts from,
    their composition (:func:`~paintbucket.flow.compose_flows`)."""
    return estimates_flow(engine) and getattr(engine, "anchor_flow", "direct") == "chained"


#: A keyframe as the chain needs it: the drawing with its colors, and the coloring to
#: write for it (a painted keyframe's own colors, or a design-sheet prediction).
Keyframe = tuple[ColoredFrame, SegmentColoring]


def colorize_sequence(
    num_frames: int,
    key_indices: Sequence[int],
    load_frame: Callable[[int], Frame],
    load_keyframe: Callable[[int], Keyframe],
    engine: Engine,
    mode: str = MODES[0],
    fuse: Callable[
        [SegmentColoring, Sequence[SegmentColoring], Sequence[float | np.ndarray]],
        SegmentColoring,
    ] = fuse_colorings,
    sheet_opinion: Callable[[int, Frame], tuple[SegmentColoring, float]] | None = None,
) -> Iterator[tuple[int, int, Frame, SegmentColoring]]:
    """Color every frame of a cut in chain order, holding only the frames still needed.

    Parameters
    ----------
    num_frames : int
    key_indices : sequence of int
        The frames that are keyframes.
    load_frame : callable
        ``load_frame(index) -> Frame``: the drawing of a non-key frame (called once each).
    load_keyframe : callable
        ``load_keyframe(index) -> (ColoredFrame, SegmentColoring)`` (:data:`Keyframe`);
        called when the keyframe is reached and, in ``anchored`` mode, again when it is
        needed as an anchor after having been dropped. Colored frames are held until
        their last use as a chained or extra reference.
    engine : callable
        ``engine(reference, target) -> SegmentColoring``; the extra references of
        ``anchored`` mode go through :func:`extra_opinions` (the engine's cheaper
        ``opinions`` where it has one). An engine that :func:`tracks_flow` gets each
        frame's flow to its chained reference from its own ``estimate_flow``, and in
        ``anchored`` mode the flow to the keyframe its chain starts from composed of
        those steps (:func:`~paintbucket.flow.compose_flows`) wherever its direct
        estimate fails the forward-backward check (:func:`anchor_flows`): a direct
        estimate across many frames of motion loses the drawing, a chain of small steps
        follows it. The chained predecessor and a keyframe on the far side keep the
        engine's own estimate: the predecessor outvotes the neighbour's mistakes only
        while its flow is independent of the neighbour's (composed, the flow engine's
        validation cuts fell from 0.5934 to 0.5863 Acc-Thres, the learned engine's from
        0.6667 to 0.6449), and the far keyframe is not on the chain.
    mode : {"anchored", "forward", "nearest"}
        See :func:`plan_references`.
    fuse : callable
        ``fuse(chained, others, weights) -> SegmentColoring`` in ``anchored`` mode,
        ``others`` the colorings from :func:`extra_references` in its order, then the
        sheet's; ``weights`` for each keyframe its per-segment :func:`anchor_weights`
        (an engine with ``estimate_flow``; else :data:`ANCHOR_WEIGHT`), whose base is
        :data:`FAR_ANCHOR_WEIGHT` for a keyframe on the other side of the frame from
        the one its chain walks from, :data:`ANCHOR_WEIGHT` for a chained predecessor,
        and the sheet's own weight. An engine without ``estimate_flow`` is not asked
        about a far keyframe (its weight would be the constant
        :data:`FAR_ANCHOR_WEIGHT`).
    sheet_opinion : callable, optional
        ``sheet_opinion(index, frame) -> (coloring, weight)``: a design sheet's view of
        a non-key frame (e.g. :meth:`~paintbucket.keyframe.SheetColorizer.opinion`) and
        its fusion weight (:func:`weighed_sheet_opinion`), fused
        as one more reference in ``anchored`` mode (every non-key frame, the first one
        after a keyframe included), so that what no keyframe shows still gets a color
        of the sheet.

    Yields
    ------
    index, reference, frame, coloring
        In processing order; ``reference`` is the chained reference's index, -1 for a
        keyframe, whose ``frame`` is its :class:`ColoredFrame`.
    """
    names = [str(i) for i in range(num_frames)]
    steps = plan_references(names, {str(i) for i in key_indices}, mode)
    keys = {int(k) for k in key_indices}
    key_list = sorted(keys)
    given_flows = estimates_flow(engine)
    #: The keyframe each frame's chain walks from.
    root_of: dict[int, int] = {}
    for index, reference in steps:
        root_of[index] = index if reference < 0 else root_of[reference]

    def is_far(index: int, extra: int) -> bool:
        """Whether ``extra`` is a keyframe other than the one ``index``'s chain walks from."""
        return extra in keys and extra != root_of[index]

    def weighs(index: int, extra: int) -> bool:
        return given_flows or FAR_ANCHOR_WEIGHT > 0 or not is_far(index, extra)

    extras_of = {
        index: [e for e in extra_references(index, reference, key_list) if weighs(index, e)]
        for index, reference in steps
        if mode == "anchored" and reference >= 0
    }
    chained_uses = [r for _, r in steps if r >= 0]
    chained_uses += [e for extras in extras_of.values() for e in extras if e not in keys]
    users = np.bincount(chained_uses, minlength=num_frames)
    anchor_users = np.bincount([e for extras in extras_of.values() for e in extras if e in keys],
                               minlength=num_frames)  # fmt: skip
    colored: dict[int, ColoredFrame] = {}
    anchors: dict[int, ColoredFrame] = {}
    along_flow = tracks_flow(engine)
    #: Of every held colored frame: the flow to its chain's keyframe (``root_of``)
    #: composed along the chain.
    root_flows: dict[int, np.ndarray] = {}

    def take(held: dict[int, ColoredFrame], uses: np.ndarray, index: int) -> ColoredFrame:
        """``held[index]``, dropped from ``held`` at its last use."""
        uses[index] -= 1
        return held.pop(index) if uses[index] == 0 else held[index]

    def extra_frame(index: int) -> ColoredFrame:
        if index not in keys:
            return take(colored, users, index)
        if index not in anchors:
            anchors[index] = load_keyframe(index)[0]
        return take(anchors, anchor_users, index)

    for index, reference in steps:
        if reference < 0:
            frame, coloring = load_keyframe(index)
            current = frame
            if anchor_users[index] > 0:
                anchors[index] = frame
        else:
            frame = load_frame(index)
            chained = take(colored, users, reference)
            extra_indices = extras_of.get(index, ())
            extras = [extra_frame(e) for e in extra_indices]
            key_flows = {
                e: anchor_flows(engine, extra, frame)
                for e, extra in zip(extra_indices, extras)
                if e in keys and given_flows
            }
            flows = [key_flows[e][0] if e in key_flows else None for e in extra_indices]
            if along_flow:
                step = engine.estimate_flow(chained, frame)
                coloring = engine(chained, frame, flow=step)
                if mode == "anchored":
                    root = root_of[index]
                    if reference in keys:
                        to_root = step
                    else:
                        to_root = compose_flows(step, root_flows[reference])
                    if users[index] > 0:
                        root_flows[index] = to_root
                    if root in key_flows:
                        direct, backward = key_flows[root]
                        flows[extra_indices.index(root)] = prefer_consistent(
                            direct, backward, to_root
                        )
            else:
                coloring = engine(chained, frame)
            backward = [key_flows[e][1] if e in key_flows else None for e in extra_indices]
            others = extra_opinions(engine, extras, frame, flows if given_flows else None, backward)
            bases = [
                FAR_ANCHOR_WEIGHT if is_far(index, e) else ANCHOR_WEIGHT for e in extra_indices
            ]
            weights = [
                anchor_weights(frame, *key_flows[e], base=base) if e in key_flows else base
                for e, base in zip(extra_indices, bases)
            ]
            if sheet_opinion is not None and mode == "anchored":
                sheet_coloring, sheet_weight = sheet_opinion(index, frame)
                others.append(sheet_coloring)
                weights.append(sheet_weight)
            if others:
                coloring = fuse(coloring, others, weights)
            current = ColoredFrame.from_coloring(frame, coloring)
        if users[index] > 0:
            colored[index] = current
        for done in set(root_flows) - set(colored):
            del root_flows[done]
        yield index, reference, frame, coloring
