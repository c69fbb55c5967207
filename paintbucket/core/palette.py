"""Reference palettes: the exact colors a colored keyframe is painted with."""

from __future__ import annotations

import numpy as np

from paintbucket.errors import InputError
from paintbucket.io.images import normalize_transparent
from paintbucket.segment.stats import majority_vote, pack_rgba, unpack_rgba

#: Share of paper pixels that must carry their segment's majority color in a keyframe.
DEFAULT_MIN_FLATNESS = 0.99


def flatness(segment_ids: np.ndarray, rgba: np.ndarray) -> float:
    """Share of segment pixels whose color equals their segment's majority color.

    A paint-bucket frame scores 1.0; an anti-aliased or shaded one scores lower.
    Returns 1.0 when there are no segment pixels.
    """
    _, _, winner_votes, total_votes = majority_vote(segment_ids, pack_rgba(rgba))
    total = int(total_votes.sum())
    return 1.0 if total == 0 else float(winner_votes.sum()) / total


def keyframe_palette(
    segment_ids: np.ndarray,
    color: np.ndarray,
    path: str | None = None,
    min_flatness: float = DEFAULT_MIN_FLATNESS,
) -> tuple[np.ndarray, np.ndarray]:
    """Palette of a colored keyframe and each segment's palette index.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the keyframe's line art, 0 = line.
    color : (H, W, 4) uint8
        The colored keyframe.
    path : str, optional
        File name used in error messages.
    min_flatness : float
        Minimum :func:`flatness`; below it the keyframe is rejected as not flat.

    Returns
    -------
    palette : (P, 4) uint8
        Distinct segment colors, sorted; transparent is ``(0, 0, 0, 0)``.
    segment_palette_index : (N + 1,) int32
        Palette index of every segment id (entry 0, the line, is -1).

    Raises
    ------
    InputError
        If the keyframe is not flat or has no segments.
    """
    ids, winners, winner_votes, total_votes = majority_vote(
        segment_ids, pack_rgba(normalize_transparent(color))
    )
    if ids.size == 0:
        raise InputError(path, "keyframe has no line-enclosed segments")
    score = float(winner_votes.sum()) / float(total_votes.sum())
    if score < min_flatness:
        raise InputError(
            path,
            f"keyframe is not flat: only {score:.1%} of its fill pixels match their segment's "
            "color (anti-aliased or shaded?); paint-bucket keyframes need flat fills",
        )
    packed_palette, inverse = np.unique(winners, return_inverse=True)
    segment_palette_index = np.full(int(segment_ids.max()) + 1, -1, dtype=np.int32)
    segment_palette_index[ids] = inverse.astype(np.int32)
    return unpack_rgba(packed_palette), segment_palette_index
