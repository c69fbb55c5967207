"""Reference selection by viewpoint (paper section 5.2, multi-reference colorization).

A small CNN embeds a drawing's line art, cropped to the character and resized to a
square, into a unit vector; it is trained with a triplet loss so that drawings of a
character seen from nearby viewpoints (neighbours in a turntable sequence) lie closer
than drawings from far viewpoints. At inference the cosine similarities between the
target and every sheet reference go through a softmax; references above ``threshold``
are used, else the first one (the front long shot).
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from paintbucket.models.conf import merge_conf
from paintbucket.segment.lines import widen_lines


def view_image(
    ink: np.ndarray, foreground: np.ndarray, size: int = 96, min_width: float = 0.0
) -> np.ndarray:
    """Crop a drawing to its character and fit it into a square, keeping the aspect.

    Parameters
    ----------
    ink : (H, W) float32
        Ink coverage in [0, 1].
    foreground : (H, W) bool
        The character (e.g. :func:`paintbucket.segment.labels.foreground_mask`).
    size : int
        Side of the output.
    min_width : float
        Strokes thinner than this many output pixels are widened before shrinking
        (:func:`~paintbucket.segment.lines.widen_lines`); 0 = as drawn.

    Returns
    -------
    image : (size, size) float32
        Ink in [0, 1], centred, background 0.
    """
    ys, xs = np.nonzero(foreground)
    if xs.size == 0:
        ys, xs = np.nonzero(np.ones_like(foreground))
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    height, width = crop.shape
    scale = (size - 4) / max(height, width)
    crop = widen_lines(crop.astype(np.float32), scale, min_width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA)
    out = np.zeros((size, size), np.float32)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = resized
    return np.clip(out * 2.0, 0.0, 1.0)  # thin lines survive the downscale


class ViewEncoder(nn.Module):
    default_conf = {
        "size": 96,  # side of the square input made by view_image
        "widths": (16, 32, 64, 96),  # channels of the stride-2 convolution stages
        "dim": 64,  # embedding width
    }

    def __init__(self, conf: dict | None = None) -> None:
        super().__init__()
        self.conf = conf = merge_conf(self.default_conf, conf, "ViewEncoder")
        layers, previous = [], 1
        for width in conf["widths"]:
            layers += [
                nn.Conv2d(previous, width, 3, 2, 1),
                nn.GroupNorm(max(1, width // 8), width),
                nn.GELU(),
            ]
            previous = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Linear(previous, conf["dim"]), nn.GELU(), nn.Linear(conf["dim"], conf["dim"])
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Embed drawings.

        Parameters
        ----------
        images : [B x 1 x S x S]
            From :func:`view_image`.

        Returns
        -------
        embeddings : [B x D] unit vectors.
        """
        pooled = self.features(images).mean(dim=(2, 3))
        return F.normalize(self.head(pooled), dim=-1)


def triplet_loss(
    anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, margin: float = 0.2
) -> torch.Tensor:
    """Mean of ``max(0, d(a, p) - d(a, n) + margin)`` with ``d = 1 - cosine``; inputs
    [B x D] unit vectors."""
    near = 1 - (anchor * positive).sum(-1)
    far = 1 - (anchor * negative).sum(-1)
    return F.relu(near - far + margin).mean()


def selection_weights(
    target: np.ndarray, references: np.ndarray, temperature: float = 0.1, threshold: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """Which references to use for a target (paper: softmax, keep those above 0.3).

    Parameters
    ----------
    target : (D,) unit embedding
    references : (R, D) unit embeddings, the front long shot first
    temperature : float
        Softmax temperature over the cosine similarities.
    threshold : float
        References whose probability exceeds this are used.

    Returns
    -------
    probabilities : (R,) float64
        Softmax of the similarities.
    weights : (R,) float64
        The kept references' probabilities renormalised to sum 1; only the first
        reference (weight 1) when none is kept or R = 0 gives an empty array.
    """
    if len(references) == 0:
        return np.zeros(0), np.zeros(0)
    logits = np.asarray(references, np.float64) @ np.asarray(target, np.float64) / temperature
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    weights = np.where(probabilities > threshold, probabilities, 0.0)
    if weights.sum() == 0:
        weights[0] = 1.0
    return probabilities, weights / weights.sum()
