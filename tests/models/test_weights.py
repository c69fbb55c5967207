import pytest
import torch

from paintbucket.errors import InputError
from paintbucket.models import InclusionMatcher
from paintbucket.models.view_encoder import ViewEncoder
from paintbucket.models.weights import average_weights, load_matcher, save_matcher

TINY = {"widths": (8, 8, 8), "offset_widths": (4, 4), "color_channels": 4,
        "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def _saved(tmp_path, name: str, seed: int, conf: dict = TINY) -> str:
    torch.manual_seed(seed)
    return str(save_matcher(InclusionMatcher(conf), tmp_path / name))


def test_average_is_the_parameter_mean(tmp_path):
    first, second = _saved(tmp_path, "a.safetensors", 0), _saved(tmp_path, "b.safetensors", 1)
    out = average_weights([first, second], tmp_path / "avg.safetensors")
    a, b, mean = (load_matcher(p).state_dict() for p in (first, second, out))
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
        save_matcher(ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8}),
                     tmp_path / f"v{seed}.safetensors")  # fmt: skip
    views = [tmp_path / "v0.safetensors", tmp_path / "v1.safetensors"]
    out = average_weights(views, tmp_path / "v.safetensors", ViewEncoder)
    assert load_matcher(out, model_class=ViewEncoder).conf["dim"] == 8
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
    assert load_matcher(out).conf == load_matcher(paths[0]).conf
    assert cli_main.main(["average", paths[0], str(tmp_path / "missing.safetensors"),
                          "--out", str(out)]) == 2  # fmt: skip
    assert "missing.safetensors" in capsys.readouterr().err
