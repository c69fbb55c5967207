"""What a batch has finished: fingerprints of a cut's inputs and checksums of its outputs,
kept in ``OUT_DIR/manifest.jsonl`` so that a re-run skips finished cuts and redoes changed
ones.

The manifest is JSON Lines, one record per finished cut, appended (and flushed to disk)
as each cut finishes, so a batch killed at any moment loses at most the cut it was
recording; the last record of a cut wins. A line torn by a kill is not JSON and is
ignored; :meth:`Manifest.compact` rewrites the file atomically with the valid records
before a run appends to it, so the torn line never sits in front of a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from paintbucket import __version__
from paintbucket.batch.cuts import Cut
from paintbucket.io.images import write_text
from paintbucket.models.runtime import file_sha256
from paintbucket.models.weights import (
    DEFAULT_CONSECUTIVE_WEIGHTS,
    DEFAULT_KEYFRAME_WEIGHTS,
    DEFAULT_VIEWS_WEIGHTS,
)

#: The manifest's file name in OUT_DIR.
MANIFEST_NAME = "manifest.jsonl"
#: Input folders of a cut whose files its results depend on.
INPUT_FOLDERS = ("line", "gt", "line_anno")
#: Settings that decide whether a cut can run, not what it writes: left out of the
#: fingerprint, so raising ``--max-pixels`` redoes nothing.
NOT_FINGERPRINTED = ("max_pixels",)


def weights_files(settings: Mapping[str, object], sheet: bool) -> list[Path]:
    """The weights files colorizing a cut with ``settings`` reads (with a design sheet:
    the keyframe matcher's and the view encoder's too)."""
    files = []
    if settings["engine"] == "inclusion":
        options = settings.get("engine_options") or {}
        files.append(Path(options.get("weights") or DEFAULT_CONSECUTIVE_WEIGHTS))
    if sheet:
        files += [DEFAULT_KEYFRAME_WEIGHTS, DEFAULT_VIEWS_WEIGHTS]
    return files


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder`` but hidden ones (temporary files), in a fixed order."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


class Fingerprints:
    """Input fingerprints of cuts under one set of settings.

    A cut's fingerprint is the SHA-256 of the settings (less :data:`NOT_FINGERPRINTED`),
    the package version, the SHA-256 of every weights file used, and the name and
    SHA-256 of every file of its ``line/``, ``gt/``, ``line_anno/`` and design sheet
    folders: any change to what the results depend on changes it, and copying the
    episode elsewhere does not.

    Parameters
    ----------
    settings : mapping
        The colorizing settings (:func:`paintbucket.cli.options.colorize_settings`).
    """

    def __init__(self, settings: Mapping[str, object]) -> None:
        self.weights = weights_files(settings, sheet=False)
        self.settings = {k: v for k, v in settings.items() if k not in NOT_FINGERPRINTED}
        # the weights count by their bytes (below), not by where they lie
        options = {**(settings.get("engine_options") or {}), "weights": None}
        self.settings["engine_options"] = options if settings.get("engine_options") else {}
        self._weights: dict[Path, str] = {}
        self._sheets: dict[Path, list[str]] = {}

    def _weights_digests(self, sheet: bool) -> list[str]:
        extra = [DEFAULT_KEYFRAME_WEIGHTS, DEFAULT_VIEWS_WEIGHTS] if sheet else []
        for path in [*self.weights, *extra]:
            if path not in self._weights:
                self._weights[path] = file_sha256(path) if path.is_file() else "missing"
        return [self._weights[path] for path in [*self.weights, *extra]]

    @staticmethod
    def _folder_lines(label: str, folder: Path) -> list[str]:
        return [
            f"{label}/{path.relative_to(folder).as_posix()}\0{file_sha256(path)}\n"
            for path in _files(folder)
        ]

    def __call__(self, cut: Cut) -> str:
        """The fingerprint of ``cut``'s inputs (hex SHA-256)."""
        header = {
            "settings": self.settings,
            "version": __version__,
            "weights": self._weights_digests(cut.sheet_dir is not None),
        }
        digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
        lines = [line for name in INPUT_FOLDERS
                 for line in self._folder_lines(name, cut.clip_dir / name)]  # fmt: skip
        if cut.sheet_dir is not None:  # one sheet often serves many cuts: hashed once
            if cut.sheet_dir not in self._sheets:
                self._sheets[cut.sheet_dir] = self._folder_lines("sheet", cut.sheet_dir)
            lines += self._sheets[cut.sheet_dir]
        for line in lines:
            digest.update(line.encode())
        return digest.hexdigest()


def output_checksums(folder: Path, files: Iterable[str]) -> dict[str, str]:
    """SHA-256 of each of ``files`` in ``folder`` (name -> hex digest)."""
    return {name: file_sha256(folder / name) for name in files}


class Manifest:
    """The finished cuts of a batch (``OUT_DIR/manifest.jsonl``).

    Parameters
    ----------
    out_dir : path
        The batch's output folder.

    Attributes
    ----------
    records : dict
        Cut name -> its last record: ``cut``, ``inputs`` (fingerprint), ``frames``,
        ``outputs`` (file name -> SHA-256, every PNG and JSON written), ``seconds``,
        ``worker``.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / MANIFEST_NAME
        self.records: dict[str, dict] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # torn by a kill while appending
                    continue
                if isinstance(record, dict) and isinstance(record.get("cut"), str):
                    self.records[record["cut"]] = record

    def compact(self) -> None:
        """Rewrite the file atomically with one valid record per cut (none: no file)."""
        if self.records or self.path.exists():
            lines = [json.dumps(record) + "\n" for record in self.records.values()]
            write_text(self.path, "".join(lines))

    def add(self, record: dict) -> None:
        """Append a finished cut's record and flush it to disk."""
        self.records[record["cut"]] = record
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def check(self, cut: Cut, fingerprint: str) -> tuple[str, list[str]]:
        """Whether ``cut`` is finished.

        Returns
        -------
        state : {"finished", "new", "inputs changed", "outputs missing"}
            ``finished``: its record has this fingerprint and every output it lists
            exists; the others say why it must run.
        edited : list of str
            For a finished cut, the outputs whose bytes differ from the record (edited
            since, e.g. by ``pbc review``): they are kept, not redone.
        """
        record = self.records.get(cut.name)
        if record is None:
            return "new", []
        if record.get("inputs") != fingerprint:
            return "inputs changed", []
        folder = self.out_dir / cut.name
        outputs = record.get("outputs") or {}
        if not outputs or not all((folder / name).is_file() for name in outputs):
            return "outputs missing", []
        current = output_checksums(folder, outputs)
        return "finished", sorted(
            name for name, digest in outputs.items() if current[name] != digest
        )
