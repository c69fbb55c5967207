"""Opening a review behind a running server: colorize what is missing, then serve.

``pbc review`` binds its server first and prints the URL, then colorizes the frames that
have no result yet. Meanwhile the page shows the colorization's progress (a long task,
:mod:`~paintbucket.review.tasks`) and the API answers 503, until :func:`open_review`
attaches the session.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from paintbucket.consecutive import make_engine
from paintbucket.core.frames import Engine
from paintbucket.io.clip import open_clip
from paintbucket.pipeline.clip import colorize_clip
from paintbucket.review.app import attach_session
from paintbucket.review.session import (
    DEFAULT_ENGINE,
    DEFAULT_MAX_HISTORY,
    ReviewSession,
    missing_results,
)
from paintbucket.review.tasks import CountingEngine


def open_review(
    app: Flask,
    clip_dir: str | Path,
    results_dir: str | Path,
    engine: Engine | str = DEFAULT_ENGINE,
    seg_method: str = "default",
    max_history: int = DEFAULT_MAX_HISTORY,
    progress_bar: bool = False,
) -> ReviewSession:
    """Colorize missing results, open the review session and serve it from ``app``.

    Parameters
    ----------
    app : Flask
        Made with ``create_app(None, ...)``; its long tasks report the progress.
    clip_dir, results_dir : path
        The clip and its results folder (as :class:`ReviewSession`).
    engine : callable or str
        Colorizes the missing results (all frames are redone, as ``pbc colorize``
        does), then re-propagates corrections; built once.
    seg_method : {"default", "trappedball", "closegaps"}
    max_history : int
    progress_bar : bool
        Also show the colorization's progress bar on the terminal.

    Returns
    -------
    session : ReviewSession
        Now served by ``app``.

    Raises
    ------
    InputError
        On a bad clip or results, as ``pbc colorize`` and :class:`ReviewSession` do.
    """
    tasks = app.extensions["review_tasks"]
    engine = make_engine(engine) if isinstance(engine, str) else engine
    if missing_results(clip_dir, results_dir):
        clip = open_clip(clip_dir)
        with tasks.run("colorize", len(clip.names) - len(clip.keyframe_paths)) as progress:
            counting = CountingEngine(engine, progress.advance)
            colorize_clip(clip_dir, results_dir, engine=counting, seg_method=seg_method,
                          progress=progress_bar)  # fmt: skip
            counting.finish()
    session = ReviewSession(clip_dir, results_dir, engine=engine, seg_method=seg_method,
                            max_history=max_history, tasks=tasks)  # fmt: skip
    session.index_segments()
    attach_session(app, session)
    return session
