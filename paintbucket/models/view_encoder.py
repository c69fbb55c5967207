"""Reference selection by viewpoint (paper section 5.2, multi-reference colorization).

A small CNN embeds a drawing's line art, cropped to the character and resized to a
square, into a unit vector; it is trained with a triplet loss so that drawings of a
character seen from nearby viewpoints (neighbours in a turntable sequence) lie closer
than drawings from far viewpoints. At inference the cosine similarities between the
target and every sheet reference go through a softmax; references above ``threshold``
are used, else the first one (the front long shot).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from paintbucket.models.conf import merge_conf


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
            From :func:`~paintbucket.models.inputs.view_image`.

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
