"""Segments -> colors: frames, palettes, engines and the clip driver."""

from paintbucket.pipeline.api import colorize_pair
from paintbucket.pipeline.clip import MODES, Clip, colorize_clip, open_clip, plan_references
from paintbucket.pipeline.engines import (
    ENGINE_NAMES,
    Engine,
    FlowEngine,
    make_engine,
    mutual_overlap,
    vote_probabilities,
)
from paintbucket.pipeline.frames import ColoredFrame, Frame
from paintbucket.pipeline.palette import flatness, keyframe_palette
from paintbucket.pipeline.result import SegmentColoring

__all__ = [
    "ENGINE_NAMES",
    "make_engine",
    "MODES",
    "Clip",
    "ColoredFrame",
    "Engine",
    "FlowEngine",
    "Frame",
    "SegmentColoring",
    "colorize_clip",
    "colorize_pair",
    "flatness",
    "keyframe_palette",
    "mutual_overlap",
    "open_clip",
    "plan_references",
    "vote_probabilities",
]
