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

from paintbucket.train.loop import (
    LOOP_CONF,
    fit,
    merge_conf,
    read_checkpoint,
    resumed_conf,
    setup_torch,
)
from paintbucket.train.loop import load_config as _load_config

DEFAULT_VIEWS_CONF = {
    "model": {},  # overrides of ViewEncoder.default_conf
    "characters": 24,  # train-split characters rendered
    "views": 24,  # views per turntable (360 / views degrees apart)
    "render_size": 384,  # render resolution before view_image
    "batch": 32,  # triplets per step
    "margin": 0.2,  # triplet margin (cosine distance)
    "data_seed": 3,  # seed of the rendered characters
    **{**LOOP_CONF, "iterations": 1500, "warmup": 50, "learning_rate": 1.0e-3},
}

#: Shots rendered per character and whether each counts as a head shot.
SHOTS = (("long", False), ("face", True), ("closeup", True))


def load_views_config(path: str | Path | None) -> dict:
    """Read a YAML config and merge it over :data:`DEFAULT_VIEWS_CONF`."""
    from paintbucket.models.view_encoder import ViewEncoder

    return _load_config(path, DEFAULT_VIEWS_CONF, {"model": ViewEncoder.default_conf})


def render_turntables(conf: dict, progress: bool = True) -> np.ndarray:
    """(C, len(SHOTS), V, S, S) float32 :func:`view_image` inputs of every view."""
    from tqdm import tqdm

    from paintbucket.models.view_encoder import view_image
    from paintbucket.segment.labels import foreground_mask
    from paintbucket.segment.lines import ink
    from paintbucket.synth.character import build_character
    from paintbucket.synth.dataset import character_seed, render_frame, shot_camera
    from paintbucket.synth.skeleton import ACTIONS

    size = _view_size(conf)
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


def _view_size(conf: dict) -> int:
    """Input side of the encoder this configuration builds."""
    from paintbucket.models.view_encoder import ViewEncoder

    return int({**ViewEncoder.default_conf, **conf["model"]}["size"])


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


def train_views(
    run_dir: str | Path,
    conf: dict | None = None,
    device: str = "cpu",
    resume: bool = False,
    max_minutes: float | None = None,
    progress: bool = True,
) -> Path:
    """Train (or continue training) the reference selector; returns the weights file.

    Needs no data folder: views are rendered from train-split synthetic characters.
    """
    import torch

    from paintbucket.models.view_encoder import ViewEncoder, triplet_loss
    from paintbucket.models.weights import save_model

    checkpoint = read_checkpoint(run_dir, device) if resume else None
    conf = resumed_conf(checkpoint, conf, DEFAULT_VIEWS_CONF)
    conf = merge_conf(DEFAULT_VIEWS_CONF, conf)
    setup_torch(conf)
    views = torch.from_numpy(render_turntables(conf, progress)).to(device)
    model = ViewEncoder(conf["model"]).to(device)

    def step(rng: np.random.Generator):
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

    def save_weights(path: Path, iteration: int) -> None:
        save_model(model, path, iterations=iteration)

    fit(model, step, conf, run_dir, save_weights, checkpoint, max_minutes, progress)
    return Path(run_dir) / "model.safetensors"
