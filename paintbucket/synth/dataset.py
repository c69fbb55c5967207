"""Synthetic PaintBucket-Character data: characters, clips, design sheets, files.

Layout written by :func:`generate` into ``OUT_DIR``::

    OUT_DIR/
      dataset.json                  generation settings and the list of characters/clips
      <char>_sheet/                 color design sheet of one character
        colorbook.yml               "{description} on {category}: [hi, normal, shadow1, null]"
        character.json              seed, split, traits, label index of every colorbook entry
        ref/front.png  ref/front_line.png    T-pose, long shot from the front
        ref/side.png   ref/side_line.png     long shot from the character's left side
        ref/back.png   ref/back_line.png     long shot from behind
        ref/face.png   ref/face_line.png     face shot from the front
      <char>_<action>_<camera>/     one clip (also a valid ``pbc colorize`` clip folder)
        gt/0000.png ...             RGBA: background (0,0,0,0), lines (0,0,0,255), flat fills
        line/0000.png ...           RGBA: lines (0,0,0,255), paper (255,255,255,0)
        line_anno/0000.png ...      line art with shadow/highlight segments filled with the
                                    six annotation colors (hair / skin / other)
  With ``style="studio"`` lines are drawn as :mod:`paintbucket.synth.linestyle` says:
  color lines and floating strokes keep their region's color in gt/, line/ is
  anti-aliased (alpha = ink coverage), seg/ and label/ take line pixels at alpha >= 128.
        shadow/0000.png ...         RGBA: highlight 250, normal 200, shadow 100 gray fills,
                                    lines (0,0,0,255), background (0,0,0,0)
        label/0000.png ...          index label (RGBA): -1 background, 0 line pixels,
                                    1..M = colorbook entry (material) order
        seg/0000.png ...            segment ids (RGB), 0 = line, 4-connected non-line
                                    components numbered like ``label_paper``
        seg/0000.json               test split: segment id -> RGBA gt color
        json_color/0000.json        train split: segment id -> RGBA gt color
        json_index/0000.json        train split: segment id -> [pixel count, label index]

``<char>`` is ``char000``, ``char001``...; ``<action>`` one of walk, run, wave, turn,
jump, bend, sit; ``<camera>`` one of ``long`` (whole body), ``face`` (head and
shoulders) and ``closeup`` (the head filling the frame). Segment 1 is the segment of the
top-left pixel, the background whenever the character does not cover that corner.

Seeds: character ``i`` of a run with seed ``s`` and split ``p`` is built from
``((s * 2**20) + i) * 2 + (1 if p == "test" else 0)``; the parity makes train and test
characters disjoint by construction (``i < 2**20``). Clip-level randomness (actions,
light, camera drift) comes from the same character seed, so the same arguments always
give the same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from paintbucket.choices import LINE_WIDTHS, SPLITS, SYNTH_LINE_FEATURES, SYNTH_STYLES
from paintbucket.io import (
    Colorbook,
    ColorEntry,
    remove_temp_files,
    write_color_json,
    write_colorbook,
    write_index_json,
    write_label,
    write_png,
    write_segments,
    write_text,
)
from paintbucket.segment import label_paper
from paintbucket.synth.character import BODY_SHAPES, Character, build_character
from paintbucket.synth.linestyle import (
    PENCIL_GRAYS,
    PENCIL_SHARE,
    LineStyle,
    Stroke,
    clean_lines,
    studio_lines,
)
from paintbucket.synth.render import (
    HIGHLIGHT,
    NORMAL,
    SHADOW,
    Camera,
    empty_raster,
    rasterize,
    shade,
)
from paintbucket.synth.scene import (
    EFFECT_KINDS,
    PROP_KINDS,
    build_effect,
    build_prop,
    entering_offsets,
    entering_schedule,
    merge_tables,
    place,
    prop_position,
    scene_colors,
    screen_span,
)
from paintbucket.synth.skeleton import ACTIONS, Motion, forward_kinematics, t_pose
from paintbucket.synth.strokes import (
    SurfaceStroke,
    detail_lines,
    floating_strokes,
    project_strokes,
)

CAMERAS = ("long", "face", "closeup")
MAX_CHARACTERS = 2**20

#: Annotation fill colors of ``line_anno/`` per (group, shade): groups hair, skin, other.
ANNOTATION = {
    ("hair", HIGHLIGHT): (239, 238, 52),
    ("skin", HIGHLIGHT): (255, 227, 185),
    ("other", HIGHLIGHT): (255, 245, 139),
    ("hair", SHADOW): (185, 137, 253),
    ("skin", SHADOW): (255, 179, 196),
    ("other", SHADOW): (188, 201, 251),
}
SHADOW_GRAY = {HIGHLIGHT: 250, NORMAL: 200, SHADOW: 100}


@dataclass(frozen=True)
class SynthConfig:
    """Settings of one generation run.

    Attributes
    ----------
    characters, clips_per_character, frames : int
        How much to generate; clips cycle through 5 actions x 3 cameras (15 combinations).
    size : int
        Frame width and height in pixels.
    seed : int
        Run seed (see module docstring).
    split : str
        "train" (json_color/ + json_index/) or "test" (seg/*.json).
    fps : float
        Sampling rate of the actions; 10 as in the paper gives large motion.
    motion_scale : float
        Multiplies joint-angle amplitudes and the time step between frames.
    camera_motion : float
        Multiplies the camera pan, zoom and orbit speed during a clip.
    line_width : int
        Line width in pixels, 2 (both sides of every boundary) or 1 (thin pen lines);
        under ``style="studio"`` the width of the always-closed core of the boundaries.
    style : str
        How lines are drawn: ``"clean"`` (binary black lines on every boundary, the
        output of earlier versions byte for byte) or ``"studio"``
        (:mod:`paintbucket.synth.linestyle`).
    color_lines, floating_strokes, antialias, width_variation, pencil, gaps, jitter, \
detail_lines : bool
        The studio features (:class:`~paintbucket.synth.linestyle.LineStyle`), all on by
        default; turning one off is only meaningful (and only accepted) with
        ``style="studio"``.
    body_shapes : str
        ``"ellipsoid"`` or ``"varied"`` (capsules, tapered limbs, cloth and hair sheets;
        see :mod:`paintbucket.synth.character`).
    second_character_share, props_share, entering_share, effects_share : float
        Share of clips, 0..1, with a second character, with 1 or 2 props in front of the
        characters, with a character or prop entering or leaving the frame (clips of at
        least 3 frames), with an effect (half of them show only the effect); see
        :mod:`paintbucket.synth.scene`. All 0 by default: the original clips.
    """

    characters: int = 1
    clips_per_character: int = 15
    frames: int = 10
    size: int = 1024
    seed: int = 0
    split: str = "train"
    fps: float = 10.0
    motion_scale: float = 1.0
    camera_motion: float = 1.0
    line_width: int = 2
    style: str = "clean"
    color_lines: bool = True
    floating_strokes: bool = True
    antialias: bool = True
    width_variation: bool = True
    pencil: bool = True
    gaps: bool = True
    jitter: bool = True
    detail_lines: bool = True

    body_shapes: str = "ellipsoid"
    second_character_share: float = 0.0
    props_share: float = 0.0
    entering_share: float = 0.0
    effects_share: float = 0.0

    def line_style(self) -> LineStyle | None:
        """The studio :class:`~paintbucket.synth.linestyle.LineStyle`, None for clean."""
        if self.style != "studio":
            return None
        return LineStyle(**{name: getattr(self, name) for name in SYNTH_LINE_FEATURES})


#: Named presets; values override :class:`SynthConfig` defaults.
PRESETS: dict[str, dict[str, object]] = {
    "bench-consecutive": dict(
        characters=4,
        clips_per_character=3,
        frames=8,
        size=1024,
        seed=20240,
        split="test",
        fps=10.0,
        motion_scale=1.0,
        camera_motion=1.0,
    ),
    # the training settings of the README's stages with every studio line feature and
    # every content feature, on a seed none of the stages uses
    "train-studio": dict(
        characters=12,
        clips_per_character=15,
        frames=6,
        size=1024,
        seed=5,
        split="train",
        style="studio",
        body_shapes="varied",
        second_character_share=0.3,
        props_share=0.3,
        entering_share=0.2,
        effects_share=0.15,
    ),
}
#: The consecutive benchmark's settings, drawn like the training preset, on other characters.
PRESETS["bench-studio"] = {
    **PRESETS["bench-consecutive"],
    **{key: PRESETS["train-studio"][key] for key in (
        "style", "body_shapes", "second_character_share", "props_share", "entering_share",
        "effects_share")},
    "seed": 20250,
}  # fmt: skip


def character_seed(seed: int, index: int, split: str) -> int:
    """Seed of character ``index`` of a run; train and test seeds never coincide.

    Parameters
    ----------
    seed : int
        Run seed, >= 0.
    index : int
        Character number in the run, ``0 <= index < 2**20``.
    split : str
        ``"train"`` (even seeds) or ``"test"`` (odd seeds).

    Returns
    -------
    seed : int
        ``((seed * 2**20) + index) * 2 + (1 if split == "test" else 0)``.

    Examples
    --------
    >>> character_seed(0, 3, "train"), character_seed(0, 3, "test")
    (6, 7)
    >>> character_seed(7, 0, "train") == 7 * 2**21
    True
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if not 0 <= index < MAX_CHARACTERS or seed < 0:
        raise ValueError("need seed >= 0 and 0 <= index < 2**20")
    return ((seed * MAX_CHARACTERS) + index) * 2 + (1 if split == "test" else 0)


# --- frame composition ---------------------------------------------------------------


@dataclass
class RenderedFrame:
    """All images of one rendered synthetic frame, ready to be written to a clip folder.

    Not :class:`paintbucket.pipeline.frames.Frame` (line art and segments of a frame
    to colorize).

    Attributes
    ----------
    gt, line, line_anno, shadow : (H, W, 4) uint8
        RGBA images as written to disk.
    label : (H, W) int32
        -1 background, 0 line, 1..M material index + 1.
    seg : (H, W) int32
        Segment ids, 0 = line.
    colors : dict int -> (R, G, B, A)
        GT color of every segment id (the ``seg/*.json`` / ``json_color`` content).
    entries : dict int -> (pixel count, label index)
        The ``json_index`` content.
    """

    gt: np.ndarray
    line: np.ndarray
    line_anno: np.ndarray
    shadow: np.ndarray
    label: np.ndarray
    seg: np.ndarray
    colors: dict[int, tuple[int, int, int, int]]
    entries: dict[int, tuple[int, int]]


def _tables(character: Character) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lookup tables by piece: material, RGB per shade (P, 3, 3), annotation group."""
    piece_mat = np.asarray(character.piece_material, dtype=np.int32)
    colors = np.zeros((len(character.materials), 3, 3), dtype=np.uint8)
    groups = np.zeros(len(character.materials), dtype=np.int32)
    for m, material in enumerate(character.materials):
        highlight, normal, shadow = material.colors
        colors[m, SHADOW], colors[m, NORMAL], colors[m, HIGHLIGHT] = shadow, normal, highlight
        groups[m] = {"hair": 0, "skin": 1}.get(material.category, 2)
    return piece_mat, colors[piece_mat], groups[piece_mat]


def compose(
    character: Character,
    piece: np.ndarray,
    shading: np.ndarray,
    line_width: int = 2,
    style: LineStyle | None = None,
    strokes: list[Stroke] | None = None,
    seed: tuple[int, ...] = (),
    pencil_gray: int | None = None,
) -> RenderedFrame:
    """Turn a piece map and a shading map into all dataset images.

    Parameters
    ----------
    character : Character
    piece : (H, W) int32
        Piece id per pixel, -1 background.
    shading : (H, W) uint8
        Shade code per pixel.
    line_width : int
        1 or 2 pixels (see :func:`~paintbucket.synth.render.line_mask`).
    style : LineStyle, optional
        Studio line style (:func:`~paintbucket.synth.linestyle.studio_lines`); None draws
        clean binary lines.
    strokes : list of Stroke, optional
        Detail lines and floating strokes on screen (studio style only).
    seed : tuple of int
        Seed of the style's random draws (studio style only).
    pencil_gray : int, optional
        Grey level of black ink (studio style only).

    Returns
    -------
    frame : RenderedFrame
        Line pixels (``line/`` alpha >= 128) are 0 in ``seg`` and ``label``, except on
        floating strokes: each 8-connected stroke of one material is a segment numbered
        after the paper segments, labelled with its material.
    """
    piece_mat, piece_rgb, piece_group = _tables(character)
    fg = piece >= 0
    p = np.where(fg, piece, 0)
    if style is None:
        drawn = clean_lines(np.where(fg, p * 3 + shading, -1), line_width)
    else:
        material_rgb = np.array([m.colors[1] for m in character.materials], dtype=np.uint8)
        drawn = studio_lines(
            piece, shading, piece_mat, piece_rgb, material_rgb, line_width, style,
            seed, strokes or [], pencil_gray,
        )  # fmt: skip
    line = drawn.line
    fill = fg & ~line
    height, width = piece.shape

    gt = np.zeros((height, width, 4), dtype=np.uint8)
    gt[..., :3] = piece_rgb[p, shading]
    gt[..., 3] = 255
    gt[~fg] = 0
    gt[line] = drawn.gt[line]

    line_img = np.zeros((height, width, 4), dtype=np.uint8)
    line_img[..., :3] = 255
    ink = drawn.coverage > 0
    line_img[ink, :3] = drawn.ink_rgb[ink]
    line_img[ink, 3] = np.rint(drawn.coverage[ink] * 255).astype(np.uint8)

    anno_table = np.zeros((3, 3, 3), dtype=np.float32)  # group, shade -> RGB
    for g, group in enumerate(("hair", "skin", "other")):
        for s in (SHADOW, HIGHLIGHT):
            anno_table[g, s] = ANNOTATION[(group, s)]
    anno = line_img.copy()
    annotated = fill & (shading != NORMAL)
    faint = drawn.coverage[annotated][:, None]  # anti-aliased ink over the annotation
    blend = anno_table[piece_group[p[annotated]], shading[annotated]] * (1 - faint)
    blend += drawn.ink_rgb[annotated] * faint
    anno[annotated, :3] = np.rint(blend).astype(np.uint8)
    anno[annotated, 3] = 255

    gray = np.array([SHADOW_GRAY[SHADOW], SHADOW_GRAY[NORMAL], SHADOW_GRAY[HIGHLIGHT]], np.uint8)
    shadow = np.zeros((height, width, 4), dtype=np.uint8)
    shadow[fill, :3] = gray[shading[fill], None]
    shadow[fill, 3] = 255
    shadow[line] = (0, 0, 0, 255)

    label = np.where(fg, piece_mat[p] + 1, -1).astype(np.int32)
    label[line] = drawn.floating[line]

    seg = label_paper(~line)
    for material in np.unique(drawn.floating[drawn.floating > 0]):
        found, strokes_cc = cv2.connectedComponents(
            (drawn.floating == material).view(np.uint8), connectivity=8, ltype=cv2.CV_32S
        )
        seg = np.where(strokes_cc > 0, strokes_cc + seg.max(), seg).astype(np.int32)
    count = int(seg.max())
    # every segment is uniform in color and label (see paintbucket.synth.linestyle), so
    # any of its pixels gives its color and label
    flat = seg.ravel()
    rep_color = np.zeros((count + 1, 4), dtype=np.uint8)
    rep_color[flat] = gt.reshape(-1, 4)
    rep_label = np.zeros(count + 1, dtype=np.int64)
    rep_label[flat] = label.ravel()
    areas = np.bincount(flat, minlength=count + 1)
    ids = range(1, count + 1)
    colors = {i: (r, g, b, a) for i, (r, g, b, a) in zip(ids, rep_color[1:].tolist())}
    entries = {i: (int(areas[i]), int(rep_label[i])) for i in ids}
    return RenderedFrame(gt, line_img, anno, shadow, label, seg, colors, entries)


def render_frame(
    character: Character,
    motion: Motion,
    camera: Camera,
    size: int,
    light: np.ndarray,
    line_width: int = 2,
    style: LineStyle | None = None,
    surface: list[SurfaceStroke] | None = None,
    seed: tuple[int, ...] = (),
    pencil_gray: int | None = None,
) -> RenderedFrame:
    """Rasterize, shade and compose one frame (``surface`` strokes: studio style only)."""
    raster = rasterize(character, motion, camera, size)
    shading = shade(raster, light, shadow_below=0.18, highlight_above=0.9)
    strokes = None
    if style is not None and surface:
        strokes = project_strokes(surface, character, motion, camera, size)
    return compose(character, raster.piece, shading, line_width, style, strokes, seed, pencil_gray)


def write_frame(clip_dir: Path, name: str, frame: RenderedFrame, split: str) -> None:
    """Write every file of one frame into a clip folder (see module docstring)."""
    write_png(clip_dir / "gt" / f"{name}.png", frame.gt)
    write_png(clip_dir / "line" / f"{name}.png", frame.line)
    write_png(clip_dir / "line_anno" / f"{name}.png", frame.line_anno)
    write_png(clip_dir / "shadow" / f"{name}.png", frame.shadow)
    write_label(clip_dir / "label" / f"{name}.png", frame.label)
    write_segments(clip_dir / "seg" / f"{name}.png", frame.seg)
    if split == "test":
        write_color_json(clip_dir / "seg" / f"{name}.json", frame.colors)
    else:
        write_color_json(clip_dir / "json_color" / f"{name}.json", frame.colors)
        write_index_json(clip_dir / "json_index" / f"{name}.json", frame.entries)


# --- cameras, clips and sheets ---------------------------------------------------------


def shot_camera(character: Character, kind: str, yaw: float, pitch: float = 0.05) -> Camera:
    """A camera framing the character standing at the origin in its rest pose.

    Parameters
    ----------
    character : Character
        Its proportions place the pelvis and the head.
    kind : str
        ``"long"``: the whole body; ``"face"``: head and shoulders (6 head radii high);
        ``"closeup"``: the head filling the frame (3 head radii high).
    yaw, pitch : float
        Viewing direction in radians (yaw 0: in front of the character).

    Returns
    -------
    camera : Camera
        Orthographic camera, ``view`` world units high, aimed at the body or the head.

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`CAMERAS`.

    Examples
    --------
    >>> character = build_character(3)
    >>> face = shot_camera(character, "face", yaw=0.0)
    >>> round(face.view / character.props.head, 6), face.pitch
    (6.0, 0.05)
    >>> shot_camera(character, "long", 0.0).view > face.view
    True
    """
    p = character.props
    pelvis_y = p.thigh + p.shin + 0.07
    head_y = pelvis_y + p.torso_low + p.torso_up + p.neck + p.head
    if kind == "long":
        target, view = np.array([0.0, (head_y + p.head) / 2, 0.0]), head_y + p.head + 0.25
    elif kind == "face":
        target, view = np.array([0.0, head_y - p.head * 0.8, 0.0]), p.head * 6.0
    elif kind == "closeup":
        target, view = np.array([0.0, head_y, 0.0]), p.head * 3.0
    else:
        raise ValueError(f"unknown camera {kind!r}")
    return Camera(target, yaw, pitch, view)


def clip_plan(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """Pick ``count`` (action, camera) pairs: 5 random actions x 3 cameras, cycled.

    The first 15 pairs are all different (every action with every camera once, since 5
    and 3 are coprime); from the 16th on the plan repeats.

    Examples
    --------
    >>> plan = clip_plan(np.random.default_rng(0), 16)
    >>> len(set(plan)), plan[15] == plan[0]
    (15, True)
    >>> [camera for _, camera in plan[:4]]
    ['long', 'face', 'closeup', 'long']
    """
    actions = [str(a) for a in rng.choice(sorted(ACTIONS), size=5, replace=False)]
    combos = [(actions[i % 5], CAMERAS[i % 3]) for i in range(15)]
    return [combos[i % 15] for i in range(count)]


def clip_frames(
    character: Character,
    action: str,
    camera_kind: str,
    config: SynthConfig,
    rng: np.random.Generator,
) -> Iterator[tuple[Motion, Camera, np.ndarray]]:
    """Motion, camera and light of every frame of one clip."""
    func = ACTIONS[action]
    facing = float(rng.uniform(-0.9, 0.9))
    base = shot_camera(character, camera_kind, 0.0, float(rng.uniform(-0.05, 0.2)))
    start = float(rng.uniform(0.0, 0.3))
    dt = config.motion_scale / config.fps
    cm = config.camera_motion
    pan = rng.normal(0.0, 0.04, 3) * base.view * cm
    orbit = float(rng.normal(0.0, 0.12)) * cm
    zoom = float(np.exp(rng.normal(0.0, 0.05) * cm))
    light = np.array([rng.uniform(-0.7, 0.7), rng.uniform(-0.9, -0.3), rng.uniform(0.4, 0.9)])
    rest = forward_kinematics(character.props, {}, np.zeros(3), 0.0)
    follow = 0.5 if camera_kind == "long" else 0.8
    for i in range(config.frames):
        t = start + i * dt
        motion = func(t, config.motion_scale)
        motion = Motion(motion.pose, motion.root, motion.root_yaw + facing)
        # a camera operator follows the subject: the head for face shots and close-ups,
        # the pelvis for long shots; ``follow`` < 1 leaves some motion on screen
        bone = "pelvis" if camera_kind == "long" else "head"
        frames = forward_kinematics(character.props, motion.pose, motion.root, motion.root_yaw)
        target = base.target + follow * (frames[bone][0] - rest[bone][0])
        cam = Camera(
            target + pan * i,
            base.yaw + orbit * i,
            base.pitch,
            base.view * zoom**i,
        )
        yield motion, cam, light


SHEET_VIEWS = (
    ("front", "long", 0.0),
    ("side", "long", np.pi / 2),
    ("back", "long", np.pi),
    ("face", "face", 0.0),
)


def colorbook_of(character: Character, prefix: str = "") -> Colorbook:
    """The text-color list: one entry per material, shadow2 absent; ``prefix`` is put
    before every description."""
    return Colorbook(
        tuple(
            ColorEntry(
                prefix + m.description, m.category, (m.colors[0], m.colors[1], m.colors[2], None)
            )
            for m in character.materials
        )
    )


def write_sheet(
    sheet_dir: Path,
    character: Character,
    split: str,
    size: int,
    line_width: int = 2,
    style: LineStyle | None = None,
    surface: list[SurfaceStroke] | None = None,
) -> None:
    """Write ``ref/`` T-pose renders, ``colorbook.yml`` and ``character.json``.

    With a studio ``style`` the views are drawn in it (never in pencil: design sheets
    are clean copies), with the character's ``surface`` strokes.
    """
    light = np.array([-0.4, -0.6, 0.7])
    for number, (name, kind, yaw) in enumerate(SHEET_VIEWS):
        shot = shot_camera(character, kind, yaw, 0.0)
        frame = render_frame(
            character, t_pose(), shot, size, light, line_width, style, surface,
            (character.seed, 5, number),
        )  # fmt: skip
        write_png(sheet_dir / "ref" / f"{name}.png", frame.gt)
        write_png(sheet_dir / "ref" / f"{name}_line.png", frame.line)
    write_colorbook(sheet_dir / "colorbook.yml", colorbook_of(character))
    info = {
        "seed": character.seed,
        "split": split,
        "traits": character.traits,
        "labels": {
            str(i + 1): f"{m.description} on {m.category}"
            for i, m in enumerate(character.materials)
        },
    }
    write_text(sheet_dir / "character.json", json.dumps(info, indent=1) + "\n")


#: Runs a function over character indices, possibly in other processes, and returns
#: (or yields) the results in the order of the indices: ``map_characters(function,
#: indices)``; the built-in :func:`map` runs them here, one after another.
MapCharacters = Callable[[Callable[[int], dict], Iterable[int]], Iterable[dict]]


def generate_character(
    out: Path, config: SynthConfig, index: int, on_frame: Callable[[], None] | None = None
) -> dict:
    """Write character ``index`` of a run: its design sheet and its clips.

    Depends only on ``config`` and ``index`` (see the module docstring for the seeds),
    so characters can be written in any order, by any process.

    Parameters
    ----------
    out : Path
        The dataset folder.
    config : SynthConfig
    index : int
        Character number, ``0 <= index < config.characters``.
    on_frame : callable, optional
        Called after each frame written.

    Returns
    -------
    entry : dict
        Its ``dataset.json`` entry: ``name``, ``seed`` and ``clips`` (folder names).
    """
    seed = character_seed(config.seed, index, config.split)
    character = build_character(seed, config.body_shapes)
    style = config.line_style()
    surface: list[SurfaceStroke] = []
    if style is not None and style.floating_strokes:
        character, surface = floating_strokes(character, np.random.default_rng([seed, 4, 0]))
    if style is not None and style.detail_lines:
        surface += detail_lines(character, np.random.default_rng([seed, 4, 1]))
    name = f"char{index:03d}"
    write_sheet(
        out / f"{name}_sheet", character, config.split, config.size, config.line_width,
        style, surface,
    )  # fmt: skip
    rng = np.random.default_rng([seed, 1])
    plan = clip_plan(rng, config.clips_per_character)
    contents = [clip_content(config, seed, k) for k in range(len(plan))]
    guest = None
    if any(c.guest for c in contents):
        # built from its own entropy (seed, 2): a parity-split seed, so train and test
        # guests stay disjoint too; its colors differ from the main character's
        avoid = scene_colors([character])
        guest = build_character((seed, 2), config.body_shapes, avoid)
        sheet = out / f"{name}_guest_sheet"
        write_sheet(sheet, guest, config.split, config.size, config.line_width, style)
    clips, features = [], {}
    for number, ((action, camera_kind), content) in enumerate(zip(plan, contents)):
        clip_dir = out / f"{name}_{action}_{camera_kind}"
        pencil_gray = None
        if style is not None and style.pencil:
            clip_rng = np.random.default_rng([seed, 3, number])
            if clip_rng.random() < PENCIL_SHARE:
                pencil_gray = int(clip_rng.integers(PENCIL_GRAYS[0], PENCIL_GRAYS[1] + 1))
        frames = clip_frames(character, action, camera_kind, config, rng)
        if content.is_plain():
            for i, (motion, camera, light) in enumerate(frames):
                frame = render_frame(
                    character, motion, camera, config.size, light, config.line_width, style,
                    surface, (seed, 2, number, i), pencil_gray,
                )  # fmt: skip
                write_frame(clip_dir, f"{i:04d}", frame, config.split)
                if on_frame is not None:
                    on_frame()
        else:
            features[clip_dir.name] = content.features()
            studio = StudioLines(style, surface, (seed, 2, number), pencil_gray)
            write_scene_clip(clip_dir, name, character, guest, content, list(frames), config,
                             on_frame, studio)  # fmt: skip
        clips.append(clip_dir.name)  # from the 16th on, a repeat: listed again, as ever
    entry: dict = {"name": name, "seed": seed, "clips": clips}
    if guest is not None:
        entry["guest"] = {"name": f"{name}_guest", "seed": list(guest.seed)}
    if features:
        entry["content"] = features
    return entry


# --- clips with more content: a second character, props, entering, effects ------------


#: The content options of :class:`SynthConfig` and their defaults; ``dataset.json``
#: lists one only when it differs, so the default output is what it always was.
CONTENT_DEFAULTS: dict[str, object] = {
    "body_shapes": "ellipsoid",
    "second_character_share": 0.0,
    "props_share": 0.0,
    "entering_share": 0.0,
    "effects_share": 0.0,
}


@dataclass(frozen=True)
class ClipContent:
    """What one clip shows besides its main character.

    Attributes
    ----------
    guest : bool
        A second character (the ``<char>_guest`` of the design sheets).
    props : tuple of str
        Prop kinds (:data:`~paintbucket.synth.scene.PROP_KINDS`), at most 2, distinct.
    entering : str or None
        ``"in"`` or ``"out"``: one object (``mover``) enters or leaves the frame.
    mover : str
        ``"main"``, ``"guest"`` or ``"prop"`` (the first prop).
    effect : str or None
        Effect kind (:data:`~paintbucket.synth.scene.EFFECT_KINDS`).
    effect_only : bool
        The clip shows only the effect (no characters, no props).
    seed : tuple of int
        Entropy of the clip's content randomness.
    """

    guest: bool = False
    props: tuple[str, ...] = ()
    entering: str | None = None
    mover: str = "main"
    effect: str | None = None
    effect_only: bool = False
    seed: tuple[int, ...] = ()

    def is_plain(self) -> bool:
        """Only the main character: the original clip."""
        return not (self.guest or self.props or self.entering or self.effect)

    def features(self) -> list[str]:
        """Short names of what the clip adds (``dataset.json`` ``content``)."""
        names = ["second character"] if self.guest else []
        names += [f"prop {kind}" for kind in self.props]
        if self.entering:
            names.append(f"{self.mover} {'enters' if self.entering == 'in' else 'leaves'}")
        if self.effect:
            names.append(f"effect {self.effect}" + (" only" if self.effect_only else ""))
        return names


def clip_content(config: SynthConfig, seed: int, clip_index: int) -> ClipContent:
    """Draw the content of clip ``clip_index`` of the character of ``seed``.

    Uses its own generator (entropy ``(seed, 6, clip_index)``), so the main character,
    its motion and cameras are the same whatever the shares; one uniform per option is
    compared with its share, so raising one share never changes another option's clips.
    """
    entropy = (seed, 6, clip_index)
    rng = np.random.default_rng(entropy)
    draw = rng.random(4)
    effect = None
    effect_only = False
    if draw[3] < config.effects_share:
        effect = str(rng.choice(EFFECT_KINDS))
        effect_only = bool(rng.random() < 0.5)
    if effect_only:
        return ClipContent(effect=effect, effect_only=True, seed=entropy)
    guest = bool(draw[0] < config.second_character_share)
    props: tuple[str, ...] = ()
    if draw[1] < config.props_share:
        count = 1 + int(rng.random() < 0.3)
        props = tuple(str(k) for k in rng.choice(PROP_KINDS, size=count, replace=False))
    entering, mover = None, "main"
    if draw[2] < config.entering_share and config.frames >= 3:
        entering = "in" if rng.random() < 0.5 else "out"
        movers = ["main"] + ["guest"] * guest + ["prop"] * bool(props)
        mover = movers[int(rng.integers(len(movers)))]
    return ClipContent(guest, props, entering, mover, effect, False, entropy)


@dataclass(frozen=True)
class StudioLines:
    """How a clip's lines are drawn under ``style="studio"`` (see :func:`compose`).

    Attributes
    ----------
    style : LineStyle or None
        None: clean lines (the other fields are unused).
    surface : list of SurfaceStroke
        The main character's floating strokes and detail lines.
    seed : tuple of int
        Entropy of the clip's line drawing; frame ``i`` uses ``(*seed, i)``.
    pencil_gray : int or None
        Grey of the clip's black ink when it is drawn in pencil.
    """

    style: LineStyle | None = None
    surface: list[SurfaceStroke] = field(default_factory=list)
    seed: tuple[int, ...] = ()
    pencil_gray: int | None = None


def write_scene_clip(
    clip_dir: Path,
    name: str,
    character: Character,
    guest: Character | None,
    content: ClipContent,
    frames: list[tuple[Motion, Camera, np.ndarray]],
    config: SynthConfig,
    on_frame: Callable[[], None] | None = None,
    studio: StudioLines | None = None,
) -> None:
    """Render and write a clip with more than its main character (its lines drawn as
    ``studio`` says; only the main character carries floating strokes and detail lines).

    Besides the frames, writes ``colorbook.yml`` (every material of the clip in label
    order: label ``k`` is entry ``k``; the second character's entries start with
    ``"guest "``) and ``clip.json`` (which label ids belong to which character, prop
    or effect, and what enters or leaves).
    """
    rng = np.random.default_rng([*content.seed, 1])
    size, dt = config.size, config.motion_scale / config.fps
    base = frames[0][1]
    # (name, object, motion per frame); ``objects`` fixes the material (label) order
    tracks: list[tuple[str, Character, list[Motion]]] = [
        ("main", character, [motion for motion, _, _ in frames])
    ]
    if content.guest and guest is not None:
        func = ACTIONS[str(rng.choice(sorted(ACTIONS)))]
        side = float(rng.choice([-1.0, 1.0]))
        rot = base.rotation()
        spot = rot[:, 0] * side * max(rng.uniform(0.3, 0.5) * base.view, rng.uniform(0.25, 0.35))
        spot = spot + rot[:, 2] * rng.uniform(-0.3, 0.3)
        spot[1] = 0.0
        facing, start = float(rng.uniform(-1.5, 1.5)), float(rng.uniform(0.0, 0.3))
        motions = []
        for i in range(len(frames)):
            m = func(start + i * dt, config.motion_scale)
            motions.append(Motion(m.pose, m.root + spot, m.root_yaw + facing))
        tracks.append(("guest", guest, motions))
    used = scene_colors([t[1] for t in tracks])
    for kind in content.props:
        prop = build_prop(kind, rng, base.view, character.props, used)
        used = used | scene_colors([prop])
        motion = place(prop, *prop_position(kind, rng, base))
        tracks.append((f"prop {kind}", prop, [motion] * len(frames)))
    effect = None
    if content.effect is not None:
        effect = build_effect(content.effect, rng, character.props, used)
    merged, offsets = merge_tables([t[1] for t in tracks] + ([effect.character] if effect else []))
    if content.entering is not None:
        k = {"main": 0, "guest": 1, "prop": 1 + int(content.guest)}[content.mover]
        label, obj, motions = tracks[k]
        cameras = [camera for _, camera, _ in frames]
        spans = [screen_span(obj, m, c, size) for m, c in zip(motions, cameras)]
        side = float(rng.choice([-1.0, 1.0]))
        schedule = entering_schedule(len(frames), content.entering == "out")
        shift = entering_offsets(spans, [size / c.view for c in cameras], size, side, schedule)
        motions = [
            Motion(m.pose, m.root + c.rotation()[:, 0] * d, m.root_yaw)
            for m, c, d in zip(motions, cameras, shift)
        ]
        tracks[k] = (label, obj, motions)
    shown = [] if content.effect_only else range(len(tracks))
    studio = studio or StudioLines()
    for i, (_, camera, light) in enumerate(frames):
        raster = empty_raster(size)
        for k in shown:
            _, obj, motions = tracks[k]
            rasterize(obj, motions[i], camera, size, into=raster, piece_offset=offsets[k])
        shading = shade(raster, light, shadow_below=0.18, highlight_above=0.9)
        if effect is not None:
            tones = effect.tones(i * dt, size)
            raster.piece[tones > 0] = offsets[-1]
            shading[tones > 0] = tones[tones > 0] - 1
        strokes = None
        if studio.style is not None and studio.surface and not content.effect_only:
            strokes = project_strokes(studio.surface, character, tracks[0][2][i], camera, size)
        frame = compose(merged, raster.piece, shading, config.line_width, studio.style, strokes,
                        (*studio.seed, i), studio.pencil_gray)  # fmt: skip
        write_frame(clip_dir, f"{i:04d}", frame, config.split)
        if on_frame is not None:
            on_frame()

    entries, labels, first = [], [], 1
    owners = [(t[0], t[1]) for t in tracks] + ([("effect", effect.character)] if effect else [])
    for owner, obj in owners:
        prefix = "guest " if owner == "guest" else ""
        entries += colorbook_of(obj, prefix).entries
        count = len(obj.materials)
        sheet = {"main": f"{name}_sheet", "guest": f"{name}_guest_sheet"}.get(owner)
        labels.append({"object": owner, "sheet": sheet, "labels": [first, first + count - 1]})
        first += count
    write_colorbook(clip_dir / "colorbook.yml", Colorbook(tuple(entries)))
    info = {
        "content": content.features(),
        "objects": labels,
        "entering": None
        if content.entering is None
        else {"object": content.mover, "direction": content.entering},
    }
    write_text(clip_dir / "clip.json", json.dumps(info, indent=1) + "\n")


def generate(
    out_dir: str | Path,
    config: SynthConfig,
    progress: bool = True,
    map_characters: MapCharacters | None = None,
) -> list[Path]:
    """Generate a synthetic dataset.

    Parameters
    ----------
    out_dir : path-like
        Destination folder (created).
    config : SynthConfig
    progress : bool
        Show a tqdm progress bar over frames.
    map_characters : callable, optional
        Writes the characters (:data:`MapCharacters`), e.g. in parallel on Ray
        (:func:`paintbucket.batch.ray_map`); the bytes written are the same either way.
        By default they are written here, one after another.

    Stale temporary files of an interrupted run
    (:func:`~paintbucket.io.atomic.remove_temp_files`) are removed from ``out_dir``.

    Returns
    -------
    clips : list of Path
        The clip folders written, in order.
    """
    if config.split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {config.split!r}")
    if config.line_width not in LINE_WIDTHS:
        raise ValueError(f"line_width must be 1 or 2 pixels, got {config.line_width!r}")
    if not (math.isfinite(config.fps) and config.fps > 0):
        raise ValueError(f"fps must be a positive number, got {config.fps!r}")
    if config.style not in SYNTH_STYLES:
        raise ValueError(f"style must be one of {SYNTH_STYLES}, got {config.style!r}")
    for feature in SYNTH_LINE_FEATURES:
        value = getattr(config, feature)
        if not isinstance(value, bool):
            raise ValueError(f"{feature} must be True or False, got {value!r}")
        if not value and config.style != "studio":
            raise ValueError(f"{feature}=False only applies to style 'studio'")
    if config.body_shapes not in BODY_SHAPES:
        raise ValueError(f"body_shapes must be one of {BODY_SHAPES}, got {config.body_shapes!r}")
    for share in ("second_character_share", "props_share", "entering_share", "effects_share"):
        value = getattr(config, share)
        if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
            raise ValueError(f"{share} must be a number in 0..1, got {value!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_temp_files(out, recursive=True)
    per_character = config.clips_per_character * config.frames
    bar = tqdm(total=config.characters * per_character, unit="frame", disable=not progress)
    listing = []
    try:
        if map_characters is None:
            for index in range(config.characters):
                listing.append(generate_character(out, config, index, lambda: bar.update(1)))
        else:
            write = partial(generate_character, out, config)
            for entry in map_characters(write, range(config.characters)):
                listing.append(entry)
                bar.update(per_character)
    finally:
        bar.close()
    settings = {
        key: value
        for key, value in asdict(config).items()
        if key not in CONTENT_DEFAULTS or value != CONTENT_DEFAULTS[key]
    }
    if config.style == "clean":  # the dataset.json of earlier versions, byte for byte
        for key in ("style", *SYNTH_LINE_FEATURES):
            del settings[key]
    meta = {"config": settings, "characters": listing}
    write_text(out / "dataset.json", json.dumps(meta, indent=1) + "\n")
    return [out / clip for entry in listing for clip in entry["clips"]]
