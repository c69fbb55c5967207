"""Training the reference selector (:class:`~paintbucket.models.view_encoder.ViewEncoder`).

Training data are turntable sequences rendered on the fly by the synthetic-character
renderer (train-split characters only): for every character and shot (long, face,
close-up), 24 views 15 degrees apart, each in a random pose. As in the paper, a triplet
takes a positive next to the anchor in the sequence (one step, in a long shot vs. long
shot or head shot vs. head shot) and a negative far from it (at least four steps away,
or a shot of the other kind).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from paintbucket.models.view_encoder import ViewEncoder, triplet_loss, view_image
from paintbucket.segment.labels import foreground_mask
from paintbucket.segment.lines import ink
from paintbucket.synth.character import build_character
from paintbucket.synth.dataset import character_seed, render_frame, shot_camera
from paintbucket.synth.skeleton import ACTIONS
from paintbucket.train.loop import LOOP_CONF, StepFn, Trainer

DEFAULT_CONF = {
    "model": ViewEncoder.default_conf,  # the network (paintbucket.models.ViewEncoder)
    "characters": 24,  # train-split characters rendered
    "views": 24,  # views per turntable (360 / views degrees apart)
    "render_size": 384,  # render resolution before view_image
    "batch": 32,  # triplets per step
    "margin": 0.2,  # triplet margin (cosine distance)
    "data_seed": 3,  # seed of the rendered characters
    **LOOP_CONF,
    "iterations": 1500,  # optimizer steps (batches of triplets)
    "warmup": 50,  # linear warm-up steps
    "learning_rate": 1.0e-3,  # peak Adam learning rate
}

#: Shots rendered per character and whether each counts as a head shot.
SHOTS = (("long", False), ("face", True), ("closeup", True))


def render_turntables(conf: dict, progress: bool = True) -> np.ndarray:
    """(C, len(SHOTS), V, S, S) float32 :func:`view_image` inputs of every view, S the
    encoder's input size."""
    size = int(conf["model"]["size"])
    actions = sorted(ACTIONS)
    light = np.array([-0.4, -0.6, 0.7])
    out = np.zeros((conf["characters"], len(SHOTS), conf["views"], size, size), np.float32)
    bar = tqdm(total=out.shape[0] * out.shape[1] * out.shape[2], desc="render views",
               unit="view", disable=not progress)  # fmt: skip
    for c in range(conf["characters"]):
        seed = character_seed(conf["data_seed"], c, "train")
        character = build_character(seed)
        rng = np.random.default_rng([seed, 7])
        for s, (shot, _) in enumerate(SHOTS):
            for v in range(conf["views"]):
                yaw = 2 * np.pi * v / conf["views"] + rng.uniform(-0.05, 0.05)
                motion = ACTIONS[actions[int(rng.integers(len(actions)))]](rng.uniform(0, 1))
                camera = shot_camera(character, shot, yaw, float(rng.uniform(-0.05, 0.2)))
                frame = render_frame(character, motion, camera, conf["render_size"], light)
                out[c, s, v] = view_image(ink(frame.line), foreground_mask(frame.seg), size)
                bar.update(1)
    bar.close()
    return out


def sample_triplets(
    num_characters: int, num_views: int, batch: int, rng: np.random.Generator
) -> np.ndarray:
    """(batch, 3, 3) int indices ``(character, shot, view)`` of anchor, positive, negative."""
    head = np.array([is_head for _, is_head in SHOTS])
    out = np.zeros((batch, 3, 3), dtype=np.int64)
    for b in range(batch):
        c = int(rng.integers(num_characters))
        s, v = int(rng.integers(len(SHOTS))), int(rng.integers(num_views))
        same_kind = np.flatnonzero(head == head[s])
        positive = (c, int(rng.choice(same_kind)), (v + int(rng.choice([-1, 1]))) % num_views)
        if rng.random() < 0.5:
            far = int(rng.integers(4, num_views - 3))
            negative = (c, int(rng.choice(same_kind)), (v + far) % num_views)
        else:
            other_kind = np.flatnonzero(head != head[s])
            negative = (c, int(rng.choice(other_kind)), int(rng.integers(num_views)))
        out[b] = [(c, s, v), positive, negative]
    return out


def load_turntables(data_dirs: list[Path], conf: dict, progress: bool) -> np.ndarray:
    """The trainer's data: :func:`render_turntables` (no folders are read)."""
    return render_turntables(conf, progress)


def make_step(model: ViewEncoder, turntables: np.ndarray, conf: dict, device: str) -> StepFn:
    """One step: ``batch`` triplets of rendered views, randomly mirrored, and the triplet
    loss; a triplet is a hit when the anchor is closer to the positive."""
    views = torch.from_numpy(turntables).to(device)

    def step(rng: np.random.Generator) -> tuple[torch.Tensor, dict]:
        index = sample_triplets(views.shape[0], views.shape[2], conf["batch"], rng)
        flat = torch.from_numpy(index.reshape(-1, 3)).to(device)
        images = views[flat[:, 0], flat[:, 1], flat[:, 2]][:, None]
        # Random flips: a mirrored drawing is seen from the mirrored viewpoint.
        images = images.view(conf["batch"], 3, *images.shape[1:])
        flips = torch.from_numpy(rng.random(conf["batch"]) < 0.5).to(device)
        images[flips] = images[flips].flip(-1)
        embeddings = model(images.flatten(0, 1)).view(conf["batch"], 3, -1)
        anchor, positive, negative = embeddings.unbind(1)
        loss = triplet_loss(anchor, positive, negative, conf["margin"])
        with torch.no_grad():
            right = (anchor * positive).sum(-1) > (anchor * negative).sum(-1)
        return loss, {"hits": int(right.sum()), "counts": conf["batch"]}

    return step


#: Trains :class:`~paintbucket.models.ViewEncoder` on rendered turntables (no data folder).
TRAINER = Trainer("views", DEFAULT_CONF, load_turntables, make_step, needs_data=False)
