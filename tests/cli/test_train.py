"""``pbc train`` end to end on a tiny ``pbc synth`` folder: every model kind, then
``--resume``, with tiny model configurations given by ``--config``."""

import json

import pytest
import yaml

# PyTorch is the train extra's: without it these tests skip.
pytest.importorskip("torch")

from paintbucket.cli.main import main
from paintbucket.models.weights import load_model

#: A few seconds per kind on a CPU: tiny networks, small samples, a log line every step.
TINY_CONFIGS = {
    "consecutive": {
        "model": {"widths": [8, 8, 8], "offset_widths": [4, 4], "color_channels": 4,
                  "feature_dim": 16, "num_layers": 1, "num_heads": 2},
        "pairs": {"crop": 64, "scale": 1.0},
    },
    "keyframe": {
        "model": {"widths": [8, 8, 8], "parsing_widths": [8, 8], "feature_dim": 16,
                  "num_layers": 1, "num_heads": 2},
        "pairs": {"work_size": 96},
    },
    "views": {
        "model": {"size": 32, "widths": [4, 8], "dim": 8},
        "characters": 1, "views": 8, "render_size": 96, "batch": 4,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def synth_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("train-cli") / "data"
    args = ["synth", str(out), "--size", "96", "--frames", "3", "--characters", "1",
            "--clips-per-character", "1", "--quiet"]  # fmt: skip
    assert main(args) == 0
    return out


def _iterations(run_dir) -> list[int]:
    lines = (run_dir / "log.jsonl").read_text().splitlines()
    return [json.loads(line)["iteration"] for line in lines]


@pytest.mark.parametrize("kind", list(TINY_CONFIGS))
def test_train_then_resume_through_the_cli(kind, synth_data, tmp_path, capsys):
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump({**TINY_CONFIGS[kind], "log_every": 1, "warmup": 1}))
    run_dir = tmp_path / "run"
    data = [] if kind == "views" else ["--data", str(synth_data)]
    common = [*data, "--out", str(run_dir), "--quiet"]

    assert main(["train", kind, *common, "--config", str(config), "--iterations", "2"]) == 0
    weights = run_dir / "model.safetensors"
    assert capsys.readouterr().out.strip() == f"weights: {weights}"
    assert _iterations(run_dir) == [1, 2]
    written = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert written["iterations"] == 2
    for key, value in TINY_CONFIGS[kind]["model"].items():
        assert written["model"][key] == value
        assert load_model(kind, weights).conf[key] == value
    first = load_model(kind, weights).state_dict()

    assert main(["train", kind, *common, "--resume", "--iterations", "3"]) == 0
    assert _iterations(run_dir) == [1, 2, 3]
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["iterations"] == 3
    resumed = load_model(kind, weights).state_dict()
    assert any(not first[name].equal(resumed[name]) for name in first)  # it trained on
