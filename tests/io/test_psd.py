"""Reading layered PSD drawings as fills + line art."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from psd_tools import PSDImage
from psd_tools.api.layers import Group, PixelLayer

from paintbucket.errors import InputError
from paintbucket.io.psd import read_psd_layers


def _layers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 12 x 10 drawing: a skin fill, a shadow shape on it and one black line."""
    skin = np.zeros((10, 12, 4), np.uint8)
    skin[2:8, 2:10] = (240, 200, 170, 255)
    shadow = np.zeros_like(skin)
    shadow[2:8, 7:10] = (200, 150, 130, 255)
    line = np.zeros_like(skin)
    line[5, :] = (0, 0, 0, 255)
    return skin, shadow, line


def _save(path: Path, layers: list, grouped: dict[str, list] | None = None) -> Path:
    psd = PSDImage.new("RGB", (12, 10))
    for name, rgba in layers:
        psd.append(PixelLayer.frompil(Image.fromarray(rgba, "RGBA"), psd, name=name))
    for group_name, members in (grouped or {}).items():
        children = [PixelLayer.frompil(Image.fromarray(a, "RGBA"), psd, name=n) for n, a in members]
        psd.append(Group.group_layers(psd, children, name=group_name))
    psd.save(path)
    return path


def test_line_layers_by_name(tmp_path: Path) -> None:
    skin, shadow, line = _layers()
    path = _save(tmp_path / "v.psd", [("skin", skin), ("Shadow", shadow), ("Line art", line)])
    fills, line_art = read_psd_layers(path)
    expected = skin.copy()
    expected[shadow[..., 3] > 0] = shadow[shadow[..., 3] > 0]
    opaque = expected[..., 3] > 0
    # "skin" holds the word "ink" but is a fill layer.
    assert np.array_equal(fills[opaque], expected[opaque]) and not fills[~opaque, 3].any()
    assert line_art is not None
    assert np.array_equal(line_art[..., 3] > 0, line[..., 3] > 0)


def test_layers_in_a_group_named_lines(tmp_path: Path) -> None:
    skin, shadow, line = _layers()
    path = _save(tmp_path / "v.psd", [("Layer 1", skin)], {"Inks": [("Layer 2", line)]})
    fills, line_art = read_psd_layers(path)
    assert np.array_equal(fills[..., 3] > 0, skin[..., 3] > 0)
    assert np.array_equal(line_art[..., 3] > 0, line[..., 3] > 0)


def test_without_line_layer(tmp_path: Path) -> None:
    skin, _, line = _layers()
    path = _save(tmp_path / "v.psd", [("paint", skin), ("more paint", line)])
    fills, line_art = read_psd_layers(path)
    assert line_art is None
    assert (fills[5, 3, :3] == 0).all() and fills[5, 3, 3] == 255


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.psd: file not found"):
        read_psd_layers(tmp_path / "missing.psd")
    (tmp_path / "bad.psd").write_bytes(b"not a psd")
    with pytest.raises(InputError, match=r"bad\.psd: cannot read PSD"):
        read_psd_layers(tmp_path / "bad.psd")
    skin, _, _ = _layers()
    path = _save(tmp_path / "v.psd", [("skin", skin)])
    with pytest.raises(InputError, match=r"v\.psd: image is 12x10 = 120 pixels, over the limit"):
        read_psd_layers(path, max_pixels=100)
