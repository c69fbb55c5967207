import numpy as np
import pytest

import paintbucket.consecutive.learned as learned_module
import paintbucket.models.weights as weights_module
from paintbucket.consecutive import make_engine
from paintbucket.consecutive.learned import LearnedEngine, average_probabilities, merge_locks
from paintbucket.core import ColoredFrame, Frame
from paintbucket.errors import InputError
from paintbucket.flow import estimate_flow
from paintbucket.models.runtime import OnnxInclusionMatcher
from paintbucket.models.weights import save_model
from paintbucket.segment import pack_rgba

TINY = {"widths": (8, 8, 8), "offset_widths": (4, 4), "color_channels": 4,
        "feature_dim": 16, "num_layers": 1, "num_heads": 2}  # fmt: skip


def _tiny_weights(path):
    """An untrained InclusionMatcher saved at ``path`` (PyTorch: skips without it)."""
    pytest.importorskip("torch")
    from paintbucket.models import InclusionMatcher

    return save_model(InclusionMatcher(TINY).eval(), path)


@pytest.fixture(scope="module")
def synth_pair(tmp_path_factory):
    from paintbucket.io import read_rgba
    from paintbucket.synth.dataset import SynthConfig, generate

    out = tmp_path_factory.mktemp("learned")
    config = SynthConfig(
        characters=1, clips_per_character=1, frames=2, size=256, seed=9, split="test"
    )
    generate(out, config, progress=False)
    clip = next(out.glob("*/line")).parent
    reference = ColoredFrame.from_keyframe(
        Frame.from_line_art(read_rgba(clip / "line" / "0000.png")),
        read_rgba(clip / "gt" / "0000.png"),
    )
    target = Frame.from_line_art(read_rgba(clip / "line" / "0001.png"))
    return reference, target, read_rgba(clip / "gt" / "0001.png")


def test_untrained_model_gives_valid_palette_output(tmp_path, synth_pair):
    reference, target, _ = synth_pair
    weights = _tiny_weights(tmp_path / "tiny.safetensors")
    coloring = LearnedEngine(weights=weights)(reference, target)
    num_segments = int(target.segment_ids.max())
    assert coloring.probabilities.shape == (num_segments + 1, len(reference.palette))
    assert np.allclose(coloring.probabilities[1:].sum(axis=1), 1.0, atol=1e-4)
    # Confidence is the chosen color's probability, so at least 1 / P per segment.
    assert np.allclose(coloring.confidence[1:], coloring.probabilities[1:].max(axis=1))
    assert (coloring.confidence[1:] >= 1 / len(reference.palette) - 1e-6).all()
    allowed = set(pack_rgba(reference.palette).tolist()) | {
        int(pack_rgba(np.array([0, 0, 0, 255])))
    }
    assert set(np.unique(pack_rgba(coloring.render())).tolist()) <= allowed


def test_flow_lock_keeps_one_to_one_segments_whatever_the_network_says(tmp_path, synth_pair):
    reference, _, _ = synth_pair
    weights = _tiny_weights(tmp_path / "tiny.safetensors")
    same = Frame(reference.line_art, reference.segment_ids, reference.line_mask)
    truth = reference.segment_palette_index[1:]
    options = {"weights": weights, "flow_prior": 0.0, "consistency_lock": 2.0}
    untrained = LearnedEngine(**options, flow_lock=2.0)(reference, same)
    locked = LearnedEngine(**options, flow_lock=0.9)(reference, same)
    assert (untrained.color_index[1:] == truth).mean() < 0.9
    assert (locked.color_index[1:] == truth).all()
    assert np.allclose(locked.confidence[1:], 1.0)


def test_consistency_lock_keeps_segments_the_flow_agrees_on(tmp_path, synth_pair):
    reference, _, _ = synth_pair
    weights = _tiny_weights(tmp_path / "tiny.safetensors")
    same = Frame(reference.line_art, reference.segment_ids, reference.line_mask)
    truth = reference.segment_palette_index[1:]
    untrained = LearnedEngine(weights=weights, flow_prior=0.0, flow_lock=2.0, consistency_lock=2.0)
    locked = LearnedEngine(weights=weights, flow_prior=0.0, flow_lock=2.0, consistency_lock=0.9)
    assert (untrained(reference, same).color_index[1:] == truth).mean() < 0.9
    coloring = locked(reference, same)
    # Identical frames: zero flow both ways, every vote pure.
    assert (coloring.color_index[1:] == truth).all()
    assert np.allclose(coloring.confidence[1:], 1.0)


def test_average_probabilities_exact_values():
    first = np.array([[0, 0, 0], [0.5, 0.5, 0], [1, 0, 0], [0, 0, 0]], np.float32)
    second = np.array([[0, 0, 0], [0.5, 0.0, 0.5], [0, 1, 0], [0.2, 0.8, 0]], np.float32)
    combined = average_probabilities(first, second)
    assert combined.shape == (4, 3)
    assert combined[0].tolist() == [0, 0, 0]  # no prediction stays none
    assert np.allclose(combined[1], [1, 0, 0])  # geometric mean, renormalised
    assert np.allclose(combined[2], [0.5, 0.5, 0])  # disjoint: arithmetic mean
    assert np.allclose(combined[3], [0.2, 0.8, 0])
    assert average_probabilities(np.zeros((0, 3)), np.zeros((0, 3))).shape == (0, 3)


def test_merge_locks_exact_values():
    first = np.array([[0, 0], [1, 0], [1, 0], [0.5, 0.5], [1, 0], [0, 0]], np.float32)
    second = np.array([[0, 0], [0, 1], [0, 1], [1, 0], [1, 0], [0, 0]], np.float32)
    first_locked = np.array([False, True, True, True, False, False])
    second_locked = np.array([False, False, True, True, True, False])
    votes, locked = merge_locks(first, first_locked, second, second_locked)
    assert locked.tolist() == [False, True, False, True, True, False]
    assert votes[1].tolist() == [1, 0]  # only the first pass locks
    assert np.allclose(votes[3], [1, 0])  # both lock and agree on color 0
    assert votes[4].tolist() == [1, 0]  # only the second pass locks
    # Row 2: both lock, onto different colors -> unlocked, the network decides.
    empty = np.zeros((0, 2), np.float32)
    votes, locked = merge_locks(empty, np.zeros(0, bool), empty, np.zeros(0, bool))
    assert votes.shape == (0, 2) and locked.shape == (0,)


def test_shipped_model_beats_chance_and_nearly_matches_identity(synth_pair):
    reference, target, truth = synth_pair
    engine = make_engine("inclusion")
    coloring = engine(reference, target)
    paper = target.segment_ids > 0
    pixel_accuracy = (coloring.render()[paper] == truth[paper]).all(axis=1).mean()
    assert pixel_accuracy > 0.8  # chance is about 1 / palette size
    same = engine(reference, Frame(reference.line_art, reference.segment_ids, reference.line_mask))
    assert (same.color_index[1:] == reference.segment_palette_index[1:]).mean() > 0.8


def test_make_engine_names():
    assert make_engine("flow").name == "flow"
    assert make_engine("inclusion").name == "inclusion"
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("magic")


def test_shipped_engine_gives_the_same_colors_on_both_backends(synth_pair, monkeypatch):
    pytest.importorskip("torch")
    reference, target, _ = synth_pair
    assert isinstance(LearnedEngine().model, OnnxInclusionMatcher)  # auto: the shipped graphs
    onnx_engine = LearnedEngine(backend="onnx")
    torch_engine = LearnedEngine(backend="torch")
    assert not isinstance(torch_engine.model, OnnxInclusionMatcher)
    for flip_average in (False, True):
        onnx_engine.flip_average = torch_engine.flip_average = flip_average
        onnx_coloring = onnx_engine(reference, target)
        torch_coloring = torch_engine(reference, target)
        assert (onnx_coloring.color_index == torch_coloring.color_index).all()
        gap = np.abs(onnx_coloring.probabilities - torch_coloring.probabilities).max()
        assert gap < 1e-4


def test_flip_passes_side_by_side_give_the_one_after_the_other_result(synth_pair):
    reference, target, _ = synth_pair
    side_by_side = LearnedEngine(threads=2)
    one_thread = LearnedEngine(threads=1)
    assert side_by_side.onnx_threads == one_thread.onnx_threads == 1
    assert LearnedEngine(threads=4).onnx_threads == 2
    assert LearnedEngine(threads=4, flip_average=False).onnx_threads == 4
    expected = one_thread(reference, target)
    actual = side_by_side(reference, target)
    np.testing.assert_array_equal(actual.probabilities, expected.probabilities)
    mirrored = LearnedEngine(threads=1, flip_average=False)
    assert np.abs(mirrored(reference, target).probabilities - expected.probabilities).max() > 0


@pytest.mark.parametrize("threads", [1, 2])
def test_flip_averaging_estimates_the_backward_flow_once(synth_pair, monkeypatch, threads):
    # Two forward flows (each pass's own) and one backward flow, mirrored for the mirror.
    reference, target, _ = synth_pair
    calls = []

    def counting_flow(target_lines, reference_lines, *args):
        calls.append(target_lines is reference.line_mask)
        return estimate_flow(target_lines, reference_lines, *args)

    monkeypatch.setattr(learned_module, "estimate_flow", counting_flow)
    LearnedEngine(threads=threads)(reference, target)
    assert len(calls) == 3 and sum(calls) == 1
    calls.clear()
    LearnedEngine(threads=threads, consistency_lock=1.5)(reference, target)
    assert len(calls) == 2 and sum(calls) == 0


def test_mirror_flow_exact_values():
    flow = np.array([[[1, 2], [3, 4], [5, 6]]], np.float32)  # (1, 3, 2)
    mirrored = learned_module._mirror_flow(flow)
    assert mirrored.tolist() == [[[-5, 6], [-3, 4], [-1, 2]]]
    assert flow.tolist() == [[[1, 2], [3, 4], [5, 6]]]  # input untouched


def test_export_of_other_weights_is_picked_up_by_auto(tmp_path, synth_pair, monkeypatch):
    pytest.importorskip("onnxscript")
    monkeypatch.setattr(weights_module, "torch_installed", lambda: False)
    torch = pytest.importorskip("torch")
    from paintbucket.models.export import main

    reference, target, _ = synth_pair
    torch.manual_seed(0)
    weights = _tiny_weights(tmp_path / "tiny.safetensors")
    with pytest.raises(InputError, match="no ONNX graphs"):
        LearnedEngine(weights=weights, flip_average=False).model  # noqa: B018 - not exported yet
    before = LearnedEngine(weights=weights, flip_average=False, backend="torch")
    main([str(weights)])
    for graph in ("reference", "target", "match"):
        assert (tmp_path / f"tiny.{graph}.onnx").is_file()
    after = LearnedEngine(weights=weights, flip_average=False)
    assert isinstance(after.model, OnnxInclusionMatcher)
    expected = before(reference, target).probabilities
    assert np.abs(after(reference, target).probabilities - expected).max() < 1e-4


def test_opinions_are_single_passes_side_by_side(synth_pair):
    reference, target, _ = synth_pair
    palette = reference.palette[::-1].copy()
    shifted = ColoredFrame(reference.line_art, reference.segment_ids, reference.line_mask,
                           palette, reference.segment_palette_index)  # fmt: skip
    single = LearnedEngine(threads=1, flip_average=False)
    expected = [single(ref, target) for ref in (reference, shifted)]
    for threads in (1, 2):
        actual = LearnedEngine(threads=threads).opinions([reference, shifted], target)
        assert len(actual) == 2
        for got, want in zip(actual, expected):
            np.testing.assert_array_equal(got.palette, want.palette)
            np.testing.assert_array_equal(got.probabilities, want.probabilities)
    assert LearnedEngine().opinions([], target) == []


def test_a_reference_frame_is_encoded_once_while_it_lives(synth_pair, monkeypatch):
    import gc

    reference, target, _ = synth_pair
    fresh = LearnedEngine(flip_average=False, reuse_references=False)
    engine = LearnedEngine(flip_average=False)
    encoded = []
    original = OnnxInclusionMatcher.encode_reference

    def counting(self, images, segments_ref):
        encoded.append(segments_ref)
        return original(self, images, segments_ref)

    monkeypatch.setattr(OnnxInclusionMatcher, "encode_reference", counting)
    for _ in range(2):
        expected = fresh(reference, target).probabilities
    assert len(encoded) == 2  # without reuse, every call encodes
    encoded.clear()
    for _ in range(2):
        np.testing.assert_array_equal(engine(reference, target).probabilities, expected)
    assert len(encoded) == 1
    # Equal content in another object is encoded again (frames are told apart by identity).
    copy = ColoredFrame(reference.line_art.copy(), reference.segment_ids.copy(),
                        reference.line_mask.copy(), reference.palette.copy(),
                        reference.segment_palette_index.copy())  # fmt: skip
    np.testing.assert_array_equal(engine(copy, target).probabilities, expected)
    assert len(encoded) == 2
    # A frame that is gone leaves the cache at the next encoding.
    del copy
    gc.collect()
    engine(_mirrored(reference), target)
    assert len(engine._encoded) <= 2 and reference in engine._encoded


def _mirrored(frame: ColoredFrame) -> ColoredFrame:
    return ColoredFrame(frame.line_art[:, ::-1].copy(), frame.segment_ids[:, ::-1].copy(),
                        frame.line_mask[:, ::-1].copy(), frame.palette,
                        frame.segment_palette_index)  # fmt: skip


def test_a_given_flow_is_used_instead_of_an_estimate(synth_pair):
    reference, target, _ = synth_pair
    engine = LearnedEngine(threads=1)
    flow = engine.estimate_flow(reference, target)
    np.testing.assert_array_equal(
        engine(reference, target, flow=flow).probabilities,
        engine(reference, target).probabilities,
    )
    single = LearnedEngine(threads=1, flip_average=False)
    [opinion] = single.opinions([reference], target, flows=[flow])
    np.testing.assert_array_equal(opinion.probabilities, single(reference, target).probabilities)
    # A flow from far outside the frame warps no reference color in: the flow votes
    # and locks go, and the result changes.
    away = np.full_like(flow, 10 * max(target.shape))
    assert not np.array_equal(
        single(reference, target, flow=away).probabilities,
        single(reference, target).probabilities,
    )
    with pytest.raises(ValueError, match="flow"):
        single(reference, target, flow=flow[1:])
    with pytest.raises(ValueError, match="2 flows for 1 references"):
        single.opinions([reference], target, flows=[flow, flow])


def test_a_given_backward_flow_is_not_estimated_again(synth_pair, monkeypatch):
    reference, target, _ = synth_pair
    single = LearnedEngine(threads=1, flip_average=False)
    backward = single.estimate_flow(target, reference)
    expected = single.opinions([reference], target)[0].probabilities
    calls = []
    original = learned_module.estimate_flow
    monkeypatch.setattr(learned_module, "estimate_flow",
                        lambda *args: calls.append(1) or original(*args))  # fmt: skip
    [opinion] = single.opinions([reference], target, backward_flows=[backward])
    np.testing.assert_array_equal(opinion.probabilities, expected)
    assert len(calls) == 1  # the forward flow only
    with pytest.raises(ValueError, match="flow"):
        single.opinions([reference], target, backward_flows=[backward[1:]])
    with pytest.raises(ValueError, match="2 backward flows for 1 references"):
        single.opinions([reference], target, backward_flows=[backward, backward])
