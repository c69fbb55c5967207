"""Training the keyframe matcher on ``pbc synth`` design sheets and labelled clips (run
folder: see :mod:`paintbucket.train.loop`).

The category text embeddings (all-MiniLM-L6-v2, the mean over each category's prompts
in :data:`paintbucket.keyframe.text.CATEGORY_PROMPTS`) are computed once when a model is
trained from scratch and stored in the model, so inference never needs them recomputed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from paintbucket.errors import InputError
from paintbucket.io.colorbook import CATEGORIES
from paintbucket.keyframe.text import CATEGORY_PROMPTS, default_encoder
from paintbucket.models.keyframe_matcher import KeyframeMatcher, keyframe_inputs, keyframe_loss
from paintbucket.train.keyframe_pairs import (
    DEFAULT_KEYFRAME_PAIR_CONF,
    CharacterFiles,
    KeyframePair,
    find_characters,
    make_keyframe_pair,
)
from paintbucket.train.loop import LOOP_CONF, StepFn, Trainer, match_stats

DEFAULT_CONF = {
    "model": KeyframeMatcher.default_conf,  # the network (paintbucket.models.KeyframeMatcher)
    "pairs": DEFAULT_KEYFRAME_PAIR_CONF,  # training samples (paintbucket.train.keyframe_pairs)
    "parsing_weight": 0.1,  # weight of the parsing loss (paper Eq. 7)
    **LOOP_CONF,
}


def category_text_embeddings() -> np.ndarray:
    """(12, 384) float32 unit embeddings of the categories, ``CATEGORIES`` order."""
    encoder = default_encoder()
    rows = [encoder.embed(list(CATEGORY_PROMPTS[c])).mean(axis=0) for c in CATEGORIES]
    rows = np.stack(rows)
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def keyframe_batch(pair: KeyframePair, device: str) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """:class:`~paintbucket.train.keyframe_pairs.KeyframePair` -> model inputs,
    ``correct`` [1 x N x M] and ``category_tgt`` [1 x N]."""
    data = keyframe_inputs(pair.line_ref, pair.line_tgt, pair.parsing_tgt, pair.segments_ref,
                           pair.segments_tgt, pair.category_ref, pair.frame_ref, pair.frame_tgt,
                           device)  # fmt: skip
    correct = torch.from_numpy(pair.correct)[None].to(device)
    category_tgt = torch.from_numpy(pair.category_tgt.astype(np.int64))[None].to(device)
    return data, correct, category_tgt


def load_characters(data_dirs: list[Path], conf: dict, progress: bool) -> list[CharacterFiles]:
    """Every character with a design sheet and labelled clip frames in ``data_dirs``."""
    characters = [c for folder in data_dirs for c in find_characters(folder)]
    if not characters:
        raise InputError(data_dirs[0], "no design sheets with labelled clips (pbc synth) found")
    return characters


def store_text_embeddings(model: KeyframeMatcher) -> None:
    """Fill a fresh model's category embeddings (:func:`category_text_embeddings`)."""
    embeddings = torch.from_numpy(category_text_embeddings())
    model.category_embeddings.copy_(embeddings.to(model.category_embeddings.device))


def make_step(
    model: KeyframeMatcher, characters: list[CharacterFiles], conf: dict, device: str
) -> StepFn:
    """One step: a sheet view and a clip frame of a random character, the matching loss
    plus ``parsing_weight`` times the parsing loss."""

    def step(rng: np.random.Generator) -> tuple[torch.Tensor, dict]:
        pair = None
        while pair is None:
            character = characters[int(rng.integers(len(characters)))]
            pair = make_keyframe_pair(character, rng, conf["pairs"])
        data, correct, category_tgt = keyframe_batch(pair, device)
        output = model(data)
        loss = keyframe_loss(output, correct, category_tgt, conf["parsing_weight"])
        return loss, match_stats(output["log_probs"], correct)

    return step


#: Trains :class:`~paintbucket.models.KeyframeMatcher` on ``pbc synth`` sheets and clips.
TRAINER = Trainer("keyframe", DEFAULT_CONF, load_characters, make_step, store_text_embeddings)
