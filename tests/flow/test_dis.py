import numpy as np
import pytest

from paintbucket.flow import (
    compose_flows,
    consistent_flow,
    consistent_share,
    estimate_flow,
    prefer_consistent,
    prepare_for_flow,
    warp_nearest,
)


def _square(shift: int) -> np.ndarray:
    mask = np.zeros((96, 96), bool)
    mask[30:60, 30 + shift] = True
    mask[30:60, 60 + shift] = True
    mask[30, 30 + shift : 61 + shift] = True
    mask[60, 30 + shift : 61 + shift] = True
    return mask


def test_prepared_image_is_bright_on_lines_and_textured_between():
    image = prepare_for_flow(_square(0), (96, 96))
    assert image.shape == (96, 96) and image.dtype == np.uint8
    assert image[30, 40] > image[45, 33] > image[45, 45]


def test_flow_recovers_a_translation():
    flow = estimate_flow(_square(6), _square(0))
    assert flow.shape == (96, 96, 2)
    inside = flow[35:56, 41:61]
    assert abs(float(np.median(inside[..., 0])) + 6) < 1.5
    assert abs(float(np.median(inside[..., 1]))) < 1.0


def test_flow_size_mismatch_raises():
    with pytest.raises(ValueError):
        estimate_flow(np.zeros((4, 4), bool), np.zeros((4, 5), bool))


def test_warp_nearest_moves_values_exactly():
    values = np.arange(12, dtype=np.int32).reshape(3, 4)
    flow = np.zeros((3, 4, 2), np.float32)
    flow[..., 0] = 1.0  # every target pixel reads its right neighbour
    warped = warp_nearest(values, flow, fill=-1)
    assert warped.tolist() == [[1, 2, 3, -1], [5, 6, 7, -1], [9, 10, 11, -1]]


def test_consistent_flow_accepts_round_trips_and_rejects_the_rest():
    forward = np.zeros((4, 6, 2), np.float32)
    forward[..., 0] = 2.0  # every target pixel matches 2 px to the right
    backward = np.zeros_like(forward)
    backward[..., 0] = -2.0
    assert consistent_flow(forward, backward).all()
    assert not consistent_flow(forward, np.zeros_like(forward)).any()  # 2 px off
    # Within tolerance: 1 px plus 2% of the 2-px motion.
    backward[..., 0] = -1.0
    assert consistent_flow(forward, backward).all()
    backward[..., 0] = -0.9
    assert not consistent_flow(forward, backward).any()
    # Only the right half of the reference comes back.
    backward[..., 0] = -2.0
    backward[:, :3, 0] = 0.0
    consistent = consistent_flow(forward, backward)
    assert consistent.shape == (4, 6) and consistent.dtype == bool
    assert consistent[:, 1:].all() and not consistent[:, 0].any()


def test_consistent_flow_bad_and_empty_input():
    with pytest.raises(ValueError, match="flows"):
        consistent_flow(np.zeros((4, 4, 2), np.float32), np.zeros((4, 5, 2), np.float32))
    with pytest.raises(ValueError, match="flows"):
        consistent_flow(np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32))
    empty = np.zeros((0, 3, 2), np.float32)
    assert consistent_flow(empty, empty).shape == (0, 3)


def test_compose_flows_adds_the_onward_flow_where_the_step_lands():
    step = np.zeros((3, 5, 2), np.float32)
    step[..., 0] = 1.0  # every pixel steps 1 px right
    onward = np.zeros_like(step)
    onward[:, 2, 1] = 1.0  # from column 2 the onward flow goes 1 px down
    onward[:, 3, 0] = 2.0  # from column 3, 2 px right
    composed = compose_flows(step, onward)
    assert composed.shape == (3, 5, 2) and composed.dtype == np.float32
    assert composed[0, :, 0].tolist() == [1.0, 1.0, 3.0, 1.0, 1.0]
    assert composed[0, :, 1].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    # Through a frame that does not move, a flow is itself either way.
    still = np.zeros_like(step)
    assert np.array_equal(compose_flows(step, still), step)
    assert np.array_equal(compose_flows(still, onward), onward)


def test_compose_flows_follows_two_translations():
    flow = compose_flows(
        estimate_flow(_square(6), _square(3)), estimate_flow(_square(3), _square(0))
    )
    inside = flow[35:56, 41:61]
    assert abs(float(np.median(inside[..., 0])) + 6) < 1.5


def test_compose_flows_bad_and_empty_input():
    with pytest.raises(ValueError, match="flows"):
        compose_flows(np.zeros((4, 4, 2), np.float32), np.zeros((4, 5, 2), np.float32))
    with pytest.raises(ValueError, match="flows"):
        compose_flows(np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32))
    empty = np.zeros((0, 3, 2), np.float32)
    assert compose_flows(empty, empty).shape == (0, 3, 2)


def test_prefer_consistent_keeps_the_direct_flow_where_it_round_trips():
    direct = np.zeros((2, 8, 2), np.float32)
    direct[..., 0] = 3.0  # every target pixel matches 3 px to the right
    backward = np.zeros_like(direct)
    backward[:, 4:, 0] = -3.0  # only the reference's right half comes back
    fallback = np.full_like(direct, 9.0)
    flow = prefer_consistent(direct, backward, fallback)
    assert flow.shape == (2, 8, 2) and flow.dtype == np.float32
    # pixel 0 lands on column 3, which does not come back; the rest land on 4.. (past
    # the edge: 7, replicated) and do
    assert flow[0, :, 0].tolist() == [9.0] + [3.0] * 7
    assert flow[0, :, 1].tolist() == [9.0] + [0.0] * 7
    with pytest.raises(ValueError, match="flows"):
        prefer_consistent(direct, backward, fallback[:, :3])


def test_consistent_share_per_segment():
    ids = np.array([[1, 1, 2, 0], [1, 1, 2, 0]], np.int32)
    forward = np.zeros((2, 4, 2), np.float32)
    backward = forward.copy()
    backward[0, :2] = (3.0, 0.0)  # the top row of segment 1 does not come back
    share = consistent_share(ids, forward, backward)
    assert share.dtype == np.float64 and share.tolist() == [1.0, 0.5, 1.0]
    empty = consistent_share(np.zeros((0, 0), np.int32), np.zeros((0, 0, 2), np.float32),
                             np.zeros((0, 0, 2), np.float32))  # fmt: skip
    assert empty.shape == (1,)
    with pytest.raises(ValueError, match="differ in size"):
        consistent_share(ids[:, :3], forward, backward)
    # known areas (a frame's) give the same shares, and must fit the segments
    assert consistent_share(ids, forward, backward, np.array([2, 4, 2])).tolist() == share.tolist()
    with pytest.raises(ValueError, match="areas"):
        consistent_share(ids, forward, backward, np.array([2, 4]))
