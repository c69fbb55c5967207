"""Synthetic clip content: body shapes, second character, props, entering, effects."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from paintbucket.io import read_colorbook, read_label, read_rgba, read_segments
from paintbucket.segment import label_paper, majority_vote, pack_rgba
from paintbucket.synth.character import Sheet, build_character
from paintbucket.synth.dataset import SynthConfig, generate
from paintbucket.synth.scene import PROP_KINDS

ALL = dict(
    body_shapes="varied",
    second_character_share=1.0,
    props_share=1.0,
    entering_share=1.0,
    effects_share=0.0,
)


def _digest(out: Path) -> str:
    """sha256 over every file's relative path and bytes."""
    h = hashlib.sha256()
    for path in sorted(Path(out).rglob("*")):
        if path.is_file():
            h.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _content(out: Path) -> dict[str, list[str]]:
    meta = json.loads((out / "dataset.json").read_text())
    return {k: v for e in meta["characters"] for k, v in e.get("content", {}).items()}


def _config(**kw) -> SynthConfig:
    base = dict(characters=1, clips_per_character=3, frames=5, size=96, seed=4)
    base.update(kw)
    return SynthConfig(**base)


#: Digests of two tiny default runs written by main (commit 8793e0a), before the
#: content options existed: the defaults must keep writing these bytes.
MAIN_DIGESTS = {
    "train": "93dfb9f1813cf6d034069861d2a03c2ee6ae637d4b81e29dc3bc94f2f9bfdbdc",
    "test": "4ea68c51ed0882aaf1d63cfd9f960fcc786bf474ab1cd6acf99c3f28779993a2",
}


def test_default_output_is_byte_identical_to_main(tmp_path):
    generate(tmp_path / "train", SynthConfig(characters=2, clips_per_character=2, frames=2,
                                             size=64, seed=3), progress=False)  # fmt: skip
    generate(tmp_path / "test", SynthConfig(characters=1, clips_per_character=2, frames=2,
                                            size=64, seed=5, split="test", line_width=1),
             progress=False)  # fmt: skip
    assert _digest(tmp_path / "train") == MAIN_DIGESTS["train"]
    assert _digest(tmp_path / "test") == MAIN_DIGESTS["test"]


@pytest.mark.parametrize(
    "option",
    [
        {"body_shapes": "varied"},
        {"second_character_share": 1.0},
        {"props_share": 1.0},
        {"entering_share": 1.0},
        {"effects_share": 1.0},
    ],
    ids=lambda o: next(iter(o)),
)
def test_every_content_option_is_deterministic_and_changes_the_output(tmp_path, option):
    config = _config(frames=3, size=64, **option)
    generate(tmp_path / "a", config, progress=False)
    generate(tmp_path / "b", config, progress=False)
    generate(tmp_path / "plain", _config(frames=3, size=64), progress=False)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "plain")
    meta = json.loads((tmp_path / "a" / "dataset.json").read_text())
    assert all(meta["config"][key] == value for key, value in option.items())


def test_varied_body_shapes_use_sheets_and_capsules():
    for seed in range(6):
        plain, varied = build_character(seed), build_character(seed, "varied")
        assert not any(isinstance(p, Sheet) for p in plain.primitives)
        assert any(isinstance(p, Sheet) for p in varied.primitives)  # hair locks at least
        assert any(getattr(p, "tube", None) is not None for p in varied.primitives)
        # the first materials (and so the label ids of the original ones) are unchanged
        assert varied.materials[: len(plain.materials)] == plain.materials
    with pytest.raises(ValueError, match="body_shapes"):
        build_character(0, "round")


@pytest.fixture(scope="module")
def two_characters(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scene")
    generate(out, _config(**ALL), progress=False)
    return out


def test_second_character_labels_and_colors_stay_consistent(two_characters):
    out = two_characters
    main_book = read_colorbook(out / "char000_sheet" / "colorbook.yml")
    guest_book = read_colorbook(out / "char000_guest_sheet" / "colorbook.yml")
    main_colors = {c for e in main_book.entries for c in e.colors if c}
    assert main_colors.isdisjoint({c for e in guest_book.entries for c in e.colors if c})
    clips = [out / name for name, f in _content(out).items() if "second character" in f]
    assert clips
    for clip in clips:
        book = read_colorbook(clip / "colorbook.yml")  # valid: unique keys and colors
        info = json.loads((clip / "clip.json").read_text())
        main, guest = info["objects"][0], info["objects"][1]
        assert main["labels"] == [1, len(main_book.entries)]
        assert guest["labels"] == [len(main_book.entries) + 1,
                                   len(main_book.entries) + len(guest_book.entries)]  # fmt: skip
        assert book.entries[: len(main_book.entries)] == main_book.entries
        palette = {e.normal: i + 1 for i, e in enumerate(book.entries)}
        guest_seen = False
        for gt_path in sorted((clip / "gt").glob("*.png")):
            gt = read_rgba(gt_path)
            seg = read_segments(clip / "seg" / gt_path.name)
            label = read_label(clip / "label" / gt_path.name)
            line = read_rgba(clip / "line" / gt_path.name)[..., 3] > 0
            np.testing.assert_array_equal(seg, label_paper(~line))
            # every segment one gt color and one label
            _, _, winner, total = majority_vote(seg, pack_rgba(gt))
            assert (winner == total).all()
            _, _, winner, total = majority_vote(seg, label.astype(np.int64))
            assert (winner == total).all()
            # each label id is one material: its normal-shade pixels have that entry's color
            fill = label > 0
            normal = np.array([palette.get(tuple(c), -1) for c in gt[fill][:, :3].tolist()])
            known = normal > 0
            np.testing.assert_array_equal(normal[known], label[fill][known])
            guest_seen |= bool((label >= guest["labels"][0]).any())
        assert guest_seen


def test_entering_gives_empty_and_nonempty_frames(two_characters):
    out = two_characters
    moved = 0
    for name in _content(out):
        info = json.loads((out / name / "clip.json").read_text())
        if info["entering"] is None:
            continue
        mover = {"main": "main", "guest": "guest", "prop": None}[info["entering"]["object"]]
        objects = info["objects"]
        span = next(
            o["labels"] for o in objects
            if o["object"] == mover or (mover is None and o["object"].startswith("prop"))
        )  # fmt: skip
        counts = []
        for path in sorted((out / name / "label").glob("*.png")):
            label = read_label(path)
            counts.append(int(((label >= span[0]) & (label <= span[1])).sum()))
        assert min(counts) == 0 and max(counts) > 0, (name, counts)
        first_out = info["entering"]["direction"] == "in"
        assert counts[0 if first_out else -1] == 0
        moved += 1
    assert moved


def test_props_occlude_with_their_own_materials(two_characters):
    out = two_characters
    for name, features in _content(out).items():
        props = [f for f in features if f.split()[:1] == ["prop"] and f.split()[1] in PROP_KINDS]
        assert props
        info = json.loads((out / name / "clip.json").read_text())
        spans = [o["labels"] for o in info["objects"] if o["object"].startswith("prop")]
        assert len(spans) == len(props)
        labels = np.stack([read_label(p) for p in sorted((out / name / "label").glob("*.png"))])
        assert any(((labels >= lo) & (labels <= hi)).any() for lo, hi in spans)


def test_effect_segments_split_and_merge(tmp_path):
    generate(tmp_path, _config(frames=10, clips_per_character=4, effects_share=1.0), progress=False)
    changed = 0
    for name in _content(tmp_path):
        info = json.loads((tmp_path / name / "clip.json").read_text())
        ((lo, hi),) = [o["labels"] for o in info["objects"] if o["object"] == "effect"]
        counts = []
        for path in sorted((tmp_path / name / "seg").glob("*.png")):
            seg, label = read_segments(path), read_label(tmp_path / name / "label" / path.name)
            counts.append(len(np.unique(seg[(label >= lo) & (label <= hi)])))
        assert max(counts) > 0
        changed += len(set(counts)) > 1
    assert changed >= 3  # most effect clips change their segment count


@pytest.mark.parametrize(
    "field, value",
    [
        ("body_shapes", "round"),
        ("second_character_share", 1.5),
        ("props_share", -0.1),
        ("entering_share", float("nan")),
        ("effects_share", "half"),
    ],
)
def test_bad_content_values_rejected(tmp_path, field, value):
    with pytest.raises(ValueError, match=field):
        generate(tmp_path / "x", _config(**{field: value}), progress=False)
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_cli_content_flags(tmp_path, capsys):
    from paintbucket.cli import main as cli_main

    out, sheet = tmp_path / "data", tmp_path / "sheet.png"
    args = ["synth", str(out), "--clips-per-character", "4", "--frames", "3", "--size", "64"]
    args += ["--body-shapes", "varied", "--second-character-share", "1", "--props-share", "1"]
    args += ["--entering-share", "1", "--effects-share", "0.5", "--quiet"]
    assert cli_main.main(args + ["--contact-sheet", str(sheet)]) == 0
    meta = json.loads((out / "dataset.json").read_text())
    assert meta["config"]["body_shapes"] == "varied" and meta["config"]["effects_share"] == 0.5
    # the contact sheet has more rows than sheet + 2 clips when features are listed
    assert read_rgba(sheet).shape[0] > 256 * 7
    for bad in (["--props-share", "2"], ["--effects-share", "x"], ["--body-shapes", "round"]):
        with pytest.raises(SystemExit) as stop:
            cli_main.main(["synth", str(tmp_path / "y"), *bad, "--quiet"])
        assert stop.value.code == 2
    assert not (tmp_path / "y").exists()


def test_studio_lines_on_every_content_feature_keep_one_color_per_segment(tmp_path):
    # Studio lines (floating strokes and detail lines live on ellipsoids, not on cloth
    # or hair sheets) drawn over varied bodies, guests, props, entering and effects.
    config = _config(style="studio", **{**ALL, "effects_share": 0.5}, size=128, frames=3)
    generate(tmp_path, config, progress=False)
    content = _content(tmp_path)
    assert content
    for seg_path in sorted(tmp_path.glob("*/seg/*.png")):
        seg = read_segments(seg_path)
        gt = pack_rgba(read_rgba(seg_path.parent.parent / "gt" / seg_path.name))
        inside = seg > 0
        pairs = np.unique(np.stack([seg[inside], gt[inside]]), axis=1)
        assert np.unique(pairs[0]).size == pairs.shape[1], seg_path
