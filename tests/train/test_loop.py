import inspect

import pytest

# PyTorch is the train extra's: without it these tests skip.
pytest.importorskip("torch")

from paintbucket.choices import MODEL_KINDS
from paintbucket.errors import InputError
from paintbucket.models.weights import model_class
from paintbucket.train.loop import (
    LOOP_CONF,
    Trainer,
    learning_rate,
    read_conf,
    resumed_conf,
)
from paintbucket.train.registry import TRAINERS


def test_one_trainer_per_model_kind_called_the_same_way():
    assert tuple(TRAINERS) == MODEL_KINDS
    for kind, trainer in TRAINERS.items():
        assert isinstance(trainer, Trainer) and trainer.kind == kind
        assert trainer.default_conf["model"] == model_class(kind).default_conf
        assert set(LOOP_CONF) <= set(trainer.default_conf)
    parameters = list(inspect.signature(Trainer.__call__).parameters)
    assert parameters == ["self", "data_dirs", "run_dir", "conf", "device", "resume",
                          "max_minutes", "progress"]  # fmt: skip
    assert [t.needs_data for t in TRAINERS.values()] == [True, True, False]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("consecutive", "iterations: [", "invalid YAML"),
        ("consecutive", "lr: 3", "unknown configuration key 'lr'"),
        ("keyframe", "pairs:\n  work_sise: 96\n", "pairs: unknown configuration key 'work_sise'"),
        ("views", "model:\n  sise: 32\n", "model: unknown configuration key 'sise'"),
    ],
)
def test_read_conf_errors_name_the_file_and_section(tmp_path, kind, text, message):
    """The exact message (tests/cli/test_bad_input.py checks more cases through pbc)."""
    path = tmp_path / "conf.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_conf(path, TRAINERS[kind].default_conf)
    assert str(error.value) == f"{path}: {message}"


def test_read_conf_merges_nested_sections_over_the_defaults(tmp_path):
    path = tmp_path / "conf.yaml"
    path.write_text("iterations: 7\npairs:\n  crop: 96\nmodel:\n  widths: [8, 8]\n")
    default = TRAINERS["consecutive"].default_conf
    conf = read_conf(path, default)
    assert conf["iterations"] == 7 and conf["pairs"]["crop"] == 96
    assert conf["pairs"]["scale"] == default["pairs"]["scale"]
    assert conf["model"]["widths"] == [8, 8]
    assert conf["model"]["num_heads"] == default["model"]["num_heads"]
    assert default["pairs"]["crop"] == 256 and default["iterations"] == 8000
    assert read_conf(None, default) == default
    with pytest.raises(InputError, match="config file not found"):
        read_conf(tmp_path / "missing.yaml", default)


def test_resumed_conf_keeps_the_checkpoint_and_extends_iterations():
    default = TRAINERS["views"].default_conf
    checkpoint = {"conf": {**default, "iterations": 10, "batch": 3}}
    conf = resumed_conf(checkpoint, {"iterations": 20, "batch": 99}, default, "run/checkpoint.pt")
    assert conf["iterations"] == 20 and conf["batch"] == 3
    old = {"conf": {"iterations": 10, "model": {}, "batch": 3}}  # before sections were full
    assert resumed_conf(old, None, default, "c.pt")["model"] == default["model"]
    stale = {"conf": {"iterations": 10, "gone": 1}}
    with pytest.raises(InputError, match="^run/checkpoint.pt: unknown configuration key 'gone'"):
        resumed_conf(stale, None, default, "run/checkpoint.pt")


def test_learning_rate_schedule():
    conf = {**LOOP_CONF, "iterations": 100, "warmup": 10}
    assert learning_rate(0, conf) == pytest.approx(conf["learning_rate"] / 10)
    assert learning_rate(10, conf) == pytest.approx(conf["learning_rate"])
    assert learning_rate(100, conf) == pytest.approx(conf["min_learning_rate"])
