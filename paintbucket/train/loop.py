"""The training every model shares: resumable, logged, on CPU or CUDA.

A :class:`Trainer` holds what differs between the models (their data, their loss, the
set-up of a fresh model); calling it runs the rest, the same for all: read the
checkpoint, settle the configuration, seed torch, build or load the model, fit, save.

A run folder holds ``config.yaml`` (the merged configuration), ``log.jsonl`` (one line
per logging step: iteration, loss, accuracy, learning rate, elapsed seconds),
``checkpoint.pt`` (model, optimizer and progress, for ``--resume``) and
``model.safetensors`` (the weights, written at every checkpoint and at the end).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import yaml
from tqdm import tqdm

from paintbucket.errors import InputError
from paintbucket.io.atomic import atomic_write, remove_temp_files
from paintbucket.io.images import write_text
from paintbucket.models.conf import merge_conf
from paintbucket.models.weights import load_model, model_class, save_model

#: Keys every training configuration has (each trainer adds its own).
LOOP_CONF = {
    "iterations": 8000,  # optimizer steps (one sample per step)
    "learning_rate": 3.0e-4,  # peak Adam learning rate
    "min_learning_rate": 1.0e-5,  # end of the cosine decay
    "warmup": 200,  # linear warm-up steps
    "grad_clip": 1.0,  # max gradient norm
    "log_every": 50,  # steps between log lines
    "checkpoint_every": 250,  # steps between checkpoints
    "seed": 0,  # sampling and initialisation seed
    "threads": 0,  # torch CPU threads, 0 = leave torch's default
    "init": None,  # safetensors weights to start from (fine-tuning); None = random
}

#: ``step_fn(rng) -> (loss, stats)``: one optimizer step's loss on a sample drawn with
#: ``rng``, and ``stats`` with ``hits`` and ``counts`` (ints) for the logged accuracy.
StepFn = Callable[[np.random.Generator], tuple[torch.Tensor, dict]]


@dataclass(frozen=True)
class Trainer:
    """What one model's training adds to the shared loop; call it to train.

    Attributes
    ----------
    kind : str
        The model (one of :data:`~paintbucket.choices.MODEL_KINDS`): its class and the
        format of the weights written.
    default_conf : dict
        Every configuration key with its default and a comment: :data:`LOOP_CONF`'s, a
        ``model`` section (the model's ``default_conf``) and the trainer's own.
    load_data : callable
        ``load_data(data_dirs, conf, progress) -> data``: the training data (read from
        the folders, or rendered); raises :class:`InputError` when there is none.
    make_step : callable
        ``make_step(model, data, conf, device) -> step_fn`` (:data:`StepFn`).
    initialize : callable, optional
        ``initialize(model)``: set-up of a model trained from scratch (neither resumed
        nor started from ``init`` weights).
    needs_data : bool
        Whether ``data_dirs`` are required (the views trainer renders its own).
    """

    kind: str
    default_conf: dict
    load_data: Callable[[list[Path], dict, bool], object]
    make_step: Callable[[torch.nn.Module, object, dict, str], StepFn]
    initialize: Callable[[torch.nn.Module], None] | None = None
    needs_data: bool = True

    def __call__(
        self,
        data_dirs: str | Path | Sequence[str | Path] | None,
        run_dir: str | Path,
        conf: dict | None = None,
        device: str = "cpu",
        resume: bool = False,
        max_minutes: float | None = None,
        progress: bool = True,
    ) -> Path:
        """Train (or continue training) the model; returns the weights file.

        Parameters
        ----------
        data_dirs : path, list of paths or None
            ``pbc synth`` folder(s); ignored (may be None) when not ``needs_data``.
        run_dir : path
            Run folder (created); see the module docstring.
        conf : dict, optional
            Merged over :attr:`default_conf` (e.g. from :func:`read_conf`).
        device : str
            ``"cpu"`` or ``"cuda"``.
        resume : bool
            Continue from ``run_dir/checkpoint.pt``. Its configuration wins, except
            that ``conf["iterations"]`` may extend the run.
        max_minutes : float, optional
            Stop (with a checkpoint) after this much wall time, to fit a time budget.
        progress : bool
            Show progress bars.

        Returns
        -------
        weights : Path
            ``run_dir/model.safetensors``.

        Raises
        ------
        InputError
            No data, a missing or damaged checkpoint, a bad configuration, ``init``
            weights of another model conf.
        """
        run_dir = Path(run_dir)
        checkpoint = read_checkpoint(run_dir, device) if resume else None
        conf = resumed_conf(checkpoint, conf, self.default_conf, run_dir / "checkpoint.pt")
        folders = folder_list(data_dirs) if self.needs_data else []
        if self.needs_data and not folders:
            raise InputError(None, f"training the {self.kind} model needs data folders")
        data = self.load_data(folders, conf, progress)
        setup_torch(conf)
        fresh = checkpoint is None
        model = build_model(self.kind, conf, device, fresh)
        if fresh and conf["init"] is None and self.initialize is not None:
            self.initialize(model)
        step_fn = self.make_step(model, data, conf, device)
        metadata = {"data": [str(folder) for folder in folders]} if self.needs_data else {}

        def save_weights(path: Path, iteration: int) -> None:
            save_model(model, path, iterations=iteration, **metadata)

        fit(model, step_fn, conf, run_dir, save_weights, checkpoint, max_minutes, progress)
        return run_dir / "model.safetensors"


def read_conf(path: str | Path | None, default: dict) -> dict:
    """Read a YAML config and merge it over ``default`` (:func:`merge_conf`).

    Parameters
    ----------
    path : path or None
        The YAML file; None gives a copy of ``default``.
    default : dict
        Every allowed key with its default (e.g. :attr:`Trainer.default_conf`).

    Raises
    ------
    InputError
        Naming ``path``: missing file, invalid YAML, not a mapping, unknown key at any
        depth (with its section, e.g. ``pairs: unknown configuration key 'crpo'``).
    """
    if path is None:
        return merge_conf(default, None, None)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "config file not found") from None
    except yaml.YAMLError:
        raise InputError(path, "invalid YAML") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read config ({error.__class__.__name__})") from None
    return merge_conf(default, data, path)


def build_model(kind: str, conf: dict, device: str, fresh: bool) -> torch.nn.Module:
    """The model to train, on ``device``: loaded from ``conf["init"]`` when ``fresh``
    (not resumed) and given, else built from ``conf["model"]`` with random weights.

    Raises
    ------
    InputError
        Naming the ``init`` file: unreadable, or trained with another model conf.
    """
    if not fresh or conf["init"] is None:
        return model_class(kind)(conf["model"]).to(device)
    model = load_model(kind, conf["init"], device).train()
    if json.dumps(model.conf, sort_keys=True) != json.dumps(conf["model"], sort_keys=True):
        raise InputError(conf["init"], "init weights were trained with another model conf")
    return model


def learning_rate(step: int, conf: dict) -> float:
    """Linear warm-up then cosine decay from ``learning_rate`` to ``min_learning_rate``."""
    if step < conf["warmup"]:
        return conf["learning_rate"] * (step + 1) / conf["warmup"]
    progress = min(1.0, (step - conf["warmup"]) / max(1, conf["iterations"] - conf["warmup"]))
    low, high = conf["min_learning_rate"], conf["learning_rate"]
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * progress))


def read_checkpoint(run_dir: str | Path, device: str) -> dict:
    """Load ``run_dir/checkpoint.pt`` (raises :class:`InputError` if missing or corrupt)."""
    path = Path(run_dir) / "checkpoint.pt"
    if not path.is_file():
        raise InputError(path, "no checkpoint to resume from")
    try:
        checkpoint = torch.load(path, map_location=device, weights_only=False)
        checkpoint["conf"], checkpoint["model"], checkpoint["iteration"]  # noqa: B018
    except Exception as error:  # torch raises many kinds on a damaged file
        raise InputError(path, f"corrupt checkpoint ({type(error).__name__})") from None
    return checkpoint


def resumed_conf(
    checkpoint: dict | None, conf: dict | None, default: dict, checkpoint_path: str | Path
) -> dict:
    """The run's configuration: the checkpoint's when resuming (``conf["iterations"]``
    may extend it; errors name ``checkpoint_path``), else ``conf`` merged over
    ``default``."""
    if checkpoint is None:
        return merge_conf(default, conf, None)
    merged = dict(checkpoint["conf"])
    if (conf or {}).get("iterations") is not None:
        merged["iterations"] = conf["iterations"]
    return merge_conf(default, merged, checkpoint_path)


def fit(
    model,
    step_fn: StepFn,
    conf: dict,
    run_dir: str | Path,
    save_weights: Callable[[Path, int], None],
    checkpoint: dict | None = None,
    max_minutes: float | None = None,
    progress: bool = True,
) -> None:
    """Run the optimizer over ``step_fn`` until ``conf["iterations"]``.

    Parameters
    ----------
    model : torch.nn.Module
        Already on its device; ``checkpoint`` (if any) is loaded into it here.
    step_fn : callable
        :data:`StepFn`; its ``rng`` is one generator per step, seeded by
        ``[seed, step]``, so a resumed run replays the same samples.
    conf : dict
        With the keys of :data:`LOOP_CONF`; written to ``run_dir/config.yaml``.
    run_dir : path
    save_weights : callable
        ``save_weights(path, iteration)`` writes the safetensors file.
    checkpoint : dict, optional
        From :func:`read_checkpoint`, to continue a run.
    max_minutes : float, optional
        Stop (with a checkpoint) after this much wall time.
    progress : bool
        Show a progress bar.
    """
    run_dir = Path(run_dir)
    checkpoint_path = run_dir / "checkpoint.pt"
    optimizer = torch.optim.Adam(model.parameters(), lr=conf["learning_rate"])
    start = 0
    if checkpoint is not None:
        try:
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
        except (RuntimeError, ValueError, KeyError) as error:
            first_line = str(error).strip().splitlines()[0]
            raise InputError(
                checkpoint_path, f"checkpoint does not fit the model: {first_line}"
            ) from None
        start = checkpoint["iteration"]
    remove_temp_files(run_dir)
    write_text(run_dir / "config.yaml", yaml.safe_dump(conf, sort_keys=False))

    def save(step: int) -> None:
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
        snapshot = {**state, "iteration": step, "conf": conf}
        atomic_write(checkpoint_path, lambda tmp: torch.save(snapshot, tmp))
        save_weights(run_dir / "model.safetensors", step)

    began = time.time()
    losses, hits, counts = [], 0, 0
    model.train()
    bar = tqdm(range(start, conf["iterations"]), initial=start, total=conf["iterations"],
               desc="train", unit="step", disable=not progress)  # fmt: skip
    step = start
    with open(run_dir / "log.jsonl", "a", encoding="utf-8") as log:
        for step in bar:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, conf)
            loss, stats = step_fn(np.random.default_rng([conf["seed"], step]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), conf["grad_clip"])
            optimizer.step()
            losses.append(loss.item())
            hits += stats["hits"]
            counts += stats["counts"]
            done = step + 1
            if done % conf["log_every"] == 0:
                record = {
                    "iteration": done,
                    "loss": float(np.mean(losses)),
                    "accuracy": hits / max(counts, 1),
                    "learning_rate": learning_rate(step, conf),
                    "seconds": round(time.time() - began, 1),
                }
                log.write(json.dumps(record) + "\n")
                log.flush()
                bar.set_postfix(loss=f"{record['loss']:.3f}", acc=f"{record['accuracy']:.3f}")
                losses, hits, counts = [], 0, 0
            if done % conf["checkpoint_every"] == 0:
                save(done)
            if max_minutes is not None and time.time() - began > 60 * max_minutes:
                break
    save(step + 1 if conf["iterations"] > start else start)


def match_stats(log_probs, correct) -> dict:
    """``hits``/``counts`` of the argmax match over target segments with an answer."""
    with torch.no_grad():
        answered = correct.any(-1)
        best = log_probs.argmax(-1, keepdim=True)
        hits = int(correct.gather(-1, best).squeeze(-1)[answered].sum())
    return {"hits": hits, "counts": int(answered.sum())}


def folder_list(data_dirs: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """One folder, several or none, as a list of paths."""
    if data_dirs is None:
        return []
    if isinstance(data_dirs, (str, Path)):
        return [Path(data_dirs)]
    return [Path(folder) for folder in data_dirs]


def setup_torch(conf: dict) -> None:
    """Apply ``conf["threads"]`` (0 = torch's default) and seed torch with ``conf["seed"]``."""
    if conf["threads"]:
        torch.set_num_threads(conf["threads"])
    torch.manual_seed(conf["seed"])
