"""Reviewing and correcting colorization results in the browser (``pbc review``)."""

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
