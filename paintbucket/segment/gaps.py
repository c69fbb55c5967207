"""Line-end extension: close the gaps of unclosed strokes before labelling the paper.

A stroke that stops short of the line it was meant to meet leaves a gap through which
one region leaks into the next. Each stroke end is found on the drawing's skeleton
(one skeleton neighbour) and its direction is read from the last few skeleton pixels
behind it. Two ends that point at each other (a broken stroke) are joined end to end;
from every other end a 1-px connecting line is cast: the shortest of a small fan of
rays around its direction that leaves the stroke, crosses paper and reaches other ink
within ``max_gap`` pixels. Ends that reach nothing stay open (detail lines: hair
strands, folds), so they do not split their region. Short skeleton spurs (the stubs
thinning leaves at the corners of thick strokes) are not stroke ends.

Trapped-ball filling (:mod:`paintbucket.segment.trapped_ball`) closes a gap from the
size of the regions on either side; this closes it from the strokes, so it also splits
a narrow region (an arm, a jacket's flap) behind a gap that no ball fits through.
"""

from __future__ import annotations

import cv2
import numpy as np

from paintbucket.errors import InputError
from paintbucket.segment.labels import label_paper
from paintbucket.segment.stats import nearest_fill

#: ``max_gap="auto"``: the longest gap closed, as a fraction of the image's longer side.
AUTO_GAP_FRACTION = 0.05
#: Skeleton pixels behind an end that give its direction.
DIRECTION_LENGTH = 10
#: Ray angles around an end's direction, in degrees, in order of preference.
FAN_DEGREES = (0.0, -10.0, 10.0, -20.0, 20.0)
#: Two ends are joined end to end when each points within this angle of the other.
FACING_DEGREES = 45.0
#: Relative length penalty per degree off the end's direction: a slanted ray wins only
#: when it is clearly shorter.
ANGLE_PENALTY = 0.01
#: Ray sampling step in pixels (below 1, so a drawn ray is an 8-connected line).
_STEP = 0.5

#: Stroke ends handled at once when pairing ends and casting rays.
_BLOCK = 1024

_OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def skeleton(line_mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of the strokes (Guo-Hall thinning, OpenCV ximgproc).

    Parameters
    ----------
    line_mask : (H, W) bool
        True on line pixels.

    Returns
    -------
    skeleton : (H, W) bool
    """
    line_mask = np.asarray(line_mask, dtype=bool)
    if not line_mask.any():
        return np.zeros(line_mask.shape, dtype=bool)
    if not hasattr(cv2, "ximgproc"):
        raise InputError(
            None,
            "closing gaps needs OpenCV's contrib modules: pip install "
            "opencv-contrib-python-headless (in place of opencv-python-headless)",
        )
    thin = cv2.ximgproc.thinning(
        line_mask.astype(np.uint8) * 255, thinningType=cv2.ximgproc.THINNING_GUOHALL
    )
    return thin > 0


def stroke_ends(
    line_mask: np.ndarray, direction_length: int = DIRECTION_LENGTH
) -> tuple[np.ndarray, np.ndarray]:
    """Find where strokes end and which way they point.

    An end is a skeleton pixel with exactly one skeleton neighbour. Its direction is from
    the mean of the skeleton pixels within ``direction_length`` steps behind it to the
    end. An end whose branch meets a junction (three or more skeleton neighbours) sooner
    than twice the stroke's local width is a thinning spur and is dropped.

    Parameters
    ----------
    line_mask : (H, W) bool
        True on line pixels.
    direction_length : int
        Skeleton pixels traced back from each end.

    Returns
    -------
    points : (N, 2) int64
        ``(y, x)`` of each end.
    directions : (N, 2) float64
        Unit ``(dy, dx)`` pointing out of the stroke.
    """
    line_mask = np.asarray(line_mask, dtype=bool)
    empty = np.zeros((0, 2), dtype=np.int64), np.zeros((0, 2), dtype=np.float64)
    skel = skeleton(line_mask)
    if not skel.any():
        return empty
    # The skeleton as a graph: its pixels in raster order and each one's 8 neighbours
    # (index ``num_pixels`` where there is none, a slot whose id stays 0).
    skel_y, skel_x = np.nonzero(skel)
    num_pixels = len(skel_y)
    index = np.full((skel.shape[0] + 2, skel.shape[1] + 2), num_pixels, dtype=np.int64)
    index[skel_y + 1, skel_x + 1] = np.arange(num_pixels)
    neighbours = np.stack(
        [index[skel_y + 1 + dy, skel_x + 1 + dx] for dy, dx in _OFFSETS]
    )  # (8, num_pixels)
    neighbour_count = (neighbours < num_pixels).sum(axis=0)
    end_pixels = np.flatnonzero(neighbour_count == 1)
    junction = neighbour_count >= 3
    num_ends = len(end_pixels)
    if num_ends == 0:
        return empty
    end_y, end_x = skel_y[end_pixels], skel_x[end_pixels]

    # Trace every end back along the skeleton at once: ids spread one step per
    # iteration over skeleton pixels, never through a junction.
    traced = np.zeros(num_pixels + 1, dtype=np.int64)
    traced[end_pixels] = np.arange(1, num_ends + 1)
    walkable = ~junction
    pixels = traced[:num_pixels]  # a view; the last slot stays 0
    for _ in range(direction_length - 1):
        grown = traced[neighbours].max(axis=0)
        spread = walkable & (pixels == 0)
        pixels[spread] = grown[spread]
    at_junction = traced[neighbours[:, junction]].max(axis=0, initial=0)
    hits_junction = np.zeros(num_ends + 1, dtype=bool)
    hits_junction[at_junction] = True

    on_trace = traced[:num_pixels] > 0
    ids = traced[:num_pixels][on_trace]
    ys, xs = skel_y[on_trace], skel_x[on_trace]
    counts = np.bincount(ids, minlength=num_ends + 1).astype(np.float64)
    mean_y = np.bincount(ids, weights=ys, minlength=num_ends + 1)[1:] / np.maximum(counts[1:], 1)
    mean_x = np.bincount(ids, weights=xs, minlength=num_ends + 1)[1:] / np.maximum(counts[1:], 1)
    # Without any paper the distance transform is "infinite": cap it at the image size.
    half_width = np.minimum(
        cv2.distanceTransform(line_mask.astype(np.uint8), cv2.DIST_L2, 3), max(line_mask.shape)
    )
    width = np.zeros(num_ends + 1, dtype=np.float64)
    np.maximum.at(width, ids, half_width[ys, xs] * 2.0)

    vectors = np.stack([end_y - mean_y, end_x - mean_x], axis=1)
    norms = np.linalg.norm(vectors, axis=1)
    spur = hits_junction[1:] & (counts[1:] < np.maximum(2.0 * width[1:], 3.0))
    keep = (norms > 0.5) & ~spur
    points = np.stack([end_y, end_x], axis=1)[keep].astype(np.int64)
    directions = vectors[keep] / norms[keep, None]
    return points, directions


def resolve_max_gap(max_gap: int | str, shape: tuple[int, ...]) -> int:
    """The longest gap in pixels: ``max_gap`` itself, or for ``"auto"`` the share
    :data:`AUTO_GAP_FRACTION` of the longer side of an image of ``shape``."""
    if max_gap == "auto":
        return int(round(AUTO_GAP_FRACTION * max(shape[:2], default=0)))
    if isinstance(max_gap, bool) or not isinstance(max_gap, (int, np.integer)) or max_gap < 0:
        raise ValueError(f"max_gap must be a non-negative int or 'auto', got {max_gap!r}")
    return int(max_gap)


def _pair_facing_ends(points: np.ndarray, directions: np.ndarray, max_gap: int) -> np.ndarray:
    """Pairs of ends that point at each other, close enough for a gap of ``max_gap``.

    Ends lie inside their strokes, so the distance allowed between them is the gap plus
    room for two strokes' ends (the gap itself is checked when the pair is drawn). Two
    ends face each other when each one's direction is within :data:`FACING_DEGREES` of
    the line to the other. Each end keeps its best partner (shortest distance, penalised
    by how far both turn off that line) and a pair is kept when the choice is mutual.

    Returns
    -------
    pairs : (P, 2) int64
        Indices into ``points``, smaller first.
    """
    num_ends = len(points)
    if num_ends < 2:
        return np.zeros((0, 2), dtype=np.int64)
    best = np.full(num_ends, -1, dtype=np.int64)
    min_cos = np.cos(np.deg2rad(FACING_DEGREES))
    positions = points.astype(np.float64)
    # Blocks of rows keep the (block x N) distance matrices small on busy sketches.
    for first in range(0, num_ends, _BLOCK):
        rows = slice(first, min(first + _BLOCK, num_ends))
        offsets = positions[None, :, :] - positions[rows, None, :]
        distance = np.linalg.norm(offsets, axis=2)
        unit = offsets / np.maximum(distance, 1e-9)[..., None]
        cos_here = np.einsum("ik,ijk->ij", directions[rows], unit)
        cos_there = -np.einsum("jk,ijk->ij", directions, unit)
        facing = (
            (distance > 0)
            & (distance <= max_gap + 2 * DIRECTION_LENGTH)
            & (cos_here >= min_cos)
            & (cos_there >= min_cos)
        )
        cost = np.where(facing, distance * (3.0 - cos_here - cos_there), np.inf)
        choice = np.argmin(cost, axis=1)
        found = np.isfinite(cost[np.arange(cost.shape[0]), choice])
        best[rows] = np.where(found, choice, -1)
    ends = np.arange(num_ends)
    mutual = (best >= 0) & (best[np.maximum(best, 0)] == ends) & (ends < best)
    return np.stack([ends[mutual], best[mutual]], axis=1)


def _ray_gaps(
    line_mask: np.ndarray, points: np.ndarray, directions: np.ndarray, max_gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cast a fan of rays from each end; keep the shortest that crosses a gap to ink.

    Returns
    -------
    starts, stops : (K, 2) float64
        ``(y, x)`` where each kept ray leaves its stroke and where it reaches ink.
    """
    height, width = line_mask.shape
    fan = np.asarray(FAN_DEGREES)
    angles = np.deg2rad(fan)
    cos, sin = np.cos(angles), np.sin(angles)
    # (N, A, 2) ray directions: each end's direction rotated by each fan angle.
    rays = np.stack(
        [
            directions[:, None, 0] * cos + directions[:, None, 1] * sin,
            directions[:, None, 1] * cos - directions[:, None, 0] * sin,
        ],
        axis=2,
    )
    # The ray may first run through its own stroke's ink: allow for a wide stroke.
    steps = np.arange(_STEP, max_gap + 2 * DIRECTION_LENGTH + _STEP, _STEP)
    sample_y = np.rint(points[:, None, None, 0] + rays[:, :, None, 0] * steps).astype(np.int64)
    sample_x = np.rint(points[:, None, None, 1] + rays[:, :, None, 1] * steps).astype(np.int64)
    inside = (sample_y >= 0) & (sample_y < height) & (sample_x >= 0) & (sample_x < width)
    is_ink = np.zeros(sample_y.shape, dtype=bool)
    is_ink[inside] = line_mask[sample_y[inside], sample_x[inside]]

    # Leave the own stroke (the first paper sample), then reach ink (the first ink sample
    # after it) before the ray leaves the image.
    is_paper = ~is_ink & inside
    exit_index = np.argmax(is_paper, axis=2)
    after_exit = np.arange(len(steps)) >= exit_index[..., None]
    reached = is_ink & after_exit
    hit_index = np.argmax(reached, axis=2)
    outside = ~inside
    out_index = np.where(outside.any(axis=2), np.argmax(outside, axis=2), len(steps))
    gap = (hit_index - exit_index) * _STEP
    valid = is_paper.any(axis=2) & reached.any(axis=2) & (hit_index < out_index)
    valid &= gap <= max_gap
    cost = np.where(valid, gap * (1.0 + ANGLE_PENALTY * np.abs(fan)), np.inf)
    best = np.argmin(cost, axis=1)
    chosen = np.flatnonzero(np.isfinite(cost[np.arange(len(points)), best]))
    best = best[chosen]
    start_t = steps[exit_index[chosen, best]]
    stop_t = steps[hit_index[chosen, best]]
    ray = rays[chosen, best]
    starts = points[chosen] + ray * start_t[:, None]
    stops = points[chosen] + ray * stop_t[:, None]
    return starts, stops


def _line_samples(
    starts: np.ndarray, stops: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, S) rounded ``y``, ``x`` every half pixel from each start to its stop, and
    which of the S samples lie on the line (shorter lines have fewer)."""
    starts = np.asarray(starts, dtype=np.float64)
    stops = np.asarray(stops, dtype=np.float64)
    lengths = np.linalg.norm(stops - starts, axis=1)
    fractions = np.arange(0.0, lengths.max(initial=0.0) + _STEP, _STEP)[None, :] / np.maximum(
        lengths[:, None], 1e-9
    )
    on_line = fractions <= 1.0
    ys = starts[:, None, 0] + (stops - starts)[:, None, 0] * fractions
    xs = starts[:, None, 1] + (stops - starts)[:, None, 1] * fractions
    ys = np.clip(np.rint(ys).astype(np.int64), 0, shape[0] - 1)
    xs = np.clip(np.rint(xs).astype(np.int64), 0, shape[1] - 1)
    return ys, xs, on_line


def _paper_length(line_mask: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """(K,) float64: pixels of paper crossed by each straight line."""
    ys, xs, on_line = _line_samples(starts, stops, line_mask.shape)
    return (on_line & ~line_mask[ys, xs]).sum(axis=1) * _STEP


def _draw_lines(shape: tuple[int, int], starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Rasterise straight lines (8-connected: rounded samples every half pixel)."""
    drawn = np.zeros(shape, dtype=bool)
    if len(starts):
        ys, xs, on_line = _line_samples(starts, stops, shape)
        drawn[ys[on_line], xs[on_line]] = True
    return drawn


def gap_lines(
    line_mask: np.ndarray,
    max_gap: int | str = "auto",
    direction_length: int = DIRECTION_LENGTH,
) -> np.ndarray:
    """Draw the lines that close the gaps of unclosed strokes.

    Two ends that face each other (a broken stroke) are joined end to end; every other
    end is extended along the shortest ray of a fan around its direction that reaches
    other ink.

    Parameters
    ----------
    line_mask : (H, W) bool
        True on line pixels.
    max_gap : int or "auto"
        Longest paper run, in pixels, that an end is extended across; 0 closes nothing.
        ``"auto"``: :data:`AUTO_GAP_FRACTION` of the image's longer side.
    direction_length : int
        Skeleton pixels behind an end that give its direction.

    Returns
    -------
    closing : (H, W) bool
        Paper pixels of the connecting lines (never a ``line_mask`` pixel).
    """
    line_mask = np.asarray(line_mask, dtype=bool)
    closing = np.zeros(line_mask.shape, dtype=bool)
    max_gap = resolve_max_gap(max_gap, line_mask.shape)
    if max_gap == 0:
        return closing
    points, directions = stroke_ends(line_mask, direction_length)
    if len(points) == 0:
        return closing
    pairs = _pair_facing_ends(points, directions, max_gap)
    if len(pairs):
        paper_run = _paper_length(line_mask, points[pairs[:, 0]], points[pairs[:, 1]])
        pairs = pairs[paper_run <= max_gap]
    single = np.ones(len(points), dtype=bool)
    single[pairs.ravel()] = False
    single_points, single_directions = points[single], directions[single]
    ray_starts, ray_stops = [], []
    # Blocks of ends bound the (ends x rays x steps) sample arrays on busy sketches.
    for first in range(0, len(single_points), _BLOCK):
        block = slice(first, first + _BLOCK)
        starts, stops = _ray_gaps(
            line_mask, single_points[block], single_directions[block], max_gap
        )
        ray_starts.append(starts)
        ray_stops.append(stops)
    ray_starts = np.concatenate([np.zeros((0, 2)), *ray_starts])
    ray_stops = np.concatenate([np.zeros((0, 2)), *ray_stops])
    starts = np.concatenate([points[pairs[:, 0]].astype(np.float64), ray_starts])
    stops = np.concatenate([points[pairs[:, 1]].astype(np.float64), ray_stops])
    return _draw_lines(line_mask.shape, starts, stops) & ~line_mask


def label_paper_closing_gaps(paper: np.ndarray, max_gap: int | str = "auto") -> np.ndarray:
    """Label the paper after closing the gaps of its strokes (``closegaps``).

    Parameters
    ----------
    paper : (H, W) bool
        True on paper, False on line pixels.
    max_gap : int or "auto"
        As in :func:`gap_lines`.

    Returns
    -------
    segment_ids : (H, W) int32
        0 = line, 1..N = segments of ``paper`` cut by the connecting lines; each
        connecting-line pixel carries the id of its nearest segment, so the joins are
        painted and never become line.
    """
    paper = np.asarray(paper, dtype=bool)
    closing = gap_lines(~paper, max_gap)
    segment_ids = label_paper(paper & ~closing)
    if closing.any() and segment_ids.any():
        filled = nearest_fill(segment_ids, segment_ids > 0)
        segment_ids[closing] = filled[closing]
    return segment_ids
