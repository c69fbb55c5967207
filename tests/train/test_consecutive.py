import json

import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.errors import InputError
from paintbucket.models.weights import load_model
from paintbucket.train.consecutive import TRAINER as train_consecutive

TINY_MODEL = {"widths": [8, 8, 8], "offset_widths": [4, 4], "color_channels": 4,
              "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def _log(run_dir) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines()]


def test_train_then_resume(tmp_path):
    from paintbucket.synth.dataset import SynthConfig, generate

    data = tmp_path / "data"
    generate(data, SynthConfig(characters=1, clips_per_character=1, frames=3, size=160, seed=2),
             progress=False)  # fmt: skip
    conf = {"iterations": 4, "log_every": 2, "checkpoint_every": 2, "warmup": 1,
            "model": TINY_MODEL, "pairs": {"crop": 96, "scale": 1.0}}  # fmt: skip
    weights = train_consecutive(data, tmp_path / "run", conf, progress=False)
    assert weights.is_file()
    assert [r["iteration"] for r in _log(tmp_path / "run")] == [2, 4]
    train_consecutive(data, tmp_path / "run", {"iterations": 6}, resume=True, progress=False)
    assert [r["iteration"] for r in _log(tmp_path / "run")] == [2, 4, 6]
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "checkpoint.pt").write_bytes(b"garbage")
    with pytest.raises(InputError, match="corrupt checkpoint"):
        train_consecutive(data, tmp_path / "broken", resume=True, progress=False)
    with pytest.raises(InputError, match="no checkpoint"):
        train_consecutive(data, tmp_path / "other", resume=True, progress=False)
    with pytest.raises(InputError, match="no clip folders"):
        train_consecutive(tmp_path / "run", tmp_path / "x", conf, progress=False)
    with pytest.raises(InputError, match="needs data folders"):
        train_consecutive([], tmp_path / "x", conf, progress=False)

    # Fine-tuning: init weights of the same model conf start a new run (at learning
    # rate 0 its weights stay exactly the init weights)...
    init = {**conf, "iterations": 2, "init": str(weights), "learning_rate": 0.0,
            "min_learning_rate": 0.0}  # fmt: skip
    tuned = train_consecutive(data, tmp_path / "tuned", init, progress=False)
    start, end = (load_model("consecutive", w).state_dict() for w in (weights, tuned))
    assert all(torch.equal(start[name], end[name]) for name in start)
    # ...and weights of another model conf are refused, naming the file.
    other = {**init, "model": {**TINY_MODEL, "feature_dim": 8}}
    with pytest.raises(InputError, match=f"{weights}: init weights were trained with another"):
        train_consecutive(data, tmp_path / "mismatch", other, progress=False)
