"""Loading and validating a color design sheet (``SHEET_DIR``).

Layout (as written by ``pbc synth``)::

    SHEET_DIR/
      colorbook.yml            the text-color list (see :mod:`paintbucket.io.colorbook`)
      ref/NAME.png             colored reference image (RGBA, transparent background,
                               black lines, flat colorbook fills)
      ref/NAME_line.png        its line art, same size

References are ordered ``front, side, back, face`` first (the paper's fallback is the
first sheet image, the front long shot), then any other names alphabetically.
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
    LINE_COLOR,
    PathLike,
    normalize_transparent,
    read_rgba,
)
from paintbucket.segment.stats import pack_rgba

RGB = tuple[int, int, int]

#: Preferred order of reference names; others follow alphabetically.
VIEW_ORDER = ("front", "side", "back", "face")
#: Suffix of a reference's line art file.
LINE_SUFFIX = "_line"
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
        File stem (``front``).
    path : Path
        The colored image.
    color : (H, W, 4) uint8
        The colored image, every transparent pixel ``(0, 0, 0, 0)``.
    frame : ColoredFrame
        Its line art, segments and per-segment colors.
    """

    name: str
    path: Path
    color: np.ndarray
    frame: ColoredFrame


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


def _reference_names(ref_dir: Path) -> list[str]:
    stems = sorted(
        p.stem for p in ref_dir.glob("*.png") if p.is_file() and not p.stem.endswith(LINE_SUFFIX)
    )
    first = [name for name in VIEW_ORDER if name in stems]
    return first + [name for name in stems if name not in VIEW_ORDER]


def _check_colors(path: Path, color: np.ndarray, allowed: set[RGB]) -> None:
    """Raise if an opaque non-line pixel of ``color`` is not a colorbook color."""
    visible = color[..., 3] > 0
    line = np.all(color == np.array(LINE_COLOR, dtype=np.uint8), axis=-1)
    packed = pack_rgba(color[visible & ~line])
    values, counts = np.unique(packed, return_counts=True)
    allowed_packed = pack_rgba(
        np.array([(*c, 255) for c in allowed], dtype=np.uint8).reshape(-1, 4)
    )
    bad = ~np.isin(values, allowed_packed)
    if not bad.any():
        return
    order = np.argsort(-counts[bad], kind="stable")
    worst = values[bad][order][:MAX_LISTED]
    listed = ", ".join(
        f"({(v >> 24) & 255}, {(v >> 16) & 255}, {(v >> 8) & 255}, {v & 255}) x{int(n)}"
        for v, n in zip(worst.tolist(), counts[bad][order][:MAX_LISTED].tolist())
    )
    raise InputError(
        path,
        f"{int(bad.sum())} color(s) not in the colorbook (RGBA x pixel count): {listed}",
    )


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
        two entries), no reference image, a reference without its ``NAME_line.png`` or
        of another size, a reference color not in the colorbook, a non-flat reference.
    """
    root = Path(sheet_dir)
    if not root.is_dir():
        raise InputError(root, "design sheet folder not found")
    colorbook = read_colorbook(root / "colorbook.yml")
    color_map = colorbook.palette()
    ref_dir = root / "ref"
    if not ref_dir.is_dir():
        raise InputError(ref_dir, "folder of reference images not found")
    names = _reference_names(ref_dir)
    if not names:
        raise InputError(ref_dir, "no reference images (expected NAME.png with NAME_line.png)")
    references = []
    for name in names:
        path = ref_dir / f"{name}.png"
        line_path = ref_dir / f"{name}{LINE_SUFFIX}.png"
        if not line_path.is_file():
            raise InputError(path, f"reference has no line art: {line_path.name} not found")
        color = normalize_transparent(read_rgba(path, max_pixels))
        line_art = read_rgba(line_path, max_pixels)
        if line_art.shape != color.shape:
            raise InputError(
                line_path,
                f"size {line_art.shape[1]}x{line_art.shape[0]} differs from "
                f"{path.name} ({color.shape[1]}x{color.shape[0]})",
            )
        _check_colors(path, color, set(color_map))
        frame = ColoredFrame.from_keyframe(
            Frame.from_line_art(line_art, seg_method), color, str(path)
        )
        references.append(Reference(name, path, color, frame))
    return DesignSheet(root, colorbook, references, color_map)
