"""What a colorizer returns, and turning it into pixels and JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paintbucket.io.images import LINE_COLOR
from paintbucket.segment.labels import fill_pinholes
from paintbucket.segment.lines import PAPER, classify_lines


def composite_over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Porter-Duff "over" of straight-alpha RGBA pixels.

    Parameters
    ----------
    top, bottom : (..., 4) uint8
        Straight (not premultiplied) RGBA.

    Returns
    -------
    out : (..., 4) uint8
        ``top`` over ``bottom``: an opaque top pixel is itself, a transparent one shows
        ``bottom``, rounded to the nearest level.

    >>> composite_over(np.array([[0, 0, 0, 128]], np.uint8),
    ...                np.array([[0, 255, 0, 255]], np.uint8)).tolist()
    [[0, 127, 0, 255]]
    """
    top_alpha = top[..., 3:].astype(np.float64) / 255
    bottom_alpha = bottom[..., 3:].astype(np.float64) / 255 * (1 - top_alpha)
    alpha = top_alpha + bottom_alpha
    color = top[..., :3] * top_alpha + bottom[..., :3] * bottom_alpha
    color = np.divide(color, alpha, out=np.zeros_like(color), where=alpha > 0)
    out = np.concatenate([color, alpha * 255], axis=-1)
    return np.rint(out).astype(np.uint8)


@dataclass
class SegmentColoring:
    """Per-segment color probabilities for one target frame.

    Attributes
    ----------
    segment_ids : (H, W) int32
        Target segments, 0 = black line; color-line pixels carry their region's id.
    palette : (P, 4) uint8
        Reference colors the segments may take.
    probabilities : (N + 1, P) float32
        ``probabilities[i, p]``: belief that segment ``i`` has color ``palette[p]``.
        Row 0 (the line) is unused. Rows need not sum to one.
    line_mask : (H, W) bool, optional
        The pixels drawn as line (:meth:`~paintbucket.core.Frame.solid_line_mask`: the
        drawing's ink without the faint fringe of soft strokes). With it, :meth:`render`
        paints the other pixels of id 0 (pinholes of anti-aliased strokes and fringes that
        the segmentation merged into the line) like their nearest segment
        (:func:`~paintbucket.segment.fill_pinholes`), and ``keep_line`` draws exactly
        these pixels.
    """

    segment_ids: np.ndarray
    palette: np.ndarray
    probabilities: np.ndarray
    line_mask: np.ndarray | None = None

    @property
    def num_segments(self) -> int:
        return self.probabilities.shape[0] - 1

    @property
    def color_index(self) -> np.ndarray:
        """(N + 1,) int64 palette index chosen for every segment (argmax)."""
        return self.probabilities.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        """(N + 1,) float32 probability of the chosen color, clipped to [0, 1]."""
        return np.clip(self.probabilities.max(axis=1), 0.0, 1.0).astype(np.float32)

    def segment_rgba(self) -> np.ndarray:
        """(N + 1, 4) uint8 color of every segment id; id 0 is the line color."""
        colors = self.palette[self.color_index]
        colors[0] = LINE_COLOR
        return colors

    def render(self, line_art: np.ndarray | None = None, keep_line: bool = False) -> np.ndarray:
        """Paint the frame.

        Parameters
        ----------
        line_art : (H, W, 4) uint8, optional
            The target drawing; needed with ``keep_line``.
        keep_line : bool
            Draw the drawing's own ink (black and color lines, the strokes'
            anti-aliased cores included) over the fills instead of flat black lines and
            filled color lines: the pixels of :attr:`line_mask`, or without it those of
            :func:`~paintbucket.segment.classify_lines` at its default threshold,
            composited over their nearest segment's color (:func:`composite_over`).

        Returns
        -------
        rgba : (H, W, 4) uint8
            Every segment one exact palette color, lines black; with :attr:`line_mask`,
            only ink is line.
        """
        colors = self.segment_rgba()
        if not keep_line:
            ids = self.segment_ids
            if self.line_mask is not None:
                ids = fill_pinholes(ids, self.line_mask)
            return colors[ids]
        if line_art is None:
            raise ValueError("keep_line needs the line art")
        ink = self.line_mask
        if ink is None:
            ink = classify_lines(line_art) != PAPER
        # The fills run on under the lines (every pixel of id 0 its nearest segment), and
        # the ink goes on top ("over"), so an anti-aliased stroke's partly transparent
        # pixels blend with the fill. Off the ink, that fill is what fill_pinholes paints
        # given the line mask; without one, pinholes stay line as the segments say.
        under = fill_pinholes(self.segment_ids, np.zeros_like(ink))
        rgba = colors[under if self.line_mask is not None else self.segment_ids]
        rgba[ink] = composite_over(line_art[ink], colors[under[ink]])
        return rgba

    def top_candidates(self, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` palette indices per segment and their probabilities, best first.

        Returns
        -------
        indices : (N + 1, k) int64
        scores : (N + 1, k) float32
        """
        k = min(k, self.palette.shape[0])
        order = np.argsort(-self.probabilities, axis=1, kind="stable")[:, :k]
        return order, np.take_along_axis(self.probabilities, order, axis=1).astype(np.float32)

    def to_json(self, k: int = 3, **extra: object) -> dict:
        """JSON-ready dict: ``colors`` (id -> RGBA), ``confidence`` (id -> float) and
        ``candidates`` (id -> [[RGBA, probability], ...] best first), plus ``extra`` keys."""
        colors = self.segment_rgba().tolist()
        confidence = self.confidence.tolist()
        indices, scores = self.top_candidates(k)
        palette = self.palette.tolist()
        ids = range(1, self.num_segments + 1)
        return {
            **extra,
            "num_segments": self.num_segments,
            "colors": {str(i): colors[i] for i in ids},
            "confidence": {str(i): round(confidence[i], 4) for i in ids},
            "candidates": {
                str(i): [[palette[p], round(float(s), 4)] for p, s in zip(indices[i], scores[i])]
                for i in ids
            },
        }
