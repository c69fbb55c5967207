"""Colorizing a clip folder (``line/`` + ``gt/`` keyframes) frame by frame: reading,
chaining (:mod:`paintbucket.pipeline.chain`) and writing PNG + JSON results."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paintbucket.choices import DEFAULT_MODE
from paintbucket.consecutive import DEFAULT_ENGINE, make_engine
from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.core.palette import DEFAULT_MIN_FLATNESS, flatness
from paintbucket.errors import InputError, InputWarning
from paintbucket.io.atomic import remove_temp_files
from paintbucket.io.clip import check_clip_frames, open_clip
from paintbucket.io.images import (
    DEFAULT_MAX_PIXELS,
    normalize_transparent,
    read_rgba,
    write_png,
    write_text,
)
from paintbucket.io.outputs import check_output_folder
from paintbucket.models.runtime import available_threads
from paintbucket.pipeline.chain import (
    MODES,
    colorize_sequence,
    extra_references,
    plan_references,
    weighed_sheet_opinion,
)
from paintbucket.pipeline.result import render_result
from paintbucket.segment.lines import auto_line_threshold, line_coverage_warning

#: Most frames :func:`colorize_clip` holds waiting to be written (a fast engine on slow
#: storage would otherwise queue every frame of the cut in memory).
WRITES_BEHIND = 2


#: A first-keyframe colorizer: ``first_keyframe(frame, annotation) -> SegmentColoring``,
#: given the drawing and its shading annotation (``line_anno/``, or None); e.g.
#: :meth:`paintbucket.keyframe.SheetColorizer.first_keyframe`.
FirstKeyframe = Callable[[Frame, "np.ndarray | None"], SegmentColoring]
#: A design sheet's opinion of any frame: ``sheet_opinion(frame, annotation) ->
#: SegmentColoring``; e.g. :meth:`paintbucket.keyframe.SheetColorizer.opinion`.
SheetOpinion = Callable[[Frame, "np.ndarray | None"], SegmentColoring]


def colorize_clip(
    clip_dir: str | Path,
    out_dir: str | Path,
    mode: str = DEFAULT_MODE,
    engine: Engine | str | None = None,
    keep_line: bool = False,
    seg_method: str = "default",
    progress: bool = True,
    first_keyframe: FirstKeyframe | None = None,
    sheet_opinion: SheetOpinion | None = None,
    protected: Sequence[str | Path] = (),
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    line_threshold: float | str = "auto",
    on_frame: Callable[[int], None] | None = None,
) -> list[Path]:
    """Colorize every line frame of a clip.

    Frames are processed one at a time, keyframe by keyframe
    (:func:`~paintbucket.pipeline.chain.plan_references`), holding only the few frames
    still needed as references, so memory grows with the frame size, not with the
    number of frames or keyframes.

    Parameters
    ----------
    clip_dir : path
        Folder with ``line/`` (all frames) and ``gt/`` (one or more colored keyframes).
    out_dir : path
        Receives ``<name>.png`` (RGBA, transparent background, black lines, flat fills
        of keyframe colors) and ``<name>.json`` (colors, confidence and top candidates
        per segment) for every frame; a painted keyframe's PNG is its ``gt/`` image,
        pixel for pixel. It must not be the clip folder nor lie inside ``line/``,
        ``gt/``, ``line_anno/`` or a ``protected`` folder. Stale temporary files of an
        interrupted run (:func:`~paintbucket.io.atomic.remove_temp_files`) are removed.
        Each frame's JSON is written before its PNG, so a PNG without its JSON is never
        a finished result.
    mode : {"anchored", "forward", "nearest"}
        How references are chained (default :data:`~paintbucket.choices.DEFAULT_MODE`,
        ``anchored``); see :func:`~paintbucket.pipeline.chain.plan_references`.
    engine : callable or str, optional
        ``engine(reference, target) -> SegmentColoring`` or an engine name for
        :func:`~paintbucket.consecutive.make_engine`; the learned inclusion
        matcher by default.
    keep_line : bool
        Draw the original line pixels over the fills (non-key frames).
    seg_method : {"default", "trappedball", "closegaps"}
        Segmentation of the line art.
    progress : bool
        Show a progress bar.
    first_keyframe : callable, optional
        Colors the first frame when ``gt/`` does not (:data:`FirstKeyframe`, e.g. a
        design sheet's :meth:`~paintbucket.keyframe.SheetColorizer.first_keyframe`,
        given ``line_anno/<name>.png`` when the clip has it); it then serves as a
        keyframe, and ``gt/`` may be absent.
    sheet_opinion : callable, optional
        In ``anchored`` mode, a design sheet's opinion of every non-key frame
        (:data:`SheetOpinion`, given ``line_anno/<name>.png`` when present) joins its
        references (:func:`~paintbucket.pipeline.chain.colorize_sequence`), weighed by
        :func:`~paintbucket.pipeline.chain.weighed_sheet_opinion`.
    protected : sequence of path
        More input folders ``out_dir`` must stay out of (e.g. the design sheet).
    max_pixels : int or None
        Refuse frames larger than this many pixels (checked from the file headers
        before anything is decoded); None: no limit of our own.
    line_threshold : float or "auto"
        Ink coverage from which a pixel is line. ``"auto"``: one threshold for the whole
        clip, the median of :func:`~paintbucket.segment.auto_line_threshold` over its
        frames (0.5 for crisp drawings, lower for soft pencil lines). A frame where
        almost no line is found gets an :class:`~paintbucket.errors.InputWarning` naming
        it (:func:`~paintbucket.segment.line_coverage_warning`).
    on_frame : callable, optional
        Called with the number of frames finished so far (their PNG and JSON written)
        after each frame, e.g. to report progress to another process.

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
    clip = open_clip(clip_dir, require_keyframe=first_keyframe is None)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {MODES}")
    out_dir = check_output_folder(out_dir, not_inside=[*clip.input_folders, *protected],
                                  not_at=[clip.root])  # fmt: skip
    if engine is None or isinstance(engine, str):
        engine = make_engine(engine or DEFAULT_ENGINE)
    uses_sheet = first_keyframe is not None or sheet_opinion is not None
    check_clip_frames(clip, max_pixels, annotations=uses_sheet)
    line_threshold = clip_line_threshold(clip.line_paths, line_threshold, max_pixels)
    names = clip.names
    sheet_frame = None
    if first_keyframe is not None and names[0] not in clip.keyframe_paths:
        sheet_frame = names[0]

    def read_annotation(index: int) -> np.ndarray | None:
        path = clip.annotation_path(names[index])
        if not path.is_file():
            return None
        return read_rgba(path, max_pixels)  # its size was checked with the frames

    def read_frame(index: int) -> Frame:
        line_art = read_rgba(clip.line_paths[index], max_pixels)
        return Frame.from_line_art(line_art, seg_method, line_threshold)

    def read_keyframe(index: int) -> tuple[ColoredFrame, SegmentColoring]:
        if names[index] == sheet_frame:
            return ColoredFrame.from_coloring(frame_zero, sheet_coloring), sheet_coloring
        key_path = clip.keyframe_paths[names[index]]
        frame, color = read_frame(index), read_rgba(key_path, max_pixels)
        try:
            key = ColoredFrame.from_keyframe(frame, color, str(key_path))
        except InputError as error:
            raise _with_closegaps_hint(error, frame, color, seg_method, line_threshold) from None
        return key, key.as_coloring()

    if sheet_frame is not None:
        frame_zero = read_frame(0)
        sheet_coloring = first_keyframe(frame_zero, read_annotation(0))
    key_indices = [i for i, name in enumerate(names) if name in clip.keyframe_paths]
    for index in key_indices:
        read_keyframe(index)  # a keyframe that is not flat fails before any output
    key_indices = sorted({*key_indices, *([0] if sheet_frame else [])})

    remove_temp_files(out_dir)
    engine_name = getattr(engine, "name", type(engine).__name__)
    opinion = None
    if sheet_opinion is not None:

        def opinion(index: int, frame: Frame) -> tuple[SegmentColoring, float]:
            return weighed_sheet_opinion(sheet_opinion, frame, read_annotation(index))

    steps = plan_references(names, {names[i] for i in key_indices}, mode)
    chained = [index for index, reference in steps if reference >= 0]
    written: dict[int, Path] = {}
    failed: list[bool] = []  # set by a failed write: no later frame is written

    def write_frame(index: int, reference: int, frame: Frame, coloring: SegmentColoring) -> None:
        if failed:
            return
        try:
            write_result(index, reference, frame, coloring)
        except BaseException:
            failed.append(True)
            raise

    def write_result(index: int, reference: int, frame: Frame, coloring: SegmentColoring) -> None:
        name = names[index]
        painted = reference < 0 and name != sheet_frame
        engine_used = "keyframe" if painted else "sheet" if reference < 0 else engine_name
        fused = {}
        if mode == "anchored" and reference >= 0:  # what joined the chained reference
            extras = [names[e] for e in extra_references(index, reference, key_indices)]
            fused["fused"] = extras + (["sheet"] if sheet_opinion is not None else [])
        rgba, info = render_result(frame, coloring, name,
                                   None if reference < 0 else names[reference], painted,
                                   engine_used, keep_line, mode=mode,
                                   line_threshold=line_threshold, seg_method=seg_method,
                                   **fused)  # fmt: skip
        if painted:  # the painter's own pixels, bit for bit
            rgba = normalize_transparent(read_rgba(clip.keyframe_paths[name], max_pixels))
        # JSON first: a reader treats a PNG without its JSON as unfinished.
        write_text(out_dir / f"{name}.json", json.dumps(info))
        written[index] = write_png(out_dir / f"{name}.png", rgba)
        if on_frame is not None:
            on_frame(len(written))

    # While a frame is colored, one thread reads and segments the next and another renders
    # and writes the previous: they fill the single-threaded stretches of the engine (at
    # 1024 px reading and segmenting take 35 ms, rendering and writing 45 ms).
    with ThreadPoolExecutor(1) as reader, ThreadPoolExecutor(1) as writer:
        load_frame = _prefetching(read_frame, chained, reader)
        sequence = colorize_sequence(len(names), key_indices, load_frame, read_keyframe, engine,
                                     mode, sheet_opinion=opinion)  # fmt: skip
        pending: list[Future] = []
        for step in tqdm(sequence, total=len(names), desc="colorize", unit="frame",
                         disable=not progress):  # fmt: skip
            pending = [job for job in pending if not _finished(job)]  # a failed write raises
            if len(pending) >= WRITES_BEHIND:  # bounded: each holds a frame and its result
                pending.pop(0).result()
            pending.append(writer.submit(write_frame, *step))
        for job in pending:
            job.result()
    return [written[i] for i in sorted(written)]


def _prefetching(
    load: Callable[[int], Frame], order: Sequence[int], pool: ThreadPoolExecutor
) -> Callable[[int], Frame]:
    """``load``, which also starts loading (in ``pool``) the frame that follows in
    ``order`` whenever one is asked for; a frame asked for out of order loads at once."""
    following = dict(zip(order, order[1:]))
    started: dict[int, Future] = {}

    def load_frame(index: int) -> Frame:
        job = started.pop(index, None)
        frame = load(index) if job is None else job.result()
        upcoming = following.get(index)
        if upcoming is not None and upcoming not in started:
            started[upcoming] = pool.submit(load, upcoming)
        return frame

    return load_frame


def _finished(job: Future) -> bool:
    """Whether ``job`` is done; its exception, if any, is raised."""
    if not job.done():
        return False
    job.result()
    return True


def _with_closegaps_hint(
    error: InputError, frame: Frame, color: np.ndarray, seg_method: str, line_threshold: float
) -> InputError:
    """``error`` (a keyframe refused as not flat), saying so when closing the drawing's
    gaps (``--seg-method closegaps``) would make the keyframe flat: its fills are flat
    but run through gaps in the lines from one segment into the next."""
    if seg_method == "closegaps" or "not flat" not in error.problem:
        return error
    closed = Frame.from_line_art(frame.line_art, "closegaps", line_threshold)
    score = flatness(closed.segment_ids, normalize_transparent(color))
    if score < DEFAULT_MIN_FLATNESS:
        return error
    return InputError(
        error.path,
        f"{error.problem}; its lines have gaps: with --seg-method closegaps, "
        f"{score:.1%} of its fill pixels match their segment's color",
    )


def clip_line_threshold(
    line_paths: Sequence[Path], line_threshold: float | str, max_pixels: int | None
) -> float:
    """The line threshold of a clip's frames (``"auto"``: the median of each frame's
    :func:`~paintbucket.segment.auto_line_threshold`), warning about every frame where
    almost no line is found at it (:class:`~paintbucket.errors.InputWarning`).

    Frames are read by as many threads as this process may compute with
    (:func:`~paintbucket.models.runtime.available_threads`): with ``"auto"`` each is read
    twice, for its threshold and then for the warning at the clip's threshold, and this
    runs before the first frame is colored.
    """

    def each_frame(function: Callable[[np.ndarray], object]) -> list:
        with ThreadPoolExecutor(available_threads()) as pool:
            return list(pool.map(lambda path: function(read_rgba(path, max_pixels)), line_paths))

    if line_threshold == "auto":
        line_threshold = float(np.median(each_frame(auto_line_threshold)))
    messages = each_frame(lambda line_art: line_coverage_warning(line_art, line_threshold))
    for path, message in zip(line_paths, messages):
        if message is not None:
            warnings.warn(f"{path}: {message}", InputWarning, stacklevel=3)
    return float(line_threshold)
