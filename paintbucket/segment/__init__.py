"""Line art -> segments: line classification, connected regions, gap closing, stats."""

from paintbucket.segment.gaps import gap_lines, stroke_ends
from paintbucket.segment.labels import (
    fill_pinholes,
    foreground_mask,
    label_paper,
    merge_specks,
    neighbor_pairs,
    relabel_sequential,
)
from paintbucket.segment.lines import (
    BLACK_LINE,
    BLUE_LINE,
    GREEN_LINE,
    PAPER,
    RED_LINE,
    auto_line_threshold,
    classify_lines,
    ink,
    is_binary,
    line_coverage_warning,
    line_ink,
    line_width,
    solid_lines,
    widen_lines,
)
from paintbucket.segment.regions import SEG_METHODS, assign_color_lines, segment_line_art
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
    "SEG_METHODS",
    "assign_color_lines",
    "auto_line_threshold",
    "classify_lines",
    "fill_pinholes",
    "foreground_mask",
    "gap_lines",
    "ink",
    "is_binary",
    "line_width",
    "label_paper",
    "line_coverage_warning",
    "line_ink",
    "majority_vote",
    "overlap_counts",
    "merge_specks",
    "neighbor_pairs",
    "pack_rgba",
    "relabel_sequential",
    "segment_areas",
    "segment_colors",
    "segment_label_entries",
    "segment_line_art",
    "solid_lines",
    "stroke_ends",
    "trapped_ball_fill",
    "unpack_rgba",
    "widen_lines",
]
