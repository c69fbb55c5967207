import numpy as np
import pytest

from paintbucket.consecutive import FlowEngine
from paintbucket.core import GUESS_CEILING, ColoredFrame, Frame
from paintbucket.pipeline import colorize_pair
from paintbucket.synth.example import draw_parts, render_parts


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
    assert coloring.confidence[1] == 1.0  # its own pixels all vote for color 0
    # The rest are nearest-vote guesses, capped at the guess ceiling.
    assert np.allclose(coloring.confidence[2:], GUESS_CEILING)


def test_a_given_flow_is_used_instead_of_an_estimate():
    line0, color0 = render_parts(draw_parts(128, 0.0))
    line1, _ = render_parts(draw_parts(128, 1.0))
    reference = ColoredFrame.from_keyframe(Frame.from_line_art(line0), color0)
    target = Frame.from_line_art(line1)
    engine = FlowEngine()
    estimated = engine(reference, target)
    given = engine(reference, target, flow=engine.estimate_flow(reference, target))
    np.testing.assert_array_equal(given.probabilities, estimated.probabilities)
    # A flow that pulls every pixel from the reference's top-left corner (paper there)
    # makes every segment vote for the background color alone.
    corner = np.zeros((*target.shape, 2), np.float32)
    corner[..., 0] = -np.arange(target.shape[1])[None, :]
    corner[..., 1] = -np.arange(target.shape[0])[:, None]
    pulled = engine(reference, target, flow=corner)
    background = int(reference.segment_palette_index[reference.segment_ids[0, 0]])
    assert (pulled.probabilities[1:].argmax(axis=1) == background).all()
    with pytest.raises(ValueError, match="flow"):
        engine(reference, target, flow=corner[1:])
