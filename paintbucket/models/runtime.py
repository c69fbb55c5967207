"""Run exported models with ONNX Runtime: no torch at run time.

:mod:`paintbucket.models.export` writes a consecutive matcher as two graphs; the
per-segment pooling between them (a scatter over a variable number of segments, which
ONNX expresses badly) runs here in NumPy and matches
:func:`~paintbucket.models.pooling.mask_average_pool` and
:func:`~paintbucket.models.pooling.segment_boxes`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from paintbucket.errors import InputError

#: Model kinds with an ONNX runtime, and the graphs each is exported as.
ONNX_GRAPHS = {"consecutive": ("features", "match")}


def onnx_paths(weights: str | Path, kind: str = "consecutive") -> dict[str, Path]:
    """The graph files exported from the safetensors file ``weights``, by graph name:
    ``x.safetensors`` -> ``{"features": x.features.onnx, "match": x.match.onnx}``."""
    weights = Path(weights)
    return {name: weights.with_suffix(f".{name}.onnx") for name in ONNX_GRAPHS[kind]}


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (the graphs record their weights file's)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def segment_tokens(features: np.ndarray, segment_ids: np.ndarray, num_segments: int) -> np.ndarray:
    """Average the features inside each segment (super-pixel pooling), NumPy version.

    Parameters
    ----------
    features : (D, h, w) float32
        Feature map, possibly coarser than the segments: every pixel contributes the
        feature of the cell it falls in.
    segment_ids : (H, W) int
        Segment id per pixel, 0 = line (ignored), 1..``num_segments``.
    num_segments : int

    Returns
    -------
    tokens : (num_segments, D) float32
        Mean feature of segment ``i + 1`` in row ``i``; zeros for absent segments.
    """
    dim, height, width = features.shape
    full_h, full_w = segment_ids.shape
    rows = np.arange(full_h) * height // full_h
    cols = np.arange(full_w) * width // full_w
    cells = (rows[:, None] * width + cols[None, :]).ravel()
    ids = segment_ids.ravel().astype(np.int64)
    valid = ids > 0
    keys = (ids[valid] - 1) * (height * width) + cells[valid]
    # Pixels of one segment in one cell add the same feature: count each pair once.
    keys, counts = np.unique(keys, return_counts=True)
    seg, cell = np.divmod(keys, height * width)
    flat = features.reshape(dim, height * width).T
    weighted = flat[cell] * counts[:, None].astype(np.float32)
    tokens = np.zeros((num_segments, dim), np.float32)
    if seg.size:
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        tokens[seg[starts]] = np.add.reduceat(weighted, starts, axis=0)
    area = np.bincount(seg, weights=counts, minlength=num_segments)
    return tokens / np.maximum(area, 1)[:, None].astype(np.float32)


def segment_box_table(segment_ids: np.ndarray, num_segments: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised bounding box and presence of every segment, NumPy version.

    Parameters
    ----------
    segment_ids : (H, W) int, 0 = line
    num_segments : int

    Returns
    -------
    boxes : (num_segments, 4) float32
        ``(x0, y0, x1, y1)`` divided by ``width - 1`` and ``height - 1``; absent segments
        get ``(1, 1, 0, 0)``.
    present : (num_segments,) bool
    """
    height, width = segment_ids.shape
    boxes = np.tile(np.array([1, 1, 0, 0], np.float32), (num_segments, 1))
    present = np.zeros(num_segments, bool)
    for axis, (low, high), extent in ((0, (0, 2), width), (1, (1, 3), height)):
        # Segments present in each column (axis 0) or row (axis 1), first and last index.
        lines = np.moveaxis(segment_ids, 1 - axis, 0).reshape(segment_ids.shape[1 - axis], -1)
        line_index = np.repeat(np.arange(lines.shape[0]), lines.shape[1])
        keys = lines.ravel().astype(np.int64) * lines.shape[0] + line_index
        keys = np.unique(keys[lines.ravel() > 0])
        seg, position = np.divmod(keys, lines.shape[0])
        if not seg.size:
            continue
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        ends = np.r_[starts[1:], seg.size] - 1
        scale = max(extent - 1, 1)
        boxes[seg[starts] - 1, low] = position[starts] / scale
        boxes[seg[starts] - 1, high] = position[ends] / scale
        present[seg[starts] - 1] = True
    return boxes, present


class OnnxInclusionMatcher:
    """The consecutive matcher's two exported graphs on ONNX Runtime.

    Parameters
    ----------
    paths : dict
        ``{"features": path, "match": path}`` from
        :func:`~paintbucket.models.export.onnx_paths`.
    device : str
        ``"cpu"``, or ``"cuda"`` (ONNX Runtime's CUDA provider, which must be installed).

    Raises
    ------
    InputError
        If a graph file is missing or unreadable.
        For ``"cuda"`` without ONNX Runtime's CUDA provider, too (one line, no path).
    """

    def __init__(self, paths: dict[str, Path], device: str = "cpu") -> None:
        import onnxruntime  # lazy: onnxruntime loads in 0.2 s, only when a model runs

        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
                raise InputError(
                    None,
                    "--device cuda needs onnxruntime's CUDA provider "
                    "(pip install onnxruntime-gpu); this onnxruntime has only "
                    + ", ".join(onnxruntime.get_available_providers()),
                )
            providers.insert(0, "CUDAExecutionProvider")
        self.sessions = {}
        for name, path in paths.items():
            if not Path(path).is_file():
                raise InputError(path, "ONNX graph not found (python -m paintbucket.models.export)")
            try:
                self.sessions[name] = onnxruntime.InferenceSession(str(path), providers=providers)
            except Exception as error:  # onnxruntime raises its own non-public types
                raise InputError(path, f"not a readable ONNX graph ({error})") from None
        metadata = self.sessions["features"].get_modelmeta().custom_metadata_map
        self.conf = json.loads(metadata["conf"])
        self.weights_sha256 = metadata.get("weights_sha256")

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        levels = max(len(self.conf["widths"]), len(self.conf["offset_widths"]))
        return self.conf["stride"] * 2 ** (levels - 1)

    def _coordinates(self, boxes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Boxes in [0, 1] -> input pixels from the image centre / ``box_scale``."""
        height, width = shape
        size = np.array([width, height, width, height], np.float32)
        return ((boxes - 0.5) * size / self.conf["box_scale"]).astype(np.float32)

    def log_probs(self, images: dict[str, np.ndarray], segments_ref: np.ndarray,
                  segments_tgt: np.ndarray) -> np.ndarray:  # fmt: skip
        """Match target segments to reference segments.

        Parameters
        ----------
        images : dict
            ``line_ref``, ``color_ref``, ``line_tgt``, ``color_tgt``: [1 x C x h x w]
            float32 working-size inputs, as in
            :meth:`~paintbucket.models.InclusionMatcher.forward`.
        segments_ref : (H, W) int, segments_tgt : (H, W) int
            Full-resolution segment ids (0 = line), at least one segment each.

        Returns
        -------
        log_probs : (N, M) float32
            Log-probability that target segment ``n + 1`` lies in reference segment
            ``m + 1`` (absent reference ids: -inf).
        """
        features_ref, features_tgt = self.sessions["features"].run(None, images)
        shape = images["line_ref"].shape[-2:]
        inputs = {}
        for side, features, ids in (("ref", features_ref, segments_ref),
                                    ("tgt", features_tgt, segments_tgt)):  # fmt: skip
            count = int(ids.max())
            boxes, present = segment_box_table(ids, count)
            inputs[f"tokens_{side}"] = segment_tokens(features[0], ids, count)[None]
            inputs[f"coordinates_{side}"] = self._coordinates(boxes, shape)[None]
            inputs[f"mask_{side}"] = present[None]
        return self.sessions["match"].run(None, inputs)[0][0]
