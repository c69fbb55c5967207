"""Learned reference selection: which sheet views look like the target's viewpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.keyframe.sheet import DesignSheet
from paintbucket.models.weights import LazyModel
from paintbucket.segment.labels import foreground_mask
from paintbucket.segment.lines import ink


@dataclass
class ReferenceSelector:
    """The shipped :class:`~paintbucket.models.view_encoder.ViewEncoder` and the
    paper's rule (softmax over cosine similarities, references above ``threshold``,
    else the front long shot).

    Parameters
    ----------
    weights : path, optional
        safetensors file; the shipped selector weights by default.
    device : str
    temperature : float
        Softmax temperature over the cosine similarities.
    threshold : float
        References with a larger probability are used.
    min_line_width : float
        Strokes thinner than this many pixels of the encoder's input are widened first
        (see :func:`~paintbucket.models.view_encoder.view_image`): the training renders
        (384 px, 2-px outlines, characters about 330 px tall fit into 92 px) give about
        0.5; high-resolution drawings would otherwise reach the encoder almost blank.
        0 uses the drawings as they are.
    """

    weights: str | Path | None = None
    device: str = "cpu"
    temperature: float = 0.1
    threshold: float = 0.3
    min_line_width: float = 0.5
    #: The :class:`~paintbucket.models.ViewEncoder`, loaded from ``weights`` on first use.
    model = LazyModel("views")

    def embed(self, frames: list[Frame]) -> np.ndarray:
        """(len(frames), D) unit embeddings of drawings."""
        import torch  # lazy: torch

        from paintbucket.models.view_encoder import view_image  # lazy: torch

        size = self.model.conf["size"]
        images = np.stack(
            [
                view_image(
                    ink(f.line_art), foreground_mask(f.segment_ids), size, self.min_line_width
                )
                for f in frames
            ]
        )
        with torch.no_grad():
            batch = torch.from_numpy(images)[:, None].to(self.device)
            return self.model(batch).cpu().numpy()

    def __call__(self, sheet: DesignSheet, target: Frame) -> tuple[np.ndarray, np.ndarray]:
        """Selection probabilities and weights (R,) of ``sheet.references`` for ``target``
        (see :func:`~paintbucket.models.view_encoder.selection_weights`)."""
        from paintbucket.models.view_encoder import selection_weights  # lazy: torch

        embeddings = self.embed([target] + [r.frame for r in sheet.references])
        return selection_weights(embeddings[0], embeddings[1:], self.temperature, self.threshold)
