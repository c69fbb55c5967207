"""A tiny generated design sheet shared by the keyframe tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from paintbucket.synth.dataset import SynthConfig, generate


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One test-split character at 160 px: ``char000_sheet`` and one 2-frame clip."""
    out = tmp_path_factory.mktemp("keyframe-data")
    config = SynthConfig(
        characters=1, clips_per_character=1, frames=2, size=160, seed=7, split="test"
    )
    generate(out, config, progress=False)
    return out


@pytest.fixture
def sheet_copy(tiny_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the tiny sheet folder."""
    return Path(shutil.copytree(tiny_data / "char000_sheet", tmp_path / "sheet"))
