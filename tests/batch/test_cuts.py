from pathlib import Path

import pytest

from paintbucket.batch.cuts import find_cuts
from paintbucket.errors import InputError


def _cut(root: Path, *parts: str) -> Path:
    folder = root.joinpath(*parts)
    (folder / "line").mkdir(parents=True)
    return folder


def test_cuts_are_the_folders_holding_line_in_natural_order(tmp_path):
    for name in ("c10", "c2", "scene1/c1", ".hidden/c3", "out/c4"):
        _cut(tmp_path, *name.split("/"))
    _cut(tmp_path, "c2", "inner")  # inside a cut: not searched
    (tmp_path / "notes").mkdir()
    cuts = find_cuts(tmp_path, exclude=(tmp_path / "out",))
    assert [cut.name for cut in cuts] == ["c2", "c10", "scene1/c1"]
    assert cuts[2].clip_dir == tmp_path / "scene1" / "c1"
    assert all(cut.sheet_dir is None for cut in cuts)


def test_cut_list_gives_order_and_per_cut_sheets(tmp_path):
    _cut(tmp_path, "a")
    _cut(tmp_path, "b")
    listing = tmp_path / "cuts.txt"
    listing.write_text("# cut\tsheet\nb\tsheets/saha\n\na\n/elsewhere/c7\n")
    cuts = find_cuts(tmp_path, listing, sheet=tmp_path / "sheets" / "all")
    assert [cut.name for cut in cuts] == ["b", "a", "c7"]
    assert cuts[0].sheet_dir == tmp_path / "sheets" / "saha"
    assert cuts[1].sheet_dir == tmp_path / "sheets" / "all"
    assert cuts[2].clip_dir == Path("/elsewhere/c7")  # missing: it fails alone, later


@pytest.mark.parametrize(
    "text, problem",
    [
        ("a\tb\tc\n", "line 1: expected CUT_DIR or CUT_DIR<tab>SHEET_DIR"),
        ("a\n./a\n", "two cuts named a"),
        ("/p/a\n/q/a\n", "two cuts named a"),
        ("batch.json\n", "may not be named batch.json"),
        ("# nothing\n", "lists no cut"),
    ],
)
def test_bad_cut_lists_are_refused(tmp_path, text, problem):
    (tmp_path / "x").mkdir()
    listing = tmp_path / "cuts.txt"
    listing.write_text(text)
    with pytest.raises(InputError, match=problem):
        find_cuts(tmp_path, listing)


def test_an_episode_without_cuts_is_refused(tmp_path):
    with pytest.raises(InputError, match="no folder under .* holds a line/ folder"):
        find_cuts(tmp_path)
    with pytest.raises(InputError, match="episode folder not found"):
        find_cuts(tmp_path / "missing")
