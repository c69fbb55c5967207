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
