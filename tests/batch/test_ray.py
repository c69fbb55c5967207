"""``pbc batch`` and ``pbc synth --workers`` on a local Ray instance with 2 CPUs (Ray
starts once for the module, plus once per ``pbc synth`` process): about 30 s here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from paintbucket.batch import run as batch_run
from paintbucket.batch.manifest import Manifest, output_checksums
from paintbucket.cli.main import main
from paintbucket.synth.dataset import SynthConfig, generate
from tests.batch.conftest import assert_complete, break_cut, make_episode

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray instance with 2 CPUs; ``pbc batch`` uses it as it finds it."""
    ray.init("local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level="ERROR", object_store_memory=100 * 2**20)  # fmt: skip
    yield ray
    ray.shutdown()


def _summary(out: Path) -> dict:
    return json.loads((out / "batch.json").read_text())


def test_batch_colors_every_cut_reports_the_broken_one_and_redoes_only_changes(
    local_ray, tmp_path, capsys, monkeypatch
):
    episode = make_episode(tmp_path / "episode", ["c1", "c2", "c3", "c4"], frames=3)
    bad_keyframe = break_cut(episode / "c4")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # relative paths, resolved for the workers
    args = ["batch", "episode", "--out", "out", "--workers", "2", "--quiet"]

    assert main(args) == 1  # a cut failed
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("failed")] == [
        f"failed c4: {bad_keyframe}: keyframe is 40x40 but line/0000 is 96x96"
    ]
    assert sorted(line.split(":")[0] for line in lines if line.startswith("done")) == [
        "done c1", "done c2", "done c3"
    ]  # fmt: skip
    assert lines[-1].startswith("4 cuts: 3 done, 0 skipped, 1 failed; 9 frames in ")
    for name in ("c1", "c2", "c3"):
        assert_complete(episode / name, out / name)
    assert not (out / "c4").exists()
    summary = _summary(out)
    assert (summary["done"], summary["skipped"], summary["failed"], summary["frames"]) == (
        3, 0, 1, 9
    )  # fmt: skip
    assert summary["frames_per_second"] > 0 and summary["workers"] == 2
    manifest = Manifest(out)
    assert set(manifest.records) == {"c1", "c2", "c3"}
    for name, record in manifest.records.items():
        assert record["outputs"] == output_checksums(out / name, record["outputs"])

    # Weights once per worker process: each worker loaded them for its first cut only.
    done = [cut for cut in summary["per_cut"] if cut["status"] == "done"]
    loads = Counter(cut["worker"] for cut in done if cut["loaded"] == ["consecutive"])
    assert set(loads) == {cut["worker"] for cut in done} and set(loads.values()) == {1}
    assert sum(loads.values()) < len(done)  # 3 cuts on 2 workers: one reused them

    # A re-run does no work: no Ray task, no file rewritten.
    shutil.rmtree(episode / "c4")
    written = {path: path.stat().st_mtime_ns for path in out.rglob("*.png")}

    def no_ray(*args, **kwargs):
        raise AssertionError("the re-run started Ray")

    with monkeypatch.context() as patch:
        patch.setattr(batch_run, "ray_session", no_ray)
        assert main(args) == 0
    assert capsys.readouterr().out.count("skipped c") == 3
    assert (_summary(out)["skipped"], _summary(out)["frames"]) == (3, 0)
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.png")} == written

    # A redrawn frame: that cut alone is redone.
    shutil.copy(episode / "c2" / "line" / "0001.png", episode / "c2" / "line" / "0002.png")
    assert main(args) == 0
    summary = _summary(out)
    assert [(cut["cut"], cut["status"]) for cut in summary["per_cut"]] == [
        ("c1", "skipped"), ("c2", "done"), ("c3", "skipped")
    ]  # fmt: skip
    assert written[out / "c1" / "0002.png"] == (out / "c1" / "0002.png").stat().st_mtime_ns
    assert written[out / "c2" / "0002.png"] != (out / "c2" / "0002.png").stat().st_mtime_ns


def _pbc(*args: object) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "paintbucket.cli.main", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_synth_on_ray_writes_the_same_bytes(tmp_path):
    options = ["--characters", "3", "--clips-per-character", "2", "--frames", "2",
               "--size", "64", "--seed", "5", "--quiet"]  # fmt: skip
    for workers in (1, 2):
        result = _pbc("synth", tmp_path / f"w{workers}", *options, "--workers", workers)
        assert result.returncode == 0, result.stderr
    config = SynthConfig(characters=3, clips_per_character=2, frames=2, size=64, seed=5)
    generate(tmp_path / "serial", config, progress=False)
    serial = _tree(tmp_path / "serial")
    assert len(serial) > 50
    assert _tree(tmp_path / "w1") == serial
    assert _tree(tmp_path / "w2") == serial
