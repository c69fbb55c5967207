"""Keyframe colorization from a color design sheet (reference images + colorbook)."""
