"""Colorizing one cut in a worker process, as ``pbc colorize`` does, with the engine and
the design-sheet models built once per process and reused for every later cut."""

from __future__ import annotations

import os
import socket
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from paintbucket.batch.manifest import output_checksums
from paintbucket.consecutive import make_engine
from paintbucket.core.frames import Engine
from paintbucket.errors import InputError, InputWarning
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.learned import KeyframeModel
from paintbucket.keyframe.select import ReferenceSelector
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.models.weights import LazyModel
from paintbucket.pipeline.clip import colorize_clip


@dataclass(frozen=True)
class CutJob:
    """What a worker needs to color one cut; paths absolute (workers do not share the
    caller's working folder).

    Attributes
    ----------
    name : str
        The cut's name (:attr:`paintbucket.batch.cuts.Cut.name`).
    clip_dir, out_dir : str
        Its clip folder and its results folder (``OUT_DIR/<name>``).
    sheet_dir : str or None
        Its design sheet (``pbc colorize --sheet``).
    """

    name: str
    clip_dir: str
    out_dir: str
    sheet_dir: str | None = None


#: This process's engines by their settings, and its design-sheet colorizers by sheet:
#: the weights are read once per process, not once per cut.
_ENGINES: dict[str, Engine] = {}
_SHEETS: dict[tuple, SheetColorizer] = {}
#: The keyframe matcher and the reference selector per device, shared by every sheet.
_SHEET_MODELS: dict[str, tuple[KeyframeModel, ReferenceSelector]] = {}


def cached_engine(settings: Mapping[str, object]) -> Engine:
    """This process's engine for ``settings`` (built on first use)."""
    key = repr((settings["engine"], sorted((settings.get("engine_options") or {}).items())))
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(settings["engine"], **(settings.get("engine_options") or {}))
    return _ENGINES[key]


def cached_sheet(sheet_dir: str, settings: Mapping[str, object]) -> SheetColorizer:
    """This process's colorizer of a design sheet (loaded and checked on first use),
    with the keyframe matcher and selector of ``settings["device"]`` shared by all
    sheets."""
    device = str(settings["device"])
    key = (sheet_dir, settings["seg_method"], settings["max_pixels"], device)
    if key not in _SHEETS:
        sheet = load_sheet(sheet_dir, settings["seg_method"], max_pixels=settings["max_pixels"])
        colorizer = SheetColorizer(sheet, device=device)
        if device in _SHEET_MODELS:
            colorizer.matcher, colorizer.selector = _SHEET_MODELS[device]
        else:
            _SHEET_MODELS[device] = colorizer.matcher, colorizer.selector
        _SHEETS[key] = colorizer
    return _SHEETS[key]


def loaded_models(*owners: object) -> set[str]:
    """The model kinds whose weights ``owners`` (colorizers with a
    :class:`~paintbucket.models.weights.LazyModel`) have loaded so far."""
    kinds = set()
    for owner in owners:
        for name, attribute in vars(type(owner)).items():
            if isinstance(attribute, LazyModel) and name in vars(owner):
                kinds.add(attribute.kind)
    return kinds


def _models_of(engine: Engine, colorizer: SheetColorizer | None) -> list[object]:
    return [engine] + ([colorizer.matcher, colorizer.selector] if colorizer else [])


def run_cut(
    job: CutJob,
    settings: Mapping[str, object],
    report: Callable[[int], None] | None = None,
) -> dict:
    """Colorize one cut as ``pbc colorize`` would, catching its bad input.

    Parameters
    ----------
    job : CutJob
    settings : mapping
        :func:`paintbucket.cli.options.colorize_settings`.
    report : callable, optional
        Called with the number of frames finished so far after each frame.

    Returns
    -------
    result : dict
        ``cut``, ``status`` (``"done"`` or ``"failed"``), ``frames`` (written),
        ``outputs`` (file name -> SHA-256 of every PNG and JSON written), ``seconds``,
        ``worker`` (``pid@host``), ``loaded`` (model kinds whose weights this cut
        loaded: empty when the process had them already), ``warnings`` (one line each)
        and ``error`` (the one-line error of a failed cut, else None).

    Notes
    -----
    Only bad input (:class:`~paintbucket.errors.InputError`) and other exceptions of the
    cut itself end in ``"failed"``; a process that dies is for the caller to retry.
    Results are written atomically, so a retried cut overwrites a partial one cleanly.
    """
    start = time.perf_counter()
    result = {"cut": job.name, "status": "failed", "frames": 0, "outputs": {},
              "worker": f"{os.getpid()}@{socket.gethostname()}", "loaded": [],
              "warnings": [], "error": None}  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            _colorize(job, settings, report, result)
        except InputError as error:
            result["error"] = str(error)
        except Exception as error:  # a cut's own failure must not stop the others
            first_line = (str(error).strip().splitlines() or [""])[0]
            result["error"] = f"{type(error).__name__}: {first_line}"
    result["warnings"] = [str(w.message) for w in caught if issubclass(w.category, InputWarning)]
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _colorize(
    job: CutJob, settings: Mapping[str, object], report: Callable | None, result: dict
) -> None:
    engine = cached_engine(settings)
    colorizer = cached_sheet(job.sheet_dir, settings) if job.sheet_dir else None
    before = loaded_models(*_models_of(engine, colorizer))
    written = colorize_clip(
        job.clip_dir,
        job.out_dir,
        mode=settings["mode"],
        engine=engine,
        keep_line=settings["keep_line"],
        seg_method=settings["seg_method"],
        progress=False,
        first_keyframe=colorizer.first_keyframe if colorizer else None,
        sheet_opinion=colorizer.opinion if colorizer else None,
        protected=[job.sheet_dir] if job.sheet_dir else [],
        max_pixels=settings["max_pixels"],
        line_threshold=settings["line_threshold"],
        on_frame=report,
    )
    files = [name for png in written for name in (png.with_suffix(".json").name, png.name)]
    result["outputs"] = output_checksums(Path(job.out_dir), files)
    result["frames"] = len(written)
    result["loaded"] = sorted(loaded_models(*_models_of(engine, colorizer)) - before)
    result["status"] = "done"
