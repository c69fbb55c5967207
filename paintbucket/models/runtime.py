"""Run exported models with ONNX Runtime: no torch at run time.

:mod:`paintbucket.models.export` writes each matcher as two graphs; the per-segment
pooling between them (a scatter over a variable number of segments, which
ONNX expresses badly) runs here in NumPy and matches
:func:`~paintbucket.models.pooling.mask_average_pool` and
:func:`~paintbucket.models.pooling.segment_boxes`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from paintbucket.errors import InputError

#: Model kinds with an ONNX runtime, and the graphs each is exported as.
ONNX_GRAPHS = {
    "consecutive": ("reference", "target", "match"),
    "keyframe": ("reference", "target", "match"),
    "views": ("embed",),
}

#: The text encoder's graph (tokenizer + all-MiniLM-L6-v2, weights 8-bit) and its width.
TEXT_GRAPH = Path(__file__).resolve().parent / "weights" / "text.onnx"
TEXT_DIM = 384


#: The most threads this process computes with (None: no limit of ours); set by
#: :func:`limit_threads`, read by :func:`available_threads` and every ONNX Runtime
#: session created after it.
_THREAD_LIMIT: int | None = None


def limit_threads(threads: int) -> None:
    """Compute with at most ``threads`` threads in this process: PyTorch, ONNX Runtime
    sessions created from now on, and OpenCV.

    Each library otherwise starts one thread per core in every process, so several
    worker processes on one machine (``pbc batch``) would each fight for all cores.
    :func:`available_threads` returns the limit, which the colorizers also follow
    (:class:`~paintbucket.consecutive.LearnedEngine` then runs its two flip passes one
    after the other).
    PyTorch is not imported for this: when it is not loaded yet, ``OMP_NUM_THREADS``
    and ``MKL_NUM_THREADS`` tell it at import.

    Parameters
    ----------
    threads : int
        At least 1.
    """
    global _THREAD_LIMIT
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    _THREAD_LIMIT = threads
    cv2.setNumThreads(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    else:
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)


def available_threads() -> int:
    """The threads this process may compute with: the :func:`limit_threads` limit, else
    the cores it may run on."""
    if _THREAD_LIMIT is not None:
        return _THREAD_LIMIT
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def onnx_paths(weights: str | Path, kind: str = "consecutive") -> dict[str, Path]:
    """The graph files exported from the safetensors file ``weights``, by graph name:
    ``x.safetensors`` -> ``{"reference": x.reference.onnx, "target": x.target.onnx,
    "match": x.match.onnx}`` (the graph names of ``kind`` in :data:`ONNX_GRAPHS`)."""
    weights = Path(weights)
    return {name: weights.with_suffix(f".{name}.onnx") for name in ONNX_GRAPHS[kind]}


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (the graphs record their weights file's)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _row_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal values along each row of a 2-D array.

    Returns
    -------
    starts : (R,) int64
        Flat index of the first element of every run, in order.
    lengths : (R,) int64

    Examples
    --------
    >>> _row_runs(np.array([[5, 5, 7], [7, 7, 7]]))
    (array([0, 2, 3]), array([2, 1, 3]))
    """
    flat = values.ravel()
    change = np.ones(flat.size, bool)
    change[1:] = flat[1:] != flat[:-1]
    change[:: values.shape[1]] = True  # a row starts a run
    starts = np.flatnonzero(change)
    return starts, np.diff(np.r_[starts, flat.size])


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
    cells = height * width
    # 32-bit keys sort about twice as fast; a key also packs its run's length below.
    key_type = np.int32 if (num_segments + 1) * cells < 2**26 else np.int64
    rows = (np.arange(full_h) * height // full_h).astype(key_type)
    cols = (np.arange(full_w) * width // full_w).astype(key_type)
    keys = segment_ids.astype(key_type) * key_type(cells) + (
        rows[:, None] * key_type(width) + cols[None, :]
    )
    # Pixels of one segment in one cell add the same feature: count each pair once,
    # first along rows (runs), then over the runs (a sort 3-5x smaller than of pixels).
    starts, lengths = _row_runs(keys)
    run_keys = keys.ravel()[starts]
    inked = run_keys >= cells
    run_keys, lengths = run_keys[inked].astype(np.int64), lengths[inked]
    bits = int(lengths.max()).bit_length() if lengths.size else 1
    packed_type = key_type if ((num_segments + 1) * cells) << bits < 2**31 else np.int64
    packed = np.sort(((run_keys << bits) | lengths).astype(packed_type))
    tokens = np.zeros((num_segments, dim), np.float32)
    if not packed.size:
        return tokens
    run_keys, lengths = packed >> bits, packed & ((1 << bits) - 1)
    first = np.flatnonzero(np.r_[True, run_keys[1:] != run_keys[:-1]])
    counts = np.add.reduceat(lengths, first).astype(np.float32)
    seg, cell = np.divmod(run_keys[first] - cells, cells)
    # np.take along the rows of the (D, cells) map: 4x faster than indexing its transpose.
    weighted = np.take(features.reshape(dim, cells), cell, axis=1)
    weighted *= counts
    seg_starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    tokens[seg[seg_starts]] = np.add.reduceat(weighted, seg_starts, axis=1).T
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
    # Each run of equal ids along a row gives its segment a row and a column span.
    starts, lengths = _row_runs(segment_ids)
    run_ids = segment_ids.ravel()[starts].astype(np.intp)
    inked = run_ids > 0
    run_ids, starts, lengths = run_ids[inked] - 1, starts[inked], lengths[inked]
    rows, first_columns = np.divmod(starts, width)
    low = np.full((2, num_segments), np.iinfo(np.int64).max)
    high = np.full((2, num_segments), -1)
    np.minimum.at(low[0], run_ids, first_columns)
    np.maximum.at(high[0], run_ids, first_columns + lengths - 1)
    np.minimum.at(low[1], run_ids, rows)
    np.maximum.at(high[1], run_ids, rows)
    present = high[0] >= 0
    boxes = np.tile(np.array([1, 1, 0, 0], np.float32), (num_segments, 1))
    scale = np.array([max(width - 1, 1), max(height - 1, 1)], np.float64)[:, None]
    boxes[present] = np.concatenate([low / scale, high / scale])[:, present].T
    return boxes, present


def color_probabilities(
    log_probs: np.ndarray, ref_color_index: np.ndarray, num_colors: int
) -> np.ndarray:
    """Sum match probabilities per reference color (paper Eq. 9).

    Parameters
    ----------
    log_probs : (N, M) float
        Log-probability that target segment ``n + 1`` lies in reference segment ``m + 1``.
    ref_color_index : (M,) int
        Palette (or colorbook entry) index of each reference segment (-1 = none).
    num_colors : int
        P.

    Returns
    -------
    probabilities : (N, P) float32
    """
    valid = np.asarray(ref_color_index) >= 0
    one_hot = np.zeros((int(valid.sum()), num_colors), np.float32)
    one_hot[np.arange(one_hot.shape[0]), np.asarray(ref_color_index)[valid]] = 1
    return np.exp(log_probs[:, valid]).astype(np.float32) @ one_hot


def execution_providers(device: str = "cpu") -> list[str]:
    """ONNX Runtime providers for ``device``: ``["CPUExecutionProvider"]``, with CUDA's
    first for ``"cuda"``.

    Raises
    ------
    InputError
        For ``"cuda"`` when this onnxruntime has no CUDA provider (one line, no path).
    """
    import onnxruntime  # lazy: onnxruntime loads in 0.2 s, only when a model runs

    if device != "cuda":
        return ["CPUExecutionProvider"]
    available = onnxruntime.get_available_providers()
    if "CUDAExecutionProvider" not in available:
        raise InputError(
            None,
            "--device cuda needs onnxruntime's CUDA provider (pip install onnxruntime-gpu); "
            "this onnxruntime has only " + ", ".join(available),
        )
    return ["CUDAExecutionProvider", "CPUExecutionProvider"]


#: Whether this process's shared CPU arena is registered with ONNX Runtime
#: (:func:`_share_cpu_arena`), and the lock that registers it once.
_SHARED_ARENA: list[bool] = []
_SHARED_ARENA_LOCK = threading.Lock()


def _share_cpu_arena(onnxruntime) -> None:  # noqa: ANN001 - the onnxruntime module
    """Register one CPU memory arena for every ONNX Runtime session of this process
    (sessions opt in with ``session.use_env_allocators``), once."""
    with _SHARED_ARENA_LOCK:
        if _SHARED_ARENA:
            return
        arena = onnxruntime.OrtAllocatorType.ORT_ARENA_ALLOCATOR
        memory = onnxruntime.OrtMemoryInfo("Cpu", arena, 0, onnxruntime.OrtMemType.DEFAULT)
        onnxruntime.create_and_register_allocator(memory, onnxruntime.OrtArenaCfg({}))
        _SHARED_ARENA.append(True)


def open_session(
    path: str | Path,
    device: str = "cpu",
    threads: int | None = None,
    export_command: str = "python -m paintbucket.models.export",
    custom_ops: str | None = None,
):  # noqa: ANN201 - an onnxruntime.InferenceSession (onnxruntime loads lazily)
    """One ONNX Runtime session with this project's options.

    Parameters
    ----------
    path : path
        The graph file.
    device : str
        ``"cpu"`` or ``"cuda"`` (:func:`execution_providers`).
    threads : int, optional
        Threads of one run (the intra-op pool); when ``None``, the :func:`limit_threads`
        limit, else ONNX Runtime's default (one per core).
    export_command : str
        The command that writes a missing graph, for the error message.
    custom_ops : str, optional
        Shared library of custom operators to register (``onnxruntime-extensions``).

    Raises
    ------
    InputError
        If the graph is missing or unreadable, or for ``"cuda"`` without ONNX Runtime's
        CUDA provider.
    """
    import onnxruntime  # lazy: onnxruntime loads in 0.2 s, only when a model runs

    providers = execution_providers(device)
    if not Path(path).is_file():
        raise InputError(path, f"ONNX graph not found ({export_command})")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or _THREAD_LIMIT or 0
    options.inter_op_num_threads = _THREAD_LIMIT or 0
    # One memory arena for all sessions, which keeps freed buffers for the next run: without
    # one, every large activation (tens of MB at 512 px) is a fresh allocation whose pages
    # fault in again, and one frame at 1024 px took 0.86 instead of 0.77 s; an arena per
    # session held each graph's peak at once (860 MB instead of 660 MB at 1024 px;
    # bench/bench_onnx_speed.py, bench/bench_memory.py).
    if device == "cpu":
        _share_cpu_arena(onnxruntime)
        options.add_session_config_entry("session.use_env_allocators", "1")
    # ORT's last optimisation level converts the convolutions to its blocked NCHWc
    # layout and back around every GroupNorm: 10% slower on these graphs.
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    if custom_ops is not None:
        options.register_custom_ops_library(custom_ops)
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=providers)
    except Exception as error:  # onnxruntime raises its own non-public types
        raise InputError(path, f"not a readable ONNX graph ({error})") from None


class OnnxModel:
    """A model's exported graphs on ONNX Runtime (base of the per-kind runners).

    Parameters
    ----------
    paths : dict
        Graph name -> file, from :func:`onnx_paths`.
    device : str
        ``"cpu"``, or ``"cuda"`` (ONNX Runtime's CUDA provider, which must be installed).
    threads : int, optional
        Threads of one graph run (ONNX Runtime's intra-op pool); when ``None``, the
        :func:`limit_threads` limit, else ONNX Runtime's default (one per core).

    Raises
    ------
    InputError
        If a graph file is missing or unreadable, or for ``"cuda"`` without ONNX
        Runtime's CUDA provider (one line, no path).
    """

    def __init__(
        self, paths: dict[str, Path], device: str = "cpu", threads: int | None = None
    ) -> None:
        self.sessions = {
            name: open_session(path, device, threads, "python -m paintbucket.models.export")
            for name, path in paths.items()
        }
        metadata = next(iter(self.sessions.values())).get_modelmeta().custom_metadata_map
        self.conf = json.loads(metadata["conf"])
        self.weights_sha256 = metadata.get("weights_sha256")

    def _pooled(self, features: np.ndarray, segment_ids: np.ndarray) -> np.ndarray:
        """[1 x N x D] tokens of a [1 x D x h x w] feature map over (H, W) segments."""
        return segment_tokens(features[0], segment_ids, int(segment_ids.max()))[None]


class OnnxViewEncoder(OnnxModel):
    """The view encoder's exported graph: :class:`~paintbucket.models.ViewEncoder`."""

    def embed(self, images: np.ndarray) -> np.ndarray:
        """(B, D) unit embeddings of (B, S, S) float32 images from
        :func:`~paintbucket.models.inputs.view_image`."""
        batch = np.ascontiguousarray(images[:, None], dtype=np.float32)
        return self.sessions["embed"].run(None, {"images": batch})[0]


class OnnxKeyframeMatcher(OnnxModel):
    """The keyframe matcher's three exported graphs:
    :class:`~paintbucket.models.KeyframeMatcher`.

    A sheet view's features never depend on the target, so a view that colors several
    frames can be encoded once by :meth:`encode_reference` and passed to
    :meth:`log_probs` again.
    """

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        levels = max(len(self.conf["widths"]), len(self.conf["parsing_widths"]))
        return self.conf["stride"] * 2 ** (levels - 1)

    def _boxes(self, ids: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[1 x N x 4] segment boxes in the character box ``frame`` and [1 x N] presence."""
        boxes, present = segment_box_table(ids, int(ids.max()))
        return boxes_in_frame(boxes, frame)[None], present[None]

    def encode_reference(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """What the matching graph reads of the reference.

        Parameters
        ----------
        data : dict
            ``line_ref``, ``segments_ref``, ``category_ref`` and ``frame_ref`` of
            :func:`~paintbucket.models.keyframe_matcher.keyframe_inputs`, unbatched
            (other entries are ignored).

        Returns
        -------
        dict
            ``geometry_ref`` [1 x M x D], ``category_ref`` [1 x M] int64,
            ``coordinates_ref`` [1 x M x 4] float32 and ``mask_ref`` [1 x M] bool.
        """
        geometry = self.sessions["reference"].run(None, {"line_ref": batched(data["line_ref"])})
        coordinates, present = self._boxes(data["segments_ref"], data["frame_ref"])
        return {
            "geometry_ref": self._pooled(geometry[0], data["segments_ref"]),
            "category_ref": np.asarray(data["category_ref"], np.int64)[None],
            "coordinates_ref": coordinates,
            "mask_ref": present,
        }

    def log_probs(
        self, data: dict[str, np.ndarray], reference: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """(N, M) log-probability that target segment ``n + 1`` lies in the colorbook entry
        of reference segment ``m + 1``.

        Parameters
        ----------
        data : dict
            The NumPy arrays of
            :func:`~paintbucket.models.keyframe_matcher.keyframe_inputs` by the same names
            (``line_ref``, ``line_tgt``, ``parsing_tgt``, ``segments_ref``,
            ``segments_tgt``, ``category_ref``, ``frame_ref``, ``frame_tgt``), unbatched.
        reference : dict, optional
            :meth:`encode_reference` of the same ``data``, when it is at hand; computed
            otherwise.
        """
        if reference is None:
            reference = self.encode_reference(data)
        images = {name: batched(data[name]) for name in ("line_tgt", "parsing_tgt")}
        geometry_tgt, parsing = self.sessions["target"].run(None, images)
        coordinates, present = self._boxes(data["segments_tgt"], data["frame_tgt"])
        inputs = {
            **reference,
            "geometry_tgt": self._pooled(geometry_tgt, data["segments_tgt"]),
            "parsing_tgt": self._pooled(parsing, data["segments_tgt"]),
            "coordinates_tgt": coordinates,
            "mask_tgt": present,
        }
        return self.sessions["match"].run(["log_probs"], inputs)[0][0]


def boxes_in_frame(boxes: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N, 4) float32 segment boxes relative to the character box ``frame`` (4,) (both in
    [0, 1] image units): the character box maps to [-1, 1] (as the keyframe matcher)."""
    frame = np.asarray(frame, np.float32)
    low, high = np.tile(frame[:2], 2), np.tile(frame[2:], 2)
    return (2 * (boxes - low) / np.maximum(high - low, 1e-3) - 1).astype(np.float32)


def batched(image: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, C) -> [1 x C x H x W] float32, the networks' input layout."""
    image = np.asarray(image, np.float32)
    image = image[..., None] if image.ndim == 2 else image
    return np.ascontiguousarray(image.transpose(2, 0, 1)[None])


class OnnxInclusionMatcher(OnnxModel):
    """The consecutive matcher's three exported graphs:
    :class:`~paintbucket.models.InclusionMatcher`.

    The reference's features never depend on the target, so a reference that colors
    several frames (a cut's keyframe in ``anchored`` mode) can be encoded once by
    :meth:`encode_reference` and passed to :meth:`log_probs` again.
    """

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

    def _side(
        self, side: str, features: np.ndarray, ids: np.ndarray, shape: tuple[int, int]
    ) -> dict[str, np.ndarray]:
        """The matching graph's inputs of one frame: tokens, box coordinates and mask."""
        boxes, present = segment_box_table(ids, int(ids.max()))
        return {
            f"tokens_{side}": self._pooled(features, ids),
            f"coordinates_{side}": self._coordinates(boxes, shape)[None],
            f"mask_{side}": present[None],
        }

    def encode_reference(
        self, images: dict[str, np.ndarray], segments_ref: np.ndarray
    ) -> dict[str, np.ndarray]:
        """What the matching graph reads of the reference.

        Parameters
        ----------
        images : dict
            ``line_ref`` [1 x 1 x h x w] and ``color_ref`` [1 x 3 x h x w] float32
            working-size inputs (other entries are ignored).
        segments_ref : (H, W) int
            Full-resolution segment ids (0 = line), at least one segment.

        Returns
        -------
        dict
            ``tokens_ref`` [1 x M x D], ``coordinates_ref`` [1 x M x 4] float32 and
            ``mask_ref`` [1 x M] bool.
        """
        inputs = {name: images[name] for name in ("line_ref", "color_ref")}
        features = self.sessions["reference"].run(None, inputs)[0]
        return self._side("ref", features, segments_ref, images["line_ref"].shape[-2:])

    def log_probs(
        self,
        images: dict[str, np.ndarray],
        segments_ref: np.ndarray,
        segments_tgt: np.ndarray,
        reference: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Match target segments to reference segments.

        Parameters
        ----------
        images : dict
            ``line_ref``, ``color_ref``, ``line_tgt``, ``color_tgt``: [1 x C x h x w]
            float32 working-size inputs, as in
            :meth:`~paintbucket.models.InclusionMatcher.forward`.
        segments_ref : (H, W) int, segments_tgt : (H, W) int
            Full-resolution segment ids (0 = line), at least one segment each.
        reference : dict, optional
            :meth:`encode_reference` of the same ``images`` and ``segments_ref``, when it
            is at hand; computed otherwise.

        Returns
        -------
        log_probs : (N, M) float32
            Log-probability that target segment ``n + 1`` lies in reference segment
            ``m + 1`` (absent reference ids: -inf).
        """
        if reference is None:
            reference = self.encode_reference(images, segments_ref)
        features_tgt = self.sessions["target"].run(None, images)[0]
        target = self._side("tgt", features_tgt, segments_tgt, images["line_tgt"].shape[-2:])
        return self.sessions["match"].run(None, {**reference, **target})[0][0]


class OnnxTextEncoder:
    """The sentence encoder all-MiniLM-L6-v2 as one graph, word-piece tokenizer included
    (written by :func:`paintbucket.models.export.export_text_encoder`).

    The tokenizer is ``onnxruntime-extensions``' BertTokenizer, which takes one text per
    run, so texts are embedded one at a time (about 10 ms each on a CPU core).

    Parameters
    ----------
    path : path
        The graph, :data:`TEXT_GRAPH` by default.
    device : str
        ``"cpu"`` or ``"cuda"`` (see :func:`execution_providers`).

    Raises
    ------
    InputError
        If the graph is missing or unreadable.
    """

    def __init__(self, path: str | Path = TEXT_GRAPH, device: str = "cpu") -> None:
        import onnxruntime_extensions  # lazy: only the text graph has custom operators

        self.session = open_session(
            path, device, None, "python -m paintbucket.models.export --kind text",
            custom_ops=onnxruntime_extensions.get_library_path(),
        )  # fmt: skip
        self.metadata = self.session.get_modelmeta().custom_metadata_map

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length sentence embeddings.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        embeddings : (len(texts), 384) float32
            L2-normalised mean of the token states, as sentence-transformers computes.
        """
        rows = [
            self.session.run(None, {"text": np.array([strip_accents(text)])})[0] for text in texts
        ]
        return np.concatenate(rows) if rows else np.zeros((0, TEXT_DIM), np.float32)


def strip_accents(text: str) -> str:
    """``text`` without combining marks (``"café"`` -> ``"cafe"``), as the uncased BERT
    tokenizer of all-MiniLM-L6-v2 does first; the graph's tokenizer does not.

    >>> strip_accents("Ärmel über café")
    'Armel uber cafe'
    """
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


#: The ONNX Runtime model of every kind in :data:`ONNX_GRAPHS`.
ONNX_MODELS = {
    "consecutive": OnnxInclusionMatcher,
    "keyframe": OnnxKeyframeMatcher,
    "views": OnnxViewEncoder,
}
