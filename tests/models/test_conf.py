import pytest

from paintbucket.errors import InputError
from paintbucket.models.conf import merge_conf

DEFAULT = {
    "iterations": 10,
    "widths": [4, 8],
    "pairs": {"crop": 96, "augment": {"rotation": 8.0, "flip": True}},
}


def test_overrides_merge_at_every_level_and_leave_the_default_alone():
    merged = merge_conf(DEFAULT, {"iterations": 3, "pairs": {"augment": {"flip": False}}}, None)
    assert merged == {
        "iterations": 3,
        "widths": [4, 8],
        "pairs": {"crop": 96, "augment": {"rotation": 8.0, "flip": False}},
    }
    assert DEFAULT["iterations"] == 10 and DEFAULT["pairs"]["augment"]["flip"] is True
    merged["widths"].append(16)
    merged["pairs"]["augment"]["rotation"] = 0.0
    assert DEFAULT["widths"] == [4, 8] and DEFAULT["pairs"]["augment"]["rotation"] == 8.0


def test_override_values_are_copied():
    widths = [1, 2]
    merged = merge_conf(DEFAULT, {"widths": widths}, None)
    widths.append(3)
    assert merged["widths"] == [1, 2]


def test_none_and_empty_overrides_give_the_defaults():
    assert merge_conf(DEFAULT, None, None) == DEFAULT
    assert merge_conf(DEFAULT, {"pairs": None}, None) == DEFAULT


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"iteratons": 5}, "run.yaml: unknown configuration key 'iteratons'"),
        ({"pairs": {"crpo": 5}}, "run.yaml: pairs: unknown configuration key 'crpo'"),
        (
            {"pairs": {"augment": {"flop": 1}}},
            "run.yaml: pairs.augment: unknown configuration key 'flop'",
        ),
        ({"pairs": 3}, "run.yaml: pairs: expected a mapping of configuration keys"),
        (["iterations"], "run.yaml: expected a mapping of configuration keys"),
    ],
)
def test_unknown_keys_and_non_mappings_name_the_source_and_section(override, message):
    with pytest.raises(InputError) as error:
        merge_conf(DEFAULT, override, "run.yaml")
    assert str(error.value) == message


@pytest.mark.parametrize("kind", ["InclusionMatcher", "KeyframeMatcher", "ViewEncoder"])
def test_models_merge_their_conf_the_same_way(kind):
    pytest.importorskip("torch")
    import paintbucket.models

    model_class = getattr(paintbucket.models, kind)
    with pytest.raises(InputError, match=f"^{kind}: unknown configuration key 'nope'$"):
        model_class({"nope": 1})
