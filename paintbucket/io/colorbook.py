"""The text-color list of a color design sheet (``colorbook.yml``).

One entry per line::

    eyelash on eye: [[39 64 59],[19 44 39],[38 13 18],null]

meaning ``{description} on {semantic category}: [highlight, normal, shadow1, shadow2]``;
each color is a YAML flow scalar ``"R G B"`` and ``null`` marks an absent variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from paintbucket.errors import InputError
from paintbucket.io.images import PathLike, write_text

#: The 12 semantic categories of PaintBucket-Character (headwear and beard count as hair).
CATEGORIES = (
    "background", "bag", "belt", "glasses", "hair", "socks",
    "hat", "mouth", "clothes", "eyes", "shoes", "skin",
)  # fmt: skip

#: Names of the four color variants of an entry, in file order.
VARIANTS = ("highlight", "normal", "shadow1", "shadow2")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class ColorEntry:
    """One line of the text-color list.

    Attributes
    ----------
    description : str
        Free text naming the region ("eyelash").
    category : str
        Text after the last " on " ("eye"); not restricted to :data:`CATEGORIES`.
    colors : tuple of 4 (RGB or None)
        Highlight, normal, shadow1, shadow2.
    """

    description: str
    category: str
    colors: tuple[RGB | None, RGB | None, RGB | None, RGB | None]

    @property
    def normal(self) -> RGB | None:
        return self.colors[1]

    @property
    def key(self) -> str:
        return f"{self.description} on {self.category}"


@dataclass(frozen=True)
class Colorbook:
    """An ordered text-color list."""

    entries: tuple[ColorEntry, ...] = field(default_factory=tuple)

    def palette(self) -> dict[RGB, tuple[ColorEntry, str]]:
        """Map every color to the entry and variant name that defines it."""
        result: dict[RGB, tuple[ColorEntry, str]] = {}
        for entry in self.entries:
            for variant, color in zip(VARIANTS, entry.colors):
                if color is not None:
                    result[color] = (entry, variant)
        return result


def _parse_color(path: PathLike, key: str, value: object) -> RGB | None:
    if value is None:
        return None
    # "[39 64 59]" is a flow sequence holding one plain scalar "39 64 59".
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, list) and len(value) == 3:
        parts = value
    elif isinstance(value, str):
        parts = value.split()
    else:
        raise InputError(path, f"entry {key!r}: color {value!r} is not 'R G B' or null")
    try:
        rgb = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        raise InputError(path, f"entry {key!r}: color {value!r} is not three integers") from None
    if len(rgb) != 3 or not all(0 <= c <= 255 for c in rgb):
        raise InputError(path, f"entry {key!r}: color {value!r} must be three values in 0..255")
    return rgb  # type: ignore[return-value]


def parse_colorbook(text: str, path: PathLike = "<colorbook>") -> Colorbook:
    """Parse the text of a ``colorbook.yml``.

    Raises
    ------
    InputError
        On invalid YAML, a key without " on ", a value that is not a list of four
        colors, an entry without any color, or a color used by two entries.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(path, f"invalid YAML{where}") from None
    if data is None:
        raise InputError(path, "colorbook is empty")
    if not isinstance(data, dict):
        raise InputError(path, "expected one 'description on category: [colors]' entry per line")
    entries = []
    owner: dict[RGB, str] = {}
    for key, value in data.items():
        key = str(key)
        description, sep, category = key.rpartition(" on ")
        if not sep or not description.strip() or not category.strip():
            raise InputError(path, f"entry {key!r}: key must read 'description on category'")
        if not isinstance(value, list) or len(value) != 4:
            raise InputError(
                path,
                f"entry {key!r}: expected [highlight, normal, shadow1, shadow2], got {value!r}",
            )
        colors = tuple(_parse_color(path, key, v) for v in value)
        if all(c is None for c in colors):
            raise InputError(path, f"entry {key!r}: all four colors are null")
        for color in colors:
            if color is None:
                continue
            if color in owner and owner[color] != key:
                raise InputError(
                    path, f"color {color} is used by both {owner[color]!r} and {key!r}"
                )
            owner[color] = key
        entries.append(ColorEntry(description.strip(), category.strip(), colors))  # type: ignore[arg-type]
    return Colorbook(tuple(entries))


def read_colorbook(path: PathLike) -> Colorbook:
    """Read and validate a ``colorbook.yml`` file (see :func:`parse_colorbook`)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    return parse_colorbook(text, path)


def format_colorbook(colorbook: Colorbook) -> str:
    """Render a colorbook in the one-entry-per-line format of the dataset."""

    def color_text(color: RGB | None) -> str:
        return "null" if color is None else "[{} {} {}]".format(*color)

    lines = [
        f"{entry.key}: [" + ",".join(color_text(c) for c in entry.colors) + "]"
        for entry in colorbook.entries
    ]
    return "\n".join(lines) + "\n"


def write_colorbook(path: PathLike, colorbook: Colorbook) -> None:
    """Write a colorbook file atomically."""
    write_text(path, format_colorbook(colorbook))
