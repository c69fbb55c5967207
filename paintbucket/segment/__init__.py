"""Line art -> segments: line classification, connected regions, gap closing, stats."""

from paintbucket.segment.lines import (
    BLACK_LINE,
    BLUE_LINE,
    GREEN_LINE,
    PAPER,
    RED_LINE,
    classify_lines,
    ink,
    is_binary,
    line_width,
    widen_lines,
)
from paintbucket.segment.regions import (
    assign_color_lines,
    label_paper,
    merge_specks,
    relabel_sequential,
    segment_line_art,
)
from paintbucket.segment.stats import (
    majority_vote,
    overlap_counts,
    pack_rgba,
    segment_areas,
    segment_colors,
    segment_label_entries,
    unpack_rgba,
)
from paintbucket.segment.trapped_ball import trapped_ball_fill

__all__ = [
    "BLACK_LINE",
    "BLUE_LINE",
    "GREEN_LINE",
    "PAPER",
    "RED_LINE",
    "assign_color_lines",
    "classify_lines",
    "ink",
    "is_binary",
    "line_width",
    "label_paper",
    "majority_vote",
    "overlap_counts",
    "merge_specks",
    "pack_rgba",
    "relabel_sequential",
    "segment_areas",
    "segment_colors",
    "segment_label_entries",
    "segment_line_art",
    "trapped_ball_fill",
    "unpack_rgba",
    "widen_lines",
]
