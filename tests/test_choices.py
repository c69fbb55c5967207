"""paintbucket.choices names what the library offers: the registries agree with it."""

import pytest

from paintbucket import choices
from paintbucket.consecutive.engines import ENGINES
from paintbucket.models.weights import MODEL_CLASSES
from paintbucket.pipeline.chain import plan_references
from paintbucket.synth.dataset import PRESETS


def test_registries_match_the_names():
    assert tuple(ENGINES) == choices.ENGINE_NAMES
    assert tuple(MODEL_CLASSES) == choices.MODEL_KINDS
    assert tuple(PRESETS) == choices.SYNTH_PRESETS
    assert choices.DEFAULT_MODE in choices.MODES
    for mode in choices.MODES:
        assert plan_references(["a", "b"], {"a"}, mode) == [(0, -1), (1, 0)]


def test_trainers_match_the_model_kinds():
    pytest.importorskip("torch")
    from paintbucket.train.registry import TRAINERS

    assert tuple(TRAINERS) == choices.MODEL_KINDS


def test_choices_module_imports_nothing():
    source = open(choices.__file__, encoding="utf-8").read()
    assert "import " not in source
