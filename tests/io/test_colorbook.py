import pytest

from paintbucket.errors import InputError
from paintbucket.io import format_colorbook, parse_colorbook, read_colorbook, write_colorbook

SAMPLE = """eyelash on eye: [[39 64 59],[19 44 39],[38 13 18],null]
front hair on hair: [[250 240 200],[220 200 150],[180 160 120],[150 130 100]]
"""


def test_parse_sample_line():
    book = parse_colorbook(SAMPLE)
    first = book.entries[0]
    assert (first.description, first.category) == ("eyelash", "eye")
    assert first.colors == ((39, 64, 59), (19, 44, 39), (38, 13, 18), None)
    assert first.normal == (19, 44, 39)
    assert book.palette()[(38, 13, 18)] == (first, "shadow1")


def test_format_round_trips_exactly(tmp_path):
    book = parse_colorbook(SAMPLE)
    assert format_colorbook(book) == SAMPLE
    write_colorbook(tmp_path / "colorbook.yml", book)
    assert read_colorbook(tmp_path / "colorbook.yml") == book


def test_description_may_contain_on():
    book = parse_colorbook("button on shirt on clothes: [null,[1 2 3],null,null]\n")
    assert book.entries[0].description == "button on shirt"
    assert book.entries[0].category == "clothes"


@pytest.mark.parametrize(
    "text, message",
    [
        ("a on b: [[1 2 3],[4 5 6]", "invalid YAML"),
        ("just text", "one 'description on category"),
        ("hair: [null,[1 2 3],null,null]", "description on category"),
        ("x on hair: [[1 2 3],[4 5 6]]", r"expected \[highlight"),
        ("x on hair: [[1 2],null,null,null]", "three values"),
        ("x on hair: [[1 2 300],null,null,null]", "three values"),
        ("x on hair: [[a b c],null,null,null]", "three integers"),
        ("x on hair: [null,null,null,null]", "all four colors are null"),
        (
            "x on hair: [null,[1 2 3],null,null]\ny on skin: [[1 2 3],null,null,null]",
            "used by both",
        ),
        ("", "empty"),
    ],
)
def test_malformed_colorbooks_are_rejected(tmp_path, text, message):
    path = tmp_path / "colorbook.yml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        read_colorbook(path)
    assert str(error.value).startswith(str(path))


def test_missing_colorbook(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_colorbook(tmp_path / "nope.yml")
