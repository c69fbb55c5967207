import numpy as np
import pytest

from paintbucket.io import (
    decode_index,
    encode_index,
    read_label,
    read_segments,
    write_label,
    write_segments,
)
from tests.conftest import real_data


def test_encoding_is_r65536_g256_b():
    index = np.array([[0, 1, 256, 65536 + 2 * 256 + 3]])
    rgb = encode_index(index, alpha=False)
    assert rgb[0, 3].tolist() == [1, 2, 3]
    assert rgb[0, 2].tolist() == [0, 1, 0]
    assert np.array_equal(decode_index(rgb), index)


def test_label_background_is_alpha_zero():
    label = np.array([[-1, 0], [5, 70000]])
    rgba = encode_index(label, alpha=True)
    assert rgba[0, 0].tolist() == [0, 0, 0, 0]
    assert rgba[0, 1].tolist() == [0, 0, 0, 255]
    assert np.array_equal(decode_index(rgba), label)


def test_out_of_range_raises():
    with pytest.raises(ValueError):
        encode_index(np.array([[-1]]), alpha=False)
    with pytest.raises(ValueError):
        encode_index(np.array([[256**3]]), alpha=True)


def test_empty_map_round_trips():
    assert decode_index(encode_index(np.zeros((0, 3), int), alpha=True)).shape == (0, 3)


def test_real_label_and_seg_round_trip_byte_exact(tmp_path):
    folder = real_data("pbc_char_0242")
    label = read_label(folder / "label" / "0242.png")
    segments = read_segments(folder / "seg" / "0242.png")
    assert label.min() == -1 and segments.min() == 0 and segments.max() == 274
    write_label(tmp_path / "label.png", label)
    write_segments(tmp_path / "seg.png", segments)
    assert np.array_equal(read_label(tmp_path / "label.png"), label)
    assert np.array_equal(read_segments(tmp_path / "seg.png"), segments)
    from PIL import Image

    for name, original in (("label.png", "label"), ("seg.png", "seg")):
        a = np.asarray(Image.open(tmp_path / name))
        b = np.asarray(Image.open(folder / original / "0242.png"))
        assert Image.open(tmp_path / name).mode == Image.open(folder / original / "0242.png").mode
        assert np.array_equal(a, b)
