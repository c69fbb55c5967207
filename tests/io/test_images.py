import os

import numpy as np
import pytest
from PIL import Image

from paintbucket.errors import InputError
from paintbucket.io import (
    DEFAULT_MAX_PIXELS,
    image_size,
    list_pngs,
    normalize_transparent,
    read_rgba,
    write_png,
)
from paintbucket.io.images import TEMP_NAME, remove_temp_files
from tests.conftest import png_header_only


def test_read_converts_every_mode_to_rgba(tmp_path):
    gray = np.array([[0, 255], [128, 10]], dtype=np.uint8)
    Image.fromarray(gray, mode="L").save(tmp_path / "g.png")
    rgba = read_rgba(tmp_path / "g.png")
    assert rgba.shape == (2, 2, 4) and rgba.dtype == np.uint8
    assert rgba[..., 0].tolist() == gray.tolist()
    assert (rgba[..., 3] == 255).all()


def test_write_then_read_round_trip(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    write_png(tmp_path / "sub" / "x.png", image)
    assert np.array_equal(read_rgba(tmp_path / "sub" / "x.png"), image)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.png"]


def test_missing_and_corrupt_files_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.png: file not found"):
        read_rgba(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nthis is not a png")
    with pytest.raises(InputError, match="bad.png: cannot read image"):
        read_rgba(tmp_path / "bad.png")


def test_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        write_png(tmp_path / "x.png", np.zeros((2, 2), dtype=np.float32))
    assert list(tmp_path.iterdir()) == []


def test_normalize_transparent_merges_hidden_rgb():
    rgba = np.array([[[255, 255, 255, 0], [1, 2, 3, 0], [9, 9, 9, 255]]], dtype=np.uint8)
    assert normalize_transparent(rgba).tolist() == [[[0, 0, 0, 0], [0, 0, 0, 0], [9, 9, 9, 255]]]


def test_remove_temp_files_takes_only_what_a_killed_write_left(tmp_path, monkeypatch):
    # A write killed before its rename: os.replace never happens and the cleanup
    # in the writer cannot run either (SIGKILL), so the temporary file stays.
    def killed(src, dst):
        raise SystemExit

    monkeypatch.setattr(os, "replace", killed)
    monkeypatch.setattr("pathlib.Path.unlink", lambda self, missing_ok=False: None)
    with pytest.raises(SystemExit):
        write_png(tmp_path / "sub" / "0001.png", np.zeros((2, 2, 4), np.uint8))
    monkeypatch.undo()
    (left,) = (tmp_path / "sub").iterdir()
    assert TEMP_NAME.fullmatch(left.name) and left.name.startswith(".0001.png.")

    keep = ["notes.tmp", ".hidden.tmp", "0001.png", ".0001.png", "0001.png.abc12345.tmp"]
    for name in keep:
        (tmp_path / name).write_text("mine")
    (tmp_path / ".0002.json.k2j_9x0a.tmp").write_text("{")
    assert remove_temp_files(tmp_path) == [tmp_path / ".0002.json.k2j_9x0a.tmp"]
    assert left.exists()  # not recursive by default
    assert remove_temp_files(tmp_path, recursive=True) == [left]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, "sub"])
    assert remove_temp_files(tmp_path / "missing") == []


def test_size_limit_is_checked_from_the_header(tmp_path):
    bomb = png_header_only(tmp_path / "bomb.png", 60000, 60000)
    with pytest.raises(InputError, match="bomb.png: image too large to decode safely"):
        read_rgba(bomb)
    big = png_header_only(tmp_path / "big.png", 5000, 4000)  # 20 MP, data not decodable
    with pytest.raises(InputError, match=r"big.png: image is 5000x4000 = 20000000 pixels, over"):
        read_rgba(big)
    assert image_size(big, max_pixels=None) == (5000, 4000)
    write_png(tmp_path / "small.png", np.zeros((3, 5, 4), np.uint8))
    assert read_rgba(tmp_path / "small.png", max_pixels=15).shape == (3, 5, 4)
    with pytest.raises(InputError, match="= 15 pixels, over the limit of 14"):
        read_rgba(tmp_path / "small.png", max_pixels=14)
    assert DEFAULT_MAX_PIXELS == 4096 * 4096


def test_list_pngs_natural_order_no_hidden_files(tmp_path):
    for name in ("10.png", "2.PNG", "1.png", ".hidden.png", "._1.png", "notes.txt", "frame9.png"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "dir.png").mkdir()
    assert [p.name for p in list_pngs(tmp_path)] == ["1.png", "2.PNG", "10.png", "frame9.png"]
    (tmp_path / "1.PNG").write_bytes(b"")
    with pytest.raises(InputError, match="same frame name as .* apart from letter case"):
        list_pngs(tmp_path)
