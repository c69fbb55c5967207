import numpy as np

from paintbucket.consecutive import FlowEngine
from paintbucket.core import ColoredFrame, Frame, mutual_overlap, vote_probabilities
from paintbucket.pipeline import colorize_pair
from paintbucket.synth.example import draw_parts, render_parts


def test_vote_probabilities_exact():
    segment_ids = np.array([[1, 1, 1, 0, 2]])
    votes = np.array([[0, 0, 1, 1, -1]])
    probabilities = vote_probabilities(segment_ids, votes, 2)
    assert probabilities.shape == (3, 2)
    assert np.allclose(probabilities, [[0, 0], [2 / 3, 1 / 3], [0, 0]])


def test_mutual_overlap_exact():
    segment_ids = np.array([[1, 1, 1, 0, 2, 2]])
    warped_ids = np.array([[1, 1, 2, 2, 2, 0]])
    # (1, 1): 2 of 3 target pixels, 2 of 2 landed; (2, 2): 1 of 2, 1 of 3 landed.
    assert np.allclose(mutual_overlap(segment_ids, warped_ids), [0, 2 / 3, 1 / 3])


def test_mutual_overlap_one_to_one_and_empty():
    segment_ids = np.array([[1, 1, 0, 2]])
    assert np.allclose(mutual_overlap(segment_ids, segment_ids), [0, 1, 1])
    assert np.allclose(mutual_overlap(segment_ids, np.zeros_like(segment_ids)), [0, 0, 0])
    empty = mutual_overlap(np.zeros((0, 0), np.int32), np.zeros((0, 0), np.int32))
    assert empty.shape == (1,)


def test_identical_frame_is_reproduced_exactly():
    line, color = render_parts(draw_parts(256, 0.0))
    coloring = colorize_pair(line, color, line, engine="flow")
    assert np.array_equal(coloring.render(), color)
    assert coloring.confidence[1:].min() > 0.5


def test_next_frame_uses_only_palette_colors_and_is_mostly_right():
    line0, color0 = render_parts(draw_parts(256, 0.0))
    line1, color1 = render_parts(draw_parts(256, 1.0))
    coloring = colorize_pair(line0, color0, line1, engine="flow")
    result = coloring.render()
    palette = {tuple(c) for c in color0.reshape(-1, 4)}
    assert {tuple(c) for c in result.reshape(-1, 4)} <= palette
    paper = line1[..., 3] == 0
    assert (result[paper] == color1[paper]).all(axis=1).mean() > 0.95
    assert coloring.probabilities.shape == (coloring.segment_ids.max() + 1, len(coloring.palette))


def test_segment_without_votes_gets_low_confidence():
    line, color = render_parts(draw_parts(128, 0.0))
    reference = ColoredFrame.from_keyframe(Frame.from_line_art(line), color)
    target = Frame.from_line_art(line)
    # Pretend every reference pixel is line so no warped pixel votes except one.
    reference.segment_palette_index[:] = -1
    reference.segment_palette_index[1] = 0
    coloring = FlowEngine()(reference, target)
    assert coloring.confidence[1:].max() <= 1.0
    assert (coloring.confidence[2:] <= 0.5).all()
