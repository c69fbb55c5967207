import math

import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.models import KeyframeMatcher, keyframe_loss
from paintbucket.models.keyframe_matcher import NUM_CATEGORIES

TINY = {"widths": (8, 8, 8), "parsing_widths": (8, 8), "feature_dim": 16, "text_dim": 8,
        "num_layers": 1, "num_heads": 2}  # fmt: skip


def _inputs(size: int = 32, num_ref: int = 5, num_tgt: int = 4) -> dict:
    torch.manual_seed(0)
    columns = torch.arange(size)
    ref = (columns * num_ref // size + 1).expand(1, size, size).clone()
    tgt = (columns * num_tgt // size + 1).expand(1, size, size).clone()
    return {
        "line_ref": torch.rand(1, 1, size, size), "line_tgt": torch.rand(1, 1, size, size),
        "parsing_tgt": torch.zeros(1, 3, size, size),
        "segments_ref": ref, "segments_tgt": tgt,
        "category_ref": torch.tensor([[0, 4, 4, 11, 8]]),
        "frame_ref": torch.tensor([[0.0, 0.0, 1.0, 1.0]]),
        "frame_tgt": torch.tensor([[0.1, 0.1, 0.9, 0.9]]),
    }  # fmt: skip


def _model(**overrides) -> KeyframeMatcher:
    torch.manual_seed(0)
    model = KeyframeMatcher({**TINY, **overrides})
    model.category_embeddings.copy_(torch.randn(NUM_CATEGORIES, TINY["text_dim"]))
    return model


def test_forward_shapes_and_normalisation():
    out = _model()(_inputs())
    assert out["log_probs"].shape == (1, 4, 5)
    assert out["parsing_log_probs"].shape == (1, 4, NUM_CATEGORIES)
    assert torch.allclose(out["log_probs"].exp().sum(-1), torch.ones(1, 4), atol=1e-5)
    assert torch.allclose(out["parsing_log_probs"].exp().sum(-1), torch.ones(1, 4), atol=1e-5)


def test_without_semantics_the_shapes_hold():
    assert _model(semantic=False)(_inputs())["log_probs"].shape == (1, 4, 5)


def test_default_conf_is_not_mutated_and_unknown_keys_fail():
    before = dict(KeyframeMatcher.default_conf)
    assert KeyframeMatcher({"num_layers": 1}).conf["num_layers"] == 1
    assert KeyframeMatcher.default_conf == before
    with pytest.raises(ValueError, match="unknown"):
        KeyframeMatcher({"layers": 3})


def test_boxes_in_frame_exact():
    boxes = torch.tensor([[[0.25, 0.25, 0.75, 0.75], [0.0, 0.5, 0.5, 1.0]]])
    frame = torch.tensor([[0.0, 0.5, 1.0, 1.0]])
    out = KeyframeMatcher._boxes_in_frame(boxes, frame)
    expected = torch.tensor([[[-0.5, -2.0, 0.5, 0.0], [-1.0, -1.0, 0.0, 1.0]]])
    assert torch.allclose(out, expected)


def test_loss_adds_weighted_parsing_cross_entropy():
    log_probs = torch.log(torch.tensor([[[0.5, 0.5], [0.9, 0.1]]]))
    parsing = torch.log(torch.full((1, 2, NUM_CATEGORIES), 1.0 / NUM_CATEGORIES))
    output = {"log_probs": log_probs, "parsing_log_probs": parsing}
    correct = torch.tensor([[[True, False], [False, True]]])
    categories = torch.tensor([[4, -1]])
    expected = -(math.log(0.5) + math.log(0.1)) / 2 + 0.1 * math.log(NUM_CATEGORIES)
    assert float(keyframe_loss(output, correct, categories)) == pytest.approx(expected, abs=1e-5)
    no_category = keyframe_loss(output, correct, torch.tensor([[-1, -1]]))
    assert float(no_category) == pytest.approx(-(math.log(0.5) + math.log(0.1)) / 2, abs=1e-5)


def test_training_steps_reduce_the_loss():
    model = _model()
    data = _inputs()
    correct = torch.eye(4, 5, dtype=torch.bool)[None]
    categories = torch.tensor([[0, 4, 4, 11]])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        loss = keyframe_loss(model(data), correct, categories)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
