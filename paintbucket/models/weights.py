"""Model weights: the model of every kind, saving and loading safetensors files (the
model's conf as metadata), and the lazily loaded ``model`` attribute of the colorizers.

Nothing here imports torch until a model is built or a file read, so the colorizers can
import this module at their top.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

from paintbucket.choices import MODEL_KINDS
from paintbucket.errors import InputError
from paintbucket.io.images import write_bytes
from paintbucket.models.runtime import ONNX_GRAPHS, ONNX_MODELS, onnx_paths

#: Model class of every kind (:data:`~paintbucket.choices.MODEL_KINDS`) as (module,
#: class name), imported on first use: those modules import torch.
MODEL_CLASSES = {
    "consecutive": ("paintbucket.models.inclusion_matcher", "InclusionMatcher"),
    "keyframe": ("paintbucket.models.keyframe_matcher", "KeyframeMatcher"),
    "views": ("paintbucket.models.view_encoder", "ViewEncoder"),
}
#: Weights shipped with the package, one file per kind.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_WEIGHTS = {kind: WEIGHTS_DIR / f"{kind}.safetensors" for kind in MODEL_KINDS}
DEFAULT_CONSECUTIVE_WEIGHTS = DEFAULT_WEIGHTS["consecutive"]
DEFAULT_KEYFRAME_WEIGHTS = DEFAULT_WEIGHTS["keyframe"]
DEFAULT_VIEWS_WEIGHTS = DEFAULT_WEIGHTS["views"]


def model_class(kind: str) -> type:
    """The model class of ``kind`` (one of :data:`~paintbucket.choices.MODEL_KINDS`).

    Raises
    ------
    ValueError
        For an unknown kind.
    """
    if kind not in MODEL_CLASSES:
        raise ValueError(f"unknown model kind {kind!r}; use one of {MODEL_KINDS}")
    module, name = MODEL_CLASSES[kind]
    return getattr(importlib.import_module(module), name)


def model_format(model_class: type) -> str:
    """Format tag stored in a weights file of ``model_class``."""
    return f"paintbucket.{model_class.__name__}/1"


def save_model(model, path: str | Path, **metadata: object) -> Path:
    """Write ``model``'s weights and conf to a safetensors file, atomically.

    Parameters
    ----------
    model : torch.nn.Module
        One of the :data:`MODEL_CLASSES`, with its ``conf``.
    path : path
    **metadata
        More JSON-serialisable header entries (iterations, training data...).

    Returns
    -------
    path : Path
    """
    from safetensors.torch import save  # lazy: torch

    header = {"format": model_format(type(model)), "conf": json.dumps(model.conf)}
    header.update({key: json.dumps(value) for key, value in metadata.items()})
    state = {
        name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()
    }
    # Encoded in memory: safetensors' save_file recreates the file as mode 0600.
    return write_bytes(path, save(state, metadata=header))


def load_model(kind: str, path: str | Path | None = None, device: str = "cpu"):
    """Build a model of ``kind`` from a safetensors file written by :func:`save_model`.

    Parameters
    ----------
    kind : str
        One of :data:`~paintbucket.choices.MODEL_KINDS`.
    path : path, optional
        The kind's shipped weights (:data:`DEFAULT_WEIGHTS`) by default.
    device : str
        ``"cpu"`` or ``"cuda"``.

    Returns
    -------
    model : torch.nn.Module
        In eval mode, on ``device``.

    Raises
    ------
    InputError
        If the file is missing, not a safetensors file of this model, or its tensors do
        not fit the model its conf describes.
    """
    from safetensors import SafetensorError, safe_open  # lazy: torch

    cls = model_class(kind)
    path = Path(DEFAULT_WEIGHTS[kind] if path is None else path)
    expected = model_format(cls)
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
        model = cls(json.loads(metadata["conf"]))
        model.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise InputError(path, f"weights do not fit the model: {first_line}") from None
    return model.to(device).eval()


#: Ways to run a model: ``"onnx"`` (ONNX Runtime, the graphs exported from the weights
#: file by :mod:`paintbucket.models.export`), ``"torch"`` (PyTorch, the weights file
#: itself), ``"auto"`` (ONNX where the kind has graphs and they lie next to the weights,
#: or PyTorch is not installed; else PyTorch). Both give the same probabilities within
#: 1e-4; ONNX Runtime needs no PyTorch and is the faster here (``bench/bench_onnx_speed.py``).
BACKENDS = ("auto", "onnx", "torch")


def torch_installed() -> bool:
    """Whether PyTorch can be imported (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


def model_backend(kind: str, path: str | Path | None = None, backend: str = "auto") -> str:
    """``"onnx"`` or ``"torch"``: how :func:`load_backend_model` runs ``kind`` from ``path``.

    Raises
    ------
    ValueError
        For a backend not in :data:`BACKENDS`.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")
    if backend != "auto":
        return backend
    if kind not in ONNX_GRAPHS:
        return "torch"
    path = DEFAULT_WEIGHTS[kind] if path is None else path
    exported = all(graph.is_file() for graph in onnx_paths(path, kind).values())
    return "onnx" if exported or not torch_installed() else "torch"


def load_backend_model(
    kind: str,
    path: str | Path | None = None,
    device: str = "cpu",
    backend: str = "auto",
    threads: int | None = None,
):
    """:func:`load_model`, or the kind's ONNX Runtime model
    (:data:`~paintbucket.models.runtime.ONNX_MODELS`, ``threads`` threads per graph run,
    ONNX Runtime's choice when ``None``) where :func:`model_backend` says ``"onnx"``."""
    if model_backend(kind, path, backend) == "torch":
        return load_model(kind, path, device)
    if kind not in ONNX_GRAPHS:
        raise ValueError(f"no ONNX graphs for model kind {kind!r}; use backend 'torch'")
    path = Path(DEFAULT_WEIGHTS[kind] if path is None else path)
    graphs = onnx_paths(path, kind)
    if not all(graph.is_file() for graph in graphs.values()):
        if not path.is_file():
            raise InputError(path, "weights file not found")
        raise InputError(path, "no ONNX graphs next to these weights; write them with "
                         f"python -m paintbucket.models.export --kind {kind} {path}, "
                         "or install PyTorch (the train extra)")  # fmt: skip
    return ONNX_MODELS[kind](graphs, device, threads)


class LazyModel:
    """A colorizer's ``model`` attribute, loaded on first use.

    The first read calls :func:`load_backend_model` with the owner's ``weights``,
    ``device`` and ``backend`` (``"torch"`` when the owner has none) attributes and stores
    the model on the instance, where later reads find it (a non-data descriptor, like
    :func:`functools.cached_property`). Declaring one imports no torch.

    Parameters
    ----------
    kind : str
        One of :data:`~paintbucket.choices.MODEL_KINDS`.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Colorizer:
    ...     weights: str | None = None
    ...     device: str = "cpu"
    ...     model = LazyModel("views")
    >>> Colorizer.model.kind
    'views'
    """

    def __init__(self, kind: str) -> None:
        if kind not in MODEL_CLASSES:
            raise ValueError(f"unknown model kind {kind!r}; use one of {MODEL_KINDS}")
        self.kind = kind
        self.name = "model"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None):
        if instance is None:
            return self
        backend = getattr(instance, "backend", "torch")
        threads = getattr(instance, "onnx_threads", None)
        model = load_backend_model(self.kind, instance.weights, instance.device, backend, threads)
        instance.__dict__[self.name] = model
        return model


def average_weights(
    paths: Sequence[str | Path], out: str | Path, kind: str = "consecutive"
) -> Path:
    """Average several weights files of one model into a new file (a "model soup").

    Runs fine-tuned from the same starting weights usually lie in one basin, where the
    mean of their parameters scores at least as well as either run while keeping less of
    each run's overfitting. Floating-point tensors are averaged with equal weights;
    integer buffers are taken from the first file.

    Parameters
    ----------
    paths : sequence of path
        Two or more safetensors files written by :func:`save_model`, same model conf.
    out : path
        The averaged weights (written atomically; the sources are listed in its metadata).
    kind : str
        The model the files hold, one of :data:`~paintbucket.choices.MODEL_KINDS`.

    Returns
    -------
    path : Path
        ``out``.

    Raises
    ------
    InputError
        If a file cannot be loaded as a ``kind`` model or its conf differs from the first.
    ValueError
        If fewer than two files are given.
    """
    import torch  # lazy: torch

    if len(paths) < 2:
        raise ValueError(f"averaging needs at least two weights files, got {len(paths)}")
    models = [load_model(kind, path, "cpu") for path in paths]
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
    return save_model(first, out, averaged_from=[str(path) for path in paths])
