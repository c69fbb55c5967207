import numpy as np

from paintbucket.segment import label_paper, majority_vote, pack_rgba
from paintbucket.synth.example import draw_parts, render_parts


def test_every_segment_has_one_color_and_lines_are_closed():
    for t in (0.0, 2.0):
        parts = draw_parts(200, t)
        line, color = render_parts(parts)
        paper = line[..., 3] == 0
        segment_ids = label_paper(paper)
        _, _, winner, total = majority_vote(segment_ids, pack_rgba(color))
        assert (winner == total).all()
        # Closed: 4-adjacent paper pixels never belong to different parts.
        right = paper[:, :-1] & paper[:, 1:]
        assert (parts[:, :-1][right] == parts[:, 1:][right]).all()
        down = paper[:-1] & paper[1:]
        assert (parts[:-1][down] == parts[1:][down]).all()


def test_has_color_lines_and_deterministic():
    line_a, color_a = render_parts(draw_parts(128, 1.0))
    line_b, color_b = render_parts(draw_parts(128, 1.0))
    assert np.array_equal(line_a, line_b) and np.array_equal(color_a, color_b)
    colors = {tuple(c) for c in line_a.reshape(-1, 4)}
    assert (255, 0, 0, 255) in colors and (0, 0, 255, 255) in colors
