"""Saving and loading model weights as safetensors, with the model's conf as metadata."""

from __future__ import annotations

import json
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
    import os
    import tempfile

    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": model_format(type(model)), "conf": json.dumps(model.conf)}
    header.update({key: json.dumps(value) for key, value in metadata.items()})
    state = {
        name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()
    }
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        save_file(state, tmp, metadata=header)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
