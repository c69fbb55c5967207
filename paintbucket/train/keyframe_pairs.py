"""Training samples for the keyframe matcher, built from ``pbc synth`` sheets and clips.

A sample is one reference view of a character's design sheet and one frame of one of
its clips, both resized so that the longer side is ``work_size`` and re-segmented at
that size. The target is augmented (rotation, resize, shift). Its parsing masks come,
at random, from its shading annotations, from simulated semantic strokes (a random
subset of segments marked with their true group), or are left empty, so one model
serves all three ways of using ``pbc keyframe``. A target segment's answer is every
reference segment of its colorbook entry (inclusion matching: entries span many
segments); its category supervises the parsing branch. With ``drop_color_lines`` a
target loses its red / green / blue lines (they become paper) while the sheet view keeps
them: real line art leaves cel shadows unlined, and a real sheet's fills still split it.
With ``flip_probability`` the target is mirrored left-right, so that the matcher sees
characters facing the other way than the sheet's views.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from paintbucket.io.colorbook import CATEGORIES, read_colorbook
from paintbucket.io.images import read_rgba
from paintbucket.io.index_png import read_label
from paintbucket.keyframe.inputs import character_box, group_masks, segment_majority
from paintbucket.keyframe.shading import UNKNOWN, annotation_codes, entry_group
from paintbucket.keyframe.sheet import load_sheet, reference_entry_map
from paintbucket.keyframe.text import categorize
from paintbucket.models.inputs import work_shape
from paintbucket.segment.gaps import label_paper_closing_gaps
from paintbucket.segment.labels import label_paper
from paintbucket.segment.lines import RED_LINE, classify_lines, line_ink

DEFAULT_KEYFRAME_PAIR_CONF = {
    "work_size": 384,  # longer side of both images (the inference working size)
    "rotation": 8.0,  # max target rotation in degrees
    "resize": 1.15,  # max target zoom factor in or out
    "translation": 0.05,  # max target shift as a fraction of the image side
    "line_threshold": 0.3,  # ink above this after resizing is line
    "annotation_probability": 0.6,  # parsing masks from the shading annotations
    "stroke_probability": 0.2,  # parsing masks from simulated strokes (else none)
    "max_segments": 600,  # skip samples with more segments than this (memory bound)
    "drop_color_lines": 0.0,  # chance that the target loses its color lines (sheet keeps them)
    # as pbc sheet init / pbc keyframe --seg-method closegaps segment open line art
    "closegaps_share": 0.0,  # chance that both images are segmented with closegaps
    # a character faces either way in a frame, its sheet views one way
    "flip_probability": 0.0,  # chance that the target is mirrored left-right
}


@dataclass
class KeyframePair:
    """One training sample (numpy, ready for the model).

    Attributes
    ----------
    line_ref, line_tgt : (H, W) float32 ink in {0, 1}
    parsing_tgt : (H, W, 3) float32 hair / skin / other masks
    segments_ref : (H, W) int32, 1..M;  segments_tgt : (H, W) int32, 1..N
    category_ref : (M,) int64 category per reference segment
    category_tgt : (N,) int64 category per target segment (-1 = unknown)
    frame_ref, frame_tgt : (4,) float32 character box in [0, 1] image units
    correct : (N, M) bool, target segment n+1 has the entry of reference segment m+1
    """

    line_ref: np.ndarray
    segments_ref: np.ndarray
    category_ref: np.ndarray
    frame_ref: np.ndarray
    line_tgt: np.ndarray
    parsing_tgt: np.ndarray
    segments_tgt: np.ndarray
    category_tgt: np.ndarray
    frame_tgt: np.ndarray
    correct: np.ndarray


@dataclass
class CharacterFiles:
    """Where one character's training data lie in a ``pbc synth`` folder: its design
    sheet folder and the line art of its labelled clip frames."""

    sheet_dir: Path
    entry_category: np.ndarray  # (E + 1,) int64 category per entry row (row 0 background)
    frames: list[Path]  # line/NNNN.png of every clip frame


def find_characters(data_dir: str | Path) -> list[CharacterFiles]:
    """Every ``*_sheet`` folder with a colorbook and at least one clip frame with
    ``label/`` and ``line_anno/``."""

    characters = []
    for sheet_dir in sorted(Path(data_dir).glob("*_sheet")):
        if not (sheet_dir / "colorbook.yml").is_file():
            continue
        name = sheet_dir.name.removesuffix("_sheet")
        frames = sorted(
            p
            for p in Path(data_dir).glob(f"{name}_*/line/*.png")
            if (p.parent.parent / "label" / p.name).is_file()
            and (p.parent.parent / "line_anno" / p.name).is_file()
        )
        if not frames:
            continue
        keys = [entry.key for entry in read_colorbook(sheet_dir / "colorbook.yml").entries]
        categories = ["background"] + categorize(keys)
        entry_category = np.array([CATEGORIES.index(c) for c in categories], dtype=np.int64)
        characters.append(CharacterFiles(sheet_dir, entry_category, frames))
    return characters


@lru_cache(maxsize=6000)
def _load_target(line_path: Path, shape: tuple[int, int], color_lines: bool = True):
    """Ink, label and annotation codes of a clip frame at ``shape`` (compact dtypes, so
    a training set's worth stays cached: about 0.7 MB per 384 x 384 frame); without
    ``color_lines`` the red / green / blue lines are paper."""
    clip = line_path.parent.parent
    line_art = read_rgba(line_path)
    ink = line_ink(line_art)
    if not color_lines:
        ink[classify_lines(line_art) >= RED_LINE] = 0.0
    line = cv2.resize(ink, shape[::-1], interpolation=cv2.INTER_AREA)
    label = read_label(clip / "label" / line_path.name)
    codes = annotation_codes(read_rgba(clip / "line_anno" / line_path.name))
    label = cv2.resize(label.astype(np.float32), shape[::-1], interpolation=cv2.INTER_NEAREST)
    codes = cv2.resize(codes.astype(np.float32), shape[::-1], interpolation=cv2.INTER_NEAREST)
    return line.astype(np.float16), label.astype(np.int16), codes.astype(np.int8)


@lru_cache(maxsize=256)
def _load_references(sheet_dir: Path, work_size: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Line art and entry row per pixel of every view of a sheet at work size, by view
    name (one :func:`load_sheet` per sheet: it analyzes every view at once)."""
    sheet = load_sheet(sheet_dir)
    views = {}
    for reference in sheet.references:
        height, width = reference.color.shape[:2]
        shape = work_shape(height, width, work_size, enlarge=True)
        entries = reference_entry_map(sheet, reference).astype(np.float32)
        line_art = read_rgba(reference.path.with_name(f"{reference.name}_line.png"))
        line = cv2.resize(line_ink(line_art), shape[::-1], interpolation=cv2.INTER_AREA)
        entries = cv2.resize(entries, shape[::-1], interpolation=cv2.INTER_NEAREST)
        views[reference.name] = (line, entries.astype(np.int16))
    return views


def reference_names(sheet_dir: Path) -> list[str]:
    return sorted(p.stem for p in (sheet_dir / "ref").glob("*.png") if not p.stem.endswith("_line"))


def _augment(arrays: list[np.ndarray], shape: tuple[int, int], conf: dict, rng) -> list:
    """The same random rotation / resize / shift for all arrays (first linear, rest nearest)."""
    height, width = shape
    angle = rng.uniform(-conf["rotation"], conf["rotation"])
    scale = np.exp(rng.uniform(-np.log(conf["resize"]), np.log(conf["resize"])))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    matrix[:, 2] += rng.uniform(-conf["translation"], conf["translation"], 2) * (width, height)
    out = [cv2.warpAffine(arrays[0], matrix, (width, height), flags=cv2.INTER_LINEAR)]
    for array in arrays[1:]:
        warped = cv2.warpAffine(array.astype(np.float32), matrix, (width, height),
                                flags=cv2.INTER_NEAREST, borderValue=-1.0)  # fmt: skip
        out.append(warped.astype(np.int64))
    return out


def make_keyframe_pair(
    character: CharacterFiles, rng: np.random.Generator, conf: dict
) -> KeyframePair | None:
    """Draw one sample; None if unusable (too many segments, empty)."""
    work_size = conf["work_size"]
    names = reference_names(character.sheet_dir)
    line_ref, entries_ref = _load_references(character.sheet_dir, work_size)[
        names[int(rng.integers(len(names)))]
    ]
    entries_ref = entries_ref.astype(np.int64)
    line_path = character.frames[int(rng.integers(len(character.frames)))]
    full = read_rgba(line_path).shape[:2]
    shape = work_shape(full[0], full[1], work_size, enlarge=True)
    # no draw when the augmentation is off: default runs keep stage 1's sample stream
    color_lines = conf["drop_color_lines"] <= 0 or rng.random() >= conf["drop_color_lines"]
    line_tgt, label_tgt, codes_tgt = _load_target(line_path, shape, color_lines)
    line_tgt = line_tgt.astype(np.float32)
    line_tgt, label_tgt, codes_tgt = _augment([line_tgt, label_tgt, codes_tgt], shape, conf, rng)
    # no draw at probability 0: earlier stages keep their sample stream
    if conf["flip_probability"] > 0 and rng.random() < conf["flip_probability"]:
        line_tgt, label_tgt, codes_tgt = (np.ascontiguousarray(a[:, ::-1])
                                          for a in (line_tgt, label_tgt, codes_tgt))  # fmt: skip

    line_ref = (line_ref >= conf["line_threshold"]).astype(np.float32)
    line_tgt = (line_tgt >= conf["line_threshold"]).astype(np.float32)
    label = label_paper
    # no draw at share 0: earlier stages keep their sample stream
    if conf["closegaps_share"] > 0 and rng.random() < conf["closegaps_share"]:
        label = label_paper_closing_gaps
    segments_ref = label(line_ref < 0.5)
    segments_tgt = label(line_tgt < 0.5)
    num_ref, num_tgt = int(segments_ref.max()), int(segments_tgt.max())
    if not (2 <= num_ref <= conf["max_segments"] and 1 <= num_tgt <= conf["max_segments"]):
        return None
    entry_ref = segment_majority(segments_ref, entries_ref, entries_ref >= 0)
    # label: -1 background -> entry row 0, 0 line (no vote), k -> row k
    entry_rows = np.where(label_tgt < 0, 0, label_tgt)
    entry_tgt = segment_majority(segments_tgt, entry_rows, label_tgt != 0)
    # labels past this sheet's entries belong to another character, a prop or an effect
    # of the clip (pbc synth scene clips): no answer on this sheet, no supervision
    entry_tgt[entry_tgt >= len(character.entry_category)] = -1
    entry_ref[0] = entry_tgt[0] = -1
    category_ref = np.where(entry_ref >= 0, character.entry_category[entry_ref.clip(0)], 0)
    category_tgt = np.where(entry_tgt >= 0, character.entry_category[entry_tgt.clip(0)], -1)
    groups_of_category = np.array([entry_group(c) for c in CATEGORIES])

    draw = rng.random()
    group = np.full(num_tgt + 1, UNKNOWN, dtype=np.int64)
    if draw < conf["annotation_probability"]:
        votes = segment_majority(segments_tgt, codes_tgt, codes_tgt >= 0)
        areas = np.bincount(segments_tgt.ravel(), minlength=num_tgt + 1)
        counts = np.bincount(segments_tgt.ravel(), weights=codes_tgt.ravel() >= 0,
                             minlength=num_tgt + 1)  # fmt: skip
        annotated = (votes >= 0) & (2 * counts > areas)
        group[annotated] = votes[annotated] // 3  # codes are group * 3 + shade
    elif draw < conf["annotation_probability"] + conf["stroke_probability"]:
        known = (category_tgt >= 0) & (entry_tgt > 0)
        marked = known & (rng.random(num_tgt + 1) < rng.uniform(0.3, 0.9))
        group[marked] = groups_of_category[category_tgt[marked]]
    parsing_tgt = group_masks(segments_tgt, group)

    return KeyframePair(
        line_ref=line_ref,
        segments_ref=segments_ref,
        category_ref=category_ref[1:],
        frame_ref=character_box(segments_ref, entry_ref == 0),
        line_tgt=line_tgt,
        parsing_tgt=parsing_tgt,
        segments_tgt=segments_tgt,
        category_tgt=category_tgt[1:],
        frame_tgt=character_box(segments_tgt, entry_tgt == 0),
        correct=(entry_tgt[1:, None] == entry_ref[None, 1:]) & (entry_tgt[1:, None] >= 0),
    )
