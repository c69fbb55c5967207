import numpy as np
import pytest

from paintbucket.segment import label_paper
from paintbucket.segment.labels import neighbor_pairs
from paintbucket.train.pairs import DEFAULT_PAIR_CONF, find_clips, make_pair, merge_adjacent_regions


def _grid_segments() -> np.ndarray:
    """A 3 x 3 grid of 4 x 4 cells separated by 1-px lines: 9 segments."""
    paper = np.ones((14, 14), bool)
    paper[[4, 9], :] = False
    paper[:, [4, 9]] = False
    return label_paper(paper)


def test_merges_only_adjacent_regions_consistently():
    segment_ids = _grid_segments()
    segment_region = np.arange(10)  # every segment its own region (entry 0 unused)
    rng = np.random.default_rng(1)
    merged = merge_adjacent_regions(segment_ids, segment_region, 1.0, rng)
    assert merged.shape == (10,)
    assert (merged[merged] == merged).all()  # representatives map to themselves
    groups = {r: np.flatnonzero(merged[1:] == r) + 1 for r in np.unique(merged[1:])}
    assert len(groups) < 9  # probability 1: something merged
    grown = np.where(segment_ids > 0, segment_ids, 0)
    for members in groups.values():
        if len(members) < 2:
            continue
        # Every merged group is connected through grid adjacency (cells 1 px apart).
        inside = np.isin(grown, members)
        dilated = np.zeros_like(inside)
        dilated[:-1] |= inside[1:]
        dilated[1:] |= inside[:-1]
        dilated[:, :-1] |= inside[:, 1:]
        dilated[:, 1:] |= inside[:, :-1]
        assert label_paper(inside | (dilated & (segment_ids == 0))).max() == 1


def test_no_merging_at_zero_probability():
    segment_ids = _grid_segments()
    merged = merge_adjacent_regions(segment_ids, np.arange(10), 0.0, np.random.default_rng(0))
    assert merged.tolist() == list(range(10))


@pytest.fixture(scope="module")
def synth_clips(tmp_path_factory):
    from paintbucket.synth.dataset import SynthConfig, generate

    out = tmp_path_factory.mktemp("pairs")
    config = SynthConfig(characters=1, clips_per_character=1, frames=3, size=192, seed=5)
    generate(out, config, progress=False)
    return find_clips(out)


def test_pair_invariants(synth_clips):
    conf = {**DEFAULT_PAIR_CONF, "crop": 128, "scale": 1.0}
    rng = np.random.default_rng(3)
    pairs = [make_pair(synth_clips[0], rng, conf) for _ in range(6)]
    pairs = [p for p in pairs if p is not None]
    assert pairs
    for pair in pairs:
        num_ref, num_tgt = pair.segments_ref.max(), pair.segments_tgt.max()
        assert pair.correct.shape == (num_tgt, num_ref)
        assert pair.line_ref.shape == pair.color_ref.shape[:2] == (128, 128)
        assert pair.correct.any(axis=1).mean() > 0.5
        # One paint color per reference segment; every correct reference segment of a
        # target shares that paint (they form one region).
        for n in range(num_tgt):
            members = np.flatnonzero(pair.correct[n]) + 1
            paints = {tuple(pair.color_ref[pair.segments_ref == m][0]) for m in members}
            assert len(paints) <= 1
    assert neighbor_pairs(pairs[0].segments_ref, pairs[0].segments_ref).shape[1] == 2


def _still_clip(folder, line: np.ndarray, gt: np.ndarray):
    """A clip of two equal frames: ``line`` drawn, ``gt`` painted."""
    from paintbucket.io import write_png

    for name in ("0000.png", "0001.png"):
        write_png(folder / "line" / name, line)
        write_png(folder / "gt" / name, gt)
    return find_clips(folder.parent)[0]


def _pencil_clip(folder, gray: int):
    """Two frames of a 64 x 64 drawing: a red square inside a blue one, split by a 2-px
    outline of ``gray``."""
    line = np.full((64, 64, 4), 255, np.uint8)
    line[20:44, 20:44, :3] = gray
    line[22:42, 22:42, :3] = 255
    gt = np.zeros((64, 64, 4), np.uint8)
    gt[8:56, 8:56] = (40, 40, 220, 255)
    gt[20:44, 20:44] = (0, 0, 0, 255)
    gt[22:42, 22:42] = (220, 40, 40, 255)
    return _still_clip(folder, line, gt)


@pytest.mark.parametrize("gray", [0, 200])
def test_light_pencil_strokes_are_lines_in_training_crops(tmp_path, gray):
    # A grey-200 stroke has ink 0.22, below the crop's line threshold; read at the
    # drawing's own line threshold it separates the two colors as a black one does.
    clip = _pencil_clip(tmp_path / "clip", gray)
    conf = {**DEFAULT_PAIR_CONF, "crop": 64, "scale": 1.0, "rotation": 0.0, "resize": 1.0,
            "translation": 0.0, "merge_probability": 0.0}  # fmt: skip
    pair = make_pair(clip, np.random.default_rng(0), conf)
    assert pair is not None
    colors = {tuple(pair.color_ref[pair.segments_ref == m][0]) for m in (1, 2, 3)
              if (pair.segments_ref == m).any()}  # fmt: skip
    assert pair.segments_ref.max() >= 2 and len(colors) >= 2


def _open_box_clip(folder):
    """Two equal frames of ``open_box``: a box with a 3-px opening, blue inside."""
    from tests.conftest import open_box

    art, keyframe = open_box()
    return _still_clip(folder, art, keyframe)


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_closegaps_share_segments_training_crops_with_the_joins(tmp_path, share):
    clip = _open_box_clip(tmp_path / "clip")
    conf = {**DEFAULT_PAIR_CONF, "crop": 80, "scale": 1.0, "rotation": 0.0, "resize": 1.0,
            "translation": 0.0, "merge_probability": 0.0, "closegaps_share": share}  # fmt: skip
    pair = make_pair(clip, np.random.default_rng(0), conf)
    if not share:
        # the inside leaks out through the opening: one segment, no usable pair
        assert pair is None
        return
    assert pair.segments_ref.max() == pair.segments_tgt.max() == 2
    inside, outside = pair.segments_tgt[40, 40], pair.segments_tgt[2, 2]
    assert inside != outside
    assert pair.correct[inside - 1, pair.segments_ref[40, 40] - 1]
    assert not pair.correct[inside - 1, pair.segments_ref[2, 2] - 1]
