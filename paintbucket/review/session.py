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
from pathlib import Path

import numpy as np
from PIL import Image

from paintbucket.choices import ENGINE_NAMES
from paintbucket.consecutive import make_engine
from paintbucket.core.frames import Engine, Frame
from paintbucket.errors import InputError
from paintbucket.io.clip import Clip, open_clip
from paintbucket.io.colorbook import read_colorbook
from paintbucket.io.images import normalize_transparent, read_rgba, remove_temp_files
from paintbucket.review.edits import (
    accept_segment,
    paint_segment,
    read_result_image,
    read_result_info,
    write_result,
)
from paintbucket.review.errors import ReviewError
from paintbucket.review.export import EXPORT_DIR
from paintbucket.review.history import History
from paintbucket.review.propagation import propagate_results, reference_from_result
from paintbucket.segment.lines import PAPER, classify_lines
from paintbucket.segment.regions import segment_line_art
from paintbucket.segment.stats import pack_rgba, unpack_rgba

#: Engine that re-propagates unless told otherwise: the one ``pbc colorize`` uses.
DEFAULT_ENGINE = ENGINE_NAMES[0]
#: Segments below this confidence are marked on the overlay by default.
DEFAULT_THRESHOLD = 0.8
#: Name of the folder (inside the results folder) holding the undo history.
STATE_DIR = ".review"
#: Undo entries kept on disk by default (each holds copies of the frames it changed).
DEFAULT_MAX_HISTORY = 200
#: Segment maps kept in memory.
SEGMENT_CACHE_SIZE = 16


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
    seg_method : {"default", "trappedball"}
        Segmentation used when the results were made.
    keep_line : bool
        Draw the original line pixels over re-propagated frames (as
        ``pbc colorize --keep-line``).
    max_history : int
        Undo steps kept; older entries are deleted when a new edit is done.

    Raises
    ------
    InputError
        If the clip is malformed, a result is missing, unreadable or of the wrong size.
    """

    def __init__(
        self,
        clip_dir: str | Path,
        results_dir: str | Path,
        engine: Engine | str = DEFAULT_ENGINE,
        seg_method: str = "default",
        keep_line: bool = False,
        max_history: int = DEFAULT_MAX_HISTORY,
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
        self._segments: OrderedDict[str, np.ndarray] = OrderedDict()
        self.history_dir = self.results_dir / STATE_DIR / "history"
        self._journal = History(self.history_dir, self.results_dir, self.names, max_history)

        missing = missing_results(self.clip_dir, self.results_dir)
        if missing:
            raise InputError(
                self.results_dir,
                f"no result for frame(s) {', '.join(missing[:5])}; run pbc colorize first",
            )
        self.size = read_rgba(self.clip.line_paths[0]).shape[:2]
        for name in self.names:
            self._check_size(self.result_path(name))
        self.palette = self._keyframe_palette()
        self.palette_names = self._palette_names()
        self._remove_stale_temp_files()
        self._journal.recover()
        self._journal.prune()  # a crash may have come between an edit's commit and its pruning
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

    def _palette_names(self) -> list[str | None]:
        """Colorbook entry of every palette color (``"hair on hair (shadow1)"``), if any."""
        path = self.clip_dir / "colorbook.yml"
        if not path.is_file():
            return [None] * len(self.palette)
        book = read_colorbook(path).palette()
        names: list[str | None] = []
        for color in self.palette.tolist():
            found = book.get(tuple(color[:3])) if color[3] == 255 else None
            names.append(None if found is None else f"{found[0].key} ({found[1]})")
        return names

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

    def segments(self, name: str) -> np.ndarray:
        """(H, W) int32 segment ids of a frame (cached); checked against its JSON."""
        with self.lock:
            if name in self._segments:
                self._segments.move_to_end(name)
                return self._segments[name]
            ids = segment_line_art(read_rgba(self.line_path(name)), seg_method=self.seg_method)
            expected = int(self._info[name]["num_segments"])
            if int(ids.max(initial=0)) != expected:
                raise ReviewError(
                    f"frame {name}: the line art has {int(ids.max(initial=0))} segments but "
                    f"its result JSON has {expected}; was it colorized with another --seg?",
                    409,
                )
            self._segments[name] = ids
            while len(self._segments) > SEGMENT_CACHE_SIZE:
                self._segments.popitem(last=False)
            return ids

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
        """Frame names, keyframes, size and palette (with colorbook names)."""
        return {
            "clip": self.clip_dir.name,
            "names": self.names,
            "keyframes": sorted(self.keyframes),
            "width": self.size[1],
            "height": self.size[0],
            "threshold": DEFAULT_THRESHOLD,
            "palette": [
                {"color": color, "name": label}
                for color, label in zip(self.palette.tolist(), self.palette_names)
            ],
        }

    def frames(self, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
        """Per frame: name, keyframe, segment count, lowest confidence, uncertain count."""
        with self.lock:
            rows = []
            for name in self.names:
                info = self._info[name]
                conf = np.array(list(info["confidence"].values()), dtype=np.float64)
                rows.append(
                    {
                        "name": name,
                        "keyframe": name in self.keyframes,
                        "num_segments": int(info["num_segments"]),
                        "min_confidence": float(conf.min()) if conf.size else 1.0,
                        "uncertain": int((conf < threshold).sum()),
                        "edited": bool(info.get("edited", False)),
                        "propagated_from": info.get("propagated_from"),
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
        hit = np.flatnonzero(np.all(self.palette == np.array(color, np.uint8), axis=1))
        return self.palette_names[int(hit[0])] if hit.size else None

    def queue(self, limit: int = 200, threshold: float = 1.0) -> list[dict]:
        """Unreviewed segments of non-key frames below ``threshold``, lowest confidence
        first (ties: clip order, then segment id)."""
        with self.lock:
            frame_idx, seg_idx, conf = [], [], []
            for index, name in enumerate(self.names):
                if name in self.keyframes:
                    continue
                info = self._info[name]
                ids = np.array([int(k) for k in info["confidence"]], dtype=np.int64)
                values = np.array(list(info["confidence"].values()), dtype=np.float64)
                keep = (values < threshold) & ~np.isin(ids, info["reviewed"])
                frame_idx.append(np.full(int(keep.sum()), index))
                seg_idx.append(ids[keep])
                conf.append(values[keep])
            if not frame_idx:
                return []
            frame_all, seg_all, conf_all = (np.concatenate(a) for a in (frame_idx, seg_idx, conf))
            order = np.lexsort((seg_all, frame_all, conf_all))[:limit]
            return [
                {"frame": self.names[int(f)], "segment": int(s), "confidence": float(c)}
                for f, s, c in zip(frame_all[order], seg_all[order], conf_all[order])
            ]

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
        self._reload(self._journal.recover())

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
        """Undo the last edit (paint, accept or propagate), restoring its files exactly.

        Returns
        -------
        record : dict
            The undone history entry (as :meth:`history` listed it).
        """
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
            return record

    # ----------------------------------------------------------------- editing

    def _apply(
        self, action: str, outputs: list[tuple[str, np.ndarray | None, dict]], **meta: object
    ) -> None:
        """Write the new results of one edit as one history entry, all or nothing.

        Parameters
        ----------
        action : str
            ``"paint"``, ``"accept"`` or ``"propagate"``.
        outputs : list of (name, rgba, info)
            Per changed frame: the new (H, W, 4) uint8 result, or None to keep the PNG,
            and the new result JSON.
        **meta
            Stored in the history entry.
        """
        names = [name for name, _, _ in outputs]
        try:
            with self._journal.transaction(action, names, **meta):
                for name, rgba, info in outputs:
                    write_result(self.result_path(name), self.json_path(name), rgba, info)
        except BaseException:
            # The transaction has rolled the files back; show what is on disk. If the
            # rollback failed too, the next edit, undo or session start rolls back.
            with contextlib.suppress(Exception):
                self._reload(names)
            raise
        for name, _, info in outputs:
            self._info[name] = info
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
            self._apply("paint", [(name, rgba, new_info)], **meta)
            return self.segment_info(name, sid)

    def accept(self, name: str, segment: object) -> dict:
        """Mark a segment's current color as right: reviewed, confidence 1."""
        with self.lock:
            self._settle()
            name = self._editable(name)
            sid = self.segment_id(name, segment)
            info = accept_segment(self._info[name], sid)
            self._apply("accept", [(name, None, info)], segment=sid)
            return self.segment_info(name, sid)

    def following(self, name: str) -> list[str]:
        """Frames after ``name`` up to (not including) the next keyframe."""
        result = []
        for later in self.names[self.index[name] + 1 :]:
            if later in self.keyframes:
                break
            result.append(later)
        return result

    def _frame(self, name: str) -> Frame:
        """A frame's line art, its (cached, checked) segments and its ink mask."""
        line_art = read_rgba(self.line_path(name))
        return Frame(line_art, self.segments(name), classify_lines(line_art) != PAPER)

    def propagate(self, name: str) -> list[str]:
        """Re-colorize the frames after ``name`` (until the next keyframe) from its
        current, corrected result, each from its predecessor, and save them.

        All rewritten frames form one history entry, so one undo reverts them together.

        Returns
        -------
        names : list of str
            The rewritten frames.
        """
        with self.lock:
            self._settle()
            name = self.frame_name(name)
            targets = self.following(name)
            if not targets:
                raise ReviewError(f"no frame after {name} before the next keyframe", 409)
            reference = reference_from_result(self._frame(name), self._info[name], self.palette)
            outputs = propagate_results(
                name, reference, targets, self._frame, self.engine, keep_line=self.keep_line
            )
            self._apply("propagate", outputs, source=name)
            return targets
