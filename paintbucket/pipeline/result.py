"""One colorized frame as it is saved: the rendered PNG and its JSON information.

The clip driver (:func:`~paintbucket.pipeline.clip.colorize_clip`) and the review app's
re-propagation both turn a :class:`~paintbucket.core.coloring.SegmentColoring` into the
pair ``<name>.png`` + ``<name>.json`` through :func:`render_result`, so the two always
write the same format.
"""

from __future__ import annotations

import numpy as np

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import Frame


def render_result(
    frame: Frame,
    coloring: SegmentColoring,
    name: str,
    reference: str | None,
    keyframe: bool,
    engine: str,
    keep_line: bool = False,
    **extra: object,
) -> tuple[np.ndarray, dict]:
    """Render a frame's coloring and describe it for its result JSON.

    Parameters
    ----------
    frame : Frame
        The colorized drawing (its line art is drawn over the fills with ``keep_line``).
    coloring : SegmentColoring
        Colors and probabilities of the frame's segments.
    name : str
        Frame name, stored as ``frame``.
    reference : str or None
        Name of the frame it was colorized from (None for a keyframe).
    keyframe : bool
        Whether the colors are a keyframe's own.
    engine : str
        What colored it (an engine name, ``"keyframe"``, ``"sheet"``).
    keep_line : bool
        Draw the original ink over the fills instead of flat black lines.
    **extra
        More keys for the JSON, stored after ``size`` (e.g. ``propagated_from``).

    Returns
    -------
    rgba : (H, W, 4) uint8
        The result image.
    info : dict
        JSON-ready: ``frame``, ``reference``, ``keyframe``, ``engine``, ``size``
        (``[W, H]``), ``extra``, then ``num_segments``, ``colors``, ``confidence`` and
        ``candidates`` as :meth:`SegmentColoring.to_json` gives them.
    """
    rgba = coloring.render(frame.line_art, keep_line=keep_line)
    info = coloring.to_json(
        frame=name,
        reference=reference,
        keyframe=keyframe,
        engine=engine,
        size=[rgba.shape[1], rgba.shape[0]],
        **extra,
    )
    return rgba, info
