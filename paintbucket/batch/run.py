"""Colorizing an episode: every cut one Ray task, finished cuts skipped, failed cuts
reported while the others go on, one progress bar over the frames of all cuts and a
summary in ``OUT_DIR/batch.json``."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType

from tqdm import tqdm

from paintbucket.batch.cluster import (
    GPU_SHARE,
    MAX_RETRIES,
    call_single_threaded,
    import_ray,
    ray_session,
)
from paintbucket.batch.cuts import Cut, find_cuts
from paintbucket.batch.manifest import Fingerprints, Manifest
from paintbucket.batch.worker import CutJob, run_cut
from paintbucket.io.images import write_text
from paintbucket.io.outputs import check_output_folder

#: The summary's file name in OUT_DIR.
SUMMARY_NAME = "batch.json"
#: What ``batch.json`` tells of each cut (``loaded``: the model kinds whose weights
#: the cut's worker loaded for it; empty when the worker had them already).
PER_CUT_KEYS = ("cut", "status", "frames", "seconds", "worker", "loaded", "error")
#: Seconds between two looks at the workers' frame counts.
POLL_S = 0.25


class FrameCounter:
    """Frames written so far by the attempt running each cut (a Ray actor: the workers
    report to it, the driver reads it for the progress bar). A retried cut starts again
    from 0, so the bar never counts a frame twice."""

    def __init__(self) -> None:
        self.frames: dict[str, int] = {}

    def set(self, cut: str, frames: int) -> None:
        self.frames[cut] = frames

    def snapshot(self) -> dict[str, int]:
        return dict(self.frames)


def report_frames(counter: object, cut: str, frames: int) -> None:
    """Tell the :class:`FrameCounter` actor ``counter`` (without waiting) that ``frames``
    frames of ``cut`` are written."""
    counter.set.remote(cut, frames)


def colorize_cut(job: CutJob, settings: Mapping[str, object], counter: object) -> dict:
    """The Ray task of one cut: :func:`~paintbucket.batch.worker.run_cut`, one thread
    (its process shows as ``ray::colorize_cut``)."""
    report = None if counter is None else partial(report_frames, counter, job.name)
    return call_single_threaded(run_cut, job, settings, report)


@dataclass
class Batch:
    """One batch run: its cuts and settings, what became of each cut, the progress bar,
    and the summary they make."""

    out_dir: Path
    cuts: list[Cut]
    settings: Mapping[str, object]
    workers: int | None
    address: str | None
    say: Callable[[str], None]
    manifest: Manifest = field(init=False)
    fingerprints: dict[str, str] = field(init=False)
    frames: dict[str, int] = field(init=False)
    bar: tqdm | None = None
    results: dict[str, dict] = field(default_factory=dict)
    start: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.manifest = Manifest(self.out_dir)
        self.manifest.compact()
        fingerprint = Fingerprints(self.settings)
        self.fingerprints = {cut.name: fingerprint(cut) for cut in self.cuts}
        self.frames = {cut.name: cut.frames for cut in self.cuts}

    def to_do(self) -> list[Cut]:
        """The cuts to color; the finished ones are recorded as skipped."""
        todo = []
        for cut in self.cuts:
            state, edited = self.manifest.check(cut, self.fingerprints[cut.name])
            if state != "finished":
                todo.append(cut)
                continue
            note = f", {len(edited)} files edited since (kept)" if edited else ""
            frames = self.frames[cut.name]
            self.results[cut.name] = {"cut": cut.name, "status": "skipped", "frames": frames}
            self.say(f"skipped {cut.name}: finished, inputs unchanged{note}")
        return todo

    def finished(self, cut: Cut, result: dict) -> None:
        """Record a cut's result (in the manifest when done) and say what became of it."""
        self.results[cut.name] = result
        for warning in result.get("warnings", []):
            self.say(f"pbc: warning: {cut.name}: {warning}")
        if result["status"] == "done":
            record = {key: result[key] for key in ("cut", "frames", "outputs", "seconds", "worker")}
            self.manifest.add({**record, "inputs": self.fingerprints[cut.name]})
            rate = result["frames"] / max(result["seconds"], 1e-9)
            self.say(f"done {cut.name}: {result['frames']} frames in {result['seconds']:.1f} s "
                     f"({rate:.2f} frames/s, worker {result['worker']})")  # fmt: skip
        else:
            self.say(f"failed {cut.name}: {result['error']}")

    def show(self, running: Mapping[str, int]) -> None:
        """Move the bar to the frames of finished cuts plus those ``running`` (cut name
        -> frames written so far by its current attempt)."""
        if self.bar is None:
            return
        failed = [name for name, r in self.results.items() if r["status"] == "failed"]
        self.bar.total = sum(self.frames.values()) - sum(self.frames[n] for n in failed)
        done = sum(r["frames"] for r in self.results.values() if r["status"] != "failed")
        self.bar.n = done + sum(running.values())
        self.bar.refresh()

    def summary(self, interrupted: bool) -> dict:
        """What ``batch.json`` holds (see :func:`run_batch`)."""
        seconds = time.perf_counter() - self.start
        per_cut = [
            {key: result.get(key) for key in PER_CUT_KEYS}
            for cut in self.cuts
            if (result := self.results.get(cut.name)) is not None
        ]
        count = {status: sum(r["status"] == status for r in per_cut)
                 for status in ("done", "skipped", "failed")}  # fmt: skip
        frames = sum(r["frames"] for r in per_cut if r["status"] == "done")
        return {
            "cuts": len(self.cuts),
            **count,
            "frames": frames,
            "skipped_frames": sum(r["frames"] for r in per_cut if r["status"] == "skipped"),
            "seconds": round(seconds, 3),
            "frames_per_second": round(frames / seconds, 4) if seconds > 0 else 0.0,
            "interrupted": interrupted,
            "workers": self.workers,
            "address": self.address,
            "settings": dict(self.settings),
            "per_cut": per_cut,
        }

    def write_summary(self, interrupted: bool = False) -> dict:
        summary = self.summary(interrupted)
        write_text(self.out_dir / SUMMARY_NAME, json.dumps(summary, indent=1) + "\n")
        return summary


def run_batch(
    episode_dir: str | Path,
    out_dir: str | Path,
    settings: Mapping[str, object],
    cut_list: str | Path | None = None,
    sheet: str | Path | None = None,
    workers: int | None = None,
    address: str | None = None,
    progress: bool = True,
    say: Callable[[str], None] | None = None,
) -> dict:
    """Colorize every cut of an episode on Ray, as ``pbc colorize`` colors one clip.

    Each cut is one Ray task writing ``OUT_DIR/<cut>/`` exactly as ``pbc colorize
    CUT --out OUT_DIR/<cut>`` would; the engine and the design-sheet models are loaded
    once per worker process. A cut whose inputs and settings are unchanged since it
    finished (:class:`~paintbucket.batch.manifest.Manifest`) is skipped; a cut with bad
    input fails alone with its one-line error; a task whose worker dies is run again by
    Ray (up to :data:`~paintbucket.batch.cluster.MAX_RETRIES` times), its files written
    atomically, so the finished cut is complete.

    Parameters
    ----------
    episode_dir : path
        Folder of the cuts (:func:`~paintbucket.batch.cuts.find_cuts`).
    out_dir : path
        Results: ``<cut>/`` per cut, ``manifest.jsonl`` and ``batch.json``.
    settings : mapping
        How cuts are colored (:func:`paintbucket.cli.options.colorize_settings`).
    cut_list, sheet : path, optional
        As in :func:`~paintbucket.batch.cuts.find_cuts`.
    workers : int, optional
        Cuts colored at once: the CPUs of the local Ray instance (default every core)
        or, on a cluster, a cap (default none).
    address : str, optional
        A Ray cluster to join (default ``RAY_ADDRESS``; none: a local instance).
    progress : bool
        Show one progress bar over the frames of all cuts.
    say : callable, optional
        Receives the per-cut status lines (default: printed above the bar).

    Returns
    -------
    summary : dict
        What ``batch.json`` holds: ``cuts``, ``done``, ``skipped``, ``failed``,
        ``frames`` (colored in this run), ``seconds`` (wall time of the run),
        ``frames_per_second``, ``workers``, ``address``, ``settings`` and one entry per
        cut in ``per_cut``.

    Raises
    ------
    InputError
        Before any work: no cuts, an output folder that cannot be written or is the
        episode folder, Ray missing or its cluster unreachable.
    """
    start = time.perf_counter()
    import_ray()  # missing: one line before anything else
    out = check_output_folder(out_dir, not_at=[episode_dir]).absolute()  # workers' cwd differs
    cuts = find_cuts(episode_dir, cut_list, sheet, exclude=(out,))
    say = say or (lambda line: tqdm.write(line, file=sys.stdout))
    batch = Batch(out, cuts, settings, workers, address, say, start=start)
    todo = batch.to_do()
    if not todo:
        return batch.write_summary()
    with ray_session(workers, address) as ray:  # a problem here: one line, nothing written
        total = sum(batch.frames.values())
        batch.bar = tqdm(total=total, unit="frame", desc="batch", disable=not progress)
        finished = False
        try:
            _run_tasks(ray, batch, todo)
            finished = True
        finally:  # also when interrupted (Ctrl+C): the cuts finished so far are summed up
            batch.bar.close()
            summary = batch.write_summary(interrupted=not finished)
    return summary


def _run_tasks(ray: ModuleType, batch: Batch, todo: list[Cut]) -> None:
    """Run the cuts of ``todo`` as Ray tasks (at most ``batch.workers`` at once) and
    record each result as it comes."""
    counter = ray.remote(num_cpus=0)(FrameCounter).remote()
    gpus = GPU_SHARE if batch.settings.get("device") == "cuda" else 0
    task = ray.remote(max_retries=MAX_RETRIES, num_gpus=gpus)(colorize_cut)
    settings = ray.put(dict(batch.settings))
    queue, running = list(todo), {}
    while queue or running:
        while queue and len(running) < (batch.workers or len(todo)):
            cut = queue.pop(0)
            job = CutJob(cut.name, str(cut.clip_dir), str(batch.out_dir / cut.name),
                         None if cut.sheet_dir is None else str(cut.sheet_dir))  # fmt: skip
            running[task.remote(job, settings, counter)] = cut
        ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
        for ref in ready:
            cut = running.pop(ref)
            batch.finished(cut, _result(ray, ref, cut))
        counts = ray.get(counter.snapshot.remote())
        batch.show({cut.name: counts.get(cut.name, 0) for cut in running.values()})


def _result(ray: object, ref: object, cut: Cut) -> dict:
    """A task's result, or a failed result naming what became of its worker(s)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        problem = f"{type(error).__name__} after {MAX_RETRIES + 1} attempts: {first_line}"
        return {"cut": cut.name, "status": "failed", "frames": 0, "error": problem}
