"""Training the keyframe matcher (run folder: see :mod:`paintbucket.train.loop`).

The category text embeddings (all-MiniLM-L6-v2, the mean over each category's prompts
in :data:`paintbucket.keyframe.text.CATEGORY_PROMPTS`) are computed once at the start
and stored in the model, so inference never needs them recomputed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from paintbucket.errors import InputError
from paintbucket.io.colorbook import CATEGORIES
from paintbucket.keyframe.text import CATEGORY_PROMPTS, default_encoder
from paintbucket.models.keyframe_matcher import KeyframeMatcher, keyframe_inputs, keyframe_loss
from paintbucket.models.weights import save_model
from paintbucket.train.keyframe_pairs import (
    DEFAULT_KEYFRAME_PAIR_CONF,
    find_characters,
    make_keyframe_pair,
)
from paintbucket.train.loop import (
    LOOP_CONF,
    fit,
    folder_list,
    match_stats,
    merge_conf,
    read_checkpoint,
    resumed_conf,
    setup_torch,
)
from paintbucket.train.loop import load_config as _load_config

DEFAULT_KEYFRAME_CONF = {
    "model": {},  # overrides of KeyframeMatcher.default_conf
    "pairs": {},  # overrides of paintbucket.train.keyframe_pairs.DEFAULT_KEYFRAME_PAIR_CONF
    "parsing_weight": 0.1,  # weight of the parsing loss (paper Eq. 7)
    **LOOP_CONF,
}


def load_keyframe_config(path: str | Path | None) -> dict:
    """Read a YAML config and merge it over :data:`DEFAULT_KEYFRAME_CONF`."""
    from paintbucket.models.keyframe_matcher import KeyframeMatcher
    from paintbucket.train.keyframe_pairs import DEFAULT_KEYFRAME_PAIR_CONF

    sections = {"model": KeyframeMatcher.default_conf, "pairs": DEFAULT_KEYFRAME_PAIR_CONF}
    return _load_config(path, DEFAULT_KEYFRAME_CONF, sections)


def category_text_embeddings() -> np.ndarray:
    """(12, 384) float32 unit embeddings of the categories, ``CATEGORIES`` order."""

    encoder = default_encoder()
    rows = [encoder.embed(list(CATEGORY_PROMPTS[c])).mean(axis=0) for c in CATEGORIES]
    rows = np.stack(rows)
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def keyframe_batch(pair, device) -> tuple[dict, object, object]:
    """:class:`~paintbucket.train.keyframe_pairs.KeyframePair` -> model inputs,
    ``correct`` [1 x N x M] and ``category_tgt`` [1 x N]."""

    data = keyframe_inputs(pair.line_ref, pair.line_tgt, pair.parsing_tgt, pair.segments_ref,
                           pair.segments_tgt, pair.category_ref, pair.frame_ref, pair.frame_tgt,
                           device)  # fmt: skip
    correct = torch.from_numpy(pair.correct)[None].to(device)
    category_tgt = torch.from_numpy(pair.category_tgt.astype(np.int64))[None].to(device)
    return data, correct, category_tgt


def train_keyframe(
    data_dir: str | Path | list,
    run_dir: str | Path,
    conf: dict | None = None,
    device: str = "cpu",
    resume: bool = False,
    max_minutes: float | None = None,
    progress: bool = True,
) -> Path:
    """Train (or continue training) the keyframe matcher; returns the weights file.

    Parameters are those of :func:`paintbucket.train.consecutive.train_consecutive`;
    ``data_dir`` must hold ``pbc synth`` design sheets and clips (train split, which
    has ``label/``).
    """

    checkpoint = read_checkpoint(run_dir, device) if resume else None
    conf = resumed_conf(checkpoint, conf, DEFAULT_KEYFRAME_CONF)
    pair_conf = merge_conf(DEFAULT_KEYFRAME_PAIR_CONF, conf["pairs"])
    data_dirs = folder_list(data_dir)
    characters = [c for folder in data_dirs for c in find_characters(folder)]
    if not characters:
        raise InputError(data_dirs[0], "no design sheets with labelled clips (pbc synth) found")
    setup_torch(conf)
    model = KeyframeMatcher(conf["model"]).to(device)
    if checkpoint is None:
        embeddings = torch.from_numpy(category_text_embeddings())
        model.category_embeddings.copy_(embeddings.to(device))

    def step(rng: np.random.Generator):
        pair = None
        while pair is None:
            character = characters[int(rng.integers(len(characters)))]
            pair = make_keyframe_pair(character, rng, pair_conf)
        data, correct, category_tgt = keyframe_batch(pair, device)
        output = model(data)
        loss = keyframe_loss(output, correct, category_tgt, conf["parsing_weight"])
        return loss, match_stats(output["log_probs"], correct)

    def save_weights(path: Path, iteration: int) -> None:
        save_model(model, path, iterations=iteration, data=[str(d) for d in data_dirs])

    fit(model, step, conf, run_dir, save_weights, checkpoint, max_minutes, progress)
    return Path(run_dir) / "model.safetensors"
