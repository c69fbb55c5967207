import json

import numpy as np
import pytest

# PyTorch is the train extra's: without it these tests skip.
pytest.importorskip("torch")

from paintbucket.errors import InputError
from paintbucket.train.keyframe import TRAINER as train_keyframe
from paintbucket.train.keyframe_pairs import (
    DEFAULT_KEYFRAME_PAIR_CONF,
    find_characters,
    make_keyframe_pair,
)

TINY_MODEL = {"widths": [8, 8, 8], "parsing_widths": [8, 8], "feature_dim": 16,
              "num_layers": 1, "num_heads": 2}  # fmt: skip


@pytest.fixture(scope="module")
def synth_data(tmp_path_factory):
    from paintbucket.synth.dataset import SynthConfig, generate

    out = tmp_path_factory.mktemp("keyframe-train")
    generate(out, SynthConfig(characters=1, clips_per_character=1, frames=2, size=160, seed=2),
             progress=False)  # fmt: skip
    return out


def test_pairs_answer_with_the_reference_segments_of_the_same_entry(synth_data):
    (character,) = find_characters(synth_data)
    assert character.entry_category[0] == 0  # background row
    conf = {**DEFAULT_KEYFRAME_PAIR_CONF, "work_size": 128}
    pair = None
    rng = np.random.default_rng(0)
    while pair is None:
        pair = make_keyframe_pair(character, rng, conf)
    num_tgt, num_ref = int(pair.segments_tgt.max()), int(pair.segments_ref.max())
    assert max(pair.line_tgt.shape) == max(pair.line_ref.shape) == 128
    assert pair.correct.shape == (num_tgt, num_ref)
    assert pair.category_ref.shape == (num_ref,) and pair.category_tgt.shape == (num_tgt,)
    assert pair.parsing_tgt.shape == (*pair.line_tgt.shape, 3)
    assert pair.correct.any()
    for n in np.flatnonzero(pair.correct.any(axis=1)):
        # every correct reference segment has the target segment's category
        assert set(pair.category_ref[pair.correct[n]]) == {pair.category_tgt[n]}
    assert (pair.frame_tgt[:2] <= pair.frame_tgt[2:]).all()


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_closegaps_share_segments_both_images_with_the_joins(synth_data, share, monkeypatch):
    from paintbucket.segment import label_paper, label_paper_closing_gaps
    from paintbucket.train import keyframe_pairs

    calls = []

    def closing(paper):
        calls.append(paper.shape)
        return label_paper_closing_gaps(paper)

    # these clean drawings have no gap to close, so the call is what tells the methods apart
    monkeypatch.setattr(keyframe_pairs, "label_paper_closing_gaps", closing)
    (character,) = find_characters(synth_data)
    conf = {**DEFAULT_KEYFRAME_PAIR_CONF, "work_size": 128, "closegaps_share": share}
    rng = np.random.default_rng(1)
    pairs = [make_keyframe_pair(character, rng, conf) for _ in range(4)]
    assert any(pair is not None for pair in pairs)
    assert len(calls) == (8 if share else 0)  # the sheet view and the target, every sample
    for pair in filter(None, pairs):
        np.testing.assert_array_equal(pair.segments_ref, label_paper(pair.line_ref < 0.5))
        np.testing.assert_array_equal(pair.segments_tgt, label_paper(pair.line_tgt < 0.5))


def test_flip_probability_mirrors_the_target_and_its_answers(synth_data):
    (character,) = find_characters(synth_data)
    still = {**DEFAULT_KEYFRAME_PAIR_CONF, "work_size": 128, "rotation": 0.0, "resize": 1.0,
             "translation": 0.0}  # fmt: skip
    straight = make_keyframe_pair(character, np.random.default_rng(3), still)
    flipped = make_keyframe_pair(character, np.random.default_rng(3),
                                 {**still, "flip_probability": 1.0})  # fmt: skip
    assert straight is not None and flipped is not None
    np.testing.assert_array_equal(flipped.line_tgt, straight.line_tgt[:, ::-1])
    np.testing.assert_array_equal(flipped.line_ref, straight.line_ref)  # the sheet stays
    # the same target segments, mirrored, with the same answers
    mirrored_ids = straight.segments_tgt[:, ::-1]
    pixel = np.flatnonzero(mirrored_ids.ravel() > 0)
    flipped_of = np.zeros(int(mirrored_ids.max()) + 1, np.int64)
    flipped_of[mirrored_ids.ravel()[pixel]] = flipped.segments_tgt.ravel()[pixel]
    np.testing.assert_array_equal(flipped.correct[flipped_of[1:] - 1], straight.correct)
    np.testing.assert_array_equal(flipped.category_tgt[flipped_of[1:] - 1], straight.category_tgt)


def test_train_then_resume(synth_data, tmp_path):
    conf = {"iterations": 2, "log_every": 1, "checkpoint_every": 2, "warmup": 1,
            "model": TINY_MODEL, "pairs": {"work_size": 96}}  # fmt: skip
    weights = train_keyframe(synth_data, tmp_path / "run", conf, progress=False)
    from paintbucket.models.weights import load_model

    model = load_model("keyframe", weights)
    assert float(model.category_embeddings.norm(dim=1).min()) == pytest.approx(1.0, abs=1e-4)
    train_keyframe(synth_data, tmp_path / "run", {"iterations": 3}, resume=True, progress=False)
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in log] == [1, 2, 3]
    with pytest.raises(InputError, match="no design sheets"):
        train_keyframe(tmp_path / "run", tmp_path / "x", conf, progress=False)
    with pytest.raises(InputError, match="not .*KeyframeMatcher"):
        from paintbucket.models.weights import DEFAULT_CONSECUTIVE_WEIGHTS

        load_model("keyframe", DEFAULT_CONSECUTIVE_WEIGHTS)


def test_pairs_from_scene_clips_leave_other_objects_unsupervised(tmp_path):
    """Labels past a sheet's entries (second character, props: pbc synth scene clips)
    get no answer on that sheet instead of failing."""
    from paintbucket.io import read_colorbook
    from paintbucket.synth.dataset import SynthConfig, generate
    from paintbucket.train.keyframe_pairs import (
        DEFAULT_KEYFRAME_PAIR_CONF,
        find_characters,
        make_keyframe_pair,
    )

    config = SynthConfig(characters=1, clips_per_character=1, frames=1, size=128, seed=2,
                         second_character_share=1.0, props_share=1.0)  # fmt: skip
    generate(tmp_path, config, progress=False)
    (character,) = find_characters(tmp_path)
    entries = len(read_colorbook(character.sheet_dir / "colorbook.yml").entries)
    assert entries + 1 == len(character.entry_category)
    rng = np.random.default_rng(0)
    pairs = [make_keyframe_pair(character, rng, DEFAULT_KEYFRAME_PAIR_CONF) for _ in range(4)]
    pairs = [p for p in pairs if p is not None]
    assert pairs
    for pair in pairs:
        assert pair.category_tgt.max() < len(character.entry_category)
        assert (~pair.correct.any(axis=1)).any()  # the guest's and props' segments


def test_targets_drawn_without_color_lines_merge_the_shade_regions(tmp_path):
    """A red shade boundary splits a square in two; with ``color_lines=False`` (the
    ``drop_color_lines`` augmentation) it is paper and the square is one segment."""
    from paintbucket.io.images import write_png
    from paintbucket.io.index_png import write_label
    from paintbucket.segment.labels import label_paper
    from paintbucket.train.keyframe_pairs import _load_target

    line = np.zeros((32, 32, 4), np.uint8)
    line[4:28, 4:28] = (0, 0, 0, 255)
    line[6:26, 6:26] = 0
    line[6:26, 15:17] = (255, 0, 0, 255)
    label = np.full((32, 32), -1, np.int32)
    label[6:26, 6:15], label[6:26, 17:26] = 1, 2
    label[line[..., 3] > 0] = 0
    for folder in ("line", "line_anno"):
        write_png(tmp_path / "clip" / folder / "0000.png", line)
    write_label(tmp_path / "clip" / "label" / "0000.png", label)
    path = tmp_path / "clip" / "line" / "0000.png"

    with_lines, labels, codes = _load_target(path, (32, 32), True)
    without, labels_without, _ = _load_target(path, (32, 32), False)
    assert label_paper(with_lines < 0.3).max() == 3  # outside, left and right halves
    assert label_paper(without < 0.3).max() == 2
    assert (without[line[..., 0] == 0] == with_lines[line[..., 0] == 0]).all()  # black kept
    assert (labels_without == labels).all() and (codes == -1).all()
