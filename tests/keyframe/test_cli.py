from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from paintbucket.cli import keyframe
from paintbucket.io.images import read_rgba
from paintbucket.keyframe.sheet import load_sheet


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pbc")
    keyframe.add_parser(parser.add_subparsers())
    return parser.parse_args(["keyframe", *argv])


@pytest.mark.parametrize(
    ("method", "refs"), [("baseline", "all"), ("model", "auto"), ("model", "all")]
)
def test_end_to_end_writes_colorbook_colors_and_json(
    tiny_data: Path, tmp_path: Path, method: str, refs: str
) -> None:
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    out = tmp_path / "out" / "0001.png"
    args = _args(
        "--sheet", str(tiny_data / "char000_sheet"),
        "--line", str(clip / "line" / "0001.png"),
        "--anno", str(clip / "line_anno" / "0001.png"),
        "--out", str(out),
        "--refs", refs,
        "--method", method,
    )  # fmt: skip
    assert keyframe.run(args) == 0
    image = read_rgba(out)
    sheet = load_sheet(tiny_data / "char000_sheet")
    allowed = {tuple(c) for c in sheet.palette.tolist()} | {(0, 0, 0, 255)}
    assert {tuple(c) for c in np.unique(image.reshape(-1, 4), axis=0).tolist()} <= allowed
    report = json.loads(out.with_suffix(".json").read_text())
    keys = set(sheet.entry_keys)
    assert report["num_segments"] == len(report["segments"]) > 0
    for segment in report["segments"].values():
        assert segment["entry"] in keys
        assert segment["variant"] in ("background", "highlight", "normal", "shadow1", "shadow2")
        assert segment["confidence"] > 0.0  # every segment's entry got some probability
    assert [r["name"] for r in report["references"]] == ["front", "side", "back", "face"]
    assert report["method"] == method
    assert sum(r["weight"] for r in report["references"]) == pytest.approx(1.0, abs=1e-3)


def test_missing_weights_file_is_a_one_line_error(tiny_data: Path, tmp_path: Path) -> None:
    from paintbucket.errors import InputError

    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    args = _args(
        "--sheet", str(tiny_data / "char000_sheet"),
        "--line", str(clip / "line" / "0001.png"),
        "--out", str(tmp_path / "o.png"),
        "--weights", str(tmp_path / "missing.safetensors"),
    )  # fmt: skip
    with pytest.raises(InputError, match="weights file not found"):
        keyframe.run(args)
    assert not (tmp_path / "o.png").exists()


def test_bad_refs_value() -> None:
    with pytest.raises(SystemExit):
        _args("--sheet", "s", "--line", "l", "--out", "o.png", "--refs", "x")


#: Free-text descriptions, never seen in training, for the categories of a synth sheet.
HAND_WRITTEN = {
    "skin": "cheeks and bare arms", "hair": "fringe and braid", "eyes": "iris of the eye",
    "mouth": "lips", "clothes": "school uniform jacket", "shoes": "leather boots",
    "socks": "knee stockings", "belt": "waist strap buckle", "bag": "shoulder satchel",
    "glasses": "spectacle frame", "hat": "beret",
}  # fmt: skip


def test_hand_written_colorbook_with_free_text(sheet_copy: Path, tiny_data: Path,
                                               tmp_path: Path) -> None:  # fmt: skip
    from paintbucket.io.colorbook import Colorbook, ColorEntry, read_colorbook, write_colorbook

    original = read_colorbook(sheet_copy / "colorbook.yml")
    entries, expected = [], {}
    for i, entry in enumerate(original.entries):
        # "on figure" names no category: the encoder must place the whole key.
        description = f"{HAND_WRITTEN[entry.category]} {i + 1}"
        entries.append(ColorEntry(description, "figure", entry.colors))
        expected[f"{description} on figure"] = entry.category
    write_colorbook(sheet_copy / "colorbook.yml", Colorbook(tuple(entries)))
    clip = next(p for p in sorted(tiny_data.iterdir()) if (p / "line").is_dir())
    out = tmp_path / "hand.png"
    args = _args("--sheet", str(sheet_copy), "--line", str(clip / "line" / "0001.png"),
                 "--anno", str(clip / "line_anno" / "0001.png"), "--out", str(out))  # fmt: skip
    assert keyframe.run(args) == 0
    sheet = load_sheet(sheet_copy)
    allowed = {tuple(c) for c in sheet.palette.tolist()} | {(0, 0, 0, 255)}
    assert {tuple(c) for c in np.unique(read_rgba(out).reshape(-1, 4), axis=0).tolist()} <= allowed
    report = json.loads(out.with_suffix(".json").read_text())
    mapped = {s["entry"]: s["category"] for s in report["segments"].values()}
    mapped.pop("background", None)
    assert mapped and set(mapped) <= set(expected)
    agree = sum(mapped[key] == expected[key] for key in mapped)
    assert agree >= 0.8 * len(mapped), mapped
