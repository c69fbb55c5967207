"""Exceptions raised on bad user input.

Every problem with a file the user handed us is an :class:`InputError` whose message
starts with the offending path, so the CLI can print it as one line and exit non-zero.
"""

from __future__ import annotations

from os import PathLike


class InputWarning(UserWarning):
    """A user-supplied file that is processed but looks wrong (e.g. a frame where almost no
    line is found); its message starts with the path, like :class:`InputError`'s."""


class InputError(ValueError):
    """A user-supplied file or folder is missing, corrupt or inconsistent."""

    def __init__(self, path: str | PathLike[str] | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")
