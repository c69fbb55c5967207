"""Crash-safe undo history of a results folder, journaled on disk.

The history knows files and their bytes, nothing of segments or colors: every frame
``<name>`` is the pair of files ``RESULTS_DIR/<name>.png`` + ``<name>.json``, and an edit
is a set of frames whose files change together, plus, optionally, some of the folder's
other state files the history was told of (the review's palette file), each of which
may not exist yet.

Undo history lives in a folder (the review session's ``RESULTS_DIR/.review/history/``),
one entry ``NNNNNN/`` per edit (paint, accept, propagate, recolor, ...), holding the PNG
and JSON bytes every frame it changed had before, the bytes of the state files it
changed under ``files/`` (and which of them did not exist), and ``entry.json`` (action,
frames, files, ``done``). Only
the newest ``max_history`` entries are kept, so a long session does not fill the disk
with frame copies.

Crash safety. Each write is atomic (temporary file + rename), and an edit or an undo is a
multi-file transaction journaled in its ``entry.json``, so a process killed at any point
(SIGKILL, an exception) leaves, once the folder has been recovered, every frame wholly
edited or wholly not, with the history agreeing. (Power loss is another matter: the
writers do not fsync, so the renames may reach the disk out of order.)

* Edit (:meth:`History.begin`, the new files, :meth:`History.commit`): save the frames'
  current bytes in a new entry, then write ``entry.json`` with ``done: false`` (the
  intent), then the new PNGs and JSONs, then ``done: true`` (the commit point). An entry
  without ``entry.json`` changed nothing yet.
* Undo (:meth:`History.undo`): rewrite the newest entry's ``entry.json`` with
  ``done: false, undoing: true`` (from here on it is no longer in the history), copy the
  saved bytes back to every frame, then delete the entry.
* Delete an entry (:meth:`History.delete`, after an undo, or the oldest beyond
  ``max_history``): rename its folder to ``.removed-...`` first, one atomic step that
  takes it out of the history, then delete the files. A half-deleted entry is thus never
  listed nor undone.
* Recovery (:meth:`History.recover`; the review session runs it when it opens, right
  after a write failed, and before every edit or undo): delete ``.removed-*`` folders
  and entries without ``entry.json``; restore every entry that is not ``done``, newest
  first, and delete it. For an interrupted edit that rolls it back; for an interrupted
  undo it rolls the undo forward. Restoring only copies the entry's saved bytes, which
  nothing changes before the entry is deleted, so doing it again after another crash
  gives the same result. Opening a session also prunes (:meth:`History.prune`) the
  entries beyond ``max_history`` (a crash between an edit's commit and the pruning
  leaves one too many).

:meth:`History.records` lists ``done`` entries only. One process per folder at a time:
two processes editing the same folder are not coordinated.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterator
from pathlib import Path

from paintbucket.errors import InputError
from paintbucket.io.images import write_bytes, write_text

#: Journal of one history entry (action, frames, ``done``), inside its folder.
ENTRY_FILE = "entry.json"
#: Prefix of a history entry folder being deleted (no longer part of the history).
REMOVED_PREFIX = ".removed-"
#: The files of a frame ``<name>`` that an entry saves: ``<name>.png``, ``<name>.json``.
FRAME_SUFFIXES = (".png", ".json")


class History:
    """The undo journal of one results folder.

    Parameters
    ----------
    folder : path
        Where the entries live (created with the first one).
    results_dir : path
        Folder with every frame's ``<name>.png`` and ``<name>.json``.
    frames : collection of str
        Names of the frames an entry may list; an ``entry.json`` naming another frame
        is refused as not of this folder.
    max_history : int
        Entries :meth:`prune` keeps, at least 1.
    files : collection of str
        Paths, relative to ``results_dir``, of the other files an entry may save and
        restore; an ``entry.json`` naming another is refused like an unknown frame.

    Raises
    ------
    ValueError
        If ``max_history`` is below 1.
    """

    def __init__(
        self,
        folder: Path,
        results_dir: Path,
        frames: Collection[str],
        max_history: int,
        files: Collection[str] = (),
    ) -> None:
        if max_history < 1:
            raise ValueError(f"max_history must be at least 1, got {max_history}")
        self.folder = Path(folder)
        self.results_dir = Path(results_dir)
        self.frames = frozenset(frames)
        self.max_history = max_history
        self.files = frozenset(files)

    def _frame_files(self, folder: Path, name: str) -> list[Path]:
        return [folder / f"{name}{suffix}" for suffix in FRAME_SUFFIXES]

    # ----------------------------------------------------------------- reading

    def entries(self) -> list[Path]:
        """Entry folders (``NNNNNN``, done or not), oldest first."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.is_dir() and p.name.isdigit())

    def record(self, entry: Path) -> dict | None:
        """An entry's ``entry.json``, or None while it has none (snapshot unfinished).

        Returns
        -------
        record : dict or None
            ``id``, ``action``, ``frames`` (list of names), ``files`` (``path`` and
            ``existed`` of each state file saved), ``time`` (seconds since the epoch),
            ``done``, the edit's own keys, and ``undoing`` during an undo.

        Raises
        ------
        InputError
            If the file is unreadable or names a frame not in ``frames``.
        """
        path = entry / ENTRY_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(path, f"cannot read undo history entry ({error})") from None
        frames = record.get("frames") if isinstance(record, dict) else None
        if not isinstance(frames, list) or not all(name in self.frames for name in frames):
            raise InputError(path, "undo history entry does not list frames of this clip")
        files = record.get("files", [])
        if not isinstance(files, list) or not all(
            isinstance(item, dict)
            and item.get("path") in self.files
            and isinstance(item.get("existed"), bool)
            for item in files
        ):
            raise InputError(path, "undo history entry lists files the review does not keep")
        return record

    def records(self) -> list[dict]:
        """The history: records of the ``done`` entries, oldest first."""
        records = (self.record(entry) for entry in self.entries())
        return [record for record in records if record is not None and record.get("done")]

    # ----------------------------------------------------------------- editing

    def begin(
        self, action: str, names: list[str], files: Collection[str] = (), **meta: object
    ) -> Path:
        """Save the current files of ``names`` (and ``files``) in a new entry, not done yet.

        Parameters
        ----------
        action : str
            What the edit is (``"paint"``, ``"accept"``, ``"propagate"``, ...).
        names : list of str
            Frames the edit is going to rewrite.
        files : collection of str
            State files (of those the history was told of) the edit is going to write.
        **meta
            Stored in the record.

        Returns
        -------
        entry : Path
            The entry folder, numbered one above the newest.
        """
        unknown = [relative for relative in files if relative not in self.files]
        if unknown:
            raise ValueError(f"{unknown[0]} is not a state file of this history")
        entries = self.entries()
        number = int(entries[-1].name) + 1 if entries else 1
        entry = self.folder / f"{number:06d}"
        entry.mkdir(parents=True)
        for name in names:
            for current, saved in zip(
                self._frame_files(self.results_dir, name), self._frame_files(entry, name)
            ):
                write_bytes(saved, current.read_bytes())
        saved_files = []
        for relative in files:
            current = self.results_dir / relative
            existed = current.is_file()
            if existed:
                write_bytes(entry / "files" / relative, current.read_bytes())
            saved_files.append({"path": relative, "existed": existed})
        record = {"id": number, "action": action, "frames": names, "files": saved_files,
                  "time": time.time(), **meta}  # fmt: skip
        write_text(entry / ENTRY_FILE, json.dumps({**record, "done": False}))
        return entry

    def commit(self, entry: Path) -> None:
        """Mark an entry done: from here on the edit survives a crash and can be undone."""
        record = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        write_text(entry / ENTRY_FILE, json.dumps({**record, "done": True}))

    @contextlib.contextmanager
    def transaction(
        self, action: str, names: list[str], files: Collection[str] = (), **meta: object
    ) -> Iterator[Path]:
        """One edit, all or nothing: :meth:`begin`, the caller's writes, :meth:`commit`.

        If anything fails before the commit, the folder is recovered at once (the files
        of ``names`` and ``files`` get their saved bytes back), then the error is raised
        again; if the recovery fails too, the next :meth:`recover` rolls the edit back.

        Yields
        ------
        entry : Path
            The new entry folder.
        """
        try:
            entry = self.begin(action, names, files, **meta)
            yield entry
            self.commit(entry)
        except BaseException:
            with contextlib.suppress(Exception):
                self.recover()
            raise

    def undo(self, entry: Path, record: dict) -> None:
        """Undo a done entry (the newest): put its saved files back and delete it.

        Parameters
        ----------
        entry : Path
            The newest entry folder.
        record : dict
            Its record, as :meth:`record` read it.

        If a write fails, the folder is recovered at once, which finishes the undo, then
        the error is raised again; if that fails too, the next :meth:`recover` does.
        """
        # The journal: once this is written the entry is out of the history, and a
        # restart finishes the undo whatever step a crash interrupted.
        write_text(entry / ENTRY_FILE, json.dumps({**record, "done": False, "undoing": True}))
        try:
            self.restore(entry, record)
        except BaseException:
            with contextlib.suppress(Exception):
                self.recover()
            raise

    def restore(self, entry: Path, record: dict) -> None:
        """Copy an entry's saved files back, byte for byte, and delete the entry.

        Idempotent until the entry is gone: the saved files are never changed. A state
        file that did not exist when the entry was made is deleted.
        """
        for name in record["frames"]:
            for saved, current in zip(
                self._frame_files(entry, name), self._frame_files(self.results_dir, name)
            ):
                write_bytes(current, saved.read_bytes())
        for item in record.get("files", []):
            current = self.results_dir / item["path"]
            if item["existed"]:
                write_bytes(current, (entry / "files" / item["path"]).read_bytes())
            else:
                current.unlink(missing_ok=True)
        self.delete(entry)

    def delete(self, entry: Path) -> None:
        """Take an entry out of the history in one atomic rename, then delete its files."""
        removed = self.folder / f"{REMOVED_PREFIX}{entry.name}-{uuid.uuid4().hex}"
        os.replace(entry, removed)
        shutil.rmtree(removed)

    def prune(self) -> None:
        """Delete the entries beyond ``max_history``, oldest first."""
        for old in self.entries()[: -self.max_history]:
            self.delete(old)

    def recover(self) -> list[str]:
        """Finish what a crash or a failed write interrupted (see the module docstring):
        roll back unfinished edits, roll forward unfinished undos, drop deleted entries.

        Returns
        -------
        names : list of str
            Frames whose files were restored, newest entry first.
        """
        if not self.folder.is_dir():
            return []
        for leftover in self.folder.glob(f"{REMOVED_PREFIX}*"):
            shutil.rmtree(leftover)
        restored: list[str] = []
        for entry in reversed(self.entries()):
            record = self.record(entry)
            if record is None:
                shutil.rmtree(entry)  # crashed while snapshotting: nothing was changed yet
            elif not record.get("done"):
                self.restore(entry, record)
                restored += record["frames"]
        return restored
