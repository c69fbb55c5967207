"""Frames as the colorizers see them: drawing + segments (+ palette once colored)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.palette import DEFAULT_MIN_FLATNESS, keyframe_palette
from paintbucket.segment.lines import PAPER, auto_line_threshold, classify_lines, solid_lines
from paintbucket.segment.regions import segment_line_art
from paintbucket.segment.stats import segment_areas

_FrameT = TypeVar("_FrameT", bound="Frame")


@dataclass
class Frame:
    """An uncolored drawing and its segments.

    Attributes
    ----------
    line_art : (H, W, 4) uint8 RGBA
    segment_ids : (H, W) int32, 0 = black line
    line_mask : (H, W) bool, True on any ink (black or color line)
    """

    line_art: np.ndarray
    segment_ids: np.ndarray
    line_mask: np.ndarray
    _solid_line_mask: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _areas: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _strokes: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_line_art(
        cls, line_art: np.ndarray, seg_method: str = "default", line_threshold: float | str = "auto"
    ) -> Frame:
        """Segment a drawing; ``line_threshold`` as in
        :func:`~paintbucket.segment.segment_line_art` (one number keeps a clip's frames
        cut alike, see :func:`~paintbucket.segment.auto_line_threshold`)."""
        if line_threshold == "auto":
            line_threshold = auto_line_threshold(line_art)
        segment_ids = segment_line_art(line_art, seg_method, line_threshold)
        return cls(line_art, segment_ids, classify_lines(line_art, line_threshold) != PAPER)

    def solid_line_mask(self) -> np.ndarray:
        """(H, W) bool: the line pixels a painted frame keeps as line, without the faint
        fringe that segmenting a soft drawing counts as line
        (:func:`~paintbucket.segment.solid_lines`); what colorings are rendered with.
        Computed once per frame."""
        if self._solid_line_mask is None:
            self._solid_line_mask = solid_lines(self.line_art, self.line_mask)
        return self._solid_line_mask

    def areas(self) -> np.ndarray:
        """(N + 1,) int64 pixel count of every segment id, ``areas()[0]`` the line's
        (:func:`~paintbucket.segment.segment_areas`). Computed once per frame: every
        pass of a matcher needs it, and at 1920 px each count takes 20 ms."""
        if self._areas is None:
            self._areas = segment_areas(self.segment_ids)
        return self._areas

    @property
    def shape(self) -> tuple[int, int]:
        return self.segment_ids.shape  # type: ignore[return-value]

    def _with_tables_of(self: _FrameT, source: Frame, mirrored: bool = False) -> _FrameT:
        """This frame, holding what ``source`` (the same drawing and segments, or their
        mirror image) has computed of itself: per-segment tables are the same, the solid
        line mask is flipped with the frame. The areas, which every matcher pass needs,
        are counted here if ``source`` has not yet, so that a straight and a mirrored pass
        running side by side do not both count them."""
        self._areas, self._strokes = source.areas(), source._strokes
        mask = source._solid_line_mask
        if mask is not None:
            self._solid_line_mask = np.ascontiguousarray(mask[:, ::-1]) if mirrored else mask
        return self

    def mirrored(self) -> Frame:
        """The same frame flipped left-right: segment ids (and a
        :class:`ColoredFrame`'s colors) unchanged, so a table indexed by segment id
        holds for both. Matchers average a pass over the mirrored frames with the straight
        one (test-time flip averaging).

        >>> frame = Frame(np.zeros((1, 2, 4), np.uint8), np.array([[1, 2]], np.int32),
        ...               np.zeros((1, 2), bool))
        >>> frame.mirrored().segment_ids.tolist()
        [[2, 1]]
        """
        return Frame(*self._mirrored_arrays())._with_tables_of(self, mirrored=True)

    def _mirrored_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(
            np.ascontiguousarray(array[:, ::-1])
            for array in (self.line_art, self.segment_ids, self.line_mask)
        )  # type: ignore[return-value]

    def stroke_segments(self) -> np.ndarray:
        """Segments made only of line pixels: the color-line strokes that separate nothing
        (blush, sweat marks), which :func:`~paintbucket.segment.assign_color_lines` makes
        segments of their own.

        Returns
        -------
        is_stroke : (N + 1,) bool
            Indexed by segment id; False for id 0 and for every segment with paper.
            Computed once per frame (do not modify it).
        """
        if self._strokes is None:
            areas = self.areas()
            inked = np.bincount(self.segment_ids[self.line_mask], minlength=areas.size)
            is_stroke = (inked == areas) & (areas > 0)
            is_stroke[0] = False
            self._strokes = is_stroke
        return self._strokes


@dataclass
class ColoredFrame(Frame):
    """A frame whose segments have colors: a keyframe or an already colorized frame.

    Attributes
    ----------
    palette : (P, 4) uint8
    segment_palette_index : (N + 1,) int32, palette index per segment id (-1 for 0)
    """

    palette: np.ndarray
    segment_palette_index: np.ndarray

    @classmethod
    def from_keyframe(
        cls,
        frame: Frame,
        color: np.ndarray,
        path: str | None = None,
        min_flatness: float = DEFAULT_MIN_FLATNESS,
    ) -> ColoredFrame:
        """Attach a painted keyframe (checked to be flat, see
        :func:`~paintbucket.core.palette.keyframe_palette`) to its drawing; each segment
        takes its majority color."""
        palette, index = keyframe_palette(frame.segment_ids, color, path, min_flatness)
        keyframe = cls(frame.line_art, frame.segment_ids, frame.line_mask, palette, index)
        return keyframe._with_tables_of(frame)

    @classmethod
    def from_coloring(cls, frame: Frame, coloring: SegmentColoring) -> ColoredFrame:
        """Use a colorized frame as the reference for the next one."""
        index = coloring.color_index.astype(np.int32)
        index[0] = -1
        colored = cls(frame.line_art, frame.segment_ids, frame.line_mask, coloring.palette, index)
        return colored._with_tables_of(frame)

    def mirrored(self) -> ColoredFrame:
        """See :meth:`Frame.mirrored`; palette and colors per segment are kept."""
        mirror = ColoredFrame(*self._mirrored_arrays(), self.palette, self.segment_palette_index)
        return mirror._with_tables_of(self, mirrored=True)

    def palette_index_map(self) -> np.ndarray:
        """(H, W) int32 palette index of every pixel, -1 on black lines."""
        return self.segment_palette_index[self.segment_ids]

    def as_coloring(self) -> SegmentColoring:
        """This frame's own colors as a certain :class:`SegmentColoring`."""
        probabilities = np.zeros((self.segment_palette_index.size, len(self.palette)), np.float32)
        ids = np.flatnonzero(self.segment_palette_index >= 0)
        probabilities[ids, self.segment_palette_index[ids]] = 1.0
        return SegmentColoring(
            self.segment_ids, self.palette, probabilities, self.solid_line_mask()
        )


#: A consecutive colorizer: ``engine(reference, target) -> SegmentColoring``.
Engine = Callable[[ColoredFrame, Frame], SegmentColoring]
