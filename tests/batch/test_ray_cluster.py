"""A worker process killed in the middle of a cut, on a 2-node local Ray cluster
(``ray.cluster_utils.Cluster``, 1 CPU a node): Ray runs the cut again and every output
is complete and the same as a serial run's. About 20 s here."""

from __future__ import annotations

import filecmp
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from paintbucket.batch.run import run_batch
from paintbucket.pipeline.clip import colorize_clip
from tests.batch.conftest import assert_complete, make_episode

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")
pytestmark = pytest.mark.ray

#: Big enough that a cut takes about 2 s with the flow engine: time to catch it.
FRAMES, SIZE = 12, 768
SETTINGS = {"engine": "flow", "engine_options": {}, "device": "cpu", "mode": "forward",
            "keep_line": False, "seg_method": "default", "line_threshold": "auto",
            "max_pixels": 10**7}  # fmt: skip


@pytest.fixture
def two_nodes():
    cluster = cluster_utils.Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
    )
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def cut_workers() -> list[int]:
    """Processes running a cut right now (Ray titles them ``ray::colorize_cut``)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            title = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and title.startswith(b"ray::colorize_cut"):
            found.append(int(entry.name))
    return found


def kill_mid_cut(out: Path, killed: dict, timeout: float = 60.0) -> None:
    """SIGKILL the workers running cuts as soon as a cut is partly written; record the
    cuts that were partial and the processes killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        folders = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
        partial = {p.name for p in folders if 0 < len(list(p.glob("*.png"))) < FRAMES}
        pids = cut_workers()
        if partial and pids:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed.update(partial=partial, pids=set(pids))
            return
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds Ray's workers in /proc")
def test_a_worker_killed_mid_cut_is_retried_and_outputs_stay_valid(two_nodes, tmp_path):
    names = ["c1", "c2", "c3"]
    episode = make_episode(tmp_path / "episode", names, frames=FRAMES, size=SIZE)
    out = tmp_path / "out"
    killed: dict = {}
    killer = threading.Thread(target=kill_mid_cut, args=(out, killed), daemon=True)
    killer.start()
    lines: list[str] = []
    summary = run_batch(episode, out, SETTINGS, address=two_nodes.address, progress=False,
                        say=lines.append)  # fmt: skip
    killer.join()
    assert killed, "no cut was caught half-written"
    assert (summary["done"], summary["failed"], summary["frames"]) == (3, 0, 3 * FRAMES), lines
    workers = {cut["cut"]: cut["worker"] for cut in summary["per_cut"]}
    for name in killed["partial"]:  # finished by another process than the one killed
        assert int(workers[name].split("@")[0]) not in killed["pids"]
    for name in names:
        assert_complete(episode / name, out / name)  # no temporary file either
        colorize_clip(episode / name, tmp_path / "serial" / name, engine="flow",
                      mode=SETTINGS["mode"], progress=False)  # fmt: skip
        for path in (out / name).iterdir():
            assert filecmp.cmp(path, tmp_path / "serial" / name / path.name, shallow=False)
