"""One cut in a worker process, without Ray: results as ``pbc colorize`` writes them, bad
input caught as a one-line error, weights read once per process."""

import filecmp
import shutil

import pytest

from paintbucket.batch import worker
from paintbucket.batch.worker import CutJob, run_cut
from paintbucket.pipeline.clip import colorize_clip
from paintbucket.synth.dataset import SynthConfig, generate
from tests.batch.conftest import assert_complete, break_cut, make_episode

FLOW = {"engine": "flow", "engine_options": {}, "device": "cpu", "mode": "forward",
        "keep_line": False, "seg_method": "default", "line_threshold": "auto",
        "max_pixels": 10**7}  # fmt: skip
LEARNED = {**FLOW, "engine": "inclusion", "engine_options": {"weights": None, "device": "cpu"}}


@pytest.fixture
def fresh_process(monkeypatch):
    """The worker's caches as in a process that has colored nothing yet."""
    monkeypatch.setattr(worker, "_ENGINES", {})
    monkeypatch.setattr(worker, "_SHEETS", {})
    monkeypatch.setattr(worker, "_SHEET_MODELS", {})


def _job(episode, name, out, sheet=None):
    return CutJob(name, str(episode / name), str(out / name), sheet and str(sheet))


def test_a_cut_is_written_as_pbc_colorize_writes_it(tmp_path, fresh_process):
    episode = make_episode(tmp_path / "ep", ["c1"], frames=4)
    reported = []
    result = run_cut(_job(episode, "c1", tmp_path / "out"), FLOW, reported.append)
    assert result["status"] == "done" and result["error"] is None
    assert result["frames"] == 4 and reported == [1, 2, 3, 4]
    assert len(result["outputs"]) == 8 and result["worker"].count("@") == 1
    colorize_clip(episode / "c1", tmp_path / "direct", engine="flow", mode=FLOW["mode"],
                  progress=False)  # fmt: skip
    ours = tmp_path / "out" / "c1"
    assert_complete(episode / "c1", ours)
    for name in result["outputs"]:
        assert filecmp.cmp(ours / name, tmp_path / "direct" / name, shallow=False), name


def test_bad_input_fails_the_cut_with_one_line(tmp_path, fresh_process):
    episode = make_episode(tmp_path / "ep", ["bad"])
    keyframe = break_cut(episode / "bad")
    result = run_cut(_job(episode, "bad", tmp_path / "out"), FLOW)
    assert result["status"] == "failed" and result["frames"] == 0 and not result["outputs"]
    assert result["error"].startswith(f"{keyframe}: keyframe is 40x40")
    assert "\n" not in result["error"]
    assert not (tmp_path / "out" / "bad").exists()


def test_weights_are_read_once_per_process(tmp_path, fresh_process):
    episode = make_episode(tmp_path / "ep", ["c1", "c2"], frames=2, size=64)
    out = tmp_path / "out"
    first = run_cut(_job(episode, "c1", out), LEARNED)
    second = run_cut(_job(episode, "c2", out), LEARNED)
    assert first["status"] == second["status"] == "done"
    assert first["loaded"] == ["consecutive"] and second["loaded"] == []
    assert worker.cached_engine(LEARNED) is worker.cached_engine(LEARNED)


def test_design_sheet_models_are_shared_by_every_sheet(tmp_path, fresh_process):
    data = tmp_path / "data"
    generate(data, SynthConfig(clips_per_character=1, frames=2, size=128, split="test"), False)
    clip = next(p for p in data.iterdir() if (p / "line").is_dir())
    shutil.rmtree(clip / "gt")  # the sheet colors the first frame
    shutil.copytree(data / "char000_sheet", tmp_path / "other_sheet")
    flow = {**FLOW, "seg_method": "default"}
    first = run_cut(_job(data, clip.name, tmp_path / "a", data / "char000_sheet"), flow)
    second = run_cut(_job(data, clip.name, tmp_path / "b", tmp_path / "other_sheet"), flow)
    assert first["status"] == second["status"] == "done", (first["error"], second["error"])
    assert first["loaded"] == ["keyframe", "views"] and second["loaded"] == []
    assert_complete(clip, tmp_path / "a" / clip.name)
    info = (tmp_path / "b" / clip.name / "0000.json").read_text()
    assert '"sheet"' in info
