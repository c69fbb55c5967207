"""Review state of one clip: results on disk, edits, undo history and propagation.

Everything the web app does goes through :class:`ReviewSession`, which knows nothing
about HTTP. Results live in ``RESULTS_DIR/<name>.png`` + ``<name>.json`` exactly as
``pbc colorize`` writes them; edits rewrite those files atomically
(:mod:`paintbucket.review.edits`), each edit one entry of the crash-safe undo history in
``RESULTS_DIR/.review/history/`` (:mod:`paintbucket.review.history`, which explains the
journal), and propagation re-colorizes the frames after a corrected one
(:mod:`paintbucket.review.propagation`).

A session recovers the history when it opens, right after a write failed, and before
every edit or undo, so the files and the history always agree; :meth:`ReviewSession.history`
lists ``done`` entries only. A session also removes, on opening, the temporary files
that killed writes left in the results folder, the history and the export folder. One
session per results folder at a time: two processes editing the same folder are not
coordinated.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from paintbucket.choices import ENGINE_NAMES, SEG_METHODS
from paintbucket.consecutive import make_engine
from paintbucket.core.frames import Engine, Frame
from paintbucket.errors import InputError
from paintbucket.io.clip import Clip, open_clip
from paintbucket.io.colorbook import read_colorbook
from paintbucket.io.images import normalize_transparent, read_rgba, remove_temp_files, write_bytes
from paintbucket.pipeline.clip import clip_line_threshold
from paintbucket.review.edits import (
    accept_segment,
    paint_segment,
    read_result_image,
    read_result_info,
    recolor_result,
    write_result,
)
from paintbucket.review.errors import ReviewError
from paintbucket.review.export import EXPORT_DIR, export_clip
from paintbucket.review.history import History
from paintbucket.review.palette import PALETTE_FILE, Palette, check_name
from paintbucket.review.propagation import propagate_results, reference_from_result
from paintbucket.review.tasks import Tasks
from paintbucket.segment.gaps import gap_lines
from paintbucket.segment.labels import fill_pinholes
from paintbucket.segment.lines import PAPER, classify_lines
from paintbucket.segment.stats import pack_rgba, unpack_rgba

#: Engine that re-propagates unless told otherwise: the one ``pbc colorize`` uses.
DEFAULT_ENGINE = ENGINE_NAMES[0]
#: Segments below this confidence are marked on the overlay by default.
DEFAULT_THRESHOLD = 0.8
#: Name of the folder (inside the results folder) holding the undo history.
STATE_DIR = ".review"
#: Undo entries kept on disk by default (each holds copies of the frames it changed).
DEFAULT_MAX_HISTORY = 200
#: Segment maps (and closegaps joins) kept in memory, each.
SEGMENT_CACHE_SIZE = 16
#: Default speck size, as a fraction of the frame's pixels: segments smaller than this
#: go after the real regions in the review queue (26 px on a 1600 x 1600 frame, where
#: most low-confidence segments are slivers of 1-10 px between strokes).
SPECK_FRACTION = 1e-5
#: Smallest default speck size, in pixels (for small frames).
MIN_SPECK_AREA = 4
#: Ways to order the review queue: lowest confidence first, or most likely wrong
#: pixels ((1 - confidence) x area) first.
QUEUE_ORDERS = ("confidence", "impact")
#: What the review queue does with specks: list them after the real regions, or not.
SPECK_MODES = ("after", "hide")


def default_speck_area(height: int, width: int) -> int:
    """Segments smaller than this many pixels are specks by default (:data:`SPECK_FRACTION`
    of the frame, at least :data:`MIN_SPECK_AREA`)."""
    return max(MIN_SPECK_AREA, round(height * width * SPECK_FRACTION))


def default_results_dir(clip_dir: str | Path) -> Path:
    """``CLIP_DIR/colorized``, where ``pbc review`` looks for results by default."""
    return Path(clip_dir) / "colorized"


def missing_results(clip_dir: str | Path, results_dir: str | Path) -> list[str]:
    """Names of the clip's frames without ``<name>.png`` or ``<name>.json`` in ``results_dir``."""
    clip = open_clip(clip_dir)
    results_dir = Path(results_dir)
    return [
        name
        for name in clip.names
        if not (results_dir / f"{name}.png").is_file()
        or not (results_dir / f"{name}.json").is_file()
    ]


def parse_color(value: object) -> tuple[int, int, int, int]:
    """Check a JSON color: a list of 3 (opaque) or 4 integers in 0..255.

    Raises
    ------
    ReviewError
        With status 400 when ``value`` is anything else.
    """
    if not isinstance(value, list) or len(value) not in (3, 4):
        raise ReviewError("color must be a list [R, G, B] or [R, G, B, A]")
    if not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value):
        raise ReviewError("color channels must be integers in 0..255")
    if len(value) == 3:
        value = [*value, 255]
    return tuple(value)  # type: ignore[return-value]


class ReviewSession:
    """One clip under review.

    Parameters
    ----------
    clip_dir : path
        Clip folder with ``line/`` and ``gt/`` (optionally ``colorbook.yml``,
        ``shadow/``).
    results_dir : path
        Folder with ``<name>.png`` + ``<name>.json`` for every frame.
    engine : callable or str
        Engine used to re-propagate after a correction; the default of
        ``pbc colorize`` (:data:`~paintbucket.choices.ENGINE_NAMES` ``[0]``) unless given.
    seg_method : {"default", "trappedball", "closegaps"}
        Segmentation of results whose JSON does not record theirs (``pbc colorize``
        records it as ``seg_method``; :meth:`segmentation`).
    keep_line : bool
        Draw the original line pixels over re-propagated frames (as
        ``pbc colorize --keep-line``).
    max_history : int
        Undo steps kept; older entries are deleted when a new edit is done.
    tasks : Tasks, optional
        Where long operations (propagate, export, recolor) run one at a time and
        report progress; shared with the app and the start-up colorization.

    Attributes
    ----------
    palette : (P, 4) uint8
        The current color of every palette entry (:attr:`palette_entries`).
    palette_names : list of (str or None)
        Their names.
    speck_area : int
        Default speck size of the queue (:func:`default_speck_area`).

    Raises
    ------
    InputError
        If the clip is malformed, a result is missing, unreadable or of the wrong size,
        or the palette file is malformed.
    """

    def __init__(
        self,
        clip_dir: str | Path,
        results_dir: str | Path,
        engine: Engine | str = DEFAULT_ENGINE,
        seg_method: str = "default",
        keep_line: bool = False,
        max_history: int = DEFAULT_MAX_HISTORY,
        tasks: Tasks | None = None,
    ) -> None:
        if max_history < 1:
            raise ValueError(f"max_history must be at least 1, got {max_history}")
        self.max_history = max_history
        self.clip: Clip = open_clip(clip_dir)
        self.clip_dir = Path(clip_dir).resolve()
        self.results_dir = Path(results_dir).resolve()
        self.names: list[str] = self.clip.names
        self.index = {name: i for i, name in enumerate(self.names)}
        self.keyframes = set(self.clip.keyframe_paths)
        self.seg_method = seg_method
        self.keep_line = keep_line
        self._engine_spec = engine
        self._engine: Engine | None = None
        self.lock = threading.RLock()
        self.tasks = tasks if tasks is not None else Tasks()
        self._segments: OrderedDict[str, np.ndarray] = OrderedDict()
        self._joins: OrderedDict[str, np.ndarray] = OrderedDict()
        self._clip_threshold: float | None = None
        self._areas: dict[str, np.ndarray] = {}
        self.history_dir = self.results_dir / STATE_DIR / "history"
        self._journal = History(self.history_dir, self.results_dir, self.names, max_history,
                                files=[PALETTE_FILE])  # fmt: skip

        missing = missing_results(self.clip_dir, self.results_dir)
        if missing:
            raise InputError(
                self.results_dir,
                f"no result for frame(s) {', '.join(missing[:5])}; run pbc colorize first",
            )
        self.size = read_rgba(self.clip.line_paths[0]).shape[:2]
        for name in self.names:
            self._check_size(self.result_path(name))
        self.speck_area = default_speck_area(*self.size)
        self._palette_keys = self._keyframe_palette()
        colorbook_path = self.clip_dir / "colorbook.yml"
        self._colorbook = read_colorbook(colorbook_path) if colorbook_path.is_file() else None
        self._remove_stale_temp_files()
        self._journal.recover()
        self._journal.prune()  # a crash may have come between an edit's commit and its pruning
        self._load_palette()
        self._info = {name: read_result_info(self.json_path(name)) for name in self.names}

    # ----------------------------------------------------------------- loading

    def result_path(self, name: str) -> Path:
        return self.results_dir / f"{name}.png"

    def json_path(self, name: str) -> Path:
        return self.results_dir / f"{name}.json"

    def line_path(self, name: str) -> Path:
        return self.clip.line_paths[self.index[name]]

    def _check_size(self, path: Path) -> None:
        try:
            with Image.open(path) as image:
                width, height = image.size
        except OSError as error:
            raise InputError(path, f"cannot read image ({error})") from None
        if (height, width) != self.size:
            raise InputError(
                path,
                f"result is {width}x{height} but the line art is {self.size[1]}x{self.size[0]}",
            )

    def _keyframe_palette(self) -> np.ndarray:
        """(P, 4) uint8: every distinct color of the keyframes, sorted."""
        packed = [
            np.unique(pack_rgba(normalize_transparent(read_rgba(path))))
            for path in self.clip.keyframe_paths.values()
        ]
        return unpack_rgba(np.unique(np.concatenate(packed)))

    def _load_palette(self) -> None:
        """(Re)read the palette entries: keyframe colors, colorbook and palette file."""
        self._palette = Palette.load(
            self._palette_keys, self._colorbook, self.results_dir / PALETTE_FILE
        )

    @property
    def palette(self) -> np.ndarray:
        return self._palette.colors

    @property
    def palette_names(self) -> list[str | None]:
        return [self._palette.name(i) for i in range(len(self._palette))]

    @property
    def engine_name(self) -> str:
        """Name of the re-propagation engine (without loading it)."""
        spec = self._engine_spec
        return spec if isinstance(spec, str) else getattr(spec, "name", type(spec).__name__)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            spec = self._engine_spec
            self._engine = make_engine(spec) if isinstance(spec, str) else spec
        return self._engine

    def frame_name(self, name: str) -> str:
        """Return ``name`` if it is a frame of the clip; otherwise a 404 error.

        Frame names are only ever looked up in this whitelist, never joined to a path
        as given, so no request can reach a file outside the clip and results folders.
        """
        if not isinstance(name, str) or name not in self.index:
            raise ReviewError(f"unknown frame {str(name)[:80]!r}", 404)
        return name

    def segmentation(self, name: str) -> str:
        """How a frame's result was segmented: its JSON's ``seg_method``, or for results
        written without one, the session's :attr:`seg_method`."""
        stored = self._info[name].get("seg_method")
        return stored if stored in SEG_METHODS else self.seg_method

    def joins(self, name: str) -> np.ndarray:
        """(H, W) bool: the lines ``closegaps`` drew to close the frame's gaps
        (:func:`~paintbucket.segment.gap_lines`), painted like their segments in the
        result; all False for the other segmentations. The page shows them on request,
        so a painter can check where the lines were closed."""
        if self.segmentation(name) != "closegaps":
            return np.zeros(self.size, dtype=bool)

        def compute() -> np.ndarray:
            # Only the line mask is needed: segmenting would close the gaps twice.
            line_art = read_rgba(self.line_path(name))
            return gap_lines(classify_lines(line_art, self.line_threshold(name)) != PAPER)

        # 0.25 s a 1920-px frame: cached, as a page stepping through frames asks again.
        return self._recent(self._joins, name, compute)

    def segments(self, name: str) -> np.ndarray:
        """(H, W) int32 segment ids of a frame (cached); checked against its JSON.

        The pinholes and faint stroke fringes that the segmentation merges into the line
        are given their nearest segment (:func:`~paintbucket.segment.fill_pinholes` with
        :meth:`~paintbucket.core.Frame.solid_line_mask`), as the colorized result paints
        them: a paint or recolor edit then repaints them with their segment.
        """

        def compute() -> np.ndarray:
            frame = self._frame(name)
            return fill_pinholes(frame.segment_ids, frame.solid_line_mask())

        return self._recent(self._segments, name, compute)

    def _recent(
        self, cache: OrderedDict[str, np.ndarray], name: str, compute: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """``cache[name]``, computed first if absent; the cache keeps the
        :data:`SEGMENT_CACHE_SIZE` frames used last."""
        with self.lock:
            if name in cache:
                cache.move_to_end(name)
                return cache[name]
            value = compute()
            cache[name] = value
            while len(cache) > SEGMENT_CACHE_SIZE:
                cache.popitem(last=False)
            return value

    def segment_id(self, name: str, segment: object) -> int:
        """Check a segment id of a frame: an integer in 1..N; otherwise a 4xx error."""
        if not isinstance(segment, int) or isinstance(segment, bool):
            raise ReviewError("segment id must be an integer")
        count = int(self._info[name]["num_segments"])
        if not 1 <= segment <= count:
            raise ReviewError(f"frame {name} has segments 1..{count}, not {segment}", 404)
        return segment

    def palette_color(self, value: object) -> tuple[int, int, int, int]:
        """Parse a color and check it is in the keyframe palette (else 422)."""
        color = parse_color(value)
        if not np.any(np.all(self.palette == np.array(color, np.uint8), axis=1)):
            raise ReviewError(f"color {list(color)} is not in the keyframe palette", 422)
        return color

    # ----------------------------------------------------------------- reading

    def clip_summary(self) -> dict:
        """Frame names, keyframes, size, engine, default speck size and palette."""
        return {
            "clip": self.clip_dir.name,
            "names": self.names,
            "keyframes": sorted(self.keyframes),
            "width": self.size[1],
            "height": self.size[0],
            "threshold": DEFAULT_THRESHOLD,
            "min_area": self.speck_area,
            "engine": self.engine_name,
            "seg_method": self.segmentation(self.names[0]),
            "colorbook": self._colorbook is not None,
            "palette": self.palette_entries(),
        }

    def palette_entries(self) -> list[dict]:
        """The palette (:meth:`Palette.summary`): per entry ``color`` (current), ``key``
        (its keyframe color), ``name`` and ``named_by`` (``colorbook``, ``palette``)."""
        with self.lock:
            return self._palette.summary()

    def areas(self, name: str) -> np.ndarray:
        """(N + 1,) int64 pixel count of every segment id of a frame (0: line), cached."""
        with self.lock:
            if name not in self._areas:
                count = int(self._info[name]["num_segments"])
                self._areas[name] = np.bincount(self.segments(name).ravel(), minlength=count + 1)
            return self._areas[name]

    def _areas_or_none(self, name: str) -> np.ndarray | None:
        # A frame whose segments disagree with its JSON still lists in the queue.
        try:
            return self.areas(name)
        except ReviewError:
            return None

    def index_segments(self) -> None:
        """Measure the segments of every non-key frame now (a long task with progress)
        rather than on the first queue request; the segment maps are not kept."""
        names = [n for n in self.names if n not in self.keyframes and n not in self._areas]
        with self.tasks.run("index", len(names)) as progress, self.lock:
            for name in names:
                self._areas_or_none(name)
                self._segments.pop(name, None)
                progress.advance()

    def frames(
        self, threshold: float = DEFAULT_THRESHOLD, min_area: int | None = None
    ) -> list[dict]:
        """Per frame: name, keyframe, segment count, lowest confidence, the unreviewed
        segments below ``threshold`` (``uncertain`` regions of at least ``min_area``
        pixels, default :attr:`speck_area`, and ``specks`` smaller ones), and where its
        colors came from: the chained ``reference`` frame and, in ``anchored`` mode, the
        references ``fused`` with it (frame names, ``"sheet"``)."""
        min_area = self.speck_area if min_area is None else min_area
        with self.lock:
            rows = []
            for name in self.names:
                info = self._info[name]
                ids = np.array([int(k) for k in info["confidence"]], dtype=np.int64)
                conf = np.array(list(info["confidence"].values()), dtype=np.float64)
                low = ids[conf < threshold]
                areas = self._areas_or_none(name) if low.size else None
                specks = int((areas[low] < min_area).sum()) if areas is not None else 0
                rows.append(
                    {
                        "name": name,
                        "keyframe": name in self.keyframes,
                        "num_segments": int(info["num_segments"]),
                        "min_confidence": float(conf.min()) if conf.size else 1.0,
                        "uncertain": int(low.size) - specks,
                        "specks": specks,
                        "edited": bool(info.get("edited", False)),
                        "propagated_from": info.get("propagated_from"),
                        "reference": info.get("reference"),
                        "fused": list(info.get("fused", [])),
                    }
                )
            return rows

    def frame_info(self, name: str) -> dict:
        """The frame's result JSON (colors, confidence, candidates, reviewed, ...)."""
        with self.lock:
            return json.loads(json.dumps(self._info[self.frame_name(name)]))

    def segment_info(self, name: str, segment: object) -> dict:
        """Color, confidence, candidates, area and bounding box of one segment."""
        with self.lock:
            name = self.frame_name(name)
            sid = self.segment_id(name, segment)
            info = self._info[name]
            mask = self.segments(name) == sid
            rows, cols = np.nonzero(np.any(mask, axis=1)), np.nonzero(np.any(mask, axis=0))
            key = str(sid)
            return {
                "frame": name,
                "segment": sid,
                "color": info["colors"][key],
                "confidence": info["confidence"][key],
                "candidates": [
                    {"color": color, "probability": prob, "name": self._name_of(color)}
                    for color, prob in info["candidates"][key]
                ],
                "reviewed": sid in info["reviewed"],
                "area": int(mask.sum()),
                "bbox": [int(cols[0].min()), int(rows[0].min()), int(cols[0].max()),
                         int(rows[0].max())],
                "keyframe": name in self.keyframes,
            }  # fmt: skip

    def _name_of(self, color: list[int]) -> str | None:
        return self._palette.name_of(tuple(color))

    def queue(
        self,
        limit: int = 200,
        threshold: float = 1.0,
        min_area: int | None = None,
        specks: str = "after",
        order: str = "confidence",
    ) -> list[dict]:
        """Unreviewed segments of non-key frames below ``threshold``, to review in order.

        Parameters
        ----------
        limit : int
            Longest list returned.
        threshold : float
            Confidence below which a segment is listed.
        min_area : int, optional
            Segments smaller than this many pixels are specks (default
            :attr:`speck_area`).
        specks : {"after", "hide"}
            List specks after all real regions, or not at all.
        order : {"confidence", "impact"}
            Lowest confidence first, or largest ``(1 - confidence) * area`` (the pixels
            most likely wrong) first; ties: clip order, then segment id.

        Returns
        -------
        items : list of dict
            ``frame``, ``segment``, ``confidence``, ``area`` (pixels; None when the
            frame's segments cannot be read) and ``speck``.
        """
        if specks not in SPECK_MODES or order not in QUEUE_ORDERS:
            raise ValueError(f"specks must be one of {SPECK_MODES}, order one of {QUEUE_ORDERS}")
        min_area = self.speck_area if min_area is None else min_area
        with self.lock:
            columns: list[tuple[np.ndarray, ...]] = []
            for index, name in enumerate(self.names):
                if name in self.keyframes:
                    continue
                info = self._info[name]
                ids = np.array([int(k) for k in info["confidence"]], dtype=np.int64)
                values = np.array(list(info["confidence"].values()), dtype=np.float64)
                keep = (values < threshold) & ~np.isin(ids, info["reviewed"])
                if not keep.any():
                    continue
                areas = self._areas_or_none(name)
                area = areas[ids[keep]] if areas is not None else np.full(int(keep.sum()), -1)
                columns.append((np.full(int(keep.sum()), index), ids[keep], values[keep], area))
            if not columns:
                return []
            frame_all, seg_all, conf_all, area_all = (np.concatenate(c) for c in zip(*columns))
            speck_all = (area_all >= 0) & (area_all < min_area)
            if specks == "hide":
                frame_all, seg_all, conf_all, area_all, speck_all = (
                    a[~speck_all] for a in (frame_all, seg_all, conf_all, area_all, speck_all)
                )
            keys = [seg_all, frame_all, conf_all]
            if order == "impact":
                keys.append(-(1.0 - conf_all) * np.maximum(area_all, 0))
            keys.append(speck_all)  # the last key sorts first: real regions, then specks
            chosen = np.lexsort(keys)[:limit]
            return [
                {"frame": self.names[int(f)], "segment": int(s), "confidence": float(c),
                 "area": int(a) if a >= 0 else None, "speck": bool(k)}
                for f, s, c, a, k in zip(frame_all[chosen], seg_all[chosen], conf_all[chosen],
                                         area_all[chosen], speck_all[chosen])
            ]  # fmt: skip

    # ----------------------------------------------------------------- history

    def _begin(self, action: str, names: list[str], **meta: object) -> Path:
        """Save the current files of ``names`` in a new, not done, history entry
        (:meth:`History.begin`); what an edit does first."""
        return self._journal.begin(action, names, **meta)

    def _reload(self, names: list[str]) -> None:
        """Read the result JSON of ``names`` again, after their files were rewritten."""
        for name in names:
            self._info[name] = read_result_info(self.json_path(name))

    def _settle(self) -> None:
        """Recover before a change, in case an earlier write failed and so did its
        immediate recovery (the files it left are then no state to build on)."""
        restored = self._journal.recover()
        self._reload(restored)
        if restored:
            self._load_palette()

    def _remove_stale_temp_files(self) -> list[Path]:
        """Delete the temporary files of writes a killed process never finished."""
        return [
            *remove_temp_files(self.results_dir),
            *remove_temp_files(self.results_dir / STATE_DIR, recursive=True),
            *remove_temp_files(self.results_dir / EXPORT_DIR, recursive=True),
        ]

    def history(self) -> list[dict]:
        """Done edits, oldest first."""
        with self.lock:
            return self._journal.records()

    def undo(self) -> dict:
        """Undo the last edit (paint, accept, propagate, recolor or rename), restoring
        its files exactly.

        Returns
        -------
        record : dict
            The undone history entry (as :meth:`history` listed it).
        """
        self.tasks.check_idle("undo")
        with self.lock:
            self._settle()
            entries = self._journal.entries()
            if not entries:
                raise ReviewError("nothing to undo", 409)
            record = self._journal.record(entries[-1])
            try:
                self._journal.undo(entries[-1], record)
            finally:
                self._reload(record["frames"])
                if record.get("files"):
                    self._load_palette()
            return record

    # ----------------------------------------------------------------- editing

    def _apply(
        self,
        action: str,
        names: list[str],
        outputs: Iterable[tuple[str, np.ndarray | None, dict]],
        files: dict[str, bytes] | None = None,
        **meta: object,
    ) -> None:
        """Write the new results of one edit as one history entry, all or nothing.

        Parameters
        ----------
        action : str
            ``"paint"``, ``"accept"``, ``"propagate"``, ``"recolor"`` or ``"rename"``.
        names : list of str
            The frames ``outputs`` rewrites, in its order.
        outputs : iterable of (name, rgba, info)
            Per changed frame: the new (H, W, 4) uint8 result, or None to keep the PNG,
            and the new result JSON. May be a generator, so that a cut-wide edit holds
            one frame at a time.
        files : dict, optional
            State files (:data:`PALETTE_FILE`) to write, relative path -> bytes.
        **meta
            Stored in the history entry.
        """
        files = files or {}
        written: dict[str, dict] = {}
        try:
            with self._journal.transaction(action, names, list(files), **meta):
                for name, rgba, info in outputs:
                    write_result(self.result_path(name), self.json_path(name), rgba, info)
                    written[name] = info
                for relative, data in files.items():
                    write_bytes(self.results_dir / relative, data)
        except BaseException:
            # The transaction has rolled the files back; show what is on disk. If the
            # rollback failed too, the next edit, undo or session start rolls back.
            with contextlib.suppress(Exception):
                self._reload(names)
                self._load_palette()
            raise
        self._info.update(written)
        self._journal.prune()

    def _editable(self, name: object) -> str:
        name = self.frame_name(name)  # type: ignore[arg-type]
        if name in self.keyframes:
            raise ReviewError(
                f"frame {name} is a keyframe; its colors come from gt/{name}.png", 409
            )
        return name

    def paint(self, name: str, segment: object, color: object) -> dict:
        """Fill one segment (its color-line pixels included) with a palette color.

        The segment is marked reviewed with confidence 1.

        Returns
        -------
        info : dict
            :meth:`segment_info` after the edit.
        """
        self.tasks.check_idle("paint")
        with self.lock:
            self._settle()
            name = self._editable(name)
            sid = self.segment_id(name, segment)
            rgba_color = self.palette_color(color)
            mask = self.segments(name) == sid
            rgba = read_result_image(self.result_path(name), mask.shape)
            info = self._info[name]
            rgba, new_info = paint_segment(rgba, info, mask, sid, rgba_color)
            meta = {"segment": sid, "color": list(rgba_color), "previous": info["colors"][str(sid)]}
            self._apply("paint", [name], [(name, rgba, new_info)], **meta)
            return self.segment_info(name, sid)

    def accept(self, name: str, segment: object) -> dict:
        """Mark a segment's current color as right: reviewed, confidence 1."""
        self.tasks.check_idle("accept")
        with self.lock:
            self._settle()
            name = self._editable(name)
            sid = self.segment_id(name, segment)
            info = accept_segment(self._info[name], sid)
            self._apply("accept", [name], [(name, None, info)], segment=sid)
            return self.segment_info(name, sid)

    def following(self, name: str) -> list[str]:
        """Frames after ``name`` up to (not including) the next keyframe."""
        result = []
        for later in self.names[self.index[name] + 1 :]:
            if later in self.keyframes:
                break
            result.append(later)
        return result

    def line_threshold(self, name: str) -> float:
        """The line threshold a frame was colorized with: its result JSON's
        ``line_threshold``, or for results written without one, the clip's automatic
        threshold as ``pbc colorize`` computes it
        (:func:`~paintbucket.pipeline.clip.clip_line_threshold`). Segmenting a soft
        drawing at another threshold would give other segments than its result's."""
        stored = self._info[name].get("line_threshold")
        if isinstance(stored, (int, float)) and not isinstance(stored, bool) and 0 < stored <= 1:
            return float(stored)
        with self.lock:
            if self._clip_threshold is None:
                self._clip_threshold = clip_line_threshold(self.clip.line_paths, "auto", None)
            return self._clip_threshold

    def _frame(self, name: str) -> Frame:
        """A frame's line art, segments and ink, cut as its result was
        (:meth:`segmentation`, :meth:`line_threshold`); its segment count checked against
        its JSON."""
        line_art = read_rgba(self.line_path(name))
        frame = Frame.from_line_art(line_art, self.segmentation(name), self.line_threshold(name))
        found = int(frame.segment_ids.max(initial=0))
        expected = int(self._info[name]["num_segments"])
        if found != expected:
            raise ReviewError(
                f"frame {name}: the line art has {found} segments but its result JSON has "
                f"{expected}; was it colorized with another --seg or --line-threshold?",
                409,
            )
        return frame

    def propagate(self, name: str) -> list[str]:
        """Re-colorize the frames after ``name`` (until the next keyframe) from its
        current, corrected result, each from its predecessor, and save them.

        All rewritten frames form one history entry, so one undo reverts them together.
        A long task (:attr:`tasks`): one step per frame. Recolored palette entries keep
        their new colors in the new results.

        Returns
        -------
        names : list of str
            The rewritten frames.
        """
        name = self.frame_name(name)
        targets = self.following(name)
        if not targets:
            raise ReviewError(f"no frame after {name} before the next keyframe", 409)
        with self.tasks.run("propagate", len(targets)) as progress, self.lock:
            self._settle()
            reference = reference_from_result(self._frame(name), self._info[name], self.palette)
            outputs = propagate_results(
                name, reference, targets, self._frame, self.engine,
                keep_line=self.keep_line, advance=progress.advance,
            )  # fmt: skip
            for target, _, info in outputs:
                info["line_threshold"] = self.line_threshold(target)
                info["seg_method"] = self.segmentation(target)
            changes = self._palette.changes()
            if changes:  # a keyframe reference still has the keyframes' colors
                outputs = [
                    (target, *self._recolor(target, rgba, info, changes))
                    for target, rgba, info in outputs
                ]
            self._apply("propagate", targets, outputs, source=name)
            return targets

    def _recolor(
        self, name: str, rgba: np.ndarray, info: dict, changes: dict
    ) -> tuple[np.ndarray, dict]:
        """A result of frame ``name`` with ``changes`` (old -> new RGBA) applied."""
        uses = any(tuple(color) in changes for color in info["colors"].values())
        recolored, info = recolor_result(
            rgba if uses else None, info, self.segments(name) if uses else None, changes
        )
        return (rgba if recolored is None else recolored), info

    def mapped_result(self, name: str) -> np.ndarray | None:
        """A frame's result in the cut's current palette, or None when the file on disk
        already is (always, for a non-key frame the review has recolored).

        Returns
        -------
        rgba : (H, W, 4) uint8 or None
            The result PNG with every segment of a recolored palette entry's keyframe
            color in the entry's current color.
        """
        with self.lock:
            name = self.frame_name(name)
            changes = self._palette.changes()
            info = self._info[name]
            if not any(tuple(color) in changes for color in info["colors"].values()):
                return None
            rgba = read_result_image(self.result_path(name), self.size)
            return self._recolor(name, rgba, info, changes)[0]

    def export(self, out_dir: str | Path | None = None) -> dict:
        """Export PNG sequences and layered PSDs (:func:`export_clip`); a long task
        (:attr:`tasks`), one step per frame."""
        with self.tasks.run("export", len(self.names)) as progress:
            return export_clip(self, out_dir, advance=progress.advance)

    # ----------------------------------------------------------------- palette

    def _palette_entry(self, color: object) -> tuple[tuple[int, int, int, int], int]:
        rgba = parse_color(color)
        index = self._palette.find(rgba)
        if index is None:
            raise ReviewError(f"color {list(rgba)} is not in the palette", 422)
        return rgba, index

    def recolor(self, color: object, new_color: object) -> dict:
        """Change a palette entry's color for the whole cut, in one undoable edit.

        Every segment of every non-key frame in ``color`` gets ``new_color`` (PNG and
        JSON, candidates included), and the palette file records the entry's new color,
        so keyframes are shown and exported in it and later propagations keep it.
        ``gt/`` is not changed. A long task (:attr:`tasks`), one step per frame.

        Parameters
        ----------
        color : list of int
            The entry's current color, RGBA.
        new_color : list of int
            RGB or RGBA, opaque; no other entry's color (or keyframe color).

        Returns
        -------
        result : dict
            ``frames`` (the rewritten frames) and ``palette`` (:meth:`palette_entries`).

        Raises
        ------
        ReviewError
            422 for a color not in the palette or a new color not opaque; 409 when the
            new color is the entry's already or another entry's.
        """
        new = parse_color(new_color)
        if new[3] != 255:
            raise ReviewError("the new color must be opaque (alpha 255)", 422)
        with self.tasks.run("recolor", len(self.names)) as progress, self.lock:
            self._settle()
            old, index = self._palette_entry(color)
            if new == old:
                raise ReviewError(f"{self._palette.label(index)!r} is {list(new)} already", 409)
            palette = self._palette.recolored(index, new)
            changes = {old: new}
            targets = [
                name
                for name in self.names
                if name not in self.keyframes and _mentions(self._info[name], old)
            ]
            progress.total = len(targets)

            def outputs() -> Iterator[tuple[str, np.ndarray | None, dict]]:
                for name in targets:
                    info = self._info[name]
                    uses = any(tuple(c) == old for c in info["colors"].values())
                    rgba = read_result_image(self.result_path(name), self.size) if uses else None
                    ids = self.segments(name) if uses else None
                    yield (name, *recolor_result(rgba, info, ids, changes))
                    progress.advance()

            palette_file = {PALETTE_FILE: palette.to_json().encode("utf-8")}
            key = palette.keys[index].tolist()
            self._apply("recolor", targets, outputs(), palette_file,
                        color=list(old), to=list(new), key=key)  # fmt: skip
            self._palette = palette
            return {"frames": targets, "palette": palette.summary()}

    def rename(self, color: object, name: object) -> dict:
        """Name a palette entry in the palette file (one undoable edit).

        Parameters
        ----------
        color : list of int
            The entry's current color, RGBA.
        name : str or None
            The new name (trimmed; ``""`` or None removes it).

        Returns
        -------
        result : dict
            ``palette`` (:meth:`palette_entries`).

        Raises
        ------
        ReviewError
            400 for a bad name, 422 for a color not in the palette, 409 for an entry the
            colorbook names.
        """
        self.tasks.check_idle("rename")
        new_name = check_name(name)
        with self.lock:
            self._settle()
            rgba, index = self._palette_entry(color)
            palette = self._palette.renamed(index, new_name)
            if palette.file_names != self._palette.file_names:
                self._apply("rename", [], [], {PALETTE_FILE: palette.to_json().encode("utf-8")},
                            color=list(rgba), name=new_name)  # fmt: skip
                self._palette = palette
            return {"palette": palette.summary()}


def _mentions(info: dict, color: tuple[int, ...]) -> bool:
    """Whether a result JSON has ``color`` as a segment's color or candidate."""
    wanted = list(color)
    return any(c == wanted for c in info["colors"].values()) or any(
        c == wanted for candidates in info["candidates"].values() for c, _ in candidates
    )
