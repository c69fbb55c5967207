"""Loading and validating a color design sheet (``SHEET_DIR``).

Layout::

    SHEET_DIR/
      colorbook.yml            the text-color list (see :mod:`paintbucket.io.colorbook`)
      ref/                     one colored reference image per view, in any of these forms:
        NAME.png + NAME_line.png      colored image (black lines drawn in or not) and its
                                      line art (``pbc synth`` writes this form)
        NAME_fill.png + NAME_lineart.png   flat fills alone and the line art
                                      (``_line`` and ``_lineart`` both name line art)
        NAME.png                      one colored image with its black lines drawn in
                                      (lines: :func:`~paintbucket.keyframe.fills.lines_from_color`)
        NAME.psd                      layered: line layers and fill layers
                                      (:func:`~paintbucket.io.psd.read_psd_layers`)

A view's fills must be flat (:mod:`paintbucket.keyframe.fills`), but one line-enclosed
segment may hold several of them, as cel shadows without outlines do: the boundaries
between fills are implicit color lines that split the segments, and fill that runs a
pixel or two past an outline goes back to its neighbour. Every flat color must be in the
colorbook.

References are ordered by view: names whose last word is ``front``, ``side``, ``back``,
``face`` first, in that order (the paper's fallback is the first sheet image, the front
long shot), then any other names alphabetically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintbucket.core.frames import ColoredFrame, Frame
from paintbucket.errors import InputError
from paintbucket.io.colorbook import Colorbook, ColorEntry, read_colorbook
from paintbucket.io.images import (
    DEFAULT_MAX_PIXELS,
    PathLike,
    normalize_transparent,
    read_rgba,
)
from paintbucket.io.psd import read_psd_layers
from paintbucket.keyframe.fills import (
    FlatFills,
    absorb_leaks,
    analyze_fills,
    lines_from_color,
    split_by_color,
)
from paintbucket.segment.stats import pack_rgba

RGB = tuple[int, int, int]

#: Preferred order of reference views (the last word of a name); others follow
#: alphabetically.
VIEW_ORDER = ("front", "side", "back", "face")
#: Suffix of a reference's line art file (the one ``pbc synth`` and ``pbc sheet init``
#: write)...
LINE_SUFFIX = "_line"
#: ...and every suffix that names line art.
LINE_SUFFIXES = (LINE_SUFFIX, "_lineart")
#: Suffix of a fills-only image.
FILL_SUFFIX = "_fill"
#: File types a reference comes in.
IMAGE_TYPES = (".png", ".psd")
#: How many offending colors an error message lists.
MAX_LISTED = 5
#: Key of the pseudo entry that stands for the transparent background.
BACKGROUND_KEY = "background"


@dataclass
class Reference:
    """One colored reference image of the sheet.

    Attributes
    ----------
    name : str
        View name (``front``; ``saha_front`` for ``saha_front_fill.png``).
    path : Path
        The colored image (fills, colored image or PSD).
    color : (H, W, 4) uint8
        The colored image, every transparent pixel ``(0, 0, 0, 0)``.
    frame : ColoredFrame
        Its line art, its segments split along color boundaries, and their flat colors.
    line_path : Path or None
        The separate line art, None when the lines come from ``path`` itself.
    fills : FlatFills or None
        Its flat colors and strays (see :func:`~paintbucket.keyframe.fills.analyze_fills`).
    """

    name: str
    path: Path
    color: np.ndarray
    frame: ColoredFrame
    line_path: Path | None = None
    fills: FlatFills | None = None


@dataclass
class DesignSheet:
    """A validated color design sheet.

    Attributes
    ----------
    root : Path
    colorbook : Colorbook
    references : list of Reference
        Front view first when there is one.
    color_map : dict RGB -> (ColorEntry, variant name)
        Every colorbook color and the entry/variant that defines it.
    """

    root: Path
    colorbook: Colorbook
    references: list[Reference]
    color_map: dict[RGB, tuple[ColorEntry, str]]

    @property
    def palette(self) -> np.ndarray:
        """(P, 4) uint8: transparent first, then every colorbook color in file order
        (entry by entry, variants highlight, normal, shadow1, shadow2)."""
        colors = [(0, 0, 0, 0)] + [(*color, 255) for color in self.color_map]
        return np.array(colors, dtype=np.uint8)

    def entry_table(self) -> np.ndarray:
        """(E + 1, 4) int64 palette index of every entry's variants, -1 where null.

        Row 0 is the background pseudo entry (all variants transparent, index 0);
        row ``e + 1`` is ``colorbook.entries[e]``; columns follow
        :data:`~paintbucket.io.colorbook.VARIANTS`.
        """
        index = {color: i + 1 for i, color in enumerate(self.color_map)}
        rows = [[0, 0, 0, 0]] + [
            [-1 if c is None else index[c] for c in entry.colors]
            for entry in self.colorbook.entries
        ]
        return np.array(rows, dtype=np.int64)

    @property
    def entry_keys(self) -> list[str]:
        """Key of every row of :meth:`entry_table` (``background`` first)."""
        return [BACKGROUND_KEY] + [entry.key for entry in self.colorbook.entries]

    def reference_index_map(self, reference: Reference) -> np.ndarray:
        """(H, W) int32 index into :attr:`palette` of every pixel of ``reference``;
        -1 on black lines."""
        palette = self.palette
        lookup = {int(p): i for i, p in enumerate(pack_rgba(palette))}
        own = pack_rgba(reference.frame.palette)
        to_sheet = np.array([lookup.get(int(p), -1) for p in own] + [-1], dtype=np.int32)
        # segment_palette_index is -1 for the line, which picks the trailing -1.
        return to_sheet[reference.frame.palette_index_map()]


def palette_entries(sheet: DesignSheet) -> np.ndarray:
    """(P,) int64 row of :meth:`DesignSheet.entry_table` of every palette color."""
    table = sheet.entry_table()
    rows = np.zeros(len(sheet.palette), dtype=np.int64)
    valid = table >= 0
    rows[table[valid]] = np.nonzero(valid)[0]
    return rows


def reference_entry_map(sheet: DesignSheet, reference: Reference) -> np.ndarray:
    """(H, W) int64 entry row (0 = background, ``e + 1`` = colorbook entry ``e``) of
    every pixel of ``reference``; -1 on black lines."""
    index = sheet.reference_index_map(reference)
    return np.where(index >= 0, palette_entries(sheet)[index.clip(0)], -1)


@dataclass(frozen=True)
class ReferenceFiles:
    """The files of one sheet view: ``color`` (a colored or fills-only image, or a PSD)
    and its separate ``line`` art (None: the lines are in ``color``)."""

    name: str
    color: Path
    line: Path | None


def _view_key(name: str) -> tuple[int, str]:
    view = name.rsplit("_", 1)[-1].lower()
    return (VIEW_ORDER.index(view) if view in VIEW_ORDER else len(VIEW_ORDER), name)


def _strip(stem: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return None


def scan_references(
    paths: list[Path], find_lines: bool = False
) -> tuple[list[ReferenceFiles], list[InputError]]:
    """Pair colored images with their line art.

    Parameters
    ----------
    paths : list of Path
        Image files (``.png``, ``.psd``): colored images ``NAME.png``, fills
        ``NAME_fill.png``, layered ``NAME.psd``, line art ``NAME_line.png`` or
        ``NAME_lineart.png``.
    find_lines : bool
        Also look for the line art of a colored image beside it when ``paths`` lacks it.

    Returns
    -------
    references : list of ReferenceFiles
        In view order (see the module docstring).
    problems : list of InputError
        Naming the file: two colored images of one view (``NAME.png`` beside
        ``NAME_fill.png`` or ``NAME.psd``), two line arts of one view, line art without a
        colored image, a fills-only image without line art. The views concerned are left
        out of ``references``.
    """
    colors: dict[str, Path] = {}
    lines: dict[str, Path] = {}
    problems: list[InputError] = []
    for path in sorted(dict.fromkeys(Path(p) for p in paths)):
        line_name = _strip(path.stem, LINE_SUFFIXES) if path.suffix.lower() == ".png" else None
        name = line_name or _strip(path.stem, (FILL_SUFFIX,)) or path.stem
        found = lines if line_name else colors
        if name in found:
            kind = "line arts" if line_name else "colored images"
            problems.append(
                InputError(path, f"two {kind} of view {name!r}: {found[name]} and this")
            )
            continue
        found[name] = path
    if find_lines:
        for name, path in colors.items():
            beside = [path.with_name(f"{name}{s}.png") for s in LINE_SUFFIXES]
            found_beside = [p for p in beside if p.is_file()]
            if name not in lines and path.suffix.lower() != ".psd" and found_beside:
                lines[name] = found_beside[0]
    for name, path in lines.items():
        if name not in colors:
            problems.append(InputError(path, f"line art without a colored image of view {name!r}"))
    references = []
    for name in sorted(colors, key=_view_key):
        path = colors[name]
        if name not in lines and path.stem.endswith(FILL_SUFFIX):
            problems.append(
                InputError(path, f"fills without line art: no {name}{LINE_SUFFIX}.png or "
                           f"{name}_lineart.png beside it")
            )  # fmt: skip
            continue
        references.append(ReferenceFiles(name, path, lines.get(name)))
    return references, problems


def reference_paths(ref_dir: Path) -> list[Path]:
    """The image files of a ``ref/`` folder (hidden files left out)."""
    return [
        p for p in ref_dir.iterdir()
        if p.suffix.lower() in IMAGE_TYPES and p.is_file() and not p.name.startswith(".")
    ]  # fmt: skip


#: What :func:`find_references` says when a folder holds no view.
NO_REFERENCES = (
    "no reference images (expected NAME.png with NAME_line.png, NAME_fill.png with "
    "NAME_lineart.png, NAME.png alone, or NAME.psd)"
)


def pair_reference_files(paths: list[Path], find_lines: bool = False) -> list[ReferenceFiles]:
    """:func:`scan_references`, raising its first problem, or when there is no view."""
    references, problems = scan_references(paths, find_lines)
    if problems:
        raise problems[0]
    if not references:
        raise InputError(None, NO_REFERENCES)
    return references


def find_references(ref_dir: Path) -> list[ReferenceFiles]:
    """The views in a ``ref/`` folder, in view order (see :func:`scan_references`).

    Raises
    ------
    InputError
        On the first problem :func:`scan_references` finds, or when there is no view.
    """
    references, problems = scan_references(reference_paths(ref_dir))
    if problems:
        raise problems[0]
    if not references:
        raise InputError(ref_dir, NO_REFERENCES)
    return references


def read_reference_images(
    files: ReferenceFiles, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> tuple[np.ndarray, np.ndarray]:
    """The line art and the colored image of one view.

    Returns
    -------
    line_art : (H, W, 4) uint8
        The separate line art, the PSD's line layers, or the black lines found in the
        colored image (:func:`~paintbucket.keyframe.fills.lines_from_color`).
    color : (H, W, 4) uint8
        Every transparent pixel ``(0, 0, 0, 0)``.

    Raises
    ------
    InputError
        Unreadable files, line art of another size, or no line at all.
    """
    if files.color.suffix.lower() == ".psd":
        color, line_art = read_psd_layers(files.color, max_pixels)
    else:
        color, line_art = read_rgba(files.color, max_pixels), None
    color = normalize_transparent(color)
    where = files.color
    if files.line is not None:
        line_art = read_rgba(files.line, max_pixels)
        where = files.line
        if line_art.shape != color.shape:
            raise InputError(
                files.line,
                f"size {line_art.shape[1]}x{line_art.shape[0]} differs from "
                f"{files.color.name} ({color.shape[1]}x{color.shape[0]})",
            )
    elif line_art is None:
        line_art = lines_from_color(color)
        if not line_art[..., 3].any():
            raise InputError(
                files.color,
                f"reference has no line art: no {files.name}{LINE_SUFFIX}.png beside it and no "
                "black lines in it",
            )
    if not line_art[..., 3].any():
        raise InputError(where, "line art is empty")
    return line_art, color


def reference_frame(
    line_art: np.ndarray, color: np.ndarray, seg_method: str = "default"
) -> tuple[ColoredFrame | None, FlatFills]:
    """A sheet view as a colored frame whose color boundaries are lines too.

    Parameters
    ----------
    line_art, color : (H, W, 4) uint8
        As :func:`read_reference_images` returns them.
    seg_method : str
        Segmentation of the line art (see ``segment_line_art``).

    Returns
    -------
    frame : ColoredFrame or None
        The line art's segments split along fill boundaries (fill leaking past an
        outline merged back, :func:`~paintbucket.keyframe.fills.absorb_leaks`), each with
        its flat color; None when the fills are not flat (``fills.problem()`` says why).
    fills : FlatFills
        The flat colors of ``color`` over the segments.
    """
    frame = Frame.from_line_art(line_art, seg_method)
    fills = analyze_fills(color, frame.segment_ids > 0)
    if fills.problem() is not None:
        return None, fills
    split, segment_palette_index = split_by_color(frame.segment_ids, fills.index)
    split, segment_palette_index = absorb_leaks(
        frame.segment_ids, split, segment_palette_index, frame.segment_ids == 0
    )
    return (
        ColoredFrame(line_art, split, frame.line_mask, fills.palette, segment_palette_index),
        fills,
    )


def missing_colors(frame: ColoredFrame, colorbook_colors: set[RGB]) -> str | None:
    """One line listing the colors of a view's segments (RGBA x pixel count) that are not
    in the colorbook, most frequent first; None when every one is (transparent needs no
    entry)."""
    allowed = {(*c, 255) for c in colorbook_colors} | {(0, 0, 0, 0)}
    counts = np.bincount(
        frame.palette_index_map()[frame.segment_ids > 0], minlength=len(frame.palette)
    )
    bad = [i for i, c in enumerate(frame.palette.tolist()) if counts[i] and tuple(c) not in allowed]
    if not bad:
        return None
    bad.sort(key=lambda i: -counts[i])
    listed = ", ".join(f"{tuple(frame.palette[i].tolist())} x{int(counts[i])}"
                       for i in bad[:MAX_LISTED])  # fmt: skip
    return f"{len(bad)} color(s) not in the colorbook (RGBA x pixel count): {listed}"


def load_reference(
    files: ReferenceFiles,
    colorbook_colors: set[RGB] | None,
    seg_method: str = "default",
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> Reference:
    """Read and validate one sheet view (see :func:`load_sheet`); ``colorbook_colors``
    None leaves its colors unchecked."""
    line_art, color = read_reference_images(files, max_pixels)
    frame, fills = reference_frame(line_art, color, seg_method)
    if frame is None:
        raise InputError(files.color, fills.problem())
    problem = None if colorbook_colors is None else missing_colors(frame, colorbook_colors)
    if problem is not None:
        raise InputError(files.color, problem)
    return Reference(files.name, files.color, color, frame, files.line, fills)


def load_sheet(
    sheet_dir: PathLike, seg_method: str = "default", max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> DesignSheet:
    """Read and validate a color design sheet folder.

    Parameters
    ----------
    sheet_dir : path-like
        Folder with ``colorbook.yml`` and ``ref/``.
    seg_method : str
        Segmentation of the reference line art (see ``segment_line_art``).
    max_pixels : int or None
        Refuse reference images larger than this (see :func:`~paintbucket.io.read_rgba`).

    Returns
    -------
    DesignSheet

    Raises
    ------
    InputError
        Naming the offending file: missing or malformed colorbook (also a color used by
        two entries), no reference image, ambiguous or unpaired reference files (see
        :func:`find_references`), line art of another size or none at all, a reference
        color not in the colorbook, a reference that is not flat.
    """
    root = Path(sheet_dir)
    if not root.is_dir():
        raise InputError(root, "design sheet folder not found")
    colorbook = read_colorbook(root / "colorbook.yml")
    color_map = colorbook.palette()
    ref_dir = root / "ref"
    if not ref_dir.is_dir():
        raise InputError(ref_dir, "folder of reference images not found")
    references = [
        load_reference(files, set(color_map), seg_method, max_pixels)
        for files in find_references(ref_dir)
    ]
    return DesignSheet(root, colorbook, references, color_map)
