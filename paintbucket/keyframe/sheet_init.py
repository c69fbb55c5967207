"""A first colorbook from colored sheet views (``pbc sheet init``).

1. **Palette.** Every view is read as :func:`~paintbucket.keyframe.sheet.load_sheet`
   reads it (flat fills, implicit color lines); its colors are those of its segments.
2. **Tones of one material.** Two colors are tones of one material when their regions
   touch without a line between them (a cel shadow painted as a shape inside its base
   color) along at least :data:`MIN_CONTACT` pixel edges and they have the same hue:
   both near gray (saturation under :data:`NEUTRAL_SATURATION`, or darker than
   :data:`DARK_VALUE`), or hues within :data:`MAX_HUE_SHIFT` degrees. Pairs are joined
   longest contact first into entries of at most four tones. Within an entry the tone
   with the most pixels is ``normal``; a lighter one is the ``highlight``, darker ones
   ``shadow1`` and ``shadow2`` by decreasing lightness (CIELAB L*). A join that would
   need two highlights or three shadows, or put a tone more than :data:`MAX_TONE_GAP`
   L* from the normal, is skipped.
3. **Category.** Each entry's pixels are placed on the body: the character's box of
   each view is cut into zones (top of the head, face, torso, arms, legs, feet). Each
   zone has a prior over the 12 categories (:data:`ZONE_PRIORS`, what a T-pose design
   sheet shows there); the entry's prior is the mean of the zone priors weighted by its
   pixels in each zone, averaged with the top of the head's for the entry that covers
   most of the top of the head (the hair, even where most of its pixels frame the face).
   The description ``"{color name} {zone}"`` (the zone holding most of its pixels;
   a small entry on the face is a ``face detail``) is embedded by the text encoder
   (:func:`~paintbucket.keyframe.text.category_scores`) and its similarity with each
   category is added to the prior. The best sum is the proposal.

The descriptions are placeholders for the user to edit; the category after `` on `` is a
proposal too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from paintbucket.errors import InputError
from paintbucket.io.colorbook import CATEGORIES, Colorbook, ColorEntry, format_colorbook
from paintbucket.io.images import DEFAULT_MAX_PIXELS, write_bytes, write_text
from paintbucket.keyframe.fills import segment_contacts
from paintbucket.keyframe.sheet import (
    FILL_SUFFIX,
    LINE_SUFFIX,
    DesignSheet,
    ReferenceFiles,
    load_sheet,
    pair_reference_files,
    read_reference_images,
    reference_frame,
)
from paintbucket.keyframe.text import TextEncoder, category_scores
from paintbucket.segment.stats import pack_rgba, unpack_rgba

#: Two tones of one material touch along at least this many pixel edges...
MIN_CONTACT = 10
#: ...and have hues at most this many degrees apart...
MAX_HUE_SHIFT = 20.0
#: ...unless both are near gray: HSV saturation below this...
NEUTRAL_SATURATION = 0.12
#: ...or HSV value (max of R, G, B over 255) below this.
DARK_VALUE = 0.16
#: No tone is farther than this from its entry's normal in CIELAB L* (white and black
#: are not one material).
MAX_TONE_GAP = 40.0

#: Zones of the character's box: (name, rows from, rows to) as shares of its height;
#: ``arms`` are the pixels of the torso rows farther than :data:`ARM_OFFSET` of the
#: half width from the middle.
ZONES = ("top of the head", "face", "torso", "arms", "legs", "feet", "face detail")
HEAD_TOP_END, FACE_END, TORSO_END, LEGS_END = 0.08, 0.25, 0.58, 0.93
ARM_OFFSET = 0.45
#: An entry with fewer pixels than this share of the character, placed on the face, is
#: a face detail (eyes, mouth, brows).
DETAIL_SHARE = 0.03
#: Prior of each category in each zone (1 = what a T-pose sheet usually shows there;
#: categories not named: 0).
ZONE_PRIORS: dict[str, dict[str, float]] = {
    "top of the head": {"hair": 1.0, "hat": 0.6},
    "face": {"skin": 1.0, "hair": 0.5, "eyes": 0.3, "mouth": 0.3, "glasses": 0.2},
    "face detail": {"eyes": 1.0, "mouth": 0.8, "hair": 0.4, "glasses": 0.4, "skin": 0.3},
    "torso": {"clothes": 1.0, "skin": 0.4, "belt": 0.3, "bag": 0.3, "hair": 0.2},
    "arms": {"clothes": 0.9, "skin": 0.9, "bag": 0.2},
    "legs": {"clothes": 1.0, "skin": 0.5, "socks": 0.5},
    "feet": {"shoes": 1.0, "socks": 0.5},
}
#: Basic color names for the descriptions (nearest in CIELAB).
COLOR_NAMES: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "dark gray": (64, 64, 64), "gray": (128, 128, 128),
    "light gray": (192, 192, 192), "white": (255, 255, 255), "red": (200, 30, 30),
    "dark red": (120, 20, 25), "pink": (250, 160, 170), "orange": (240, 140, 40),
    "peach": (245, 190, 160), "beige": (225, 205, 170), "yellow": (240, 220, 60),
    "pale yellow": (235, 220, 140), "brown": (140, 90, 50), "dark brown": (70, 40, 20),
    "tan": (190, 145, 115), "green": (40, 160, 60), "dark green": (20, 80, 30),
    "blue": (40, 80, 200), "light blue": (150, 190, 240), "navy": (20, 30, 90),
    "purple": (130, 60, 170), "lavender": (190, 170, 230),
}  # fmt: skip
#: First lines of a written colorbook.
HEADER = (
    "# Written by pbc sheet init. One entry per material:\n"
    "#   description on category: [highlight, normal, shadow1, shadow2]\n"
    "# Edit the descriptions (and the category after ' on ' where the proposal is wrong;\n"
    "# categories: " + ", ".join(CATEGORIES) + "), then run pbc sheet check.\n"
)


@dataclass
class ProposedEntry:
    """One entry of the written colorbook and the evidence behind it.

    Attributes
    ----------
    description : str
        ``"{color name} {zone}"`` (unique within the colorbook).
    category : str
        The proposed category, one of :data:`~paintbucket.io.colorbook.CATEGORIES`.
    colors : tuple of 4 (RGB or None)
        Highlight, normal, shadow1, shadow2.
    pixels : int
        Pixels of all its tones over all views.
    zone : str
        Where on the body most of them are.
    """

    description: str
    category: str
    colors: tuple
    pixels: int
    zone: str

    @property
    def entry(self) -> ColorEntry:
        return ColorEntry(self.description, self.category, self.colors)


@dataclass
class ColorStats:
    """Statistics of the colors of a set of views.

    Attributes
    ----------
    colors : (C, 4) uint8
        Every opaque color of a segment (transparent left out).
    pixels : (C,) int64
    contact : (C, C) int64
        Pixel edges where two colors touch without a line between them (symmetric).
    zones : (C, 6) int64
        Pixels per zone (the first six of :data:`ZONES`).
    character_pixels : int
        Opaque segment pixels over all views.
    """

    colors: np.ndarray
    pixels: np.ndarray
    contact: np.ndarray
    zones: np.ndarray
    character_pixels: int


def _zone_map(opaque: np.ndarray) -> np.ndarray:
    """(H, W) int zone index (first six :data:`ZONES`) by position in the box of
    ``opaque``; -1 outside it."""
    ys, xs = np.nonzero(opaque)
    zone = np.full(opaque.shape, -1, np.int64)
    if ys.size == 0:
        return zone
    top, height = ys.min(), max(int(ys.max() - ys.min()), 1)
    middle, half = (xs.min() + xs.max()) / 2, max((xs.max() - xs.min()) / 2, 1.0)
    rows = (np.arange(opaque.shape[0]) - top) / height
    offset = np.abs(np.arange(opaque.shape[1]) - middle) / half
    row_zone = np.select(
        [rows < HEAD_TOP_END, rows < FACE_END, rows < TORSO_END, rows < LEGS_END],
        [0, 1, 2, 4],
        5,
    )
    zone[:] = row_zone[:, None]
    zone[(row_zone[:, None] == 2) & (offset[None, :] > ARM_OFFSET)] = 3
    return zone


def color_stats(frames: list) -> ColorStats:
    """Pixels, contacts and zones of the colors of sheet views.

    Parameters
    ----------
    frames : list of ColoredFrame
        Views as :func:`~paintbucket.keyframe.sheet.reference_frame` makes them
        (segments split along color boundaries).

    Returns
    -------
    ColorStats
    """
    used = [f.palette[np.unique(f.segment_palette_index[1:])] for f in frames]
    keys = np.unique(np.concatenate([pack_rgba(colors) for colors in used]))
    keys = keys[unpack_rgba(keys).reshape(-1, 4)[:, 3] > 0]
    count = len(keys)
    pixels = np.zeros(count, np.int64)
    contact = np.zeros((count, count), np.int64)
    zones = np.zeros((count, len(ZONES) - 1), np.int64)
    character = 0
    for frame in frames:
        # Palette index of the frame -> row of ``keys`` (-1: transparent).
        own = pack_rgba(frame.palette)
        row_of = np.where(np.isin(own, keys), np.searchsorted(keys, own), -1)
        segment_row = np.append(row_of, -1)[frame.segment_palette_index]  # -1 -> last
        segment_row[0] = -1
        rows = segment_row[frame.segment_ids]
        opaque = rows >= 0
        character += int(opaque.sum())
        zone = _zone_map(opaque)
        pixels += np.bincount(rows[opaque], minlength=count)
        combined = rows[opaque] * zones.shape[1] + zone[opaque]
        zones += np.bincount(combined, minlength=zones.size).reshape(zones.shape)
        pairs = segment_row[segment_contacts(frame.segment_ids)]
        pairs = pairs[(pairs[:, 0] >= 0) & (pairs[:, 1] >= 0) & (pairs[:, 0] != pairs[:, 1])]
        contact += np.bincount(pairs[:, 0] * count + pairs[:, 1], minlength=count * count).reshape(
            count, count
        )
    contact = np.maximum(contact, contact.T)
    return ColorStats(unpack_rgba(keys).reshape(-1, 4), pixels, contact, zones, character)


def _hsv(colors: np.ndarray) -> np.ndarray:
    """(C, 3) float hue in degrees, saturation and value in [0, 1]."""
    hsv = cv2.cvtColor(colors[None, :, :3].astype(np.float32) / 255, cv2.COLOR_RGB2HSV)[0]
    return hsv


def _lightness(colors: np.ndarray) -> np.ndarray:
    """(C,) CIELAB L* of RGB(A) colors."""
    lab = cv2.cvtColor(colors[None, :, :3].astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    return lab[0, :, 0]


def same_hue(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two RGB colors can be tones of one material (see the module docstring).

    >>> same_hue(np.array([244, 188, 157]), np.array([193, 149, 124]))
    True
    >>> same_hue(np.array([158, 158, 159]), np.array([226, 203, 124]))
    False
    """
    (h1, s1, v1), (h2, s2, v2) = _hsv(np.stack([first, second]).astype(np.uint8))
    neutral1 = s1 < NEUTRAL_SATURATION or v1 < DARK_VALUE
    neutral2 = s2 < NEUTRAL_SATURATION or v2 < DARK_VALUE
    if neutral1 or neutral2:
        return bool(neutral1 and neutral2)
    shift = abs(h1 - h2) % 360
    return bool(min(shift, 360 - shift) <= MAX_HUE_SHIFT)


def _roles(members: list[int], pixels: np.ndarray, lightness: np.ndarray) -> list | None:
    """Variant slots (highlight, normal, shadow1, shadow2) of a group of colors, or None
    when it has more than one lighter or two darker tones than its normal, or a tone
    farther than :data:`MAX_TONE_GAP` from it."""
    normal = max(members, key=lambda m: (pixels[m], -m))
    if any(abs(lightness[m] - lightness[normal]) > MAX_TONE_GAP for m in members):
        return None
    lighter = [m for m in members if m != normal and lightness[m] >= lightness[normal]]
    darker = sorted(
        (m for m in members if m != normal and lightness[m] < lightness[normal]),
        key=lambda m: -lightness[m],
    )
    if len(lighter) > 1 or len(darker) > 2:
        return None
    return [lighter[0] if lighter else None, normal, *darker, *[None] * (2 - len(darker))]


def group_tones(stats: ColorStats) -> list[list[int | None]]:
    """Colors grouped into entries (module docstring, step 2).

    Returns
    -------
    groups : list of [highlight, normal, shadow1, shadow2]
        Row of ``stats.colors`` or None per slot; largest entries first.
    """
    lightness = _lightness(stats.colors)
    group_of = list(range(len(stats.colors)))
    members: dict[int, list[int]] = {i: [i] for i in group_of}
    first, second = np.nonzero(np.triu(stats.contact >= MIN_CONTACT, 1))
    for a, b in sorted(zip(first.tolist(), second.tolist()), key=lambda p: -stats.contact[p]):
        ga, gb = group_of[a], group_of[b]
        if ga == gb or not same_hue(stats.colors[a, :3], stats.colors[b, :3]):
            continue
        joined = members[ga] + members[gb]
        if _roles(joined, stats.pixels, lightness) is None:
            continue
        for m in members.pop(gb):
            group_of[m] = ga
        members[ga] = joined
    groups = [_roles(m, stats.pixels, lightness) for m in members.values()]
    groups.sort(key=lambda g: -sum(stats.pixels[m] for m in g if m is not None))
    return groups  # type: ignore[return-value]


def color_name(rgb: np.ndarray) -> str:
    """The nearest of :data:`COLOR_NAMES` in CIELAB.

    >>> color_name(np.array([158, 158, 159])), color_name(np.array([226, 203, 124]))
    ('gray', 'pale yellow')
    """
    names = list(COLOR_NAMES)
    table = np.array([COLOR_NAMES[n] for n in names] + [tuple(int(c) for c in rgb[:3])], np.uint8)
    lab = cv2.cvtColor(table[None].astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[0]
    return names[int(np.argmin(np.linalg.norm(lab[:-1] - lab[-1], axis=1)))]


def propose_entries(stats: ColorStats, encoder: TextEncoder | None = None) -> list[ProposedEntry]:
    """Entries with descriptions and categories (module docstring, steps 2 and 3).

    Parameters
    ----------
    stats : ColorStats
    encoder : TextEncoder, optional
        Defaults to the bundled sentence encoder.

    Returns
    -------
    entries : list of ProposedEntry
        Largest first; every color of ``stats`` in exactly one.
    """
    groups = group_tones(stats)
    prior_table = np.array([[ZONE_PRIORS[z].get(c, 0.0) for c in CATEGORIES] for z in ZONES])
    zone_pixels = np.array(
        [stats.zones[[m for m in g if m is not None]].sum(axis=0) for g in groups]
    ).reshape(len(groups), len(ZONES) - 1)
    # The entry that covers most of the top of the head is hair or hat, even where most of
    # its pixels frame the face.
    crown = int(np.argmax(zone_pixels[:, 0])) if len(groups) else -1
    descriptions, zones, sizes, priors = [], [], [], []
    for number, group in enumerate(groups):
        pixels = zone_pixels[number]
        size = int(pixels.sum())
        zone = ZONES[int(np.argmax(pixels))]
        if zone == "face" and size < DETAIL_SHARE * stats.character_pixels:
            zone = "face detail"
            prior = prior_table[ZONES.index(zone)]
        else:
            prior = pixels / max(size, 1) @ prior_table[: len(pixels)]
        if number == crown and zone_pixels[number, 0] > 0:
            prior = 0.5 * prior + 0.5 * prior_table[0]
        priors.append(prior)
        descriptions.append(f"{color_name(stats.colors[group[1]])} {zone}")
        zones.append(zone)
        sizes.append(size)
    similarity = category_scores(descriptions, encoder) if groups else np.zeros((0, 12))
    best = np.argmax(np.array(priors).reshape(len(groups), -1) + similarity, axis=1)
    entries, seen = [], {}
    for group, description, zone, size, category in zip(groups, descriptions, zones, sizes, best):
        seen[description] = seen.get(description, 0) + 1
        if seen[description] > 1:
            description = f"{description} {seen[description]}"
        colors = tuple(
            None if m is None else tuple(int(c) for c in stats.colors[m, :3]) for m in group
        )
        entries.append(ProposedEntry(description, CATEGORIES[int(category)], colors, size, zone))
    return entries


def colorbook_text(entries: list[ProposedEntry]) -> str:
    """The written ``colorbook.yml``: :data:`HEADER`, then one entry a line, each with a
    comment saying how many pixels it covers and where."""
    lines = format_colorbook(Colorbook(tuple(e.entry for e in entries))).splitlines()
    commented = [f"{line}  # {e.pixels} px, mostly {e.zone}" for line, e in zip(lines, entries)]
    return HEADER + "\n".join(commented) + "\n"


def _destination(files: ReferenceFiles) -> tuple[str, str | None]:
    """File names in ``ref/`` for a view's colored image and line art."""
    suffix = files.color.suffix.lower()
    fill = FILL_SUFFIX if files.color.stem.endswith(FILL_SUFFIX) else ""
    line = None if files.line is None else f"{files.name}{LINE_SUFFIX}{files.line.suffix.lower()}"
    return f"{files.name}{fill}{suffix}", line


def init_sheet(
    images: list[Path],
    out: Path,
    force: bool = False,
    seg_method: str = "default",
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    encoder: TextEncoder | None = None,
) -> tuple[DesignSheet, list[ProposedEntry]]:
    """Write a design sheet folder from colored views.

    Parameters
    ----------
    images : list of Path
        Colored views (``NAME.png``, ``NAME_fill.png``, ``NAME.psd``), optionally with
        their line art (``NAME_line.png``, ``NAME_lineart.png``); line art lying beside a
        view is found without being named.
    out : Path
        The sheet folder to write: ``ref/`` (the views' files, copied byte for byte and
        renamed ``NAME[_fill].png`` / ``NAME_line.png`` / ``NAME.psd``), then
        ``colorbook.yml``.
    force : bool
        Overwrite an existing ``colorbook.yml`` and same-named files in ``ref/``.
    seg_method : str
    max_pixels : int or None
    encoder : TextEncoder, optional

    Returns
    -------
    sheet : DesignSheet
        The written sheet, loaded back (so it is valid).
    entries : list of ProposedEntry

    Raises
    ------
    InputError
        A view that cannot be read or is not flat, unpaired files, or an existing sheet
        without ``force``.
    """
    views = pair_reference_files(images, find_lines=True)
    ref_dir, colorbook = out / "ref", out / "colorbook.yml"
    targets = []
    for files in views:
        color_file, line_file = _destination(files)
        targets.append((files.color, ref_dir / color_file))
        if line_file is not None:
            targets.append((files.line, ref_dir / line_file))
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    if not force:
        for path in [colorbook] + [target for _, target in targets]:
            if path.exists():
                raise InputError(path, "already exists (pass --force to overwrite)")
    frames = []
    for files in views:
        line_art, color = read_reference_images(files, max_pixels)
        frame, fills = reference_frame(line_art, color, seg_method)
        if frame is None:
            raise InputError(files.color, fills.problem())
        frames.append(frame)
    entries = propose_entries(color_stats(frames), encoder)
    # The views first: a folder without colorbook.yml is not a sheet yet.
    for source, target in targets:
        if source.resolve() != target.resolve():
            write_bytes(target, source.read_bytes())
    write_text(colorbook, colorbook_text(entries))
    return load_sheet(out, seg_method, max_pixels), entries
