"""Training the consecutive-frame inclusion matcher: resumable, logged, on CPU or CUDA.

A run folder holds ``config.yaml`` (the merged configuration), ``log.jsonl`` (one line
per logging step: iteration, loss, accuracy, learning rate, elapsed seconds),
``checkpoint.pt`` (model, optimizer and progress, for ``--resume``) and
``model.safetensors`` (the weights, written at every checkpoint and at the end).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import yaml

from paintbucket.errors import InputError

DEFAULT_TRAIN_CONF = {
    "model": {},  # overrides of InclusionMatcher.default_conf
    "pairs": {},  # overrides of paintbucket.train.pairs.DEFAULT_PAIR_CONF
    "iterations": 8000,  # optimizer steps (one pair per step)
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
            merged[key] = merge_conf(base[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str | Path | None) -> dict:
    """Read a YAML config and merge it over :data:`DEFAULT_TRAIN_CONF`."""
    if path is None:
        return merge_conf(DEFAULT_TRAIN_CONF, {})
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(path, "config file not found") from None
    except yaml.YAMLError:
        raise InputError(path, "invalid YAML") from None
    try:
        return merge_conf(DEFAULT_TRAIN_CONF, data)
    except ValueError as error:
        raise InputError(path, str(error)) from None


def learning_rate(step: int, conf: dict) -> float:
    """Linear warm-up then cosine decay from ``learning_rate`` to ``min_learning_rate``."""
    if step < conf["warmup"]:
        return conf["learning_rate"] * (step + 1) / conf["warmup"]
    progress = min(1.0, (step - conf["warmup"]) / max(1, conf["iterations"] - conf["warmup"]))
    low, high = conf["min_learning_rate"], conf["learning_rate"]
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * progress))


def pair_to_batch(pair, device) -> tuple[dict, object]:
    """Numpy :class:`~paintbucket.train.pairs.Pair` -> model inputs and ``correct`` [1 x N x M]."""
    import torch

    from paintbucket.models.inclusion_matcher import image_tensor

    def image(array: np.ndarray):
        return image_tensor(array, device)

    data = {
        "line_ref": image(pair.line_ref),
        "color_ref": image(pair.color_ref),
        "line_tgt": image(pair.line_tgt),
        "color_tgt": image(pair.color_tgt),
        "segments_ref": torch.from_numpy(pair.segments_ref.astype(np.int64))[None].to(device),
        "segments_tgt": torch.from_numpy(pair.segments_tgt.astype(np.int64))[None].to(device),
        "box_offset": torch.from_numpy(pair.box_offset)[None].to(device),
    }
    return data, torch.from_numpy(pair.correct)[None].to(device)


def train_consecutive(
    data_dir: str | Path,
    run_dir: str | Path,
    conf: dict | None = None,
    device: str = "cpu",
    resume: bool = False,
    max_minutes: float | None = None,
    progress: bool = True,
) -> Path:
    """Train (or continue training) the matcher; returns the weights file.

    Parameters
    ----------
    data_dir : path
        Folder of ``pbc synth`` clips (any folder whose subfolders hold line/ + gt/).
    run_dir : path
        Run folder (created); see the module docstring.
    conf : dict, optional
        Merged over :data:`DEFAULT_TRAIN_CONF`.
    device : str
        ``"cpu"`` or ``"cuda"``.
    resume : bool
        Continue from ``run_dir/checkpoint.pt``. Its configuration wins, except that
        ``conf["iterations"]`` may extend the run.
    max_minutes : float, optional
        Stop (with a checkpoint) after this much wall time, to fit a session's budget.
    progress : bool
        Show a progress bar.
    """
    import torch
    from tqdm import tqdm

    from paintbucket.models.inclusion_matcher import InclusionMatcher, inclusion_loss
    from paintbucket.models.weights import save_matcher
    from paintbucket.train.pairs import DEFAULT_PAIR_CONF, find_clips, make_pair

    run_dir = Path(run_dir)
    checkpoint_path = run_dir / "checkpoint.pt"
    checkpoint = None
    if resume:
        if not checkpoint_path.is_file():
            raise InputError(checkpoint_path, "no checkpoint to resume from")
        try:
            checkpoint = torch.load(checkpoint_path, map_location=device, weights_only=False)
            checkpoint["conf"], checkpoint["model"], checkpoint["iteration"]  # noqa: B018
        except Exception as error:  # torch raises many kinds on a damaged file
            raise InputError(
                checkpoint_path, f"corrupt checkpoint ({type(error).__name__})"
            ) from None
        iterations = (conf or {}).get("iterations")
        conf = dict(checkpoint["conf"])
        if iterations is not None:
            conf["iterations"] = iterations
    conf = merge_conf(DEFAULT_TRAIN_CONF, conf)
    pair_conf = merge_conf(DEFAULT_PAIR_CONF, conf["pairs"])
    clips = find_clips(data_dir)
    if not clips:
        raise InputError(data_dir, "no clip folders (line/ + gt/ with 2+ frames) found")
    if conf["threads"]:
        torch.set_num_threads(conf["threads"])
    torch.manual_seed(conf["seed"])
    model = InclusionMatcher(conf["model"]).to(device)
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
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(yaml.safe_dump(conf, sort_keys=False), encoding="utf-8")

    def save(step: int) -> None:
        tmp = checkpoint_path.with_suffix(".tmp")
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
        torch.save({**state, "iteration": step, "conf": conf}, tmp)
        tmp.replace(checkpoint_path)
        save_matcher(model, run_dir / "model.safetensors", iterations=step, data=str(data_dir))

    began = time.time()
    losses, hits, counts = [], 0, 0
    model.train()
    bar = tqdm(range(start, conf["iterations"]), initial=start, total=conf["iterations"],
               desc="train", unit="step", disable=not progress)  # fmt: skip
    step = start
    with open(run_dir / "log.jsonl", "a", encoding="utf-8") as log:
        for step in bar:
            # One generator per step: resuming replays the same sample sequence.
            rng = np.random.default_rng([conf["seed"], step])
            pair = None
            while pair is None:
                pair = make_pair(clips[int(rng.integers(len(clips)))], rng, pair_conf)
            data, correct = pair_to_batch(pair, device)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, conf)
            output = model(data)
            loss = inclusion_loss(output["log_probs"], correct)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), conf["grad_clip"])
            optimizer.step()
            with torch.no_grad():
                answered = correct.any(-1)
                best = output["log_probs"].argmax(-1, keepdim=True)
                hits += int(correct.gather(-1, best).squeeze(-1)[answered].sum())
                counts += int(answered.sum())
            losses.append(loss.item())
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
    return run_dir / "model.safetensors"
