"""Saving and loading model weights as safetensors, with the model's conf as metadata."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from paintbucket.errors import InputError

#: Weights shipped with the package.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_CONSECUTIVE_WEIGHTS = WEIGHTS_DIR / "consecutive.safetensors"
DEFAULT_KEYFRAME_WEIGHTS = WEIGHTS_DIR / "keyframe.safetensors"
DEFAULT_VIEWS_WEIGHTS = WEIGHTS_DIR / "views.safetensors"
#: Shipped weights of every model class.
DEFAULT_WEIGHTS = {
    "InclusionMatcher": DEFAULT_CONSECUTIVE_WEIGHTS,
    "KeyframeMatcher": DEFAULT_KEYFRAME_WEIGHTS,
    "ViewEncoder": DEFAULT_VIEWS_WEIGHTS,
}


def model_format(model_class: type) -> str:
    """Format tag stored in a weights file of ``model_class``."""
    return f"paintbucket.{model_class.__name__}/1"


def save_matcher(model, path: str | Path, **metadata: object) -> Path:
    """Write ``model``'s weights and conf to a safetensors file, atomically."""
    from safetensors.torch import save

    from paintbucket.io.images import write_bytes

    header = {"format": model_format(type(model)), "conf": json.dumps(model.conf)}
    header.update({key: json.dumps(value) for key, value in metadata.items()})
    state = {
        name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()
    }
    # Encoded in memory: safetensors' save_file recreates the file as mode 0600.
    return write_bytes(path, save(state, metadata=header))


def load_matcher(
    path: str | Path | None = None, device: str = "cpu", model_class: type | None = None
):
    """Build a model from a safetensors file written by :func:`save_matcher`.

    ``model_class`` defaults to :class:`~paintbucket.models.InclusionMatcher`; ``path``
    defaults to the class's shipped weights (:data:`DEFAULT_WEIGHTS`).

    Raises
    ------
    InputError
        If the file is missing, not a safetensors file of this model, or its tensors do
        not fit the model its conf describes.
    """
    from safetensors import SafetensorError, safe_open

    from paintbucket.models.inclusion_matcher import InclusionMatcher

    model_class = model_class or InclusionMatcher
    path = Path(DEFAULT_WEIGHTS[model_class.__name__] if path is None else path)
    expected = model_format(model_class)
    if not path.is_file():
        raise InputError(path, "weights file not found")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            state = {name: handle.get_tensor(name) for name in handle.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise InputError(path, f"not a readable safetensors file ({error})") from None
    if metadata.get("format") != expected:
        raise InputError(path, f"not {expected} weights (format {metadata.get('format')!r})")
    try:
        model = model_class(json.loads(metadata["conf"]))
        model.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise InputError(path, f"weights do not fit the model: {first_line}") from None
    return model.to(device).eval()


def average_weights(
    paths: Sequence[str | Path], out: str | Path, model_class: type | None = None
) -> Path:
    """Average several weights files of one model into a new file (a "model soup").

    Runs fine-tuned from the same starting weights usually lie in one basin, where the
    mean of their parameters scores at least as well as either run while keeping less of
    each run's overfitting. Floating-point tensors are averaged with equal weights;
    integer buffers are taken from the first file.

    Parameters
    ----------
    paths : sequence of path
        Two or more safetensors files written by :func:`save_matcher`, same model conf.
    out : path
        The averaged weights (written atomically; the sources are listed in its metadata).
    model_class : type, optional
        As in :func:`load_matcher`; :class:`~paintbucket.models.InclusionMatcher` by
        default.

    Returns
    -------
    path : Path
        ``out``.

    Raises
    ------
    InputError
        If a file cannot be loaded as ``model_class`` or its conf differs from the first.
    ValueError
        If fewer than two files are given.
    """
    import torch

    if len(paths) < 2:
        raise ValueError(f"averaging needs at least two weights files, got {len(paths)}")
    models = [load_matcher(path, "cpu", model_class) for path in paths]
    first = models[0]
    for path, model in zip(paths[1:], models[1:]):
        if model.conf != first.conf:
            raise InputError(path, f"model conf differs from {paths[0]}")
    states = [model.state_dict() for model in models]
    averaged = {
        name: torch.stack([state[name].float() for state in states]).mean(0).to(tensor.dtype)
        if tensor.is_floating_point()
        else tensor
        for name, tensor in states[0].items()
    }
    first.load_state_dict(averaged)
    return save_matcher(first, out, averaged_from=[str(path) for path in paths])
