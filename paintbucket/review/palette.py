"""The cut's palette: the keyframes' colors, their names, and the colors replacing them.

Every distinct color of the keyframes (``gt/*.png``) is one palette entry, known by that
*key* color. An entry has a current *color*, its key unless the whole cut was recolored
(``skin shadow`` made a little warmer, as a color designer does with a palette in
Harmony or OpenToonz), and a *name*: from ``CLIP_DIR/colorbook.yml`` when the colorbook
lists the key color, else from the palette file the review page edits,
``RESULTS_DIR/.review/palette.json`` (:data:`PALETTE_FILE`)::

    {"colors": [{"key": [R, G, B, A], "color": [R, G, B, A], "name": "skin shadow"}, ...]}

Entries the file does not list keep their key color and have no name. No two entries
share a color, and no entry takes another's key color, so the changes
(:meth:`Palette.changes`, key -> color) can be applied to any result, whether made
before or after a recolor, and applying them twice changes nothing.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from paintbucket.errors import InputError
from paintbucket.io.colorbook import Colorbook
from paintbucket.review.errors import ReviewError
from paintbucket.segment.stats import pack_rgba

#: The palette file, relative to the results folder (a state file of the undo history).
PALETTE_FILE = ".review/palette.json"
#: Longest entry name, in characters.
MAX_NAME_LENGTH = 60

RGBA = tuple[int, int, int, int]


def hex_color(color: RGBA) -> str:
    """``#rrggbb`` (``#rrggbbaa`` when not opaque)."""
    text = "#" + "".join(f"{c:02x}" for c in color[:3])
    return text if color[3] == 255 else text + f"{color[3]:02x}"


def _file_color(path: Path, value: object) -> RGBA:
    if not (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value)
    ):
        raise InputError(path, f"palette color {value!r} is not [R, G, B, A] in 0..255")
    return tuple(value)  # type: ignore[return-value]


def check_name(value: object) -> str | None:
    """A palette entry name as typed: trimmed text of printable characters, at most
    :data:`MAX_NAME_LENGTH` long; ``""`` or None for no name.

    Raises
    ------
    ReviewError
        With status 400 for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReviewError("name must be a string or null")
    name = value.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ReviewError(f"name must be at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ReviewError("name must not contain control characters")
    return name or None


class Palette:
    """The palette entries of a cut (immutable: edits return a new palette).

    Parameters
    ----------
    keys : (P, 4) uint8
        The keyframe colors, each once.
    colors : (P, 4) uint8
        The current color of every entry.
    file_names : list of (str or None)
        Names from the palette file.
    book_names : list of (str or None)
        Names from the colorbook (``"skin on skin (shadow1)"``); they win.
    """

    def __init__(
        self,
        keys: np.ndarray,
        colors: np.ndarray,
        file_names: list[str | None],
        book_names: list[str | None],
    ) -> None:
        self.keys = np.asarray(keys, np.uint8).reshape(-1, 4)
        self.colors = np.asarray(colors, np.uint8).reshape(-1, 4)
        self.file_names = list(file_names)
        self.book_names = list(book_names)

    # ----------------------------------------------------------------- loading

    @classmethod
    def load(cls, keys: np.ndarray, colorbook: Colorbook | None, path: Path) -> Palette:
        """The palette of keyframe colors ``keys``, named and recolored as
        ``colorbook`` and the palette file at ``path`` (if it exists) say.

        Raises
        ------
        InputError
            If the palette file is unreadable, malformed, or gives two entries one color
            (or one entry another's key color).
        """
        keys = np.asarray(keys, np.uint8).reshape(-1, 4)
        book = colorbook.palette() if colorbook is not None else {}
        book_names = []
        for key in keys.tolist():
            found = book.get(tuple(key[:3])) if key[3] == 255 else None
            book_names.append(None if found is None else f"{found[0].key} ({found[1]})")
        colors = keys.copy()
        file_names: list[str | None] = [None] * len(keys)
        if path.is_file():
            index = {tuple(key): i for i, key in enumerate(keys.tolist())}
            for item in cls._read_file(path):
                where = index.get(_file_color(path, item.get("key")))
                if where is None:
                    continue  # a color the keyframes no longer have
                colors[where] = _file_color(path, item.get("color", item["key"]))
                try:
                    file_names[where] = check_name(item.get("name"))
                except ReviewError as error:
                    raise InputError(path, error.message) from None
        palette = cls(keys, colors, file_names, book_names)
        clash = palette._clash()
        if clash is not None:
            raise InputError(path, clash)
        return palette

    @staticmethod
    def _read_file(path: Path) -> list[dict]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(path, f"cannot read palette file ({error})") from None
        items = data.get("colors") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and "key" in item for item in items
        ):
            raise InputError(path, 'palette file needs {"colors": [{"key": ..., ...}, ...]}')
        return items

    def _clash(self) -> str | None:
        """Why the entries' colors are ambiguous, or None when they are not."""
        colors, keys = pack_rgba(self.colors), pack_rgba(self.keys)
        same = (colors[:, None] == colors[None, :]) | (colors[:, None] == keys[None, :])
        np.fill_diagonal(same, False)
        if not same.any():
            return None
        i, j = (int(k) for k in np.argwhere(same)[0])
        return (
            f"palette entries {self.label(i)!r} and {self.label(j)!r} would share the "
            f"color {hex_color(tuple(self.colors[i].tolist()))}"
        )

    def to_json(self) -> str:
        """The palette file's text: every entry's key, color and palette-file name."""
        items = [
            {"key": key, "color": color, "name": name}
            for key, color, name in zip(self.keys.tolist(), self.colors.tolist(), self.file_names)
        ]
        return json.dumps({"colors": items}, indent=1) + "\n"

    # ----------------------------------------------------------------- reading

    def __len__(self) -> int:
        return len(self.keys)

    def name(self, index: int) -> str | None:
        """The entry's name: the colorbook's, else the palette file's, else None."""
        return self.book_names[index] or self.file_names[index]

    def label(self, index: int) -> str:
        """The entry's name, or its color in hex when it has none."""
        return self.name(index) or hex_color(tuple(self.colors[index].tolist()))

    def find(self, color: RGBA) -> int | None:
        """Index of the entry whose current color is ``color``, if any."""
        hit = np.flatnonzero(np.all(self.colors == np.array(color, np.uint8), axis=1))
        return int(hit[0]) if hit.size else None

    def name_of(self, color: RGBA) -> str | None:
        """Name of the entry that is (or was, before a recolor) ``color``."""
        for table in (self.colors, self.keys):
            hit = np.flatnonzero(np.all(table == np.array(color, np.uint8), axis=1))
            if hit.size:
                return self.name(int(hit[0]))
        return None

    def changes(self) -> dict[RGBA, RGBA]:
        """Key color -> current color of every recolored entry."""
        return {
            tuple(key): tuple(color)
            for key, color in zip(self.keys.tolist(), self.colors.tolist())
            if key != color
        }

    def summary(self) -> list[dict]:
        """Per entry: ``color`` (current), ``key``, ``name`` and ``named_by``
        (``"colorbook"``, ``"palette"`` or None), in palette order."""
        return [
            {
                "color": color,
                "key": key,
                "name": self.name(i),
                "named_by": "colorbook" if self.book_names[i] else "palette"
                if self.file_names[i] else None,
            }
            for i, (color, key) in enumerate(zip(self.colors.tolist(), self.keys.tolist()))
        ]  # fmt: skip

    # ----------------------------------------------------------------- editing

    def recolored(self, index: int, color: RGBA) -> Palette:
        """The palette with entry ``index`` in ``color``.

        Raises
        ------
        ReviewError
            With status 409 when ``color`` is another entry's color or key color.
        """
        colors = self.colors.copy()
        colors[index] = color
        palette = Palette(self.keys, colors, self.file_names, self.book_names)
        clash = palette._clash()
        if clash is not None:
            raise ReviewError(clash, 409)
        return palette

    def renamed(self, index: int, name: str | None) -> Palette:
        """The palette with entry ``index`` named ``name`` in the palette file.

        Raises
        ------
        ReviewError
            With status 409 when the colorbook names the entry.
        """
        if self.book_names[index]:
            raise ReviewError(
                f"{self.book_names[index]!r} is named by colorbook.yml; edit that file", 409
            )
        names = list(self.file_names)
        names[index] = name
        return Palette(self.keys, self.colors, names, self.book_names)
