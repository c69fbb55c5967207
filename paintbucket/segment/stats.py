"""Per-segment statistics computed without a Python loop over segments."""

from __future__ import annotations

import cv2
import numpy as np

_RGBA_WEIGHTS = np.array([1 << 24, 1 << 16, 1 << 8, 1], dtype=np.int64)
#: Largest (segments x distinct values) table counted densely with bincount.
_DENSE_LIMIT = 1 << 25


def pack_rgba(rgba: np.ndarray) -> np.ndarray:
    """Pack RGBA colors into one int64 each.

    Parameters
    ----------
    rgba : (..., 4) uint8

    Returns
    -------
    packed : (...) int64
        ``R << 24 | G << 16 | B << 8 | A``.
    """
    return np.asarray(rgba, dtype=np.int64) @ _RGBA_WEIGHTS


def unpack_rgba(packed: np.ndarray) -> np.ndarray:
    """Inverse of :func:`pack_rgba`: (...) int64 -> (..., 4) uint8."""
    packed = np.asarray(packed, dtype=np.int64)
    return np.stack([(packed >> s) & 255 for s in (24, 16, 8, 0)], axis=-1).astype(np.uint8)


def segment_areas(
    segment_ids: np.ndarray, num_segments: int | None = None, known: np.ndarray | None = None
) -> np.ndarray:
    """Pixel count of every segment id.

    Parameters
    ----------
    segment_ids : (H, W) int, 0 = line
    num_segments : int, optional
        Largest id; defaults to ``segment_ids.max()``.
    known : (num_segments + 1,) int, optional
        The counts, made before (e.g. :meth:`~paintbucket.core.Frame.areas`): returned
        as they are once their shape is checked, instead of counting again.

    Returns
    -------
    areas : (num_segments + 1,) int64
        ``areas[i]`` pixels carry id ``i`` (``areas[0]`` counts line pixels).
    """
    size = (
        (int(segment_ids.max()) if segment_ids.size else 0)
        if num_segments is None
        else num_segments
    )
    if known is not None:
        if known.shape != (size + 1,):
            raise ValueError(f"areas must be ({size + 1},) for these segments: {known.shape}")
        return known
    return np.bincount(segment_ids.ravel(), minlength=size + 1).astype(np.int64)


def majority_vote(
    segment_ids: np.ndarray, values: np.ndarray, valid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Most frequent value inside every segment.

    Parameters
    ----------
    segment_ids : (H, W) int
        Segment id per pixel; ids <= 0 are ignored.
    values : (H, W) int64
        Value per pixel (e.g. packed colors from :func:`pack_rgba`).
    valid : (H, W) bool, optional
        Pixels allowed to vote; all by default.

    Returns
    -------
    ids : (K,) int64
        Segment ids that received at least one vote, ascending.
    winners : (K,) int64
        Majority value of each (ties go to the smaller value).
    winner_votes : (K,) int64
        Votes for the winner.
    total_votes : (K,) int64
        Votes cast in the segment.
    """
    mask = segment_ids > 0
    if valid is not None:
        mask &= valid
    ids = segment_ids[mask].astype(np.int64)
    if ids.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    voted = np.asarray(values)[mask].astype(np.int64)
    # unique without return_inverse sorts instead of argsorting; searchsorted is cheap.
    distinct = np.unique(voted)
    num_codes = len(distinct)
    keys = ids * num_codes + np.searchsorted(distinct, voted)
    if (int(ids.max()) + 1) * num_codes <= _DENSE_LIMIT:
        counts = np.bincount(keys, minlength=(int(ids.max()) + 1) * num_codes)
        counts = counts.reshape(-1, num_codes)
        totals = counts.sum(axis=1)
        present = np.flatnonzero(totals)
        counts = counts[present]
        winner_codes = counts.argmax(axis=1)  # first maximum = smallest value on ties
        winner_votes = counts[np.arange(len(present)), winner_codes]
        return present, distinct[winner_codes].astype(np.int64), winner_votes, totals[present]
    pairs, counts = np.unique(keys, return_counts=True)
    pair_ids, pair_codes = pairs // num_codes, pairs % num_codes
    order = np.lexsort((pair_codes, -counts, pair_ids))
    pair_ids, pair_codes, counts = pair_ids[order], pair_codes[order], counts[order]
    first = np.ones(len(pair_ids), dtype=bool)
    first[1:] = pair_ids[1:] != pair_ids[:-1]
    totals = np.add.reduceat(counts, np.flatnonzero(first))
    return (
        pair_ids[first],
        distinct[pair_codes[first]].astype(np.int64),
        counts[first].astype(np.int64),
        totals.astype(np.int64),
    )


def overlap_counts(
    ids_a: np.ndarray, ids_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel counts of every pair of segments that overlap in two labelings.

    Parameters
    ----------
    ids_a, ids_b : (H, W) int
        Two segment labelings of the same pixels; ids <= 0 are ignored.

    Returns
    -------
    a, b : (K,) int64
        Segment id pairs with at least one shared pixel, ordered by ``a`` then ``b``.
    counts : (K,) int64
        Pixels labelled ``a`` in ``ids_a`` and ``b`` in ``ids_b``.
    """
    both = (ids_a > 0) & (ids_b > 0)
    first = ids_a[both].astype(np.int64)
    second = ids_b[both].astype(np.int64)
    if first.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    stride = int(second.max()) + 1
    keys = first * stride + second
    if (int(first.max()) + 1) * stride <= _DENSE_LIMIT:
        counts = np.bincount(keys)
        keys = np.flatnonzero(counts)
        counts = counts[keys]
    else:
        keys, counts = np.unique(keys, return_counts=True)
    return keys // stride, keys % stride, counts.astype(np.int64)


def segment_colors(
    segment_ids: np.ndarray, rgba: np.ndarray
) -> dict[int, tuple[int, int, int, int]]:
    """Majority RGBA color of every segment id > 0, as ``{id: (R, G, B, A)}``."""
    ids, winners, _, _ = majority_vote(segment_ids, pack_rgba(rgba))
    colors = unpack_rgba(winners)
    return {int(i): tuple(int(v) for v in c) for i, c in zip(ids, colors)}


def segment_label_entries(segment_ids: np.ndarray, label: np.ndarray) -> dict[int, tuple[int, int]]:
    """``json_index`` entries: ``{id: (pixel count, majority label index)}`` for ids > 0."""
    ids, winners, _, _ = majority_vote(segment_ids, label)
    areas = segment_areas(segment_ids)
    return {int(i): (int(areas[i]), int(w)) for i, w in zip(ids, winners)}


def nearest_fill(
    values: np.ndarray, known: np.ndarray, max_distance: float | None = None, fill: int = -1
) -> np.ndarray:
    """Give every unknown pixel the value of the nearest known pixel (Euclidean).

    Parameters
    ----------
    values : (H, W) int
    known : (H, W) bool
        Pixels whose value is trusted.
    max_distance : float, optional
        Unknown pixels farther than this (in pixels) from every known pixel get ``fill``
        instead; by default there is no limit.
    fill : int
        Value of the pixels beyond ``max_distance``.

    Returns
    -------
    filled : (H, W) same dtype as ``values``
        ``values`` where known, the nearest known value elsewhere; without
        ``max_distance``, unchanged when nothing is known.
    """
    if known.all() or (max_distance is None and not known.any()):
        return values.copy()
    if not known.any():
        return np.full_like(values, fill)
    # distanceTransform measures to the nearest zero pixel; DIST_LABEL_PIXEL numbers each.
    source = np.where(known, 0, 255).astype(np.uint8)
    distance, nearest = cv2.distanceTransformWithLabels(
        source, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
    )
    value_by_label = np.zeros(int(nearest.max()) + 1, dtype=values.dtype)
    value_by_label[nearest[known]] = values[known]
    filled = value_by_label[nearest]
    if max_distance is not None:
        filled[distance > max_distance] = fill
    return filled
