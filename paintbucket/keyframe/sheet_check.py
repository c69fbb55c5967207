"""Everything wrong with a design sheet, in one list (``pbc sheet check``).

:func:`~paintbucket.keyframe.sheet.load_sheet` stops at the first problem; this module
runs the same checks on every file and keeps going. *Errors* are what ``load_sheet``
refuses; *warnings* are what loads but deserves a look: colorbook entries no view uses,
categories that are not one of the 12 words (and what the text encoder reads them as),
off-palette pixels recolored to their nearest fill, and line art so open that targets
drawn like it need ``--seg-method closegaps``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintbucket.errors import InputError, InputWarning
from paintbucket.io.colorbook import read_colorbook
from paintbucket.io.images import DEFAULT_MAX_PIXELS, PathLike
from paintbucket.keyframe.inputs import segment_majority
from paintbucket.keyframe.sheet import (
    NO_REFERENCES,
    DesignSheet,
    Reference,
    load_reference,
    reference_paths,
    scan_references,
)
from paintbucket.keyframe.text import TextEncoder, categorize, exact_category
from paintbucket.segment.regions import segment_line_art
from paintbucket.segment.stats import pack_rgba

#: Severities of a :class:`SheetProblem`, worst first.
SEVERITIES = ("error", "warning")
#: A view's line art counts as open when closing its gaps raises the share of painted
#: pixels inside a line-enclosed segment of their own color by at least this much.
#: Unlined cel shadows lower the share whatever the segmentation, gaps only without it.
OPEN_LINES_GAIN = 0.10


@dataclass(frozen=True)
class SheetProblem:
    """One finding: ``severity`` (``error`` or ``warning``) and ``message`` (starting
    with the file concerned)."""

    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def check_sheet(
    sheet_dir: PathLike,
    seg_method: str = "default",
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    encoder: TextEncoder | None = None,
) -> tuple[list[SheetProblem], list[Reference]]:
    """Check a design sheet folder completely.

    Parameters
    ----------
    sheet_dir : path-like
    seg_method : str
    max_pixels : int or None
    encoder : TextEncoder, optional
        Reads categories that are not one of the 12 words (the bundled one by default).

    Returns
    -------
    problems : list of SheetProblem
        Errors first, then warnings; empty for a sound sheet.
    references : list of Reference
        The views that loaded.
    """
    root = Path(sheet_dir)
    if not root.is_dir():
        return [SheetProblem("error", str(InputError(root, "design sheet folder not found")))], []
    problems: list[SheetProblem] = []

    def error(problem: InputError) -> None:
        problems.append(SheetProblem("error", str(problem)))

    colorbook = None
    try:
        colorbook = read_colorbook(root / "colorbook.yml")
    except InputError as problem:
        error(problem)
    ref_dir = root / "ref"
    references: list[Reference] = []
    if not ref_dir.is_dir():
        error(InputError(ref_dir, "folder of reference images not found"))
    else:
        views, scan_problems = scan_references(reference_paths(ref_dir))
        for problem in scan_problems:
            error(problem)
        if not views and not scan_problems:
            error(InputError(ref_dir, NO_REFERENCES))
        allowed = set(colorbook.palette()) if colorbook is not None else None
        for files in views:
            try:
                # Without a readable colorbook (already listed) colors go unchecked.
                references.append(load_reference(files, allowed, seg_method, max_pixels))
            except InputError as problem:
                error(problem)
    if colorbook is not None:
        problems += _colorbook_warnings(root / "colorbook.yml", colorbook, references, encoder)
    for reference in references:
        strays = 0 if reference.fills is None else int(reference.fills.stray.sum())
        if strays:
            problems.append(
                SheetProblem(
                    "warning",
                    f"{reference.path}: {strays} off-palette pixel(s) "
                    f"({len(reference.fills.stray_colors)} colors, anti-aliasing or "
                    "gradient) read as their nearest flat color",
                )
            )
        message = open_line_art_warning(reference, seg_method)
        if message is not None:
            problems.append(SheetProblem("warning", message))
    problems.sort(key=lambda p: SEVERITIES.index(p.severity))
    return problems, references


def enclosed_share(segment_ids: np.ndarray, color: np.ndarray, line_mask: np.ndarray) -> float:
    """Share of painted pixels whose color is the majority color of their segment.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the view's line art alone (not split along its colors).
    color : (H, W, 4) uint8
        The view's fills; alpha 0 = unpainted.
    line_mask : (H, W) bool
        Line pixels, left out.

    Returns
    -------
    share : float
        1.0 when every line-enclosed segment holds one fill color (and for a view with
        nothing painted); lower where fills run across open lines into one segment.
    """
    packed = pack_rgba(color)
    painted = (color[..., 3] > 0) & ~line_mask & (segment_ids > 0)
    if not painted.any():
        return 1.0
    majority = segment_majority(segment_ids, packed, ~line_mask)
    return float((majority[segment_ids[painted]] == packed[painted]).mean())


def open_line_art_warning(reference: Reference, seg_method: str = "default") -> str | None:
    """A one-line warning, starting with the view's file, when its line art is open: closing
    its gaps raises :func:`enclosed_share` by :data:`OPEN_LINES_GAIN` or more. None when
    it does not, or when ``seg_method`` already closes gaps (``closegaps``)."""
    if seg_method == "closegaps":
        return None
    line_art, line_mask = reference.frame.line_art, reference.frame.line_mask
    shares = {
        method: enclosed_share(segment_line_art(line_art, method), reference.color, line_mask)
        for method in (seg_method, "closegaps")
    }
    if shares["closegaps"] - shares[seg_method] < OPEN_LINES_GAIN:
        return None
    return (
        f"{reference.line_path or reference.path}: open line art: "
        f"{shares[seg_method]:.0%} of the painted pixels lie in a line-enclosed segment "
        f"of their color ({shares['closegaps']:.0%} with closed gaps); color targets "
        "drawn like it with --seg-method closegaps"
    )


def _colorbook_warnings(path: Path, colorbook, references, encoder) -> list[SheetProblem]:  # noqa: ANN001
    """Entries no view uses, and categories the encoder has to read."""
    found = []
    used: set[tuple[int, int, int]] = set()
    for reference in references:
        frame = reference.frame
        visible = np.unique(frame.segment_palette_index[1:])
        used |= {tuple(c[:3]) for c in frame.palette[visible].tolist() if c[3] > 0}
    if references:
        for entry in colorbook.entries:
            if not any(c in used for c in entry.colors if c is not None):
                found.append(
                    SheetProblem("warning", f"{path}: entry {entry.key!r} is used by no view")
                )
    inexact = [e for e in colorbook.entries if exact_category(e.category) is None]
    if inexact:
        for entry, category in zip(inexact, categorize([e.key for e in inexact], encoder)):
            found.append(
                SheetProblem(
                    "warning",
                    f"{path}: entry {entry.key!r}: {entry.category!r} is not one of the 12 "
                    f"categories; the text encoder reads it as {category}",
                )
            )
    return found


def warn_open_line_art(sheet: DesignSheet, seg_method: str = "default") -> None:
    """Warn (:class:`~paintbucket.errors.InputWarning`) about every view of a loaded sheet
    whose line art is open (:func:`open_line_art_warning`): targets drawn like it leak
    into the paper unless colored with ``--seg-method closegaps``."""
    for reference in sheet.references:
        message = open_line_art_warning(reference, seg_method)
        if message is not None:
            warnings.warn(message, InputWarning, stacklevel=2)
