"""The learned engine on ONNX Runtime against PyTorch (needs the ``train`` extra)."""

import numpy as np
import pytest

from paintbucket.consecutive.learned import LearnedEngine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.models.runtime import OnnxInclusionMatcher

torch = pytest.importorskip("torch")
pytest.importorskip("onnxscript")

TINY = {"widths": (8, 8, 8), "offset_widths": (4, 4), "color_channels": 4,
        "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


@pytest.fixture(scope="module")
def synth_pair(tmp_path_factory):
    from paintbucket.io import read_rgba
    from paintbucket.synth.dataset import SynthConfig, generate

    out = tmp_path_factory.mktemp("learned_onnx")
    config = SynthConfig(
        characters=1, clips_per_character=1, frames=2, size=256, seed=4, split="test"
    )
    generate(out, config, progress=False)
    clip = next(out.glob("*/line")).parent
    reference = ColoredFrame.from_keyframe(
        Frame.from_line_art(read_rgba(clip / "line" / "0000.png")),
        read_rgba(clip / "gt" / "0000.png"),
    )
    return reference, Frame.from_line_art(read_rgba(clip / "line" / "0001.png"))


def test_shipped_engine_gives_the_same_colors_on_both_backends(synth_pair):
    reference, target = synth_pair
    onnx_engine = LearnedEngine(backend="onnx")
    torch_engine = LearnedEngine(backend="torch")
    assert isinstance(LearnedEngine().model, OnnxInclusionMatcher)  # auto: ONNX when shipped
    assert not isinstance(torch_engine.model, OnnxInclusionMatcher)
    for flip_average in (False, True):
        onnx_engine.flip_average = torch_engine.flip_average = flip_average
        onnx_coloring = onnx_engine(reference, target)
        torch_coloring = torch_engine(reference, target)
        assert (onnx_coloring.color_index == torch_coloring.color_index).all()
        gap = np.abs(onnx_coloring.probabilities - torch_coloring.probabilities).max()
        assert gap < 1e-4


def test_export_of_other_weights_is_picked_up_by_auto(tmp_path, synth_pair):
    from paintbucket.models import InclusionMatcher
    from paintbucket.models.export import main
    from paintbucket.models.weights import save_model

    reference, target = synth_pair
    torch.manual_seed(0)
    weights = save_model(InclusionMatcher(TINY).eval(), tmp_path / "tiny.safetensors")
    before = LearnedEngine(weights=weights, flip_average=False)
    assert not isinstance(before.model, OnnxInclusionMatcher)  # not exported yet
    main([str(weights)])
    assert (tmp_path / "tiny.features.onnx").is_file() and (tmp_path / "tiny.match.onnx").is_file()
    after = LearnedEngine(weights=weights, flip_average=False)
    assert isinstance(after.model, OnnxInclusionMatcher)
    expected = before(reference, target).probabilities
    assert np.abs(after(reference, target).probabilities - expected).max() < 1e-4
