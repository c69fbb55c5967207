"""Dense optical flow on line drawings with OpenCV's DIS.

Line art is mostly blank paper, which gives a patch-based flow nothing to lock on to.
:func:`prepare_for_flow` turns the strokes into a smooth "glow" (ink blurred at a
scale tied to the image size plus a distance-to-line falloff) so every pixel sees
structure, and flow is estimated on a downscaled copy for speed, then resized back.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Flow is computed on a copy whose longer side is at most this many pixels.
DEFAULT_MAX_SIDE = 640


def prepare_for_flow(line_mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Render a line mask into a textured grayscale image for flow estimation.

    Parameters
    ----------
    line_mask : (H, W) bool
        True on line pixels.
    size : (width, height)
        Output size (the flow resolution).

    Returns
    -------
    image : (height, width) uint8
        Bright on lines, fading with distance from the nearest line.
    """
    lines = np.asarray(line_mask, dtype=np.uint8) * 255
    small = cv2.resize(lines, size, interpolation=cv2.INTER_AREA)
    distance = cv2.distanceTransform(np.where(small > 0, 0, 255).astype(np.uint8), cv2.DIST_L2, 3)
    scale = max(size) / 64.0
    glow = np.exp(-distance / scale)
    blurred = cv2.GaussianBlur(small.astype(np.float32) / 255.0, (0, 0), 1.0)
    return np.clip(255.0 * (0.6 * glow + 0.4 * blurred), 0, 255).astype(np.uint8)


def estimate_flow(
    target_lines: np.ndarray, reference_lines: np.ndarray, max_side: int = DEFAULT_MAX_SIDE
) -> np.ndarray:
    """Flow from the target drawing to the reference drawing.

    Parameters
    ----------
    target_lines, reference_lines : (H, W) bool
        Line masks of the two frames (same size).
    max_side : int
        Flow is computed at a scale whose longer side is at most this.

    Returns
    -------
    flow : (H, W, 2) float32
        For target pixel ``(x, y)`` the matching reference pixel is
        ``(x + flow[y, x, 0], y + flow[y, x, 1])``.
    """
    if target_lines.shape != reference_lines.shape:
        raise ValueError(f"frame sizes differ: {target_lines.shape} vs {reference_lines.shape}")
    height, width = target_lines.shape
    scale = min(1.0, max_side / max(height, width))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    target = prepare_for_flow(target_lines, size)
    reference = prepare_for_flow(reference_lines, size)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    flow = dis.calc(target, reference, None)
    flow = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    flow[..., 0] *= width / size[0]
    flow[..., 1] *= height / size[1]
    return flow


def warp_nearest(values: np.ndarray, flow: np.ndarray, fill: int = -1) -> np.ndarray:
    """Pull per-pixel values of the reference into the target frame.

    Parameters
    ----------
    values : (H, W) int32
        Reference values (e.g. palette indices), exact integers.
    flow : (H, W, 2) float32
        Flow from :func:`estimate_flow`.
    fill : int
        Value for target pixels whose match falls outside the reference.

    Returns
    -------
    warped : (H, W) int32
        ``values`` sampled at the flowed positions with nearest-neighbour lookup, so no
        value is ever blended into a new one.
    """
    # remap on float32 is exact for integers below 2**24.
    sampled = _sample_along(
        values.astype(np.float32), flow, cv2.INTER_NEAREST, cv2.BORDER_CONSTANT, float(fill)
    )
    return sampled.astype(np.int32)


def _sample_along(
    image: np.ndarray, flow: np.ndarray, interpolation: int, border: int, fill: float = 0.0
) -> np.ndarray:
    """``image`` sampled at ``(x + flow[y, x, 0], y + flow[y, x, 1])`` for every pixel."""
    height, width = flow.shape[:2]
    # Broadcast rows and columns instead of a meshgrid: two (H, W) arrays fewer.
    return cv2.remap(
        image,
        np.arange(width, dtype=np.float32)[None, :] + flow[..., 0],
        np.arange(height, dtype=np.float32)[:, None] + flow[..., 1],
        interpolation=interpolation,
        borderMode=border,
        borderValue=fill,
    )


def check_flow_shape(flow: np.ndarray, shape: tuple[int, int]) -> None:
    """Raise ValueError unless ``flow`` is (H, W, 2) for frames of ``shape`` (H, W)."""
    if flow.shape != (*shape, 2):
        raise ValueError(f"flow {flow.shape} does not fit frames of {tuple(shape)}")


def compose_flows(step: np.ndarray, onward: np.ndarray) -> np.ndarray:
    """Flow to a farther frame through an intermediate one.

    Following a chain of small steps tracks a drawing much better than one estimate
    across the whole motion: on 24-frame validation cuts, a keyframe's colors pulled
    into later frames along composed consecutive flows put 0.59 of the segments above
    10 px right by their majority, along a direct flow 0.43 (a scratch measurement; see
    the README's cut section).

    Parameters
    ----------
    step : (H, W, 2) float32
        Flow from the target to the intermediate frame (:func:`estimate_flow`).
    onward : (H, W, 2) float32
        Flow from the intermediate frame to the reference.

    Returns
    -------
    flow : (H, W, 2) float32
        Flow from the target to the reference: ``step(x) + onward(x + step(x))``, the
        onward flow read bilinearly (edges replicated where a step leaves the frame).
    """
    if step.shape != onward.shape or step.ndim != 3 or step.shape[2] != 2:
        raise ValueError(f"flows must both be (H, W, 2), got {step.shape} and {onward.shape}")
    if step.shape[0] == 0 or step.shape[1] == 0:
        return step.astype(np.float32, copy=True)
    onward_there = _sample_along(onward, step, cv2.INTER_LINEAR, cv2.BORDER_REPLICATE)
    return (step + onward_there).astype(np.float32)


def prefer_consistent(direct: np.ndarray, backward: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``direct`` where it passes the forward-backward check against ``backward``
    (:func:`consistent_flow`), ``fallback`` elsewhere.

    Parameters
    ----------
    direct : (H, W, 2) float32
        Flow from the target to the reference.
    backward : (H, W, 2) float32
        Flow from the reference to the target.
    fallback : (H, W, 2) float32
        Another target -> reference flow, e.g. one composed along a chain of frames
        (:func:`compose_flows`).

    Returns
    -------
    flow : (H, W, 2) float32
    """
    if fallback.shape != direct.shape:
        raise ValueError(f"flows must both be (H, W, 2), got {direct.shape} and {fallback.shape}")
    consistent = consistent_flow(direct, backward)
    return np.where(consistent[..., None], direct, fallback).astype(np.float32)


def consistent_flow(
    forward: np.ndarray, backward: np.ndarray, tolerance: float = 1.0, relative: float = 0.02
) -> np.ndarray:
    """Forward-backward check: where following a flow and then the opposite flow returns
    to the start.

    Parameters
    ----------
    forward : (H, W, 2) float32
        Flow from the target to the reference (:func:`estimate_flow` of target, reference).
    backward : (H, W, 2) float32
        Flow from the reference to the target (the same call with the frames swapped).
    tolerance : float
        Round-trip error allowed in pixels ...
    relative : float
        ... plus this fraction of the forward motion's length.

    Returns
    -------
    consistent : (H, W) bool
        True where ``|forward(x) + backward(x + forward(x))|`` is within the tolerance.
        Occlusions and regions the flow got wrong usually fail the check, while a match
        the two independent estimates agree on is rarely wrong.
    """
    if forward.shape != backward.shape or forward.ndim != 3 or forward.shape[2] != 2:
        raise ValueError(f"flows must both be (H, W, 2), got {forward.shape} and {backward.shape}")
    height, width = forward.shape[:2]
    if height == 0 or width == 0:
        return np.zeros((height, width), bool)
    returned = _sample_along(backward, forward, cv2.INTER_LINEAR, cv2.BORDER_REPLICATE)
    # cv2.magnitude: 10x faster than np.linalg.norm over the last axis.
    error = cv2.magnitude(*cv2.split(forward + returned))
    return error <= tolerance + relative * cv2.magnitude(*cv2.split(forward))


def consistent_share(
    segment_ids: np.ndarray,
    forward: np.ndarray,
    backward: np.ndarray,
    areas: np.ndarray | None = None,
) -> np.ndarray:
    """Share of every segment's pixels that pass the forward-backward check
    (:func:`consistent_flow`).

    Parameters
    ----------
    segment_ids : (H, W) int, 0 = line
        The target's segments.
    forward : (H, W, 2) float32
        Flow from the target to the reference.
    backward : (H, W, 2) float32
        Flow from the reference to the target.
    areas : (N + 1,) int, optional
        The segments' pixel counts (:meth:`~paintbucket.core.Frame.areas`), if known.

    Returns
    -------
    share : (N + 1,) float64
        In [0, 1] per segment id; 0 for ids without pixels.

    >>> ids = np.array([[1, 1, 2]])
    >>> still, away = np.zeros((1, 3, 2), np.float32), np.zeros((1, 3, 2), np.float32)
    >>> away[0, 1] = 5.0
    >>> consistent_share(ids, still, still).tolist(), consistent_share(ids, away, still).tolist()
    ([0.0, 1.0, 1.0], [0.0, 0.5, 1.0])
    """
    if segment_ids.shape != forward.shape[:2]:
        raise ValueError(f"segments {segment_ids.shape} and flow {forward.shape} differ in size")
    minlength = int(segment_ids.max(initial=0)) + 1
    # flow sits below segment in the layer order, so segment_areas(known=) is not at hand
    if areas is None:
        areas = np.bincount(segment_ids.ravel(), minlength=minlength)
    elif areas.shape != (minlength,):
        raise ValueError(f"areas must be ({minlength},) for these segments: {areas.shape}")
    passed = np.bincount(segment_ids[consistent_flow(forward, backward)], minlength=minlength)
    return passed / np.maximum(areas, 1)
