"""Learned models (PyTorch): the inclusion matcher and its building blocks."""

from paintbucket.models.inclusion_matcher import (
    InclusionMatcher,
    color_probabilities,
    inclusion_loss,
)
from paintbucket.models.layers import DeformConv2d, deform_conv2d
from paintbucket.models.pooling import mask_average_pool, segment_boxes

__all__ = [
    "DeformConv2d",
    "InclusionMatcher",
    "color_probabilities",
    "deform_conv2d",
    "inclusion_loss",
    "mask_average_pool",
    "segment_boxes",
]
