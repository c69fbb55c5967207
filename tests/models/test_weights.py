import pytest

# PyTorch is the train extra's: without it these tests skip.
torch = pytest.importorskip("torch")

from paintbucket.errors import InputError
from paintbucket.models import InclusionMatcher
from paintbucket.models.view_encoder import ViewEncoder
from paintbucket.models.weights import average_weights, load_model, save_model

TINY = {"widths": (8, 8, 8), "offset_widths": (4, 4), "color_channels": 4,
        "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def _saved(tmp_path, name: str, seed: int, conf: dict = TINY) -> str:
    torch.manual_seed(seed)
    return str(save_model(InclusionMatcher(conf), tmp_path / name))


def test_average_is_the_parameter_mean(tmp_path):
    first, second = _saved(tmp_path, "a.safetensors", 0), _saved(tmp_path, "b.safetensors", 1)
    out = average_weights([first, second], tmp_path / "avg.safetensors")
    a, b, mean = (load_model("consecutive", p).state_dict() for p in (first, second, out))
    assert set(mean) == set(a)
    for name, tensor in mean.items():
        if tensor.is_floating_point():
            torch.testing.assert_close(tensor, (a[name] + b[name]) / 2)
        else:
            assert torch.equal(tensor, a[name])
    assert any(not torch.equal(a[n], b[n]) for n in a)  # the inputs really differ


def test_average_of_other_models_and_bad_inputs(tmp_path):
    for seed in (0, 1):
        torch.manual_seed(seed)
        save_model(ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8}),
                     tmp_path / f"v{seed}.safetensors")  # fmt: skip
    views = [tmp_path / "v0.safetensors", tmp_path / "v1.safetensors"]
    out = average_weights(views, tmp_path / "v.safetensors", "views")
    assert load_model("views", out).conf["dim"] == 8
    with pytest.raises(InputError, match="not paintbucket.InclusionMatcher"):
        average_weights(views, tmp_path / "x.safetensors")
    other = _saved(tmp_path, "other.safetensors", 2, {**TINY, "num_heads": 4})
    with pytest.raises(InputError, match="conf differs"):
        average_weights([_saved(tmp_path, "a.safetensors", 0), other], tmp_path / "y.safetensors")
    with pytest.raises(ValueError, match="at least two"):
        average_weights([other], tmp_path / "z.safetensors")
    assert not (tmp_path / "y.safetensors").exists()


def test_cli_average(tmp_path, capsys):
    from paintbucket.cli import main as cli_main

    paths = [_saved(tmp_path, f"{i}.safetensors", i) for i in range(3)]
    out = tmp_path / "soup.safetensors"
    assert cli_main.main(["average", *paths, "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert load_model("consecutive", out).conf == load_model("consecutive", paths[0]).conf
    assert cli_main.main(["average", paths[0], str(tmp_path / "missing.safetensors"),
                          "--out", str(out)]) == 2  # fmt: skip
    assert "missing.safetensors" in capsys.readouterr().err


def test_cli_average_views_by_model_kind(tmp_path, capsys):
    from paintbucket.cli import main as cli_main

    paths = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8})
        paths.append(str(save_model(model, tmp_path / f"v{seed}.safetensors")))
    out = tmp_path / "views.safetensors"
    assert cli_main.main(["average", *paths, "--out", str(out), "--model", "views"]) == 0
    assert load_model("views", out).conf["dim"] == 8
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["average", *paths, "--out", str(out), "--model", "view"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'view'" in capsys.readouterr().err


def test_every_model_kind_has_a_class_and_shipped_weights():
    from paintbucket.choices import MODEL_KINDS
    from paintbucket.models.weights import DEFAULT_WEIGHTS, model_class

    classes = [model_class(kind).__name__ for kind in MODEL_KINDS]
    assert classes == ["InclusionMatcher", "KeyframeMatcher", "ViewEncoder"]
    for kind in MODEL_KINDS:
        assert type(load_model(kind)).__name__ == model_class(kind).__name__
        assert DEFAULT_WEIGHTS[kind].is_file()
    with pytest.raises(ValueError, match="unknown model kind 'matcher'"):
        model_class("matcher")
    with pytest.raises(InputError, match="not paintbucket.ViewEncoder/1 weights"):
        load_model("views", DEFAULT_WEIGHTS["keyframe"])


def test_lazy_model_loads_once_per_instance_from_its_weights(tmp_path, monkeypatch):
    from dataclasses import dataclass

    from paintbucket.models import weights as weights_module

    paths = []
    for dim in (8, 12):
        model = ViewEncoder({"size": 32, "widths": (4, 8), "dim": dim})
        paths.append(save_model(model, tmp_path / f"v{dim}.safetensors"))

    @dataclass
    class Owner:
        weights: object = None
        device: str = "cpu"
        model = weights_module.LazyModel("views")

    loads = []
    real_load = weights_module.load_model

    def counting_load(*args):
        loads.append(args)
        return real_load(*args)

    monkeypatch.setattr(weights_module, "load_model", counting_load)
    first, second = Owner(paths[0]), Owner(paths[1])
    assert loads == []  # nothing loads before the first read
    assert first.model.conf["dim"] == 8 and first.model is first.model
    assert second.model.conf["dim"] == 12
    assert loads == [("views", paths[0], "cpu"), ("views", paths[1], "cpu")]
    assert Owner() == Owner()  # not a dataclass field: equality and repr ignore it
    with pytest.raises(ValueError, match="unknown model kind"):
        weights_module.LazyModel("matcher")


def test_importing_the_colorizers_loads_no_torch():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import paintbucket.consecutive, paintbucket.keyframe, paintbucket.models.weights\n"
        "from paintbucket.consecutive.learned import LearnedEngine\n"
        "from paintbucket.keyframe.learned import KeyframeModel\n"
        "from paintbucket.keyframe.select import ReferenceSelector\n"
        "LearnedEngine(), KeyframeModel(), ReferenceSelector()\n"
        "print(sorted(m for m in ('torch', 'safetensors') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
