"""Studio line style of ``pbc synth``: exact small cases, consistency, determinism, flags."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from paintbucket.choices import SYNTH_LINE_FEATURES, SYNTH_PRESETS
from paintbucket.io import read_color_json, read_colorbook, read_label, read_rgba, read_segments
from paintbucket.segment import label_paper, majority_vote, pack_rgba, segment_colors
from paintbucket.synth import linestyle
from paintbucket.synth.character import Character, Material
from paintbucket.synth.dataset import CONTENT_DEFAULTS, PRESETS, SynthConfig, compose, generate
from paintbucket.synth.linestyle import (
    BLACK,
    BLUE,
    GREEN,
    LINE_FEATURES,
    RED,
    LineStyle,
    Stroke,
    boundary_kinds,
)
from paintbucket.synth.render import HIGHLIGHT, NORMAL, SHADOW, line_mask
from paintbucket.synth.skeleton import random_proportions

#: sha256 over (relative path, bytes) of every file of
#: ``pbc synth OUT --characters 1 --clips-per-character 2 --frames 2 --size 96 --seed 3
#: --split test``, computed on main before the studio style existed.
CLEAN_HASH = "1255a29f67a99e1a1a8dd21dd1df393be625c21d88dc8b64905a7016aab38fdf"

HI, NO, SH = (250, 200, 190), (200, 100, 90), (120, 50, 40)
BLUSH = ((255, 210, 210), (240, 130, 140), (170, 70, 70))
#: Every feature off: the plain geometry of the lines, to compare with exact arrays.
PLAIN = LineStyle(**{name: False for name in LINE_FEATURES})


def _character(materials: int = 1) -> Character:
    mats = [Material("skin", "skin", (HI, NO, SH)), Material("coat", "clothes", (HI, NO, SH))]
    mats = mats[:materials] + [Material("blush", "skin", BLUSH)]
    props = random_proportions(np.random.default_rng(0))
    return Character(0, props, mats, [], list(range(materials)))


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _one_color_per_segment(seg: np.ndarray, gt: np.ndarray, label: np.ndarray) -> None:
    _, _, winner, total = majority_vote(seg, pack_rgba(gt))
    assert (winner == total).all()
    _, _, winner, total = majority_vote(seg, label.astype(np.int64) + 1)
    assert (winner == total).all()


@pytest.mark.parametrize(
    ("right_shade", "kind", "rgb", "painted"),
    [
        (SHADOW, BLUE, (0, 0, 255), SH),
        (HIGHLIGHT, RED, (255, 0, 0), HI),
    ],
)
def test_color_line_exact(right_shade, kind, rgb, painted):
    # row 0 background; rows 1-4 one piece: columns 0-2 normal, 3-5 a shade
    piece = np.zeros((5, 6), dtype=np.int32)
    piece[0] = -1
    shading = np.full((5, 6), NORMAL, dtype=np.uint8)
    shading[1:, 3:] = right_shade
    style = LineStyle(**{name: name == "color_lines" for name in LINE_FEATURES})
    frame = compose(_character(), piece, shading, line_width=1, style=style, seed=(1,))
    line_rgba = np.full((5, 6, 4), (255, 255, 255, 0), dtype=np.uint8)
    line_rgba[0] = (0, 0, 0, 255)  # outline against the background, one side (width 1)
    line_rgba[1:, 2] = (*rgb, 255)  # the shade boundary, on its left pixel
    np.testing.assert_array_equal(frame.line, line_rgba)
    _, kinds = boundary_kinds(piece, shading, 1, True)
    assert (kinds[1:, 2] == kind).all() and (kinds[0] == BLACK).all()
    gt = np.zeros((5, 6, 4), dtype=np.uint8)
    gt[0] = (0, 0, 0, 255)
    gt[1:, :3] = (*NO, 255)
    gt[1:, 3:] = (*painted, 255)
    gt[1:, 2] = (*painted, 255)  # the color line takes the shade region's color
    np.testing.assert_array_equal(frame.gt, gt)
    seg = np.zeros((5, 6), dtype=np.int32)
    seg[1:, :2], seg[1:, 3:] = 1, 2
    np.testing.assert_array_equal(frame.seg, seg)
    assert frame.colors == {1: (*NO, 255), 2: (*painted, 255)}
    assert (frame.label[0] == 0).all() and (frame.label[1:, 2] == 0).all()
    # the clean style draws the same pixels, black, and paints them black
    clean = compose(_character(), piece, shading, line_width=1)
    np.testing.assert_array_equal(clean.line[..., 3], line_rgba[..., 3])
    assert (clean.gt[1:, 2] == (0, 0, 0, 255)).all()


def test_green_line_and_priority():
    piece = np.zeros((3, 4), dtype=np.int32)
    shading = np.full((3, 4), SHADOW, dtype=np.uint8)
    shading[:, 2:] = HIGHLIGHT
    shading[2, :] = NORMAL
    boundary, kinds = boundary_kinds(piece, shading, 2, True)
    np.testing.assert_array_equal(boundary, line_mask(piece * 3 + shading, 2))
    assert kinds[0, 1] == GREEN and kinds[0, 2] == GREEN
    assert kinds[2, 0] == BLUE and kinds[2, 3] == RED
    assert kinds[1, 1] == GREEN  # borders highlight (green) and normal (blue): green wins
    _, black = boundary_kinds(piece, shading, 2, False)
    assert (black == BLACK).all()


def test_boundary_matches_line_mask():
    rng = np.random.default_rng(0)
    piece = rng.integers(-1, 3, size=(20, 30)).astype(np.int32)
    shading = rng.integers(0, 3, size=(20, 30)).astype(np.uint8)
    key = np.where(piece >= 0, piece * 3 + shading, -1)
    for width in (1, 2):
        boundary, _ = boundary_kinds(piece, shading, width, True)
        np.testing.assert_array_equal(boundary, line_mask(key, width))
    with pytest.raises(ValueError, match="line width"):
        boundary_kinds(piece, shading, 3, True)


def _stroke_frame(start_x: int, style: LineStyle = PLAIN):
    piece = np.zeros((40, 40), dtype=np.int32)
    piece[:, :2] = -1
    shading = np.full((40, 40), NORMAL, dtype=np.uint8)
    stroke = Stroke(
        np.array([[start_x, 14.0], [start_x + 4.0, 20.0], [start_x + 8.0, 26.0]]),
        np.array([True, True]),
        width=3.0,
        kind=RED,
        piece=0,
        material=1,
    )
    return compose(_character(), piece, shading, 1, style, [stroke], seed=(2,))


def test_floating_stroke_is_its_own_segment():
    style = LineStyle(**{name: name == "floating_strokes" for name in LINE_FEATURES})
    frame = _stroke_frame(20, style)
    on_stroke = frame.line[..., 3] == 255
    assert on_stroke[:, 3:].sum() > 8
    stroke = on_stroke & (np.arange(40) >= 3)[None, :]
    assert (frame.line[stroke, :3] == (255, 0, 0)).all()
    ids = np.unique(frame.seg[stroke])
    assert len(ids) >= 1 and ids.min() > 2  # after the background and the piece
    for i in ids:
        assert frame.colors[int(i)] == (*BLUSH[1], 255)
        assert frame.entries[int(i)][1] == 2  # the blush material's label
    assert (frame.gt[stroke, :3] == BLUSH[1]).all()
    assert (frame.label[stroke] == 2).all()
    assert set(np.unique(frame.seg[~on_stroke]).tolist()) == {1, 2}  # it splits nothing
    # without the feature it is not drawn; next to a boundary it is left out whole
    plain = _stroke_frame(20)
    assert (plain.line[:, 3:, 3] == 0).all()
    near = _stroke_frame(3, style)
    assert (near.line[:, 3:, 3] == 0).all() and near.seg.max() == 2


def test_gaps_open_only_same_color_boundaries(monkeypatch):
    # pieces 0 and 1 share a material (same color), piece 2 has another
    piece = np.zeros((12, 18), dtype=np.int32)
    piece[:, 6:12] = 1
    piece[:, 12:] = 2
    shading = np.full(piece.shape, NORMAL, dtype=np.uint8)
    character = _character(materials=2)
    character.piece_material[:] = [0, 0, 1]
    monkeypatch.setattr(linestyle, "GAP_SPACING", 1)  # a gap on every allowed pixel
    style = LineStyle(**{name: name == "gaps" for name in LINE_FEATURES})
    frame = compose(character, piece, shading, 2, style, seed=(3,))
    line = frame.line[..., 3] >= 128
    assert not line[:, 5:7].any()  # the same-color boundary is open
    assert line[:, 11:13].all()  # the two-color boundary stays closed
    assert frame.seg.max() == 2
    assert set(np.unique(frame.seg[:, :11])) == {1}
    _one_color_per_segment(frame.seg, frame.gt, frame.label)
    np.testing.assert_array_equal(frame.seg, label_paper(~line))


def _generate(tmp_path: Path, name: str, **kw) -> Path:
    base = dict(characters=1, clips_per_character=1, frames=1, size=96, seed=5, split="test")
    base.update(kw)
    out = tmp_path / name
    generate(out, SynthConfig(**base), progress=False)
    return out


def test_default_style_is_byte_identical_to_main(tmp_path):
    config = dict(clips_per_character=2, frames=2, seed=3)
    assert _tree_hash(_generate(tmp_path, "clean", **config)) == CLEAN_HASH


@pytest.fixture(scope="module")
def studio_clips(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("studio")
    config = SynthConfig(
        characters=1, clips_per_character=3, frames=2, size=256, seed=7, split="test",
        style="studio",
    )  # fmt: skip
    generate(out, config, progress=False)
    return out


def test_studio_clip_consistent(studio_clips):
    palette = set(read_colorbook(studio_clips / "char000_sheet" / "colorbook.yml").palette())
    seen_alpha, seen_colored, seen_floating = set(), 0, 0
    clips = sorted(d for d in studio_clips.iterdir() if (d / "gt").is_dir())
    assert len(clips) == 3
    for clip in clips:
        for path in sorted((clip / "gt").glob("*.png")):
            name = path.stem
            gt = read_rgba(path)
            line = read_rgba(clip / "line" / f"{name}.png")
            label = read_label(clip / "label" / f"{name}.png")
            seg = read_segments(clip / "seg" / f"{name}.png")
            is_line = line[..., 3] >= 128
            _one_color_per_segment(seg, gt, label)
            paper = label_paper(~is_line)
            np.testing.assert_array_equal(seg[~is_line], paper[~is_line])
            floating = is_line & (seg > 0)
            assert (seg[floating] > paper.max()).all()
            assert (label[is_line & ~floating] == 0).all()
            black = is_line & (line[..., :3].max(axis=2) == line[..., :3].min(axis=2))
            assert (gt[black] == (0, 0, 0, 255)).all()
            filled = (gt[..., 3] == 255) & ~black
            colors = {tuple(int(v) for v in c) for c in np.unique(gt[filled][:, :3], axis=0)}
            assert colors <= palette
            assert read_color_json(clip / "seg" / f"{name}.json") == segment_colors(seg, gt)
            seen_alpha |= set(np.unique(line[..., 3]).tolist())
            chroma = line[..., :3].max(axis=2).astype(int) - line[..., :3].min(axis=2)
            seen_colored += int((is_line & (chroma == 255)).sum())
            seen_floating += int(floating.sum())
    assert len(seen_alpha) > 100  # anti-aliased
    assert seen_colored > 0 and seen_floating > 0


@pytest.mark.parametrize("feature", (None, *SYNTH_LINE_FEATURES))
def test_studio_options_deterministic(tmp_path, feature):
    off = {} if feature is None else {feature: False}
    config = dict(style="studio", size=128, **off)
    first = _tree_hash(_generate(tmp_path, "a", **config))
    assert first == _tree_hash(_generate(tmp_path, "b", **config))


def test_features_switch_off(tmp_path):
    def frame(**off):
        out = _generate(tmp_path, "-".join(off) or "all", style="studio", size=256, **off)
        clip = next(d for d in sorted(out.iterdir()) if (d / "gt").is_dir())
        return read_rgba(clip / "line" / "0000.png")

    full = frame()
    alpha = frame(antialias=False)[..., 3]
    assert set(np.unique(alpha)) == {0, 255} and len(np.unique(full[..., 3])) > 2
    flat = frame(color_lines=False, floating_strokes=False)
    ink = flat[..., 3] > 0
    assert (flat[ink, 0] == flat[ink, 2]).all()  # no chroma left
    for feature in ("width_variation", "gaps", "jitter", "detail_lines"):
        assert not np.array_equal(frame(**{feature: False}), full), feature


def test_floating_entries_in_colorbook_and_sheet(studio_clips):
    sheet = studio_clips / "char000_sheet"
    book = read_colorbook(sheet / "colorbook.yml")
    descriptions = [e.description for e in book.entries]
    assert {"blush", "sweat drop", "hair shine"} & set(descriptions)
    colors = [c for e in book.entries for c in e.colors if c is not None]
    assert len(colors) == len(set(colors))
    import json

    labels = json.loads((sheet / "character.json").read_text())["labels"]
    assert len(labels) == len(book.entries)


def test_bad_style_values_rejected(tmp_path, capsys):
    from paintbucket.cli import main as cli_main

    with pytest.raises(ValueError, match="style"):
        _generate(tmp_path, "x", style="fancy")
    with pytest.raises(ValueError, match="gaps=False only applies"):
        _generate(tmp_path, "y", gaps=False)
    with pytest.raises(ValueError, match="jitter must be True or False"):
        _generate(tmp_path, "z", style="studio", jitter="no")
    with pytest.raises(SystemExit) as stop:
        cli_main.main(["synth", str(tmp_path / "c"), "--style", "fancy", "--quiet"])
    assert stop.value.code == 2 and "--style" in capsys.readouterr().err
    code = cli_main.main(["synth", str(tmp_path / "d"), "--no-gaps", "--quiet"])
    assert code == 2 and "--no-gaps only applies to --style studio" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_cli_flags_and_presets():
    import argparse

    from paintbucket.cli import synth

    assert LINE_FEATURES == SYNTH_LINE_FEATURES
    assert {f.name for f in fields(SynthConfig)} >= set(SYNTH_LINE_FEATURES) | {"style"}
    parser = argparse.ArgumentParser()
    synth.add_parser(parser.add_subparsers())
    args = parser.parse_args(["synth", "x", "--preset", "train-studio", "--no-pencil"])
    config = synth.config_from_args(args)
    assert config.style == "studio" and config.pencil is False and config.gaps is True
    assert config.line_style() == LineStyle(pencil=False)
    assert SynthConfig().line_style() is None
    assert set(PRESETS) == set(SYNTH_PRESETS)
    bench, studio = PRESETS["bench-consecutive"], PRESETS["bench-studio"]
    train = PRESETS["train-studio"]
    drawing = {k: v for k, v in train.items() if k == "style" or k in CONTENT_DEFAULTS}
    assert {k: v for k, v in studio.items() if k in drawing} == drawing
    assert {k: v for k, v in studio.items() if k != "seed" and k not in drawing} == {
        k: v for k, v in bench.items() if k != "seed"
    }
    assert studio["seed"] != bench["seed"] and studio["style"] == "studio"
    assert train["body_shapes"] == "varied" and train["effects_share"] > 0


def test_contact_sheet_zoom_row(tmp_path):
    from paintbucket.synth.contact import contact_sheet

    clean = _generate(tmp_path, "clean", frames=2)
    studio = _generate(tmp_path, "studio", frames=2, style="studio")
    rows_clean = read_rgba(contact_sheet(clean, tmp_path / "c.png", tile=64)).shape[0] // 64
    rows_studio = read_rgba(contact_sheet(studio, tmp_path / "s.png", tile=64)).shape[0] // 64
    assert rows_studio == rows_clean + 1
