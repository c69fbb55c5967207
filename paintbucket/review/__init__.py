"""Reviewing and correcting colorization results in the browser (``pbc review``).

Modules, each importing only those listed before it:

* :mod:`~paintbucket.review.errors`: :class:`ReviewError`, a refused request and its
  HTTP status.
* :mod:`~paintbucket.review.history`: the crash-safe undo journal on disk. It knows
  files and their bytes (a frame is ``<name>.png`` + ``<name>.json``), nothing of
  segments or colors, so its guarantees are testable on a folder of a few bytes.
* :mod:`~paintbucket.review.tasks`: the long operations (colorize at start, propagate,
  export, recolor), one at a time, and their progress.
* :mod:`~paintbucket.review.edits`: a frame's result files: reading them, the hand edits
  (paint and accept a segment, recolor palette colors) as functions returning new arrays
  and dicts, and the atomic rewrite of both files.
* :mod:`~paintbucket.review.palette`: the cut's palette entries (keyframe color, current
  color, name from the colorbook or the palette file).
* :mod:`~paintbucket.review.propagation`: re-colorizing the frames after a corrected
  one, through the same ``coloring -> PNG + JSON`` step as ``pbc colorize``
  (:func:`paintbucket.pipeline.result.render_result`).
* :mod:`~paintbucket.review.export`: PNG sequences and layered PSDs of the reviewed
  results.
* :mod:`~paintbucket.review.session`: :class:`ReviewSession`, the facade the app talks
  to: it validates the clip, the results and every request, holds the palette, the
  segment cache and the review queue, takes the lock, and runs each edit as one
  history transaction.
* :mod:`~paintbucket.review.app`, :mod:`~paintbucket.review.server`: the Flask API and
  the server around a session.
* :mod:`~paintbucket.review.startup`: ``pbc review``'s start: colorize what is missing
  behind the running server, then serve the session.
"""

from paintbucket.review.session import (
    DEFAULT_THRESHOLD,
    ReviewError,
    ReviewSession,
    default_results_dir,
    missing_results,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "ReviewError",
    "ReviewSession",
    "default_results_dir",
    "missing_results",
]
