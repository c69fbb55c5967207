import math

import numpy as np
import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.errors import InputError
from paintbucket.models import InclusionMatcher, color_probabilities, inclusion_loss
from paintbucket.models.weights import load_model, save_model

TINY = {"widths": (8, 8, 8), "offset_widths": (4, 4), "color_channels": 4,
        "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def _inputs(size: int = 32, num_ref: int = 5, num_tgt: int = 4) -> dict:
    torch.manual_seed(0)
    columns = torch.arange(size)
    # Vertical stripes: segment k covers the k-th band of columns.
    ref = (columns * num_ref // size + 1).expand(1, size, size).clone()
    tgt = (columns * num_tgt // size + 1).expand(1, size, size).clone()
    return {
        "line_ref": torch.rand(1, 1, size, size), "color_ref": torch.rand(1, 3, size, size),
        "line_tgt": torch.rand(1, 1, size, size), "color_tgt": torch.rand(1, 3, size, size),
        "segments_ref": ref, "segments_tgt": tgt,
    }  # fmt: skip


def test_forward_shapes_and_normalisation():
    model = InclusionMatcher(TINY)
    out = model(_inputs())
    assert out["log_probs"].shape == (1, 4, 5)
    assert torch.allclose(out["log_probs"].exp().sum(-1), torch.ones(1, 4), atol=1e-5)
    assert out["mask_ref"].all() and out["mask_tgt"].all()


def test_default_conf_is_not_mutated_and_unknown_keys_fail():
    before = dict(InclusionMatcher.default_conf)
    model = InclusionMatcher({"num_layers": 1})
    assert model.conf["num_layers"] == 1 and InclusionMatcher.default_conf == before
    with pytest.raises(ValueError, match="unknown"):
        InclusionMatcher({"layers": 3})


def test_inclusion_loss_exact():
    log_probs = torch.log(torch.tensor([[[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]]))
    correct = torch.tensor([[[True, True, False], [False, False, False]]])
    assert float(inclusion_loss(log_probs, correct)) == pytest.approx(-math.log(0.8), abs=1e-6)
    assert float(inclusion_loss(log_probs, torch.zeros_like(correct))) == 0.0


def test_color_probabilities_sum_per_color():
    log_probs = torch.log(torch.tensor([[0.5, 0.3, 0.2]]))
    probs = color_probabilities(log_probs, torch.tensor([1, 1, -1]), 2)
    assert torch.allclose(probs, torch.tensor([[0.0, 0.8]]))


def test_training_steps_reduce_the_loss():
    torch.manual_seed(0)
    model = InclusionMatcher(TINY)
    data = _inputs()
    correct = torch.zeros(1, 4, 5, dtype=torch.bool)
    correct[0, torch.arange(4), torch.arange(4)] = True
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        loss = inclusion_loss(model(data)["log_probs"], correct)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_weights_round_trip_and_bad_files(tmp_path):
    model = InclusionMatcher(TINY).eval()
    path = save_model(model, tmp_path / "m.safetensors", iterations=3)
    loaded = load_model("consecutive", path)
    data = _inputs()
    with torch.no_grad():
        assert torch.allclose(model(data)["log_probs"], loaded(data)["log_probs"])
    (tmp_path / "bad.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(InputError, match="bad.safetensors: not a readable safetensors"):
        load_model("consecutive", tmp_path / "bad.safetensors")
    with pytest.raises(InputError, match="weights file not found"):
        load_model("consecutive", tmp_path / "missing.safetensors")
    wrong = InclusionMatcher({**TINY, "feature_dim": 8})
    wrong.conf = model.conf  # a file whose conf does not describe its tensors
    save_model(wrong, tmp_path / "wrong.safetensors")
    with pytest.raises(InputError, match="do not fit the model"):
        load_model("consecutive", tmp_path / "wrong.safetensors")


def test_shipped_weights_load():
    from paintbucket.models.weights import DEFAULT_CONSECUTIVE_WEIGHTS

    if not DEFAULT_CONSECUTIVE_WEIGHTS.is_file():
        pytest.fail("shipped weights are missing")
    model = load_model("consecutive")
    assert not model.training
    assert np.isfinite(sum(float(p.detach().sum()) for p in model.parameters()))
