"""Training pairs for the consecutive-frame matcher, built from ``pbc synth`` clips.

Each sample is a reference and a target frame of one clip, ``0``, ``1`` or ``2`` frames
apart (paper section 6.1). Both are augmented independently (rotation, resize,
translation), cropped, and re-segmented. Reference *regions* are the groups of
reference segments sharing a ground-truth color; with ``merge_probability`` each region
is merged with an adjacent one (inclusion matching, paper section 5.1), every region is
painted with a random distinct color (color redistribution), and that painting is warped
to the target with the project's optical flow. A target segment's answer is every
reference segment of the (merged) region holding its color.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from paintbucket.flow.dis import estimate_flow, warp_nearest
from paintbucket.io.images import normalize_transparent, read_rgba
from paintbucket.models.inputs import redistribution_colors
from paintbucket.segment.gaps import label_paper_closing_gaps, resolve_max_gap
from paintbucket.segment.labels import label_paper, neighbor_pairs
from paintbucket.segment.lines import line_ink
from paintbucket.segment.stats import majority_vote, pack_rgba


def merge_adjacent_regions(
    segment_ids: np.ndarray,
    segment_region: np.ndarray,
    probability: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Randomly merge regions with an adjacent region.

    Parameters
    ----------
    segment_ids : (H, W) int32, 0 = line
    segment_region : (N + 1,) int64
        Region of every segment id (entry 0 unused).
    probability : float
        Chance that a region is merged with one of its neighbours.
    rng : numpy Generator

    Returns
    -------
    merged : (R,) int64
        ``merged[r]`` is the representative region of region ``r``; only regions whose
        segments touch across a line are merged.
    """
    num_regions = int(segment_region.max()) + 1 if segment_region.size else 0
    merged = np.arange(num_regions)
    if num_regions < 2 or probability <= 0:
        return merged
    # Segments are separated by 1-2 px lines: dilate ids over lines to find neighbours.
    grown = cv2.dilate(segment_ids.astype(np.float32), np.ones((5, 5), np.uint8))
    grown = np.where(segment_ids > 0, segment_ids, grown.astype(np.int32))
    pairs = segment_region[neighbor_pairs(grown, grown)]
    keys = np.unique(pairs[:, 0] * num_regions + pairs[:, 1])
    regions = np.stack([keys // num_regions, keys % num_regions], axis=1)
    regions = regions[regions[:, 0] != regions[:, 1]]

    def root(region: int) -> int:
        while merged[region] != region:
            region = merged[region]
        return region

    for region in rng.permutation(num_regions):
        if rng.random() >= probability:
            continue
        neighbours = regions[regions[:, 0] == region, 1]
        if neighbours.size:
            merged[root(int(region))] = root(int(rng.choice(neighbours)))
    return np.array([root(r) for r in range(num_regions)])


@dataclass
class Pair:
    """One training sample (numpy, ready for the model).

    Attributes
    ----------
    line_ref, line_tgt : (S, S) float32 ink in [0, 1]
    color_ref, color_tgt : (S, S, 3) float32 in [0, 1]
    segments_ref : (S, S) int32, 1..M;  segments_tgt : (S, S) int32, 1..N
    correct : (N, M) bool, target segment n+1 lies in the region of reference segment m+1
    box_offset : (2,) float32, where the crop's centre lies in a virtual full frame
    """

    line_ref: np.ndarray
    color_ref: np.ndarray
    segments_ref: np.ndarray
    line_tgt: np.ndarray
    color_tgt: np.ndarray
    segments_tgt: np.ndarray
    correct: np.ndarray
    box_offset: np.ndarray


def find_clips(data_dir: str | Path) -> list[list[Path]]:
    """Every clip folder under ``data_dir`` (with ``line/`` and ``gt/`` of equal names),
    as a list of frame stems' line paths per clip."""
    clips = []
    for line_dir in sorted(Path(data_dir).glob("*/line")):
        frames = sorted(
            p for p in line_dir.glob("*.png") if (line_dir.parent / "gt" / p.name).is_file()
        )
        if len(frames) >= 2:
            clips.append(frames)
    return clips


@lru_cache(maxsize=512)
def _load(line_path: Path, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Ink and ground-truth colors of a frame, resized by ``scale``."""
    line = line_ink(read_rgba(line_path))
    color = normalize_transparent(read_rgba(line_path.parent.parent / "gt" / line_path.name))
    if scale != 1.0:
        size = (round(line.shape[1] * scale), round(line.shape[0] * scale))
        line = cv2.resize(line, size, interpolation=cv2.INTER_AREA)
        color = cv2.resize(color, size, interpolation=cv2.INTER_NEAREST)
    return line, color


def _augment(
    line: np.ndarray, color: np.ndarray, center: np.ndarray, crop: int, conf: dict, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Random rotation, resize and translation, then a ``crop`` x ``crop`` window."""
    angle = rng.uniform(-conf["rotation"], conf["rotation"])
    scale = np.exp(rng.uniform(-np.log(conf["resize"]), np.log(conf["resize"])))
    shift = rng.uniform(-conf["translation"], conf["translation"], size=2) * crop
    matrix = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), angle, scale)
    matrix[:, 2] += crop / 2 - center + shift
    # Lines: linear then a low threshold, so thin strokes stay closed (min-pooling in spirit).
    warped_line = cv2.warpAffine(line, matrix, (crop, crop), flags=cv2.INTER_LINEAR)
    warped_color = cv2.warpAffine(
        color, matrix, (crop, crop), flags=cv2.INTER_NEAREST, borderValue=(0, 0, 0, 0)
    )
    return (warped_line >= conf["line_threshold"]).astype(np.float32), warped_color


def _segments_and_colors(
    line: np.ndarray, color: np.ndarray, max_gap: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Segments of a crop (``closegaps`` when ``max_gap`` > 0) and each one's majority
    ground-truth color (packed RGBA, -1 for id 0)."""
    paper = line < 0.5
    segment_ids = label_paper_closing_gaps(paper, max_gap) if max_gap else label_paper(paper)
    ids, colors, _, _ = majority_vote(segment_ids, pack_rgba(color))
    segment_color = np.full(int(segment_ids.max()) + 1, -1, dtype=np.int64)
    segment_color[ids] = colors
    return segment_ids, segment_color


DEFAULT_PAIR_CONF = {
    "crop": 256,  # side of the square training crop
    "scale": 0.5,  # frames are first resized by this (1024 synth frames -> 512 working size)
    "intervals": (0, 1, 2),  # frame distance between reference and target
    "rotation": 10.0,  # max rotation in degrees, drawn per frame
    "resize": 1.2,  # max zoom factor in or out, per frame
    "translation": 0.06,  # max shift as a fraction of the crop, per frame
    "line_threshold": 0.3,  # ink above this after warping is line
    "merge_probability": 0.2,  # inclusion matching: chance to merge a region with a neighbour
    "max_segments": 400,  # skip crops with more segments than this (memory bound)
    "frame_size": 512,  # virtual full-frame size in which the crop's box coordinates lie
    # gap-closing joins cut segments along lines the drawing does not show; max_gap is
    # "auto" of the frame_size frame, as at inference on the whole frame
    "closegaps_share": 0.0,  # chance that both frames of a pair are segmented with closegaps
}


def make_pair(clip: list[Path], rng: np.random.Generator, conf: dict) -> Pair | None:
    """Draw one training pair from a clip; None if the crop is unusable (e.g. empty)."""
    interval = int(rng.choice(conf["intervals"]))
    first = int(rng.integers(0, max(1, len(clip) - interval)))
    second = min(first + interval, len(clip) - 1)
    if rng.random() < 0.5:
        first, second = second, first
    line_ref, color_ref = _load(clip[first], conf["scale"])
    line_tgt, color_tgt = _load(clip[second], conf["scale"])
    foreground = np.argwhere(color_ref[..., 3] > 0)
    if foreground.size == 0:
        return None
    center = foreground[rng.integers(len(foreground))][::-1].astype(np.float64)
    crop = conf["crop"]
    line_ref, color_ref = _augment(line_ref, color_ref, center, crop, conf, rng)
    line_tgt, color_tgt = _augment(line_tgt, color_tgt, center, crop, conf, rng)
    max_gap = 0
    # no draw at share 0, so the random stream of the earlier stages stays as it was
    if conf["closegaps_share"] > 0 and rng.random() < conf["closegaps_share"]:
        max_gap = resolve_max_gap("auto", (conf["frame_size"], conf["frame_size"]))
    segments_ref, ref_colors = _segments_and_colors(line_ref, color_ref, max_gap)
    segments_tgt, tgt_colors = _segments_and_colors(line_tgt, color_tgt, max_gap)
    num_ref, num_tgt = int(segments_ref.max()), int(segments_tgt.max())
    if not (2 <= num_ref <= conf["max_segments"] and 1 <= num_tgt <= conf["max_segments"]):
        return None
    palette, ref_region = np.unique(ref_colors[1:], return_inverse=True)
    segment_region = np.concatenate([[0], ref_region])
    merged = merge_adjacent_regions(segments_ref, segment_region, conf["merge_probability"], rng)
    region_of_segment = merged[segment_region]  # entry 0 unused
    colors = redistribution_colors(len(palette), rng).astype(np.float32) / 255.0
    paint = np.zeros((num_ref + 1, 3), np.float32)
    paint[1:] = colors[region_of_segment[1:]]
    color_image_ref = paint[segments_ref]
    flow = estimate_flow(line_tgt >= 0.5, line_ref >= 0.5)
    warped = warp_nearest(segments_ref, flow, fill=0)
    color_image_tgt = paint[warped]
    # A target segment's answer: reference segments of the merged region holding its color.
    tgt_palette = np.searchsorted(palette, tgt_colors[1:])
    known = (tgt_palette < len(palette)) & (
        palette[np.minimum(tgt_palette, len(palette) - 1)] == tgt_colors[1:]
    )
    tgt_region = np.where(known, merged[np.minimum(tgt_palette, len(palette) - 1)], -1)
    correct = tgt_region[:, None] == region_of_segment[None, 1:]
    # Same shift for both frames: they share one coordinate frame, as at inference.
    reach = max(0.0, (conf["frame_size"] - crop) / 2)
    box_offset = rng.uniform(-reach, reach, size=2).astype(np.float32)
    return Pair(
        line_ref, color_image_ref, segments_ref, line_tgt, color_image_tgt, segments_tgt, correct,
        box_offset,
    )  # fmt: skip
