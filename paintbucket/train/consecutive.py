"""Training the consecutive-frame inclusion matcher (run folder: see
:mod:`paintbucket.train.loop`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from paintbucket.errors import InputError
from paintbucket.models.inclusion_matcher import InclusionMatcher, inclusion_loss
from paintbucket.models.inputs import image_tensor
from paintbucket.models.weights import load_model, save_model
from paintbucket.train.loop import (
    LOOP_CONF,
    fit,
    folder_list,
    learning_rate,
    match_stats,
    merge_conf,
    read_checkpoint,
    resumed_conf,
    setup_torch,
)
from paintbucket.train.loop import load_config as _load_config
from paintbucket.train.pairs import DEFAULT_PAIR_CONF, find_clips, make_pair

__all__ = ["DEFAULT_TRAIN_CONF", "learning_rate", "load_config", "merge_conf",
           "pair_to_batch", "train_consecutive"]  # fmt: skip

DEFAULT_TRAIN_CONF = {
    "model": {},  # overrides of InclusionMatcher.default_conf
    "pairs": {},  # overrides of paintbucket.train.pairs.DEFAULT_PAIR_CONF
    "init": None,  # safetensors weights to start from (fine-tuning); None = random
    **LOOP_CONF,
}


def load_config(path: str | Path | None) -> dict:
    """Read a YAML config and merge it over :data:`DEFAULT_TRAIN_CONF`."""
    from paintbucket.models.inclusion_matcher import InclusionMatcher
    from paintbucket.train.pairs import DEFAULT_PAIR_CONF

    sections = {"model": InclusionMatcher.default_conf, "pairs": DEFAULT_PAIR_CONF}
    return _load_config(path, DEFAULT_TRAIN_CONF, sections)


def pair_to_batch(pair, device) -> tuple[dict, object]:
    """Numpy :class:`~paintbucket.train.pairs.Pair` -> model inputs and ``correct`` [1 x N x M]."""

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
    data_dir: str | Path | list,
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
    data_dir : path or list of paths
        Folder(s) of ``pbc synth`` clips (any folder whose subfolders hold line/ + gt/).
    run_dir : path
        Run folder (created); see :mod:`paintbucket.train.loop`.
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

    checkpoint = read_checkpoint(run_dir, device) if resume else None
    conf = resumed_conf(checkpoint, conf, DEFAULT_TRAIN_CONF)
    pair_conf = merge_conf(DEFAULT_PAIR_CONF, conf["pairs"])
    data_dirs = folder_list(data_dir)
    clips = [clip for folder in data_dirs for clip in find_clips(folder)]
    if not clips:
        raise InputError(data_dirs[0], "no clip folders (line/ + gt/ with 2+ frames) found")
    setup_torch(conf)
    if conf["init"] is not None and checkpoint is None:
        model = load_model("consecutive", conf["init"], device).train()
        if json.dumps(model.conf) != json.dumps(InclusionMatcher(conf["model"]).conf):
            raise InputError(conf["init"], "init weights were trained with another model conf")
    else:
        model = InclusionMatcher(conf["model"]).to(device)

    def step(rng: np.random.Generator):
        pair = None
        while pair is None:
            pair = make_pair(clips[int(rng.integers(len(clips)))], rng, pair_conf)
        data, correct = pair_to_batch(pair, device)
        output = model(data)
        return inclusion_loss(output["log_probs"], correct), match_stats(
            output["log_probs"], correct
        )

    def save_weights(path: Path, iteration: int) -> None:
        save_model(model, path, iterations=iteration, data=[str(d) for d in data_dirs])

    fit(model, step, conf, run_dir, save_weights, checkpoint, max_minutes, progress)
    return Path(run_dir) / "model.safetensors"
