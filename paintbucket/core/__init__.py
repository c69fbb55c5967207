"""The bottom layer of the colorizers: frames, colorings, palettes and votes.

Every colorizer (consecutive engines, the keyframe colorizer) speaks in these types:
a :class:`Frame` (drawing + segments) and a :class:`ColoredFrame` (+ palette) go in, a
:class:`SegmentColoring` (per-segment color probabilities) comes out.
"""

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.core.palette import flatness, keyframe_palette
from paintbucket.core.votes import GUESS_CEILING, mutual_overlap, stroke_votes, vote_probabilities

__all__ = [
    "GUESS_CEILING",
    "ColoredFrame",
    "Engine",
    "Frame",
    "SegmentColoring",
    "flatness",
    "keyframe_palette",
    "mutual_overlap",
    "stroke_votes",
    "vote_probabilities",
]
