"""Optical flow between line drawings and warping along it."""

from paintbucket.flow.dis import (
    DEFAULT_MAX_SIDE,
    compose_flows,
    consistent_flow,
    consistent_share,
    estimate_flow,
    prefer_consistent,
    prepare_for_flow,
    warp_nearest,
)

__all__ = ["DEFAULT_MAX_SIDE", "compose_flows", "consistent_flow", "consistent_share",
           "estimate_flow", "prefer_consistent", "prepare_for_flow", "warp_nearest"]  # fmt: skip
