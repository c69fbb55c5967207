import numpy as np
import pytest

# PyTorch is the train extra's: without it these tests skip.
pytest.importorskip("torch")

from paintbucket.train.views import SHOTS, sample_triplets
from paintbucket.train.views import TRAINER as train_views


def test_triplets_take_a_neighbour_as_positive_and_a_far_view_as_negative():
    views = 24
    triplets = sample_triplets(3, views, 200, np.random.default_rng(0))
    assert triplets.shape == (200, 3, 3)
    head = np.array([is_head for _, is_head in SHOTS])
    anchor, positive, negative = triplets[:, 0], triplets[:, 1], triplets[:, 2]
    assert (anchor[:, 0] == positive[:, 0]).all() and (anchor[:, 0] == negative[:, 0]).all()
    step = (positive[:, 2] - anchor[:, 2]) % views
    assert set(step.tolist()) <= {1, views - 1}
    assert (head[positive[:, 1]] == head[anchor[:, 1]]).all()
    same_kind = head[negative[:, 1]] == head[anchor[:, 1]]
    gap = (negative[:, 2] - anchor[:, 2]) % views
    assert (np.minimum(gap, views - gap)[same_kind] >= 4).all()
    assert same_kind.any() and (~same_kind).any()


def test_train_views_writes_loadable_weights(tmp_path):
    from paintbucket.models.weights import load_model

    conf = {"iterations": 2, "characters": 1, "views": 8, "render_size": 96, "batch": 4,
            "log_every": 1, "warmup": 1,
            "model": {"size": 32, "widths": [4, 8], "dim": 8}}  # fmt: skip
    weights = train_views(None, tmp_path / "run", conf, progress=False)
    model = load_model("views", weights)
    assert model.conf["dim"] == 8
