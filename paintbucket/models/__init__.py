"""Learned models (PyTorch): the consecutive and keyframe matchers and their building blocks.

The names below load lazily (PEP 562): ``import paintbucket.models.inputs`` — what the
colorizers need to prepare network inputs — does not import torch; torch loads when a
model class or function is first used.
"""

from __future__ import annotations

import importlib

#: Public name -> the module that defines it.
_EXPORTS = {
    "InclusionMatcher": "inclusion_matcher",
    "color_probabilities": "inclusion_matcher",
    "inclusion_loss": "inclusion_matcher",
    "KeyframeMatcher": "keyframe_matcher",
    "keyframe_loss": "keyframe_matcher",
    "ViewEncoder": "view_encoder",
    "DeformConv2d": "layers",
    "deform_conv2d": "layers",
    "mask_average_pool": "pooling",
    "segment_boxes": "pooling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
