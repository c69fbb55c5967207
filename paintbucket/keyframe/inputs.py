"""Model inputs shared by keyframe training and inference: parsing masks, per-segment
majorities and the character box."""

from __future__ import annotations

import numpy as np

from paintbucket.keyframe.shading import GROUPS, UNKNOWN
from paintbucket.segment.stats import majority_vote


def segment_majority(
    segment_ids: np.ndarray, values: np.ndarray, valid: np.ndarray | None = None
) -> np.ndarray:
    """(N + 1,) int64 most common ``values`` per segment, -1 where none is valid (all
    pixels are valid when ``valid`` is None)."""
    ids, winners, _, _ = majority_vote(segment_ids, values, valid=valid)
    out = np.full(int(segment_ids.max(initial=0)) + 1, -1, dtype=np.int64)
    out[ids] = winners
    return out


def group_masks(segment_ids: np.ndarray, group: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 masks of the hair / skin / other segments (``group`` per id,
    -1 = unknown)."""
    per_pixel = np.asarray(group)[segment_ids]
    per_pixel[segment_ids == 0] = UNKNOWN
    return np.stack([per_pixel == g for g in range(len(GROUPS))], axis=-1).astype(np.float32)


def character_box(segment_ids: np.ndarray, background: np.ndarray) -> np.ndarray:
    """(4,) float32 ``(x0, y0, x1, y1)`` in [0, 1] of the non-background segments.

    Parameters
    ----------
    segment_ids : (H, W) int32, 0 = line
    background : (N + 1,) bool, True for background segments
    """
    height, width = segment_ids.shape
    ys, xs = np.nonzero(~background[segment_ids])
    if xs.size == 0:
        return np.array([0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    box = [xs.min() / max(width - 1, 1), ys.min() / max(height - 1, 1),
           xs.max() / max(width - 1, 1), ys.max() / max(height - 1, 1)]  # fmt: skip
    return np.array(box, dtype=np.float32)
