"""Training the consecutive-frame inclusion matcher on ``pbc synth`` clips (run folder:
see :mod:`paintbucket.train.loop`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from paintbucket.errors import InputError
from paintbucket.models.inclusion_matcher import InclusionMatcher, inclusion_loss
from paintbucket.models.inputs import image_tensor
from paintbucket.train.loop import LOOP_CONF, StepFn, Trainer, match_stats
from paintbucket.train.pairs import DEFAULT_PAIR_CONF, Pair, find_clips, make_pair

DEFAULT_CONF = {
    "model": InclusionMatcher.default_conf,  # the network (paintbucket.models.InclusionMatcher)
    "pairs": DEFAULT_PAIR_CONF,  # training pairs (paintbucket.train.pairs)
    **LOOP_CONF,
}


def pair_to_batch(pair: Pair, device: str) -> tuple[dict, torch.Tensor]:
    """Numpy :class:`~paintbucket.train.pairs.Pair` -> model inputs and ``correct`` [1 x N x M]."""

    def image(array: np.ndarray) -> torch.Tensor:
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


def load_clips(data_dirs: list[Path], conf: dict, progress: bool) -> list[list[Path]]:
    """The line frames of every clip (line/ + gt/, 2+ frames) in ``data_dirs``."""
    clips = [clip for folder in data_dirs for clip in find_clips(folder)]
    if not clips:
        raise InputError(data_dirs[0], "no clip folders (line/ + gt/ with 2+ frames) found")
    return clips


def make_step(model: InclusionMatcher, clips: list[list[Path]], conf: dict, device: str) -> StepFn:
    """One step: a pair from a random clip, the inclusion loss over its target segments."""

    def step(rng: np.random.Generator) -> tuple[torch.Tensor, dict]:
        pair = None
        while pair is None:
            pair = make_pair(clips[int(rng.integers(len(clips)))], rng, conf["pairs"])
        data, correct = pair_to_batch(pair, device)
        log_probs = model(data)["log_probs"]
        return inclusion_loss(log_probs, correct), match_stats(log_probs, correct)

    return step


#: Trains :class:`~paintbucket.models.InclusionMatcher` on ``pbc synth`` clips.
TRAINER = Trainer("consecutive", DEFAULT_CONF, load_clips, make_step)
