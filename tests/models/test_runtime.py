import numpy as np
import pytest

import paintbucket.models.weights as weights_module
from paintbucket.errors import InputError
from paintbucket.models.runtime import (
    ONNX_MODELS,
    OnnxInclusionMatcher,
    boxes_in_frame,
    color_probabilities,
    file_sha256,
    onnx_paths,
    segment_box_table,
    segment_tokens,
)
from paintbucket.models.weights import DEFAULT_WEIGHTS, load_backend_model, model_backend


def blocky_ids(rng, shape, cells, count):
    """Segment ids constant on ``cells``-pixel blocks, 0..count-1, cropped to ``shape``."""
    coarse = rng.integers(0, count, (shape[0] // cells + 1, shape[1] // cells + 1))
    return np.kron(coarse, np.ones((cells, cells), np.int64))[: shape[0], : shape[1]]


def test_segment_tokens_exact_means_on_a_coarse_map():
    features = np.arange(8, dtype=np.float32).reshape(2, 2, 2)  # D=2 over 2x2 cells
    ids = np.array([[1, 1, 0, 2], [1, 3, 2, 2], [3, 3, 3, 3], [0, 0, 3, 3]])
    tokens = segment_tokens(features, ids, 4)
    # Segment 1: three pixels, all in cell 0 -> its feature (0, 4).
    assert np.allclose(tokens[0], [0, 4])
    # Segment 2: three pixels in cell 1 -> (1, 5).
    assert np.allclose(tokens[1], [1, 5])
    # Segment 3: one pixel in cell 0, two in cell 2, four in cell 3.
    assert np.allclose(tokens[2], [(0 + 2 * 2 + 4 * 3) / 7, (4 + 2 * 6 + 4 * 7) / 7])
    assert tokens[3].tolist() == [0, 0]  # absent segment


@pytest.mark.parametrize("cells", [64, 256])
def test_segment_tokens_many_segments_match_pixel_sums(cells):
    # 3,000 segments over unequal cells (600 px over 64 or 256 of them); over 256x256
    # cells the keys pass 2**26 and take the 64-bit path.
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 3000, (600, 600))
    features = rng.random((3, cells, cells)).astype(np.float32)
    cell_of = np.arange(600) * cells // 600
    pixel_features = features[:, cell_of[:, None], cell_of[None, :]]  # (3, 600, 600)
    sums = np.stack(
        [np.bincount(ids.ravel(), weights=f.ravel(), minlength=3000) for f in pixel_features]
    )
    area = np.bincount(ids.ravel(), minlength=3000)
    expected = (sums / np.maximum(area, 1)).T[1:]
    np.testing.assert_allclose(segment_tokens(features, ids, 2999), expected, rtol=1e-5, atol=1e-6)


def test_segment_tokens_all_line_is_zeros_of_the_right_shape():
    tokens = segment_tokens(np.ones((4, 2, 2), np.float32), np.zeros((5, 5), np.int64), 3)
    assert tokens.shape == (3, 4) and tokens.dtype == np.float32 and not tokens.any()


def test_segment_box_table_exact_boxes():
    ids = np.array([[0, 1, 1, 0, 0], [2, 0, 1, 0, 0], [2, 2, 0, 0, 4]])
    boxes, present = segment_box_table(ids, 4)
    assert present.tolist() == [True, True, False, True]
    assert np.allclose(boxes[0], [1 / 4, 0, 2 / 4, 1 / 2])
    assert np.allclose(boxes[1], [0, 1 / 2, 1 / 4, 1])
    assert boxes[2].tolist() == [1, 1, 0, 0]
    assert np.allclose(boxes[3], [1, 1, 1, 1])


def test_segment_box_table_matches_per_segment_extents():
    rng = np.random.default_rng(8)
    ids = blocky_ids(rng, (31, 45), 3, 25)
    boxes, present = segment_box_table(ids, 30)
    for segment in range(1, 31):
        ys, xs = np.nonzero(ids == segment)
        assert present[segment - 1] == bool(xs.size)
        if xs.size:
            expected = [xs.min() / 44, ys.min() / 30, xs.max() / 44, ys.max() / 30]
            np.testing.assert_allclose(boxes[segment - 1], expected, rtol=1e-6)
        else:
            assert boxes[segment - 1].tolist() == [1, 1, 0, 0]


def test_numpy_pooling_matches_torch_pooling():
    torch = pytest.importorskip("torch")
    from paintbucket.models.pooling import mask_average_pool, segment_boxes

    rng = np.random.default_rng(3)
    ids = blocky_ids(rng, (99, 77), 4, 40)
    features = rng.random((8, 24, 20)).astype(np.float32)
    count = int(ids.max())
    expected = mask_average_pool(
        torch.from_numpy(features)[None], torch.from_numpy(ids)[None], count
    )
    assert np.allclose(segment_tokens(features, ids, count), expected[0].numpy(), atol=1e-6)
    boxes, present = segment_boxes(torch.from_numpy(ids)[None], count)
    table, table_present = segment_box_table(ids, count)
    assert np.allclose(table, boxes[0].numpy()) and (table_present == present[0].numpy()).all()


@pytest.mark.parametrize("kind", sorted(ONNX_MODELS))
def test_shipped_graphs_come_from_the_shipped_weights(kind, monkeypatch):
    monkeypatch.setattr(weights_module, "torch_installed", lambda: False)
    weights = DEFAULT_WEIGHTS[kind]
    model = load_backend_model(kind)  # auto without torch: the shipped graphs
    assert isinstance(model, ONNX_MODELS[kind])
    # Else the weights changed since: python -m paintbucket.models.export
    assert model.weights_sha256 == file_sha256(weights)
    assert model_backend(kind) == "onnx"


def test_the_deformable_convolution_is_one_onnx_node():
    onnx = pytest.importorskip("onnx")
    graphs = onnx_paths(DEFAULT_WEIGHTS["consecutive"])
    ops = {name: [node.op_type for node in onnx.load(str(path)).graph.node]
           for name, path in graphs.items()}  # fmt: skip
    assert ops["target"].count("DeformConv") == 1 and "GridSample" not in ops["target"]
    assert "DeformConv" not in ops["reference"]


def test_backend_choice(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_module, "torch_installed", lambda: True)
    assert model_backend("consecutive") == "onnx"  # the shipped graphs, torch or not
    assert model_backend("views", tmp_path / "own.safetensors") == "torch"  # not exported
    assert model_backend("consecutive", backend="torch") == "torch"
    monkeypatch.setattr(weights_module, "torch_installed", lambda: False)
    assert model_backend("consecutive") == "onnx"
    assert model_backend("views", tmp_path / "own.safetensors") == "onnx"  # one-line error


def test_weights_without_graphs_and_without_torch_are_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_module, "torch_installed", lambda: False)
    with pytest.raises(InputError, match="weights file not found"):
        load_backend_model("views", tmp_path / "missing.safetensors")
    own = tmp_path / "own.safetensors"
    own.write_bytes(b"weights")
    with pytest.raises(InputError, match="no ONNX graphs next to these weights"):
        load_backend_model("views", own)


def test_color_probabilities_sums_per_color():
    log_probs = np.log(np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], np.float32))
    probabilities = color_probabilities(log_probs, np.array([1, 1, -1]), 3)
    assert np.allclose(probabilities, [[0, 0.8, 0], [0, 0.2, 0]])


def test_boxes_in_frame_maps_the_character_box_to_minus_one_one():
    boxes = np.array([[0.2, 0.1, 0.6, 0.5], [0.4, 0.3, 0.4, 0.3]], np.float32)
    out = boxes_in_frame(boxes, np.array([0.2, 0.1, 0.6, 0.5]))
    assert np.allclose(out, [[-1, -1, 1, 1], [0, 0, 0, 0]], atol=1e-6)


@pytest.mark.parametrize("shape", [(64, 96), (96, 160)])
def test_onnx_matcher_matches_torch_matcher(shape):
    torch = pytest.importorskip("torch")
    onnx_model = load_backend_model("consecutive", backend="onnx")
    torch_model = load_backend_model("consecutive", backend="torch")
    rng = np.random.default_rng(shape[0])
    height, width = shape
    images = {name: rng.random((1, channels, height, width)).astype(np.float32)
              for name, channels in (("line_ref", 1), ("color_ref", 3), ("line_tgt", 1),
                                     ("color_tgt", 3))}  # fmt: skip
    ids_ref = blocky_ids(rng, (2 * height, 2 * width), 16, 40)
    ids_tgt = blocky_ids(rng, (2 * height, 2 * width), 16, 30)
    ids_tgt[ids_tgt == 7] = 0  # an absent target id
    data = {name: torch.from_numpy(array) for name, array in images.items()}
    data["segments_ref"] = torch.from_numpy(ids_ref)[None]
    data["segments_tgt"] = torch.from_numpy(ids_tgt)[None]
    with torch.no_grad():
        expected = torch_model(data)["log_probs"][0].numpy()
    got = onnx_model.log_probs(images, ids_ref, ids_tgt)
    assert got.shape == expected.shape
    assert (np.isfinite(got) == np.isfinite(expected)).all()
    assert np.abs(np.exp(got) - np.exp(expected)).max() < 1e-4


def test_an_encoded_reference_gives_the_same_matches_for_every_target():
    model = load_backend_model("consecutive", backend="onnx")
    rng = np.random.default_rng(5)
    height, width = 64, 96

    def images() -> dict[str, np.ndarray]:
        return {name: rng.random((1, channels, height, width)).astype(np.float32)
                for name, channels in (("line_ref", 1), ("color_ref", 3), ("line_tgt", 1),
                                       ("color_tgt", 3))}  # fmt: skip

    first, second = images(), images()
    second["line_ref"], second["color_ref"] = first["line_ref"], first["color_ref"]
    ids_ref = blocky_ids(rng, (height, width), 8, 20)
    ids_tgt = blocky_ids(rng, (height, width), 8, 15)
    encoded = model.encode_reference(first, ids_ref)
    assert encoded["tokens_ref"].shape == (1, int(ids_ref.max()), model.conf["feature_dim"])
    assert encoded["coordinates_ref"].shape == (1, int(ids_ref.max()), 4)
    for target in (first, second):
        assert np.array_equal(
            model.log_probs(target, ids_ref, ids_tgt, encoded),
            model.log_probs(target, ids_ref, ids_tgt),
        )
    assert not np.array_equal(
        model.log_probs(first, ids_ref, ids_tgt), model.log_probs(second, ids_ref, ids_tgt)
    )


def test_missing_graph_and_missing_cuda_provider_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="ONNX graph not found"):
        OnnxInclusionMatcher(onnx_paths(tmp_path / "none.safetensors"))
    bad = tmp_path / "bad.reference.onnx"
    bad.write_bytes(b"not a graph")
    with pytest.raises(InputError, match="not a readable ONNX graph"):
        OnnxInclusionMatcher({"reference": bad})
    import onnxruntime

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
        with pytest.raises(InputError, match="CUDA provider") as error:
            OnnxInclusionMatcher(onnx_paths(DEFAULT_WEIGHTS["consecutive"]), "cuda")
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="unknown backend"):
        model_backend("consecutive", backend="tensorflow")


def test_onnx_view_encoder_matches_torch():
    torch = pytest.importorskip("torch")
    onnx_model = load_backend_model("views", backend="onnx")
    torch_model = load_backend_model("views", backend="torch")
    size = onnx_model.conf["size"]
    images = np.random.default_rng(1).random((3, size, size)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(images)[:, None]).numpy()
    assert np.abs(onnx_model.embed(images) - expected).max() < 1e-4


def test_onnx_keyframe_matcher_matches_torch():
    torch = pytest.importorskip("torch")
    from paintbucket.models.keyframe_matcher import keyframe_inputs

    onnx_model = load_backend_model("keyframe", backend="onnx")
    torch_model = load_backend_model("keyframe", backend="torch")
    rng = np.random.default_rng(2)
    multiple = onnx_model.size_multiple
    ref_shape, tgt_shape = (4 * multiple, 3 * multiple), (3 * multiple, 5 * multiple)
    segments_ref = blocky_ids(rng, (2 * ref_shape[0], 2 * ref_shape[1]), 16, 30)
    data = {
        "line_ref": rng.random(ref_shape).astype(np.float32),
        "line_tgt": rng.random(tgt_shape).astype(np.float32),
        "parsing_tgt": (rng.random((*tgt_shape, 3)) > 0.5).astype(np.float32),
        "segments_ref": segments_ref,
        "segments_tgt": blocky_ids(rng, tgt_shape, 8, 25),
        "category_ref": rng.integers(0, 12, int(segments_ref.max())),
        "frame_ref": np.array([0.1, 0.2, 0.8, 0.9]),
        "frame_tgt": np.array([0.0, 0.1, 0.7, 1.0]),
    }
    with torch.no_grad():
        expected = torch_model(keyframe_inputs(**data))["log_probs"][0].numpy()
    got = onnx_model.log_probs(data)
    assert got.shape == expected.shape
    assert (np.isfinite(got) == np.isfinite(expected)).all()
    assert np.abs(np.exp(got) - np.exp(expected)).max() < 1e-4


@pytest.mark.parametrize("torch_first", [False, True])
def test_limit_threads_reaches_onnx_runtime_opencv_torch_and_the_engine(torch_first):
    """One thread everywhere, whether torch is loaded before or after (a fresh process:
    thread pools are process-wide)."""
    import subprocess
    import sys

    if torch_first:
        pytest.importorskip("torch")
    code = (
        ("import torch\n" if torch_first else "") + "import importlib.util, cv2\n"
        "from paintbucket.models.runtime import available_threads, limit_threads\n"
        "limit_threads(1)\n"
        "from paintbucket.consecutive import LearnedEngine\n"
        "engine = LearnedEngine(backend='onnx')\n"
        "options = [s.get_session_options() for s in engine.model.sessions.values()]\n"
        "torch = importlib.util.find_spec('torch') and __import__('torch')\n"
        "print(torch.get_num_threads() if torch else 1, cv2.getNumThreads(),\n"
        "      available_threads(), engine.onnx_threads,\n"
        "      sorted({(o.intra_op_num_threads, o.inter_op_num_threads) for o in options}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(maxsplit=4) == ["1", "1", "1", "1", "[(1, 1)]\n"]
