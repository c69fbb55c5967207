"""Keyframe colorization from a color design sheet (reference images + colorbook).

``load_sheet`` reads the sheet, ``SheetColorizer`` colors drawings from it with the shipped
models (or the baseline), ``colorize_keyframe`` is the driver underneath (with the
learned :class:`~paintbucket.keyframe.learned.KeyframeModel` and
:class:`~paintbucket.keyframe.select.ReferenceSelector`, loaded lazily because they need
torch, or with the non-learned baseline), and ``shading_from_annotation`` reads the
optional shade/group annotation of a target.
"""

from paintbucket.keyframe.colorize import (
    KEYFRAME_METHODS,
    KeyframeResult,
    SheetColorizer,
    colorize_keyframe,
    reference_weights,
)
from paintbucket.keyframe.shading import shading_from_annotation
from paintbucket.keyframe.sheet import DesignSheet, Reference, load_sheet

__all__ = [
    "KEYFRAME_METHODS",
    "SheetColorizer",
    "DesignSheet",
    "KeyframeResult",
    "Reference",
    "colorize_keyframe",
    "load_sheet",
    "reference_weights",
    "shading_from_annotation",
]
