"""Segment-level accuracy metrics of the paper (SPEC section 4)."""

from paintbucket.metrics.evaluate import evaluate_folder
from paintbucket.metrics.segment_accuracy import (
    METRIC_NAMES,
    SIZE_BUCKETS,
    FrameScores,
    evaluate_frame,
    segment_correctness,
    summarize,
    truth_segments,
)

__all__ = [
    "METRIC_NAMES",
    "SIZE_BUCKETS",
    "FrameScores",
    "evaluate_folder",
    "evaluate_frame",
    "segment_correctness",
    "summarize",
    "truth_segments",
]
