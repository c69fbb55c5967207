"""Synthetic PaintBucket-Character generator: formats, invariants, determinism, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.io import (
    read_color_json,
    read_colorbook,
    read_index_json,
    read_label,
    read_rgba,
    read_segments,
)
from paintbucket.segment import (
    label_paper,
    majority_vote,
    pack_rgba,
    segment_colors,
    segment_label_entries,
)
from paintbucket.synth.character import build_character
from paintbucket.synth.dataset import (
    ANNOTATION,
    SynthConfig,
    character_seed,
    colorbook_of,
    generate,
)

SIZE = 160


def _config(split: str, **kw) -> SynthConfig:
    base = dict(characters=1, clips_per_character=1, frames=3, size=SIZE, seed=7, split=split)
    base.update(kw)
    return SynthConfig(**base)


@pytest.fixture(scope="module")
def test_split(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_test")
    generate(out, _config("test"), progress=False)
    return out


@pytest.fixture(scope="module")
def train_split(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_train")
    generate(out, _config("train", clips_per_character=2, frames=2), progress=False)
    return out


def _clips(out: Path) -> list[Path]:
    return sorted(d for d in out.iterdir() if (d / "gt").is_dir())


def _frames(out: Path):
    for clip in _clips(out):
        for path in sorted((clip / "gt").glob("*.png")):
            yield clip, path.stem


def test_layout(test_split, train_split):
    for out, split in ((test_split, "test"), (train_split, "train")):
        assert (out / "dataset.json").is_file()
        sheet = out / "char000_sheet"
        for view in ("front", "side", "back", "face"):
            assert read_rgba(sheet / "ref" / f"{view}.png").shape == (SIZE, SIZE, 4)
            assert read_rgba(sheet / "ref" / f"{view}_line.png").shape == (SIZE, SIZE, 4)
        for clip, name in _frames(out):
            for kind in ("gt", "line", "line_anno", "shadow", "label", "seg"):
                assert (clip / kind / f"{name}.png").is_file()
            assert (clip / "seg" / f"{name}.json").is_file() == (split == "test")
            assert (clip / "json_color" / f"{name}.json").is_file() == (split == "train")
            assert (clip / "json_index" / f"{name}.json").is_file() == (split == "train")
    assert len(_clips(test_split)) == 1 and len(_clips(train_split)) == 2


def test_frame_invariants(test_split):
    for clip, name in _frames(test_split):
        gt = read_rgba(clip / "gt" / f"{name}.png")
        line = read_rgba(clip / "line" / f"{name}.png")
        label = read_label(clip / "label" / f"{name}.png")
        seg = read_segments(clip / "seg" / f"{name}.png")
        is_line = line[..., 3] > 0
        # binary line art matching the real dataset's values
        assert (line[is_line] == (0, 0, 0, 255)).all()
        assert (line[~is_line] == (255, 255, 255, 0)).all()
        assert (gt[is_line] == (0, 0, 0, 255)).all()
        assert (gt[label == -1] == (0, 0, 0, 0)).all()
        assert ((gt[~is_line, 3] == 0) == (label[~is_line] == -1)).all()
        # segments are numbered like label_paper
        np.testing.assert_array_equal(seg, label_paper(~is_line))
        assert seg.max() > 5
        # every segment carries exactly one gt color
        _, _, winner, total = majority_vote(seg, pack_rgba(gt))
        assert (winner == total).all()
        # closed lines: 4-adjacent non-line pixels never have different labels
        paper = ~is_line
        right = paper[:, :-1] & paper[:, 1:]
        assert (label[:, :-1][right] == label[:, 1:][right]).all()
        down = paper[:-1] & paper[1:]
        assert (label[:-1][down] == label[1:][down]).all()
        assert (label[is_line] == 0).all()
        # json agrees with the images
        assert read_color_json(clip / "seg" / f"{name}.json") == segment_colors(seg, gt)


def test_annotation_images(test_split):
    allowed = {(*c, 255) for c in ANNOTATION.values()} | {(0, 0, 0, 255), (255, 255, 255, 0)}
    grays = {(0, 0, 0, 0), (0, 0, 0, 255)} | {(g, g, g, 255) for g in (250, 200, 100)}
    for clip, name in _frames(test_split):
        anno = read_rgba(clip / "line_anno" / f"{name}.png")
        shadow = read_rgba(clip / "shadow" / f"{name}.png")
        line = read_rgba(clip / "line" / f"{name}.png")
        assert {tuple(c) for c in np.unique(anno.reshape(-1, 4), axis=0)} <= allowed
        assert {tuple(c) for c in np.unique(shadow.reshape(-1, 4), axis=0)} <= grays
        np.testing.assert_array_equal(
            anno[..., 3] > 0,
            (line[..., 3] > 0)
            | (anno[..., 0] != 255)
            | (anno[..., 1] != 255)
            | (anno[..., 2] != 255),
        )  # noqa: E501


def test_train_json(train_split):
    for clip, name in _frames(train_split):
        gt = read_rgba(clip / "gt" / f"{name}.png")
        label = read_label(clip / "label" / f"{name}.png")
        seg = read_segments(clip / "seg" / f"{name}.png")
        assert read_color_json(clip / "json_color" / f"{name}.json") == segment_colors(seg, gt)
        entries = read_index_json(clip / "json_index" / f"{name}.json")
        assert entries == segment_label_entries(seg, label)
        if label[0, 0] == -1 and seg[0, 0] == 1:
            assert entries[1][1] == -1


def test_colorbook(test_split):
    sheet = test_split / "char000_sheet"
    book = read_colorbook(sheet / "colorbook.yml")
    seed = character_seed(7, 0, "test")
    assert book == colorbook_of(build_character(seed))
    palette = set(book.palette())
    for clip, name in _frames(test_split):
        gt = read_rgba(clip / "gt" / f"{name}.png")
        line = read_rgba(clip / "line" / f"{name}.png")
        filled = (gt[..., 3] == 255) & (line[..., 3] == 0)
        colors = {tuple(int(v) for v in c) for c in np.unique(gt[filled][:, :3], axis=0)}
        assert colors <= palette
    for view in ("front", "face"):
        ref = read_rgba(sheet / "ref" / f"{view}.png")
        ref_line = read_rgba(sheet / "ref" / f"{view}_line.png")
        filled = (ref[..., 3] == 255) & (ref_line[..., 3] == 0)
        colors = {tuple(int(v) for v in c) for c in np.unique(ref[filled][:, :3], axis=0)}
        assert colors <= palette


def test_deterministic(tmp_path):
    config = _config("train", size=96, frames=2)
    generate(tmp_path / "a", config, progress=False)
    generate(tmp_path / "b", config, progress=False)
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b and len(files_a) > 20
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_train_test_seeds_disjoint():
    train = {character_seed(s, i, "train") for s in range(20) for i in range(50)}
    test = {character_seed(s, i, "test") for s in range(20) for i in range(50)}
    assert len(train) == len(test) == 1000
    assert not train & test
    with pytest.raises(ValueError):
        character_seed(0, 0, "val")
    with pytest.raises(ValueError):
        character_seed(0, 2**20, "train")


def test_characters_differ_and_colors_unique():
    books = [colorbook_of(build_character(character_seed(0, i, "train"))) for i in range(4)]
    assert len({b for b in books}) == 4
    for book in books:
        colors = [c for e in book.entries for c in e.colors if c is not None]
        assert len(colors) == len(set(colors))
        assert (0, 0, 0) not in colors


def test_cli_end_to_end(tmp_path, monkeypatch):
    from paintbucket.cli import main as cli_main

    out = tmp_path / "data"
    sheet = tmp_path / "sheet.png"
    args = ["synth", str(out), "--characters", "1", "--clips-per-character", "1"]
    args += ["--frames", "2", "--size", "96", "--seed", "3", "--split", "test", "--quiet"]
    args += ["--contact-sheet", str(sheet)]
    assert cli_main.main(args) == 0
    assert read_rgba(sheet).shape[2] == 4
    (clip,) = _clips(out)
    # a generated clip is a valid colorize clip
    from paintbucket.pipeline.clip import colorize_clip

    written = colorize_clip(clip, tmp_path / "colored", progress=False)
    assert len(written) == 2


def test_preset_overrides():
    import argparse

    from paintbucket.cli import synth

    parser = argparse.ArgumentParser()
    synth.add_parser(parser.add_subparsers())
    args = parser.parse_args(["synth", "x", "--preset", "bench-consecutive", "--motion-scale", "2"])
    config = synth.config_from_args(args)
    assert config.size == 1024 and config.split == "test" and config.motion_scale == 2.0


def test_sphere_raster():
    from paintbucket.synth.character import Character, Primitive
    from paintbucket.synth.render import Camera, rasterize
    from paintbucket.synth.skeleton import Motion, random_proportions

    props = random_proportions(np.random.default_rng(0))
    sphere = Primitive("pelvis", np.zeros(3), np.eye(3) * 0.25, piece=0, material=0)
    character = Character(0, props, primitives=[sphere], piece_material=[0])
    pelvis = np.array([0.0, props.thigh + props.shin + 0.07, 0.0])
    raster = rasterize(character, Motion({}, np.zeros(3), 0.0), Camera(pelvis, 0.0, 0.0, 1.0), 64)
    # radius 0.25 of a 1.0 view = 16 px: disc area ~ pi * 16^2
    area = int((raster.piece == 0).sum())
    assert abs(area - np.pi * 16**2) < 0.03 * np.pi * 16**2
    center = raster.normal[31:33, 31:33].reshape(-1, 3)
    assert (center[:, 2] > 0.99).all()
    assert raster.piece[0, 0] == -1


def test_zero_motion_gives_still_frames(tmp_path):
    config = _config("test", size=96, frames=3, motion_scale=0.0, camera_motion=0.0)
    generate(tmp_path, config, progress=False)
    (clip,) = _clips(tmp_path)
    first = read_rgba(clip / "gt" / "0000.png")
    for name in ("0001", "0002"):
        np.testing.assert_array_equal(read_rgba(clip / "gt" / f"{name}.png"), first)


def test_cli_rejects_bad_counts(tmp_path, monkeypatch, capsys):
    from paintbucket.cli import main as cli_main

    with pytest.raises(SystemExit) as stop:  # a usage error, from argparse
        cli_main.main(["synth", str(tmp_path / "x"), "--frames", "0", "--quiet"])
    assert stop.value.code == 2
    assert "frames" in capsys.readouterr().err


def test_line_mask_widths():
    from paintbucket.synth.render import line_mask

    key = np.zeros((4, 5), dtype=np.int32)
    key[1:3, 1:3] = 1  # a 2x2 square
    thin = line_mask(key, width=1)
    # left/upper pixel of every differing pair: the column left of the square, the
    # row above it, and the square's own right column and bottom row
    expected = np.array(
        [
            [0, 1, 1, 0, 0],
            [1, 0, 1, 0, 0],
            [1, 1, 1, 0, 0],
            [0, 0, 0, 0, 0],
        ],
        dtype=bool,
    )
    np.testing.assert_array_equal(thin, expected)
    thick = line_mask(key)
    np.testing.assert_array_equal(thick, _neighbours_differ(key))
    assert thin.sum() < thick.sum()
    assert not line_mask(np.zeros((0, 3), np.int32), 1).any()
    with pytest.raises(ValueError, match="line width"):
        line_mask(key, width=3)


def _neighbours_differ(key: np.ndarray) -> np.ndarray:
    """Reference for width 2: pixels with any 4-neighbour of another key."""
    padded = np.pad(key, 1, mode="edge")
    center = padded[1:-1, 1:-1]
    return (
        (padded[:-2, 1:-1] != center)
        | (padded[2:, 1:-1] != center)
        | (padded[1:-1, :-2] != center)
        | (padded[1:-1, 2:] != center)
    )


def test_thin_lines_keep_segments_closed(tmp_path):
    generate(tmp_path / "thin", _config("test", frames=1, line_width=1), progress=False)
    generate(tmp_path / "thick", _config("test", frames=1), progress=False)
    (thin_clip,) = _clips(tmp_path / "thin")
    (thick_clip,) = _clips(tmp_path / "thick")
    thin = read_rgba(thin_clip / "line" / "0000.png")[..., 3] > 0
    thick = read_rgba(thick_clip / "line" / "0000.png")[..., 3] > 0
    assert thin.sum() < 0.7 * thick.sum()
    assert (thick[thin]).all()  # same drawing, one side of each boundary
    gt = read_rgba(thin_clip / "gt" / "0000.png")
    seg = read_segments(thin_clip / "seg" / "0000.png")
    np.testing.assert_array_equal(seg, label_paper(~thin))
    _, _, winner, total = majority_vote(seg, pack_rgba(gt))
    assert (winner == total).all()


def test_bad_line_width_rejected(tmp_path, monkeypatch, capsys):
    from paintbucket.cli import main as cli_main

    with pytest.raises(ValueError, match="line_width"):
        generate(tmp_path / "x", _config("test", line_width=3), progress=False)
    with pytest.raises(SystemExit):
        cli_main.main(["synth", str(tmp_path / "y"), "--line-width", "3", "--quiet"])
    assert "--line-width" in capsys.readouterr().err
