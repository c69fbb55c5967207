"""Colorizing a clip folder (``line/`` + ``gt/`` keyframes) frame by frame."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintbucket.consecutive import make_engine
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.errors import InputError
from paintbucket.io.atomic import remove_temp_files
from paintbucket.io.images import (
    DEFAULT_MAX_PIXELS,
    image_size,
    list_pngs,
    read_rgba,
    write_png,
    write_text,
)
from paintbucket.io.outputs import check_output_folder
from paintbucket.pipeline.result import render_result

MODES = ("forward", "nearest")


@dataclass(frozen=True)
class Clip:
    """A clip folder: every line frame (in natural order of names) and the colored
    keyframes."""

    root: Path
    line_paths: tuple[Path, ...]
    keyframe_paths: dict[str, Path]

    @property
    def names(self) -> list[str]:
        return [p.stem for p in self.line_paths]


def open_clip(root: str | Path, require_keyframe: bool = True) -> Clip:
    """Find the frames of a clip folder and check its layout.

    Frames are the PNG files of ``line/`` in natural order of their names (``2.png``
    before ``10.png``); dot-files are ignored (:func:`~paintbucket.io.images.list_pngs`).

    Parameters
    ----------
    root : path
    require_keyframe : bool
        Whether ``gt/`` must hold a keyframe (not when the first keyframe comes from a
        design sheet).

    Raises
    ------
    InputError
        If ``line/`` is missing or empty, ``gt/`` is missing or empty (when required),
        two frame names differ only in letter case, or a keyframe has no line frame.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(root, "clip folder not found")
    line_dir, gt_dir = root / "line", root / "gt"
    if not line_dir.is_dir():
        raise InputError(line_dir, "missing line/ folder with the line-art frames")
    line_paths = list_pngs(line_dir)
    if not line_paths:
        raise InputError(line_dir, "no PNG line-art frames")
    if not gt_dir.is_dir() and require_keyframe:
        raise InputError(gt_dir, "missing gt/ folder with at least one colored keyframe")
    keyframes = {p.stem: p for p in list_pngs(gt_dir)} if gt_dir.is_dir() else {}
    if not keyframes and require_keyframe:
        raise InputError(gt_dir, "no colored keyframe (PNG) in gt/")
    names = {p.stem for p in line_paths}
    for name, path in keyframes.items():
        if name not in names:
            raise InputError(path, f"keyframe has no line frame line/{name}.png")
    return Clip(root, tuple(line_paths), keyframes)


def plan_references(names: list[str], keyframes: set[str], mode: str) -> list[tuple[int, int]]:
    """Order in which to colorize frames and the reference of each.

    Parameters
    ----------
    names : list of str
        Frame names in clip order.
    keyframes : set of str
        Names that have a colored keyframe.
    mode : {"forward", "nearest"}
        ``forward``: each frame from its predecessor, starting at the first keyframe
        (frames before it are walked backwards from it); a later keyframe restarts the
        chain. ``nearest``: each frame from its neighbour on the side of its nearest
        keyframe (ties go to the earlier keyframe).

    Returns
    -------
    steps : list of (frame index, reference index)
        In processing order: keyframe by keyframe, each followed by the frames colored
        from it, nearest first, so only a few frames at a time wait to serve as a
        reference. The reference is -1 for keyframes and is always processed before
        the frames that use it.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {MODES}")
    keys = np.array([i for i, name in enumerate(names) if name in keyframes])
    if keys.size == 0:
        raise ValueError("no keyframe among the frames")
    steps = []
    for index in range(len(names)):
        if index in keys:
            steps.append((index, 0, index, -1))
            continue
        if mode == "forward":
            previous = keys[keys < index]
            root = int(previous.max()) if previous.size else int(keys.min())
        else:
            root = int(keys[np.argmin(np.abs(keys - index))])
        reference = index - 1 if root < index else index + 1
        steps.append((root, abs(index - root), index, reference))
    steps.sort()
    return [(index, reference) for _, _, index, reference in steps]


def _check_frames(clip: Clip, max_pixels: int | None) -> tuple[int, int]:
    """Check every frame's size from its header (cheap: an oversized file fails before
    any is decoded), then decode each once so a corrupt file fails before any output.
    Returns (height, width)."""
    size = None
    for path in clip.line_paths:
        width, height = image_size(path, max_pixels)
        if size is None:
            size = (height, width)
        elif (height, width) != size:
            raise InputError(
                path,
                f"size {width}x{height} differs from the first frame's {size[1]}x{size[0]}",
            )
    for name, path in clip.keyframe_paths.items():
        width, height = image_size(path, max_pixels)
        if (height, width) != size:
            raise InputError(
                path, f"keyframe is {width}x{height} but line/{name} is {size[1]}x{size[0]}"
            )
    for path in (*clip.line_paths, *clip.keyframe_paths.values()):
        read_rgba(path, max_pixels)
    return size  # type: ignore[return-value]


def colorize_clip(
    clip_dir: str | Path,
    out_dir: str | Path,
    mode: str = "forward",
    engine: Engine | str | None = None,
    keep_line: bool = False,
    seg_method: str = "default",
    progress: bool = True,
    sheet: str | Path | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> list[Path]:
    """Colorize every line frame of a clip.

    Frames are processed one at a time, keyframe by keyframe (:func:`plan_references`),
    holding only the few frames still needed as references, so memory grows with the
    frame size, not with the number of frames or keyframes.

    Parameters
    ----------
    clip_dir : path
        Folder with ``line/`` (all frames) and ``gt/`` (one or more colored keyframes).
    out_dir : path
        Receives ``<name>.png`` (RGBA, transparent background, black lines, flat fills
        of keyframe colors) and ``<name>.json`` (colors, confidence and top candidates
        per segment) for every frame. It must not be the clip folder nor lie inside
        ``line/``, ``gt/``, ``line_anno/`` or ``sheet``. Stale temporary files of an
        interrupted run (:func:`~paintbucket.io.atomic.remove_temp_files`) are removed.
        Each frame's JSON is written before its PNG, so a PNG without its JSON is never
        a finished result.
    mode : {"forward", "nearest"}
        How references are chained; see :func:`plan_references`.
    engine : callable or str, optional
        ``engine(reference, target) -> SegmentColoring`` or an engine name for
        :func:`~paintbucket.consecutive.make_engine`; the learned inclusion
        matcher by default.
    keep_line : bool
        Draw the original line pixels over the fills.
    seg_method : {"default", "trappedball"}
        Segmentation of the line art.
    progress : bool
        Show a progress bar.
    sheet : path, optional
        A color design sheet folder: unless ``gt/`` already colors it, the first frame
        is colorized from the sheet with the learned keyframe matcher (``pbc keyframe``;
        shading from ``line_anno/<name>.png`` when the clip has it) and then serves as
        a keyframe. ``gt/`` may then be absent.
    max_pixels : int or None
        Refuse frames larger than this many pixels (checked from the file headers
        before anything is decoded); None: no limit of our own.

    Returns
    -------
    written : list of Path
        The PNG files, in clip order.

    Raises
    ------
    InputError
        On a bad clip or an output folder that cannot be written or would overwrite
        inputs; raised before anything is written.
    """
    from tqdm import tqdm

    clip = open_clip(clip_dir, require_keyframe=sheet is None)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {MODES}")
    inputs = [clip.root / "line", clip.root / "gt", clip.root / "line_anno"]
    out_dir = check_output_folder(out_dir, not_inside=inputs + ([sheet] if sheet else []),
                                  not_at=[clip.root])  # fmt: skip
    engine = (
        make_engine(engine or "inclusion") if engine is None or isinstance(engine, str) else engine
    )
    size = _check_frames(clip, max_pixels)
    names = clip.names
    sheet_frame = names[0] if sheet is not None and names[0] not in clip.keyframe_paths else None
    if sheet_frame is not None:
        from paintbucket.keyframe.sheet import load_sheet

        # validated before anything is written
        design_sheet = load_sheet(sheet, seg_method, max_pixels=max_pixels)
        anno_path = clip.root / "line_anno" / f"{sheet_frame}.png"
        if anno_path.is_file() and read_rgba(anno_path, max_pixels).shape[:2] != size:
            raise InputError(anno_path, f"size differs from line/{sheet_frame}.png")
    steps = plan_references(names, set(clip.keyframe_paths) | {sheet_frame} - {None}, mode)

    def read_frame(index: int) -> Frame:
        return Frame.from_line_art(read_rgba(clip.line_paths[index], max_pixels), seg_method)

    def read_keyframe(index: int) -> ColoredFrame:
        frame = read_frame(index)
        if names[index] == sheet_frame:
            return ColoredFrame.from_coloring(frame, sheet_coloring)
        key_path = clip.keyframe_paths[names[index]]
        return ColoredFrame.from_keyframe(frame, read_rgba(key_path, max_pixels), str(key_path))

    if sheet_frame is not None:
        sheet_coloring = _keyframe_from_sheet(design_sheet, read_frame(0), anno_path, max_pixels)
    for index, reference in steps:
        if reference < 0:
            read_keyframe(index)  # a keyframe that is not flat fails before any output

    users = np.bincount([r for _, r in steps if r >= 0], minlength=len(names))
    colored: dict[int, ColoredFrame] = {}
    remove_temp_files(out_dir)
    written = {}
    engine_name = getattr(engine, "name", type(engine).__name__)
    for index, reference in tqdm(steps, desc="colorize", unit="frame", disable=not progress):
        name = names[index]
        if reference < 0:
            frame = read_keyframe(index)  # read again rather than held: memory per frame
            from_sheet = name == sheet_frame
            coloring = sheet_coloring if from_sheet else frame.as_coloring()
            current = frame
            engine_used = "sheet" if from_sheet else "keyframe"
        else:
            frame = read_frame(index)
            coloring = engine(colored[reference], frame)
            current = ColoredFrame.from_coloring(frame, coloring)
            engine_used = engine_name
            users[reference] -= 1
            if users[reference] == 0:
                del colored[reference]
        if users[index] > 0:
            colored[index] = current
        rgba, info = render_result(
            frame,
            coloring,
            name,
            reference=None if reference < 0 else names[reference],
            keyframe=reference < 0 and name != sheet_frame,
            engine=engine_used,
            keep_line=keep_line,
        )
        # JSON first: a reader treats a PNG without its JSON as unfinished.
        write_text(out_dir / f"{name}.json", json.dumps(info))
        written[index] = write_png(out_dir / f"{name}.png", rgba)
    return [written[i] for i in sorted(written)]


def _keyframe_from_sheet(sheet, frame: Frame, anno_path: Path, max_pixels: int | None):
    """The first frame colorized from a design sheet (learned matcher + selection)."""
    from paintbucket.keyframe.colorize import colorize_keyframe
    from paintbucket.keyframe.learned import KeyframeModel
    from paintbucket.keyframe.select import ReferenceSelector
    from paintbucket.keyframe.shading import shading_from_annotation
    from paintbucket.keyframe.text import entry_categories

    shade = group = None
    if anno_path.is_file():
        shade, group = shading_from_annotation(frame.segment_ids, read_rgba(anno_path, max_pixels))
    result = colorize_keyframe(
        sheet, frame, shade=shade, group=group,
        categories=entry_categories(sheet.colorbook.entries),
        matcher=KeyframeModel(), selector=ReferenceSelector(),
    )  # fmt: skip
    return result.coloring
