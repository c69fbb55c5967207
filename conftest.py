"""Collection rules for ``python -m pytest`` (the tests in tests/ and the doctests of
paintbucket/)."""

import importlib.util

#: Package modules that import PyTorch (the ``train`` extra) when loaded: without it,
#: their doctests are not collected (the tests that need them skip themselves).
TORCH_MODULES = [
    "paintbucket/models/export.py",
    "paintbucket/models/inclusion_matcher.py",
    "paintbucket/models/keyframe_matcher.py",
    "paintbucket/models/layers.py",
    "paintbucket/models/pooling.py",
    "paintbucket/models/view_encoder.py",
    "paintbucket/train/*.py",
]

collect_ignore_glob = [] if importlib.util.find_spec("torch") else TORCH_MODULES
