"""Clips: color every frame of a clip folder with a consecutive engine, chained from its
painted keyframes (or from a first keyframe colored by an injected keyframe colorizer)."""

from paintbucket.pipeline.api import colorize_pair
from paintbucket.pipeline.chain import MODES, colorize_sequence, fuse_colorings, plan_references
from paintbucket.pipeline.clip import colorize_clip

__all__ = [
    "MODES",
    "colorize_clip",
    "colorize_pair",
    "colorize_sequence",
    "fuse_colorings",
    "plan_references",
]
