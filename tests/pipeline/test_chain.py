import numpy as np
import pytest

from paintbucket.core import ColoredFrame, Frame, SegmentColoring
from paintbucket.pipeline.chain import (
    ANCHOR_CONSISTENCY_WEIGHT,
    ANCHOR_WEIGHT,
    ANNOTATED_SHEET_WEIGHT,
    FAR_ANCHOR_WEIGHT,
    SHEET_WEIGHT,
    anchor_references,
    anchor_weights,
    colorize_sequence,
    fuse_colorings,
    plan_references,
    union_palette,
    weighed_sheet_opinion,
)

RED, BLUE, GREEN = (255, 0, 0, 255), (0, 0, 255, 255), (0, 255, 0, 255)


def test_plan_forward_and_nearest():
    names = ["a", "b", "c", "d", "e"]
    assert plan_references(names, {"c"}, "forward") == [
        (2, -1), (1, 2), (3, 2), (0, 1), (4, 3)
    ]  # fmt: skip
    forward = dict(plan_references(names, {"a", "e"}, "forward"))
    assert forward == {0: -1, 4: -1, 1: 0, 2: 1, 3: 2}
    nearest = dict(plan_references(names, {"a", "e"}, "nearest"))
    assert nearest == {0: -1, 4: -1, 1: 0, 2: 1, 3: 4}


def test_plan_references_come_first():
    order = [i for i, _ in plan_references(list("abcdefg"), {"b", "f"}, "nearest")]
    for index, reference in plan_references(list("abcdefg"), {"b", "f"}, "nearest"):
        assert reference < 0 or order.index(reference) < order.index(index)


def test_plan_anchored_chains_like_forward():
    names = list("abcdefg")
    assert plan_references(names, {"b", "f"}, "anchored") == plan_references(
        names, {"b", "f"}, "forward"
    )
    with pytest.raises(ValueError, match="unknown mode"):
        plan_references(names, {"b"}, "sideways")
    with pytest.raises(ValueError, match="no keyframe"):
        plan_references(names, set(), "anchored")


def test_anchor_references():
    assert anchor_references(3, [0, 6]) == [0, 6]
    assert anchor_references(3, [6, 0, 1]) == [1, 6]
    assert anchor_references(9, [0, 6]) == [6]
    assert anchor_references(0, []) == []


def test_union_palette_exact():
    palette, columns = union_palette([np.array([BLUE, RED], np.uint8), np.array([GREEN], np.uint8)])
    assert palette.tolist() == [list(BLUE), list(GREEN), list(RED)]
    assert [c.tolist() for c in columns] == [[0, 2], [1]]
    empty, no_columns = union_palette([])
    assert empty.shape == (0, 4) and no_columns == []


def _coloring(palette, rows) -> SegmentColoring:
    probabilities = np.array([[0.0] * len(palette), *rows], np.float32)
    return SegmentColoring(np.array([[1, 2]], np.int32), np.array(palette, np.uint8), probabilities)


def test_fuse_exact_values():
    chained = _coloring([RED, BLUE], [[0.6, 0.4], [0.9, 0.1]])
    anchor = _coloring([BLUE, GREEN], [[1.0, 0.0], [0.5, 0.5]])
    fused = fuse_colorings(chained, [anchor], [1.0], floor=1e-9)
    assert fused.palette.tolist() == [list(BLUE), list(GREEN), list(RED)]
    # Segment 1: the anchor rules out red (probability 0, almost no floor): blue only.
    assert np.allclose(fused.probabilities[1], [1.0, 0.0, 0.0], atol=1e-6)
    # Segment 2: the chain's red has no support in the anchor; blue .1 x .5 wins.
    assert np.allclose(fused.probabilities[2], [1.0, 0.0, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="floor"):
        fuse_colorings(chained, [anchor], floor=0.0)
    floored = fuse_colorings(chained, [anchor], [0.5], floor=0.2)
    expected = np.array([0.4 + 0.2, 0.2, 0.6 + 0.2]) * np.sqrt([1.0 + 0.2, 0.2, 0.2])
    assert np.allclose(floored.probabilities[1], expected / expected.sum(), atol=1e-6)
    assert fused.probabilities[0].sum() == 0
    assert fuse_colorings(chained, []) is chained
    with pytest.raises(ValueError, match="2 weights for 1 colorings"):
        fuse_colorings(chained, [anchor], [1.0, 1.0])


def test_fuse_per_segment_weights():
    chained = _coloring([RED, BLUE], [[0.8, 0.2], [0.8, 0.2]])
    anchor = _coloring([RED, BLUE], [[0.0, 1.0], [0.0, 1.0]])
    # the same two tables: the anchor outvotes the chain only where it weighs more
    fused = fuse_colorings(chained, [anchor], [np.array([0.0, 0.1, 3.0])])
    assert fused.segment_rgba()[1:].tolist() == [list(RED), list(BLUE)]
    uniform = fuse_colorings(chained, [anchor], [3.0])
    assert np.allclose(uniform.probabilities[2], fused.probabilities[2])
    with pytest.raises(ValueError, match=r"per-segment weights must be \(3,\)"):
        fuse_colorings(chained, [anchor], [np.ones(2)])


def test_sure_anchor_overrides_unsure_chain_but_not_a_sure_one():
    unsure = _coloring([RED, BLUE], [[0.55, 0.45], [0.95, 0.05]])
    sure_blue = _coloring([RED, BLUE], [[0.0, 1.0], [0.3, 0.7]])
    fused = fuse_colorings(unsure, [sure_blue])
    assert fused.segment_rgba()[1].tolist() == list(BLUE)  # the anchor decides
    assert fused.segment_rgba()[2].tolist() == list(RED)  # the chain is sure: it stays


def test_fuse_rejects_other_segmentations():
    chained = _coloring([RED], [[1.0], [1.0]])
    other = SegmentColoring(np.array([[1]], np.int32), np.array([RED], np.uint8),
                            np.zeros((2, 1), np.float32))  # fmt: skip
    with pytest.raises(ValueError, match="different segmentations"):
        fuse_colorings(chained, [other])


def _frame(width: int = 4) -> Frame:
    line_art = np.zeros((2, width, 4), np.uint8)
    ids = np.arange(1, 2 * width + 1, dtype=np.int32).reshape(2, width)
    return Frame(line_art, ids, np.zeros((2, width), bool))


@pytest.mark.parametrize("mode", ["forward", "nearest", "anchored"])
def test_sequence_calls_and_order(mode):
    key = _frame()
    palette = np.array([RED, BLUE], np.uint8)
    index = np.array([-1] + [0, 1] * 4, np.int32)
    keyframe = ColoredFrame(key.line_art, key.segment_ids, key.line_mask, palette, index)
    calls = []

    def engine(reference, target):
        calls.append(reference)
        return reference.as_coloring()  # same segments: copy the reference's colors

    loaded = []

    def load_frame(i):
        loaded.append(i)
        return _frame()

    def load_keyframe(i):
        return keyframe, keyframe.as_coloring()

    out = list(colorize_sequence(5, [0, 4], load_frame, load_keyframe, engine, mode))
    assert sorted(i for i, *_ in out) == [0, 1, 2, 3, 4]
    assert sorted(loaded) == [1, 2, 3]
    for *_, coloring in out:
        assert np.array_equal(coloring.segment_rgba()[1:], palette[index[1:]])  # no drift
    # Three chained calls; anchored adds the chained reference's predecessor (frame 3's)
    # and the keyframe its chain walks from where that is not the chained reference
    # (frames 2 and 3). An engine without ``estimate_flow`` is not asked about the
    # keyframe on the far side (FAR_ANCHOR_WEIGHT, no consistency to add).
    assert len(calls) == 3 + {"forward": 0, "nearest": 0, "anchored": 3}[mode]


def test_sequence_fuses_anchors():
    key = _frame(1)
    keyframe = ColoredFrame(key.line_art, key.segment_ids, key.line_mask,
                            np.array([RED], np.uint8), np.array([-1, 0, 0], np.int32))  # fmt: skip
    seen = []

    def fuse(chained, anchors, weights):
        seen.append(len(anchors))
        return chained

    list(colorize_sequence(4, [0], lambda i: _frame(1),
                           lambda i: (keyframe, keyframe.as_coloring()),
                           lambda ref, tgt: ref.as_coloring(), "anchored", fuse))  # fmt: skip
    # frame 1's chained reference is the keyframe: nothing to fuse; frame 2 fuses the
    # keyframe (its reference's predecessor and its anchor, once); frame 3 frames 1 and 0
    assert seen == [1, 2]


def _tagged(index: int) -> Frame:
    """A one-segment frame whose line art carries its index (kept by from_coloring)."""
    return Frame(np.full((1, 1, 4), index, np.uint8), np.ones((1, 1), np.int32),
                 np.zeros((1, 1), bool))  # fmt: skip


def _tagged_keyframe(index: int) -> tuple[ColoredFrame, SegmentColoring]:
    """:func:`_tagged` painted red, as ``load_keyframe`` returns it."""
    key = _tagged(index)
    keyframe = ColoredFrame(key.line_art, key.segment_ids, key.line_mask,
                            np.array([RED], np.uint8), np.array([-1, 0], np.int32))  # fmt: skip
    return keyframe, keyframe.as_coloring()


def test_anchored_fuses_the_second_chained_neighbour_and_the_keyframes():
    calls = []

    def engine(reference, target):
        calls.append((int(reference.line_art[0, 0, 0]), int(target.line_art[0, 0, 0])))
        return reference.as_coloring()

    out = list(colorize_sequence(8, [0, 7], _tagged, _tagged_keyframe, engine, "anchored"))
    by_target = {}
    for reference, target in calls:
        by_target.setdefault(target, []).append(reference)
    # chained reference first, then its predecessor, then the keyframe the chain walks
    # from (the far one needs an engine that estimates flow, below)
    assert by_target == {1: [0], 2: [1, 0], 3: [2, 1, 0],
                         4: [3, 2, 0], 5: [4, 3, 0], 6: [5, 4, 0]}  # fmt: skip
    assert sorted(i for i, *_ in out) == list(range(8))


def test_engine_opinions_color_the_extra_references_in_one_call():
    class Engine:
        def __init__(self):
            self.chained, self.extras = [], []

        def __call__(self, reference, target):
            self.chained.append((int(reference.line_art[0, 0, 0]), int(target.line_art[0, 0, 0])))
            return reference.as_coloring()

        def opinions(self, references, target):
            tags = [int(r.line_art[0, 0, 0]) for r in references]
            self.extras.append((tags, int(target.line_art[0, 0, 0])))
            return [r.as_coloring() for r in references]

    engine = Engine()
    list(colorize_sequence(5, [0], _tagged, _tagged_keyframe, engine, "anchored"))
    assert engine.chained == [(0, 1), (1, 2), (2, 3), (3, 4)]
    # frame 1's reference is the keyframe: no extras, and no empty call
    assert engine.extras == [([0], 2), ([1, 0], 3), ([2, 0], 4)]


class _FlowEngine:
    """Records the flows it is given. Frame ``k``'s own flow to any reference is a
    uniform ``k`` px shift right (``estimate_flow``), so a flow composed along the chain
    is the sum of the steps' shifts."""

    def __init__(self, anchor_flow="chained"):
        self.anchor_flow = anchor_flow
        self.given = []  # (reference tag, target tag, x shift or None)

    def estimate_flow(self, reference, target):
        return np.full((1, 1, 2), (float(target.line_art[0, 0, 0]), 0.0), np.float32)

    def __call__(self, reference, target, flow=None):
        shift = None if flow is None else float(flow[0, 0, 0])
        self.given.append((int(reference.line_art[0, 0, 0]), int(target.line_art[0, 0, 0]), shift))
        return reference.as_coloring()


def test_anchored_composes_the_steps_into_the_flow_to_the_chains_keyframe():
    engine = _FlowEngine()
    list(colorize_sequence(7, [0, 6], _tagged, _tagged_keyframe, engine, "anchored"))
    by_target = {}
    for reference, target, shift in engine.given:
        by_target.setdefault(target, []).append((reference, shift))
    # chained reference: its own step; the keyframe the chain walks from: every step
    # back to it (its direct estimate fails the check: the flow back is 0 px); the far
    # keyframe: the engine's own estimate; the predecessor: estimated by the engine
    assert by_target[1] == [(0, 1.0), (6, 1.0)]
    assert by_target[2] == [(1, 2.0), (0, 3.0), (6, 2.0)]
    assert by_target[3] == [(2, 3.0), (1, None), (0, 6.0), (6, 3.0)]
    assert by_target[4] == [(3, 4.0), (2, None), (0, 10.0), (6, 4.0)]  # all four steps


def test_anchor_weights_follow_the_share_of_consistent_pixels():
    target = Frame(np.zeros((1, 4, 4), np.uint8), np.array([[1, 1, 2, 0]], np.int32),
                   np.array([[False, False, False, True]]))  # fmt: skip
    direct = np.zeros((1, 4, 2), np.float32)
    backward = direct.copy()
    backward[0, 1] = (0.0, 4.0)  # pixel 1 does not come back
    weights = anchor_weights(target, direct, backward)
    a, c = ANCHOR_WEIGHT, ANCHOR_CONSISTENCY_WEIGHT
    assert weights.shape == (3,)
    assert np.allclose(weights, [a + c, a + c / 2, a + c])  # row 0 counts the line pixel


def test_a_keyframe_whose_flow_holds_weighs_more_and_gives_its_direct_flow():
    class StillEngine(_FlowEngine):
        """Frame k's flow to any reference: k px down and back (it round trips), plus
        0.5 px right when estimated straight to the keyframe across several frames."""

        def estimate_flow(self, reference, target):
            ref, tgt = int(reference.line_art[0, 0, 0]), int(target.line_art[0, 0, 0])
            across = 0.5 if 0 in (ref, tgt) and abs(ref - tgt) > 1 else 0.0
            return np.full((1, 1, 2), (across if tgt else -across, ref - tgt), np.float32)

    engine, weights_seen = StillEngine(), []

    def fuse(chained, others, weights):
        weights_seen.append(weights)
        return fuse_colorings(chained, others, weights)

    list(colorize_sequence(4, [0], _tagged, _tagged_keyframe, engine, "anchored", fuse))
    heavy = ANCHOR_WEIGHT + ANCHOR_CONSISTENCY_WEIGHT  # every pixel passes the check
    # frame 2: the keyframe; frame 3: its predecessor (fixed weight), then the keyframe
    assert [len(w) for w in weights_seen] == [1, 2]
    # row 0 is the line, which has no pixels here
    assert weights_seen[0][0].tolist() == weights_seen[1][1].tolist() == [ANCHOR_WEIGHT, heavy]
    assert weights_seen[1][0] == ANCHOR_WEIGHT
    # the keyframe the chain starts from gets the direct estimate (0.5 px right), not
    # the chain's steps composed (0 px right), where the direct one round trips
    assert (0, 3, 0.5) in engine.given and (0, 2, 0.5) in engine.given


@pytest.mark.parametrize(("shift", "bonus"), [(0.0, ANCHOR_CONSISTENCY_WEIGHT), (5.0, 0.0)])
def test_a_far_keyframe_weighs_only_where_its_flow_holds(shift, bonus):
    class Engine(_FlowEngine):
        """Every flow is ``shift`` px down: it round trips only when 0."""

        def estimate_flow(self, reference, target):
            return np.full((1, 1, 2), (0.0, shift), np.float32)

    weights_seen = {}

    def fuse(chained, others, weights):
        weights_seen[len(weights_seen)] = [np.asarray(w).tolist() for w in weights]
        return fuse_colorings(chained, others, weights)

    list(colorize_sequence(5, [0, 4], _tagged, _tagged_keyframe, Engine("direct"),
                           "anchored", fuse))  # fmt: skip
    near = [ANCHOR_WEIGHT, ANCHOR_WEIGHT + bonus]  # row 0: the line, no pixels here
    far = [FAR_ANCHOR_WEIGHT, FAR_ANCHOR_WEIGHT + bonus]
    # frame 1: chained from keyframe 0, far keyframe 4; frame 2: chained from frame 1,
    # keyframe 0 (its chain's), 4; frame 3: also frame 1, the chained predecessor
    assert weights_seen == {0: [far], 1: [near, far], 2: [ANCHOR_WEIGHT, near, far]}


def test_opinions_get_the_keyframes_backward_flow_estimated_for_its_weight():
    class OpinionEngine(_FlowEngine):
        """A direct engine with ``opinions``: records each backward flow's x shift."""

        def __init__(self):
            super().__init__("direct")
            self.backward_seen = []  # (reference tags, target tag, shifts or None)

        def opinions(self, references, target, flows=None, backward_flows=None):
            shifts = None if backward_flows is None else [
                None if f is None else float(f[0, 0, 0]) for f in backward_flows]  # fmt: skip
            tags = [int(r.line_art[0, 0, 0]) for r in references]
            self.backward_seen.append((tags, int(target.line_art[0, 0, 0]), shifts))
            return [r.as_coloring() for r in references]

    engine = OpinionEngine()
    list(colorize_sequence(4, [0], _tagged, _tagged_keyframe, engine, "anchored"))
    # estimate_flow(target, keyframe) is the keyframe's flow to the target: a shift of 0
    # (the keyframe's tag); the chained predecessor has none
    assert engine.backward_seen == [([0], 2, [0.0]), ([1, 0], 3, [None, 0.0])]


@pytest.mark.parametrize(("mode", "anchor_flow"), [("forward", "chained"), ("anchored", "direct")])
def test_no_flow_is_composed_outside_anchored_chains_or_for_direct_engines(mode, anchor_flow):
    engine = _FlowEngine(anchor_flow)
    list(colorize_sequence(4, [0], _tagged, _tagged_keyframe, engine, mode))
    if mode == "forward":  # the engine's own steps, nothing else
        assert engine.given == [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0)]
    else:  # an engine that keeps direct flows is given its own estimates, or none
        assert all(shift in (None, float(target)) for _, target, shift in engine.given)
        assert {shift for *_, shift in engine.given} != {None}


@pytest.mark.parametrize("mode", ["forward", "anchored"])
def test_sheet_opinion_joins_every_non_key_frame_in_anchored_mode(mode):
    asked, fused = [], []

    def sheet_opinion(index, frame):
        asked.append((index, int(frame.line_art[0, 0, 0])))
        # the sheet is sure of BLUE, a color no keyframe has
        return SegmentColoring(frame.segment_ids, np.array([BLUE], np.uint8),
                               np.array([[0.0], [1.0]], np.float32)), 0.25  # fmt: skip

    def fuse(chained, others, weights):
        fused.append(weights)
        return fuse_colorings(chained, others, weights)

    out = list(colorize_sequence(4, [0], _tagged, _tagged_keyframe,
                                 lambda ref, tgt: ref.as_coloring(), mode, fuse,
                                 sheet_opinion=sheet_opinion))  # fmt: skip
    if mode == "forward":
        assert asked == [] and fused == []
        return
    assert asked == [(1, 1), (2, 2), (3, 3)]  # each non-key frame, with its own drawing
    # frame 1: the sheet; 2: the keyframe, the sheet; 3: frame 1, the keyframe, the sheet
    a, s = ANCHOR_WEIGHT, 0.25  # the sheet's weight comes with its opinion
    assert fused == [[s], [a, s], [a, a, s]]
    colors = {index: coloring.palette for index, _, _, coloring in out}
    assert {tuple(c) for c in colors[1].tolist()} == {RED, BLUE}  # the sheet's color joins


def test_weighed_sheet_opinion_weighs_annotated_frames_more():
    frame = _tagged(1)
    table = SegmentColoring(frame.segment_ids, np.array([RED], np.uint8),
                            np.array([[0.0], [1.0]], np.float32))  # fmt: skip
    asked = []

    def opinion(frame, annotation):
        asked.append(annotation)
        return table

    annotation = np.zeros((1, 1, 4), np.uint8)
    assert weighed_sheet_opinion(opinion, frame, None) == (table, SHEET_WEIGHT)
    assert weighed_sheet_opinion(opinion, frame, annotation) == (table, ANNOTATED_SHEET_WEIGHT)
    assert asked[0] is None and asked[1] is annotation
