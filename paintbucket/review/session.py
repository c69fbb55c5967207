"""Review state of one clip: results on disk, edits, undo history and propagation.

Everything the web app does goes through :class:`ReviewSession`, which knows nothing
about HTTP. Results live in ``RESULTS_DIR/<name>.png`` + ``<name>.json`` exactly as
``pbc colorize`` writes them; edits rewrite those files atomically.

Undo history lives on disk in ``RESULTS_DIR/.review/history/NNNNNN/``: one entry per edit
(paint, accept, propagate), holding the PNG and JSON bytes every frame it changed had
before, and ``entry.json`` (action, frames, ``done``). Only the newest ``max_history``
entries are kept, so a long session does not fill the disk with frame copies.

Crash safety. Each write is atomic (temporary file + rename), and an edit or an undo is a
multi-file transaction journaled in its ``entry.json``, so a process killed at any point
(SIGKILL, an exception) leaves, once a session has reopened the folder, every frame
wholly edited or wholly not, with the history agreeing. (Power loss is another matter:
the writers do not fsync, so the renames may reach the disk out of order.)

* Edit: save the frames' current bytes in a new entry, then write ``entry.json`` with
  ``done: false`` (the intent), then the new PNGs and JSONs, then ``done: true`` (the
  commit point). An entry without ``entry.json`` changed nothing yet.
* Undo: rewrite the newest entry's ``entry.json`` with ``done: false, undoing: true``
  (from here on it is no longer in the history), copy the saved bytes back to every
  frame, then delete the entry.
* Delete an entry (after an undo, or the oldest beyond ``max_history``): rename its
  folder to ``.removed-...`` first, one atomic step that takes it out of the history,
  then delete the files. A half-deleted entry is thus never listed nor undone.
* Recovery, when a session opens, right after a write failed, and before every edit
  or undo: delete ``.removed-*`` folders and entries without ``entry.json``; restore
  every entry that is not ``done``, newest first, and delete it. For an interrupted
  edit that rolls it back; for an interrupted undo it rolls the undo forward.
  Restoring only copies the entry's saved bytes, which nothing changes before the
  entry is deleted, so doing it again after another crash gives the same result.
  Opening also drops entries beyond ``max_history`` (a crash between an edit's commit
  and the pruning leaves one too many).

:meth:`ReviewSession.history` lists ``done`` entries only. A session also removes, on
opening, the temporary files that killed writes left in the results folder, the history
and the export folder. One session per results folder at a time: two processes editing
the same folder are not coordinated.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image

from paintbucket.consecutive import make_engine
from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.errors import InputError
from paintbucket.io.clip import Clip, open_clip
from paintbucket.io.colorbook import read_colorbook
from paintbucket.io.images import (
    normalize_transparent,
    read_rgba,
    remove_temp_files,
    write_bytes,
    write_png,
    write_text,
)
from paintbucket.review.export import EXPORT_DIR
from paintbucket.segment.lines import PAPER, classify_lines
from paintbucket.segment.regions import segment_line_art
from paintbucket.segment.stats import pack_rgba, unpack_rgba

#: Segments below this confidence are marked on the overlay by default.
DEFAULT_THRESHOLD = 0.8
#: Name of the folder (inside the results folder) holding the undo history.
STATE_DIR = ".review"
#: Journal of one history entry (action, frames, ``done``), inside its folder.
ENTRY_FILE = "entry.json"
#: Prefix of a history entry folder being deleted (no longer part of the history).
REMOVED_PREFIX = ".removed-"
#: Undo entries kept on disk by default (each holds copies of the frames it changed).
DEFAULT_MAX_HISTORY = 200
#: Segment maps kept in memory.
SEGMENT_CACHE_SIZE = 16
_REQUIRED_KEYS = ("num_segments", "colors", "confidence", "candidates")


class ReviewError(Exception):
    """A request the session refuses; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


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
        Engine used to re-propagate after a correction (``"flow"`` by default).
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
        engine: Engine | str = "flow",
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
        self._recover()
        self._prune()  # a crash may have come between an edit's commit and its pruning
        self._info = {name: self._read_info(name) for name in self.names}

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

    def _read_info(self, name: str) -> dict:
        path = self.json_path(name)
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(path, f"cannot read result JSON ({error})") from None
        if not isinstance(info, dict) or any(key not in info for key in _REQUIRED_KEYS):
            raise InputError(path, f"result JSON needs the keys {', '.join(_REQUIRED_KEYS)}")
        info.setdefault("reviewed", [])
        return info

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

    def _entries(self) -> list[Path]:
        """History entry folders (``NNNNNN``), oldest first."""
        if not self.history_dir.is_dir():
            return []
        return sorted(p for p in self.history_dir.iterdir() if p.is_dir() and p.name.isdigit())

    def _record(self, entry: Path) -> dict | None:
        """An entry's ``entry.json``, or None while it has none (snapshot unfinished).

        Raises
        ------
        InputError
            If the file is unreadable or names a frame the clip does not have.
        """
        path = entry / ENTRY_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(path, f"cannot read undo history entry ({error})") from None
        frames = record.get("frames") if isinstance(record, dict) else None
        if not isinstance(frames, list) or not all(name in self.index for name in frames):
            raise InputError(path, "undo history entry does not list frames of this clip")
        return record

    def _begin(self, action: str, names: list[str], **meta: object) -> Path:
        """Snapshot the current files of ``names`` into a new (not done) history entry."""
        entries = self._entries()
        number = int(entries[-1].name) + 1 if entries else 1
        entry = self.history_dir / f"{number:06d}"
        entry.mkdir(parents=True)
        for name in names:
            write_bytes(entry / f"{name}.png", self.result_path(name).read_bytes())
            write_bytes(entry / f"{name}.json", self.json_path(name).read_bytes())
        record = {"id": number, "action": action, "frames": names, "time": time.time(), **meta}
        write_text(entry / ENTRY_FILE, json.dumps({**record, "done": False}))
        return entry

    def _commit(self, entry: Path) -> None:
        """Mark an entry done: from here on the edit survives a crash and can be undone."""
        record = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        write_text(entry / ENTRY_FILE, json.dumps({**record, "done": True}))

    def _prune(self) -> None:
        """Delete the entries beyond ``max_history``, oldest first."""
        for old in self._entries()[: -self.max_history]:
            self._delete(old)

    def _delete(self, entry: Path) -> None:
        """Take an entry out of the history in one atomic rename, then delete its files."""
        removed = self.history_dir / f"{REMOVED_PREFIX}{entry.name}-{uuid.uuid4().hex}"
        os.replace(entry, removed)
        shutil.rmtree(removed)

    def _restore(self, entry: Path, record: dict) -> None:
        """Copy an entry's saved files back, byte for byte, and delete the entry.

        Idempotent until the entry is gone: the saved files are never changed.
        """
        for name in record["frames"]:
            write_bytes(self.result_path(name), (entry / f"{name}.png").read_bytes())
            write_bytes(self.json_path(name), (entry / f"{name}.json").read_bytes())
        self._delete(entry)

    def _recover(self) -> list[str]:
        """Finish what a crash or a failed write interrupted (see the module docstring):
        roll back unfinished edits, roll forward unfinished undos, drop deleted entries.

        Returns
        -------
        names : list of str
            Frames whose files were restored.
        """
        if not self.history_dir.is_dir():
            return []
        for leftover in self.history_dir.glob(f"{REMOVED_PREFIX}*"):
            shutil.rmtree(leftover)
        restored: list[str] = []
        for entry in reversed(self._entries()):
            record = self._record(entry)
            if record is None:
                shutil.rmtree(entry)  # crashed while snapshotting: nothing was changed yet
            elif not record.get("done"):
                self._restore(entry, record)
                restored += record["frames"]
        return restored

    def _reload(self, names: list[str]) -> None:
        """Read the result JSON of ``names`` again, after their files were rewritten."""
        for name in names:
            self._info[name] = self._read_info(name)

    def _settle(self) -> None:
        """Recover before a change, in case an earlier write failed and so did its
        immediate recovery (the files it left are then no state to build on)."""
        self._reload(self._recover())

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
            records = (self._record(entry) for entry in self._entries())
            return [record for record in records if record is not None and record.get("done")]

    def undo(self) -> dict:
        """Undo the last edit (paint, accept or propagate), restoring its files exactly.

        Returns
        -------
        record : dict
            The undone history entry (as :meth:`history` listed it).
        """
        with self.lock:
            self._settle()
            entries = self._entries()
            if not entries:
                raise ReviewError("nothing to undo", 409)
            entry = entries[-1]
            record = self._record(entry)
            # The journal: once this is written the entry is out of the history, and a
            # restart finishes the undo whatever step a crash interrupted.
            write_text(entry / ENTRY_FILE, json.dumps({**record, "done": False, "undoing": True}))
            try:
                self._restore(entry, record)
            except BaseException:
                with contextlib.suppress(Exception):
                    self._recover()  # finish the undo now; else the next call or start does
                raise
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
            entry = self._begin(action, names, **meta)
            for name, rgba, info in outputs:
                if rgba is not None:
                    write_png(self.result_path(name), rgba)
                write_text(self.json_path(name), json.dumps(info))
            self._commit(entry)
        except BaseException:
            # Roll back now so this session keeps showing what is on disk; if that
            # fails too, the next edit, undo or session start rolls back.
            with contextlib.suppress(Exception):
                self._recover()
            with contextlib.suppress(Exception):
                self._reload(names)
            raise
        for name, _, info in outputs:
            self._info[name] = info
        self._prune()

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
            rgba = read_rgba(self.result_path(name))
            if rgba.shape[:2] != mask.shape:
                raise ReviewError(
                    f"{self.result_path(name)} is {rgba.shape[1]}x{rgba.shape[0]}, "
                    f"the line art {mask.shape[1]}x{mask.shape[0]}",
                    409,
                )
            rgba[mask] = rgba_color
            info = self.frame_info(name)
            key = str(sid)
            previous = info["colors"][key]
            info["colors"][key] = list(rgba_color)
            info["confidence"][key] = 1.0
            info["reviewed"] = sorted(set(info["reviewed"]) | {sid})
            info["edited"] = True
            meta = {"segment": sid, "color": list(rgba_color), "previous": previous}
            self._apply("paint", [(name, rgba, info)], **meta)
            return self.segment_info(name, sid)

    def accept(self, name: str, segment: object) -> dict:
        """Mark a segment's current color as right: reviewed, confidence 1."""
        with self.lock:
            self._settle()
            name = self._editable(name)
            sid = self.segment_id(name, segment)
            info = self.frame_info(name)
            info["confidence"][str(sid)] = 1.0
            info["reviewed"] = sorted(set(info["reviewed"]) | {sid})
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

    def _as_reference(self, name: str) -> ColoredFrame:
        """The frame's current result as a :class:`ColoredFrame` (a new keyframe)."""
        line_art = read_rgba(self.line_path(name))
        ids = self.segments(name)
        info = self._info[name]
        count = int(info["num_segments"])
        colors = np.zeros((count + 1, 4), np.uint8)
        keys = np.array([int(k) for k in info["colors"]], dtype=np.int64)
        colors[keys] = np.array(list(info["colors"].values()), dtype=np.uint8).reshape(-1, 4)
        packed = pack_rgba(colors[1:])
        palette_packed = np.union1d(pack_rgba(self.palette), packed)
        index = np.full(count + 1, -1, np.int32)
        index[1:] = np.searchsorted(palette_packed, packed).astype(np.int32)
        mask = classify_lines(line_art) != PAPER
        return ColoredFrame(line_art, ids, mask, unpack_rgba(palette_packed), index)

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
            reference = self._as_reference(name)
            engine_name = getattr(self.engine, "name", type(self.engine).__name__)
            outputs = []
            previous = name
            for target_name in targets:
                line_art = read_rgba(self.line_path(target_name))
                mask = classify_lines(line_art) != PAPER
                frame = Frame(line_art, self.segments(target_name), mask)
                coloring = self.engine(reference, frame)
                rgba = coloring.render(line_art, keep_line=self.keep_line)
                info = coloring.to_json(
                    frame=target_name,
                    reference=previous,
                    keyframe=False,
                    engine=engine_name,
                    size=[rgba.shape[1], rgba.shape[0]],
                    propagated_from=name,
                )
                info["reviewed"] = []
                outputs.append((target_name, rgba, info))
                reference = ColoredFrame.from_coloring(frame, coloring)
                previous = target_name
            self._apply("propagate", outputs, source=name)
            return targets
