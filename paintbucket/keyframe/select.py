"""Learned reference selection: which sheet views look like the target's viewpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.keyframe.sheet import DesignSheet
from paintbucket.models.inputs import view_image
from paintbucket.models.runtime import OnnxViewEncoder
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
    backend : str
        ``"auto"``, ``"onnx"`` or ``"torch"``, as for
        :class:`~paintbucket.keyframe.learned.KeyframeModel`.
    temperature : float
        Softmax temperature over the cosine similarities.
    threshold : float
        References with a larger probability are used.
    min_line_width : float
        Strokes thinner than this many pixels of the encoder's input are widened first
        (see :func:`~paintbucket.models.inputs.view_image`): the training renders
        (384 px, 2-px outlines, characters about 330 px tall fit into 92 px) give about
        0.5; high-resolution drawings would otherwise reach the encoder almost blank.
        0 uses the drawings as they are.
    """

    weights: str | Path | None = None
    device: str = "cpu"
    backend: str = "auto"
    temperature: float = 0.1
    threshold: float = 0.3
    min_line_width: float = 0.5
    #: The :class:`~paintbucket.models.ViewEncoder` or its
    #: :class:`~paintbucket.models.runtime.OnnxViewEncoder`, loaded on first use.
    model = LazyModel("views")

    def embed(self, frames: list[Frame]) -> np.ndarray:
        """(len(frames), D) unit embeddings of drawings."""
        size = self.model.conf["size"]
        images = np.stack(
            [
                view_image(
                    ink(f.line_art), foreground_mask(f.segment_ids), size, self.min_line_width
                )
                for f in frames
            ]
        )
        if isinstance(self.model, OnnxViewEncoder):
            return self.model.embed(images)
        import torch  # lazy: torch (only the PyTorch backend needs it)

        with torch.no_grad():
            batch = torch.from_numpy(images)[:, None].to(self.device)
            return self.model(batch).cpu().numpy()

    def __call__(self, sheet: DesignSheet, target: Frame) -> tuple[np.ndarray, np.ndarray]:
        """Selection probabilities and weights (R,) of ``sheet.references`` for ``target``
        (see :func:`selection_weights`)."""
        embeddings = self.embed([target] + [r.frame for r in sheet.references])
        return selection_weights(embeddings[0], embeddings[1:], self.temperature, self.threshold)


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
