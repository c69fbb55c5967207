import json

import numpy as np
import pytest

from paintbucket.core import SegmentColoring
from paintbucket.errors import InputError
from paintbucket.io import normalize_transparent, read_rgba, write_png
from paintbucket.pipeline import colorize_clip
from paintbucket.segment import pack_rgba
from paintbucket.synth.example import write_example_clip
from tests.conftest import open_box, real_data


def _colors(rgba: np.ndarray) -> set[int]:
    """Distinct colors of an image, packed."""
    return set(np.unique(pack_rgba(rgba)).tolist())


@pytest.fixture(scope="module")
def example_clip(tmp_path_factory):
    return write_example_clip(tmp_path_factory.mktemp("clip") / "mascot", frames=4, size=192)


def test_clip_outputs(example_clip, tmp_path):
    written = colorize_clip(example_clip, tmp_path / "out", progress=False)
    assert [p.name for p in written] == ["0000.png", "0001.png", "0002.png", "0003.png"]
    keyframe = read_rgba(example_clip / "gt" / "0000.png")
    palette = _colors(keyframe) | {0}
    for path in written:
        result = read_rgba(path)
        assert _colors(result) <= palette
        info = json.loads(path.with_suffix(".json").read_text())
        assert len(info["colors"]) == len(info["confidence"]) == info["num_segments"]
        assert all(0.0 <= c <= 1.0 for c in info["confidence"].values())
    first = json.loads((tmp_path / "out" / "0000.json").read_text())
    assert first["keyframe"] and first["reference"] is None
    assert json.loads((tmp_path / "out" / "0002.json").read_text())["reference"] == "0001"
    assert np.array_equal(read_rgba(written[0]), keyframe)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_every_keyframe_is_honoured(example_clip, tmp_path):
    clip = tmp_path / "clip"
    (clip / "gt").mkdir(parents=True)
    (clip / "line").symlink_to(example_clip / "line")
    for name in ("0000.png", "0003.png"):
        (clip / "gt" / name).write_bytes((example_clip / "truth" / "gt" / name).read_bytes())
    written = colorize_clip(clip, tmp_path / "out", mode="nearest", progress=False)
    truth = read_rgba(example_clip / "truth" / "gt" / "0003.png")
    assert np.array_equal(read_rgba(written[3]), truth)
    assert json.loads((tmp_path / "out" / "0002.json").read_text())["reference"] == "0003"


def test_keep_line_draws_original_lines(example_clip, tmp_path):
    written = colorize_clip(example_clip, tmp_path / "out", keep_line=True, progress=False)
    line = read_rgba(example_clip / "line" / "0001.png")
    result = read_rgba(written[1])
    ink = line[..., 3] > 0
    assert np.array_equal(result[ink], line[ink])
    assert ((line[..., 0] == 255) & (line[..., 2] == 0) & ink).any()  # has red lines


def _copy_clip(source, target):
    for sub in ("line", "gt"):
        (target / sub).mkdir(parents=True)
        for path in (source / sub).iterdir():
            (target / sub / path.name).write_bytes(path.read_bytes())
    return target


@pytest.mark.parametrize(
    "break_clip, message",
    [
        (lambda c: [p.unlink() for p in (c / "gt").iterdir()], "no colored keyframe"),
        (lambda c: (c / "line" / "0002.png").write_bytes(b"garbage"), "0002.png: cannot read"),
        (
            lambda c: write_png(c / "line" / "0001.png", np.zeros((10, 10, 4), np.uint8)),
            "0001.png: size 10x10 differs",
        ),
        (
            lambda c: write_png(c / "gt" / "0000.png", np.zeros((10, 10, 4), np.uint8)),
            "0000.png: keyframe is 10x10",
        ),
        (
            lambda c: write_png(
                c / "gt" / "0000.png",
                np.random.default_rng(0).integers(0, 256, (192, 192, 4), dtype=np.uint8),
            ),
            "keyframe is not flat",
        ),
        (lambda c: (c / "gt" / "0000.png").rename(c / "gt" / "0099.png"), "has no line frame"),
    ],
)
def test_bad_clips_fail_before_writing(example_clip, tmp_path, break_clip, message):
    clip = _copy_clip(example_clip, tmp_path / "clip")
    break_clip(clip)
    with pytest.raises(InputError, match=message):
        colorize_clip(clip, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_laughing_girl_colors_only_keyframe_colors(tmp_path):
    clip = real_data("laughing_girl")
    written = colorize_clip(clip, tmp_path / "out", progress=False)
    assert [p.stem for p in written] == ["0000", "0001", "0002", "0003"]
    keyframe = normalize_transparent(read_rgba(clip / "gt" / "0000.png"))
    assert np.array_equal(read_rgba(written[0]), keyframe)  # the painted keyframe, bit-exact
    allowed = _colors(keyframe)
    for path in written:
        result = read_rgba(path)
        assert _colors(result) <= allowed
        line = read_rgba(clip / "line" / path.name)
        color_line = (line[..., 3] > 0) & (line[..., :3].max(axis=2) == 255)
        assert (result[color_line][:, :3].max(axis=1) > 0).all()  # filled, not black


def test_smoke_explosion_nearest_from_last_frame(tmp_path):
    clip = real_data("smoke_explosion")
    written = colorize_clip(clip, tmp_path / "out", mode="nearest", engine="flow", progress=False)
    assert len(written) == 27
    info = json.loads((tmp_path / "out" / "00000.json").read_text())
    assert info["reference"] == "00001"


def test_first_keyframe_from_a_design_sheet(tmp_path):
    import shutil

    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.sheet import load_sheet
    from paintbucket.synth.dataset import SynthConfig, generate

    data = tmp_path / "data"
    generate(data, SynthConfig(characters=1, clips_per_character=1, frames=3, size=160,
                               seed=4, split="test"), progress=False)  # fmt: skip
    clip = next(p for p in data.iterdir() if (p / "line").is_dir())
    shutil.rmtree(clip / "gt")  # no keyframe: the sheet provides it
    with pytest.raises(InputError, match="gt"):
        colorize_clip(clip, tmp_path / "nothing", progress=False)
    sheet = load_sheet(data / "char000_sheet")
    first_keyframe = SheetColorizer(sheet).first_keyframe
    written = colorize_clip(clip, tmp_path / "out", first_keyframe=first_keyframe, progress=False)
    assert [p.name for p in written] == ["0000.png", "0001.png", "0002.png"]
    palette = {tuple(c) for c in sheet.palette.tolist()}
    for path in written:
        colors = {tuple(c) for c in np.unique(read_rgba(path).reshape(-1, 4), axis=0).tolist()}
        assert colors <= palette | {(0, 0, 0, 255)}
    first = json.loads((tmp_path / "out" / "0000.json").read_text())
    assert first["engine"] == "sheet" and first["keyframe"] is False
    with pytest.raises(InputError, match="inside"):  # the sheet is an input, too
        colorize_clip(clip, data / "char000_sheet" / "out", first_keyframe=first_keyframe,
                      protected=[data / "char000_sheet"], progress=False)  # fmt: skip


@pytest.mark.parametrize("interrupt_at", [1, 2, 3, 4])
def test_interrupted_run_never_leaves_a_png_without_its_json(
    example_clip, tmp_path, monkeypatch, interrupt_at
):
    """Stop the run at its n-th file write: every PNG present has its JSON."""
    import paintbucket.pipeline.clip as clip_module

    writes = 0

    def interrupting(write):
        def wrapped(*args, **kwargs):
            nonlocal writes
            writes += 1
            if writes == interrupt_at:
                raise KeyboardInterrupt
            return write(*args, **kwargs)

        return wrapped

    for name in ("write_png", "write_text"):
        monkeypatch.setattr(clip_module, name, interrupting(getattr(clip_module, name)))
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        colorize_clip(example_clip, out, engine="flow", progress=False)
    pngs, jsons = ({p.stem for p in out.glob(f"*.{ext}")} for ext in ("png", "json"))
    assert pngs <= jsons
    assert len(pngs) == (interrupt_at - 1) // 2  # two writes per finished frame


def test_on_frame_counts_frames_whose_files_are_written(example_clip, tmp_path):
    out = tmp_path / "out"
    seen = []

    def on_frame(count):
        finished = {p.stem for p in out.glob("*.png")} & {p.stem for p in out.glob("*.json")}
        seen.append((count, len(finished)))

    colorize_clip(example_clip, out, engine="flow", progress=False, on_frame=on_frame)
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_sheet_opinion_sees_every_frame_with_its_annotation(example_clip, tmp_path):
    import shutil

    clip = tmp_path / "clip"
    shutil.copytree(example_clip, clip)
    (clip / "line_anno").mkdir(exist_ok=True)
    line = read_rgba(clip / "line" / "0002.png")
    write_png(clip / "line_anno" / "0002.png", line)
    seen = []

    def sheet_opinion(frame, annotation):
        seen.append(None if annotation is None else annotation.shape)
        rows = frame.segment_ids.max() + 1
        return SegmentColoring(frame.segment_ids, np.array([[1, 2, 3, 255]], np.uint8),
                               np.ones((rows, 1), np.float32))  # fmt: skip

    colorize_clip(clip, tmp_path / "forward", mode="forward", engine="flow",
                  sheet_opinion=sheet_opinion, progress=False)  # fmt: skip
    assert seen == []  # only anchored mode asks the sheet
    colorize_clip(clip, tmp_path / "anchored", mode="anchored", engine="flow",
                  sheet_opinion=sheet_opinion, progress=False)  # fmt: skip
    assert seen == [None, line.shape, None]  # frames 1, 2 (annotated), 3
    fused = [json.loads((tmp_path / "anchored" / f"000{i}.json").read_text())["fused"]
             for i in (1, 2, 3)]  # fmt: skip
    assert fused == [["sheet"], ["0000", "sheet"], ["0001", "0000", "sheet"]]
    assert "fused" not in json.loads((tmp_path / "forward" / "0002.json").read_text())
    write_png(clip / "line_anno" / "0002.png", line[:-1])
    with pytest.raises(InputError, match="line_anno/0002.png: size"):
        colorize_clip(clip, tmp_path / "bad", mode="anchored", engine="flow",
                      sheet_opinion=sheet_opinion, progress=False)  # fmt: skip
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


def test_a_failed_write_stops_the_run_and_writes_nothing_after_it(example_clip, tmp_path,
                                                                  monkeypatch):  # fmt: skip
    """Frames are written by a second thread while the next one is colored: a write that
    fails reaches the caller, and no later frame is written."""
    import paintbucket.pipeline.clip as clip_module

    original = clip_module.write_png

    def failing(path, array):
        if path.stem == "0001":
            raise OSError(f"{path}: disk full")
        return original(path, array)

    monkeypatch.setattr(clip_module, "write_png", failing)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        colorize_clip(example_clip, out, engine="flow", progress=False)
    assert {p.name for p in out.glob("*.png")} == {"0000.png"}
    assert {p.name for p in out.glob("*.json")} == {"0000.json", "0001.json"}


def test_prefetching_loads_each_frame_once_and_the_next_one_ahead():
    from concurrent.futures import ThreadPoolExecutor

    from paintbucket.pipeline.clip import _prefetching

    loaded = []

    def load(index):
        loaded.append(index)
        return f"frame {index}"

    with ThreadPoolExecutor(1) as pool:
        load_frame = _prefetching(load, [3, 1, 2], pool)
        assert load_frame(3) == "frame 3"
        pool.submit(lambda: None).result()  # the prefetch of 1 has run
        assert loaded == [3, 1]
        assert [load_frame(1), load_frame(2), load_frame(7)] == ["frame 1", "frame 2", "frame 7"]
    assert sorted(loaded) == [1, 2, 3, 7] and len(loaded) == 4


def test_a_keyframe_flat_once_gaps_close_gets_the_hint(tmp_path):
    art, keyframe = open_box()
    for name in ("0000", "0001"):
        write_png(tmp_path / "clip" / "line" / f"{name}.png", art)
    write_png(tmp_path / "clip" / "gt" / "0000.png", keyframe)
    with pytest.raises(InputError, match="not flat.*lines have gaps: with --seg-method closegaps"):
        colorize_clip(tmp_path / "clip", tmp_path / "out", engine="flow", progress=False)
    assert not (tmp_path / "out").exists()
    colorize_clip(tmp_path / "clip", tmp_path / "out", engine="flow", progress=False,
                  seg_method="closegaps")  # fmt: skip
    assert (tmp_path / "out" / "0001.png").is_file()


def test_a_keyframe_not_flat_for_other_reasons_gets_no_hint(example_clip, tmp_path):
    clip = _copy_clip(example_clip, tmp_path / "clip")
    noise = np.random.default_rng(0).integers(0, 256, (192, 192, 4), dtype=np.uint8)
    write_png(clip / "gt" / "0000.png", noise)
    with pytest.raises(InputError, match="not flat") as raised:
        colorize_clip(clip, tmp_path / "out", progress=False)
    assert "closegaps" not in str(raised.value)
