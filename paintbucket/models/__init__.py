"""Learned models (PyTorch): the consecutive and keyframe matchers and their building blocks."""

from paintbucket.models.inclusion_matcher import (
    InclusionMatcher,
    color_probabilities,
    inclusion_loss,
)
from paintbucket.models.keyframe_matcher import KeyframeMatcher, keyframe_loss
from paintbucket.models.layers import DeformConv2d, deform_conv2d
from paintbucket.models.pooling import mask_average_pool, segment_boxes

__all__ = [
    "DeformConv2d",
    "InclusionMatcher",
    "KeyframeMatcher",
    "color_probabilities",
    "deform_conv2d",
    "inclusion_loss",
    "keyframe_loss",
    "mask_average_pool",
    "segment_boxes",
]
