"""The error a review request ends in (the web app answers it with its HTTP status)."""

from __future__ import annotations


class ReviewError(Exception):
    """A request the session refuses; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
