"""Keyframe colorization from a color design sheet (reference images + colorbook).

``load_sheet`` reads the sheet, ``colorize_keyframe`` colors one drawing from it (with the
learned :class:`~paintbucket.keyframe.learned.KeyframeModel` and
:class:`~paintbucket.keyframe.select.ReferenceSelector`, loaded lazily because they need
torch, or with the non-learned baseline), and ``shading_from_annotation`` reads the
optional shade/group annotation of a target.
"""

from paintbucket.keyframe.colorize import KeyframeResult, colorize_keyframe, reference_weights
from paintbucket.keyframe.shading import shading_from_annotation
from paintbucket.keyframe.sheet import DesignSheet, Reference, load_sheet

__all__ = [
    "DesignSheet",
    "KeyframeResult",
    "Reference",
    "colorize_keyframe",
    "load_sheet",
    "reference_weights",
    "shading_from_annotation",
]
