import pytest

from paintbucket.errors import InputError
from paintbucket.io import read_color_json, read_index_json, write_color_json, write_index_json


def test_color_json_round_trip(tmp_path):
    colors = {2: (1, 2, 3, 255), 1: (0, 0, 0, 0)}
    write_color_json(tmp_path / "c.json", colors)
    assert (tmp_path / "c.json").read_text() == '{"1": [0, 0, 0, 0], "2": [1, 2, 3, 255]}'
    assert read_color_json(tmp_path / "c.json") == colors


def test_index_json_round_trip(tmp_path):
    entries = {1: (500, -1), 2: (12, 7)}
    write_index_json(tmp_path / "i.json", entries)
    assert read_index_json(tmp_path / "i.json") == entries


@pytest.mark.parametrize(
    "text, message",
    [("{", "invalid JSON"), ("[1]", "JSON object"), ('{"a": [1,2,3,4]}', "not an integer"),
     ('{"1": [1,2,3]}', r"\[R, G, B, A\]"), ('{"1": [1,2,3,256]}', r"\[R, G, B, A\]")],
)  # fmt: skip
def test_bad_color_json(tmp_path, text, message):
    (tmp_path / "c.json").write_text(text)
    with pytest.raises(InputError, match=message):
        read_color_json(tmp_path / "c.json")
