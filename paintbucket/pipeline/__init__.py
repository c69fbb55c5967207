"""Clips: colorize every frame of a clip folder with a consecutive engine, from its
painted keyframes or a first keyframe colored by an injected keyframe colorizer."""

from paintbucket.pipeline.api import colorize_pair
from paintbucket.pipeline.clip import MODES, Clip, colorize_clip, open_clip, plan_references

__all__ = ["MODES", "Clip", "colorize_clip", "colorize_pair", "open_clip", "plan_references"]
