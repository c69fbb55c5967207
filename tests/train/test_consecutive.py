import json

import pytest

from paintbucket.errors import InputError
from paintbucket.train.consecutive import (
    DEFAULT_TRAIN_CONF,
    learning_rate,
    load_config,
    merge_conf,
    train_consecutive,
)

TINY_MODEL = {"widths": [8, 8, 8], "offset_widths": [4, 4], "color_channels": 4,
              "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def test_merge_conf_is_recursive_and_strict():
    merged = merge_conf(DEFAULT_TRAIN_CONF, {"iterations": 5, "model": {"num_layers": 2}})
    assert merged["iterations"] == 5 and merged["model"] == {"num_layers": 2}
    assert DEFAULT_TRAIN_CONF["iterations"] != 5
    with pytest.raises(ValueError, match="unknown configuration key"):
        merge_conf(DEFAULT_TRAIN_CONF, {"iteratons": 5})


def test_load_config_errors(tmp_path):
    (tmp_path / "bad.yaml").write_text("iterations: [")
    with pytest.raises(InputError, match="invalid YAML"):
        load_config(tmp_path / "bad.yaml")
    (tmp_path / "typo.yaml").write_text("lr: 3")
    with pytest.raises(InputError, match="unknown configuration key"):
        load_config(tmp_path / "typo.yaml")


def test_learning_rate_schedule():
    conf = {**DEFAULT_TRAIN_CONF, "iterations": 100, "warmup": 10}
    assert learning_rate(0, conf) == pytest.approx(conf["learning_rate"] / 10)
    assert learning_rate(10, conf) == pytest.approx(conf["learning_rate"])
    assert learning_rate(100, conf) == pytest.approx(conf["min_learning_rate"])


def test_train_then_resume(tmp_path):
    from paintbucket.synth.dataset import SynthConfig, generate

    data = tmp_path / "data"
    generate(data, SynthConfig(characters=1, clips_per_character=1, frames=3, size=160, seed=2),
             progress=False)  # fmt: skip
    conf = {"iterations": 4, "log_every": 2, "checkpoint_every": 2, "warmup": 1,
            "model": TINY_MODEL, "pairs": {"crop": 96, "scale": 1.0}}  # fmt: skip
    weights = train_consecutive(data, tmp_path / "run", conf, progress=False)
    assert weights.is_file()
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in log] == [2, 4]
    train_consecutive(data, tmp_path / "run", {"iterations": 6}, resume=True, progress=False)
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in log] == [2, 4, 6]
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "checkpoint.pt").write_bytes(b"garbage")
    with pytest.raises(InputError, match="corrupt checkpoint"):
        train_consecutive(data, tmp_path / "broken", resume=True, progress=False)
    with pytest.raises(InputError, match="no checkpoint"):
        train_consecutive(data, tmp_path / "other", resume=True, progress=False)
    with pytest.raises(InputError, match="no clip folders"):
        train_consecutive(tmp_path / "run", tmp_path / "x", conf, progress=False)
