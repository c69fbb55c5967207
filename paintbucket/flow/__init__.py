"""Optical flow between line drawings and warping along it."""

from paintbucket.flow.dis import (
    DEFAULT_MAX_SIDE,
    consistent_flow,
    estimate_flow,
    prepare_for_flow,
    warp_nearest,
)

__all__ = ["DEFAULT_MAX_SIDE", "consistent_flow", "estimate_flow", "prepare_for_flow",
           "warp_nearest"]  # fmt: skip
