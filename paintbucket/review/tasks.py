"""Long operations of a review, one at a time, with their progress.

Colorizing missing results when ``pbc review`` starts, re-propagating, exporting and
recoloring a palette entry take seconds to minutes on production-size frames. A
:class:`Tasks` runs at most one of them at a time: while one runs, another long
operation or an edit is refused at once with a 409 naming what runs (rather than
waiting behind the session lock), and :meth:`Tasks.snapshot` (``GET /api/progress``)
says how far it is, so the page can show a progress bar and lock its buttons.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.review.errors import ReviewError

#: What the page says while each kind of task runs.
VERBS = {
    "colorize": "colorizing",
    "index": "measuring segments of",
    "propagate": "re-propagating",
    "export": "exporting",
    "recolor": "recoloring",
}


def describe(task: dict) -> str:
    """``"re-propagating 2/5 frames"``: a task of :meth:`Tasks.snapshot` in words."""
    verb = VERBS.get(task["action"], task["action"])
    return f"{verb} {task['done']}/{task['total']} {task['unit']}s"


class Tasks:
    """The one long operation of a review at a time, and how far it is.

    Thread-safe: the task runs in one request's thread while others read
    :meth:`snapshot`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict | None = None
        self._last: dict | None = None
        self._count = 0

    @contextlib.contextmanager
    def run(self, action: str, total: int, unit: str = "frame") -> Iterator[Progress]:
        """Run one long operation: refused if another runs, reported while it runs.

        Parameters
        ----------
        action : str
            What it is (a key of :data:`VERBS`).
        total : int
            Steps it takes (frames, usually); :attr:`Progress.total` may correct it
            once known.
        unit : str
            What a step is, for the progress text.

        Yields
        ------
        progress : Progress
            Call ``progress.advance()`` after each step.

        Raises
        ------
        ReviewError
            With status 409 when another task runs.
        """
        with self._lock:
            self._refuse_if_busy(action)
            self._count += 1
            task = {"id": self._count, "action": action, "done": 0, "total": int(total),
                    "unit": unit, "started": time.monotonic()}  # fmt: skip
            self._running = task
        error = None
        try:
            yield Progress(self._lock, task)
        except BaseException as exc:
            error = exc.message if isinstance(exc, ReviewError) else str(exc) or type(exc).__name__
            raise
        finally:
            with self._lock:
                self._running = None
                self._last = {**self._public(task), "error": error}

    def _refuse_if_busy(self, action: str) -> None:
        running = self._running
        if running is not None:
            raise ReviewError(f"cannot {action} while {describe(running)}; wait for it", 409)

    def check_idle(self, action: str) -> None:
        """Refuse ``action`` (an edit) with a 409 while a long operation runs."""
        with self._lock:
            self._refuse_if_busy(action)

    @staticmethod
    def _public(task: dict) -> dict:
        public = {key: value for key, value in task.items() if key != "started"}
        public["elapsed"] = round(time.monotonic() - task["started"], 2)
        public["text"] = describe(task)
        return public

    def snapshot(self) -> dict:
        """What runs now and what ran last.

        Returns
        -------
        progress : dict
            ``running`` (bool); ``task``: the running task (``id``, ``action``,
            ``done``, ``total``, ``unit``, ``elapsed`` seconds, ``text``) or None;
            ``last``: the last finished one, the same keys plus ``error`` (None when it
            succeeded), or None.
        """
        with self._lock:
            running = self._public(self._running) if self._running else None
            return {"running": running is not None, "task": running, "last": self._last}


class Progress:
    """How far the running task of :meth:`Tasks.run` is; it counts steps up to its total."""

    def __init__(self, lock: threading.Lock, task: dict) -> None:
        self._lock = lock
        self._task = task

    @property
    def total(self) -> int:
        return self._task["total"]

    @total.setter
    def total(self, value: int) -> None:
        with self._lock:
            self._task["total"] = int(value)

    def advance(self) -> None:
        """One more step done (the count stops at the total)."""
        with self._lock:
            self._task["done"] = min(self._task["total"], self._task["done"] + 1)


class CountingEngine:
    """An engine that counts the frames it has colored, so a clip's colorization reports
    progress without the pipeline knowing of it.

    A frame counts as done when the engine moves on to another one (an anchored chain
    colors a frame from several references in turn), or at :meth:`finish`. Whatever
    else the engine offers a chain (the learned engine's ``opinions``, an engine's
    ``estimate_flow`` and ``anchor_flow``) the wrapper offers too, so that a clip comes
    out as ``pbc colorize`` colors it.

    Parameters
    ----------
    engine : callable
        ``engine(reference, target) -> SegmentColoring``.
    advance : callable
        Called with no argument once per frame done.
    """

    def __init__(self, engine: Engine, advance: Callable[[], None]) -> None:
        self.engine = engine
        self.advance = advance
        #: The wrapped engine's name, which results store as their ``engine``.
        self.name = getattr(engine, "name", type(engine).__name__)
        self._target: Frame | None = None

    def __call__(self, reference: ColoredFrame, target: Frame, **options) -> SegmentColoring:
        self._arrive(target)
        return self.engine(reference, target, **options)

    def __getattr__(self, name: str):
        if name == "engine":  # not set yet (copying, unpickling)
            raise AttributeError(name)
        found = getattr(self.engine, name)
        if name != "opinions":
            return found

        def opinions(references, target, **options):
            self._arrive(target)
            return found(references, target, **options)

        return opinions

    def _arrive(self, target: Frame) -> None:
        """Count the previous frame done when ``target`` is another one."""
        if self._target is not None and target is not self._target:
            self.advance()
        self._target = target

    def finish(self) -> None:
        """Count the last frame (after the colorization)."""
        if self._target is not None:
            self.advance()
            self._target = None
