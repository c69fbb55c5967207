"""The training loop every model shares: resumable, logged, on CPU or CUDA.

A run folder holds ``config.yaml`` (the merged configuration), ``log.jsonl`` (one line
per logging step: iteration, loss, accuracy, learning rate, elapsed seconds),
``checkpoint.pt`` (model, optimizer and progress, for ``--resume``) and
``model.safetensors`` (the weights, written at every checkpoint and at the end).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from paintbucket.errors import InputError
from paintbucket.io.atomic import atomic_write, remove_temp_files
from paintbucket.io.images import write_text

#: Keys every training configuration has (each task adds its own).
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
}


def merge_conf(base: dict, override: dict | None) -> dict:
    """Recursively merge ``override`` into a copy of ``base``; unknown keys are errors."""
    merged = dict(base)
    for key, value in (override or {}).items():
        if key not in base:
            raise ValueError(f"unknown configuration key {key!r}")
        if isinstance(base[key], dict) and base[key] and isinstance(value, dict):
            try:
                merged[key] = merge_conf(base[key], value)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        else:
            merged[key] = value
    return merged


def load_config(
    path: str | Path | None, defaults: dict, sections: dict[str, dict] | None = None
) -> dict:
    """Read a YAML config and merge it over ``defaults``.

    Parameters
    ----------
    path : path or None
        The YAML file; None gives ``defaults``.
    defaults : dict
        Every allowed key with its default.
    sections : dict, optional
        ``{key: defaults of that section}`` for keys whose default is an empty dict of
        overrides applied later (``model``, ``pairs``): their keys are checked here, so
        a misspelled key fails before training starts.

    Raises
    ------
    InputError
        Naming ``path``: missing file, invalid YAML, not a mapping, unknown key (with
        its section, e.g. ``pairs: unknown configuration key 'crpo'``).
    """
    if path is None:
        return merge_conf(defaults, {})
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(path, "config file not found") from None
    except yaml.YAMLError:
        raise InputError(path, "invalid YAML") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read config ({error.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping of configuration keys")
    try:
        merged = merge_conf(defaults, data)
        for key, section_defaults in (sections or {}).items():
            if not isinstance(merged[key] or {}, dict):
                raise ValueError(f"{key}: expected a mapping of configuration keys")
            merge_conf({key: section_defaults}, {key: merged[key]})
    except ValueError as error:
        raise InputError(path, str(error)) from None
    return merged


def learning_rate(step: int, conf: dict) -> float:
    """Linear warm-up then cosine decay from ``learning_rate`` to ``min_learning_rate``."""
    if step < conf["warmup"]:
        return conf["learning_rate"] * (step + 1) / conf["warmup"]
    progress = min(1.0, (step - conf["warmup"]) / max(1, conf["iterations"] - conf["warmup"]))
    low, high = conf["min_learning_rate"], conf["learning_rate"]
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * progress))


def read_checkpoint(run_dir: str | Path, device: str) -> dict:
    """Load ``run_dir/checkpoint.pt`` (raises :class:`InputError` if missing or corrupt)."""
    import torch

    path = Path(run_dir) / "checkpoint.pt"
    if not path.is_file():
        raise InputError(path, "no checkpoint to resume from")
    try:
        checkpoint = torch.load(path, map_location=device, weights_only=False)
        checkpoint["conf"], checkpoint["model"], checkpoint["iteration"]  # noqa: B018
    except Exception as error:  # torch raises many kinds on a damaged file
        raise InputError(path, f"corrupt checkpoint ({type(error).__name__})") from None
    return checkpoint


def resumed_conf(checkpoint: dict | None, conf: dict | None, defaults: dict) -> dict:
    """The run's configuration: the checkpoint's when resuming (``conf["iterations"]``
    may extend it), else ``conf`` merged over ``defaults``."""
    if checkpoint is None:
        return merge_conf(defaults, conf)
    merged = dict(checkpoint["conf"])
    if (conf or {}).get("iterations") is not None:
        merged["iterations"] = conf["iterations"]
    return merge_conf(defaults, merged)


def fit(
    model,
    step_fn: Callable[[np.random.Generator], tuple[object, dict]],
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
        ``step_fn(rng) -> (loss, stats)``: draws a sample with ``rng`` (one generator
        per step, seeded by ``[seed, step]``, so a resumed run replays the same
        samples), runs the model and returns the scalar loss and ``stats`` with
        ``hits`` and ``counts`` (ints) for the logged accuracy.
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
    import torch
    from tqdm import tqdm

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
    import torch

    with torch.no_grad():
        answered = correct.any(-1)
        best = log_probs.argmax(-1, keepdim=True)
        hits = int(correct.gather(-1, best).squeeze(-1)[answered].sum())
    return {"hits": hits, "counts": int(answered.sum())}


def folder_list(data_dir: str | Path | list) -> list[Path]:
    """One folder or several, as a list of paths."""
    if isinstance(data_dir, (str, Path)):
        return [Path(data_dir)]
    return [Path(folder) for folder in data_dir]


def setup_torch(conf: dict) -> None:
    """Apply ``conf["threads"]`` (0 = torch's default) and seed torch with ``conf["seed"]``."""
    import torch

    if conf["threads"]:
        torch.set_num_threads(conf["threads"])
    torch.manual_seed(conf["seed"])
