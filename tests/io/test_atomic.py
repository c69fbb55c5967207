import os
import stat
import subprocess
import sys

import numpy as np
import pytest
import torch

from paintbucket.errors import InputError
from paintbucket.io import write_png, write_text
from paintbucket.io.atomic import (
    TEMP_NAME,
    atomic_write,
    is_stale_temp,
    remove_stale_temps,
    temp_path,
)
from paintbucket.models.view_encoder import ViewEncoder
from paintbucket.models.weights import save_matcher


@pytest.fixture
def umask():
    """Set the process umask for one test, restoring the previous one afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_respect_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    png = write_png(tmp_path / "a.png", np.zeros((2, 2, 4), np.uint8))
    text = write_text(tmp_path / "a.json", "{}")
    weights = save_matcher(ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8}),
                           tmp_path / "w.safetensors")  # fmt: skip
    assert [_mode(p) for p in (png, text, weights)] == [expected] * 3


def test_training_checkpoint_respects_the_umask(tmp_path, umask):
    from paintbucket.train.loop import LOOP_CONF, fit

    umask(0o022)
    model = torch.nn.Linear(2, 1)

    def step(rng):
        loss = model(torch.from_numpy(rng.normal(size=(1, 2)).astype(np.float32))).square().sum()
        return loss, {"hits": 0, "counts": 1}

    conf = {**LOOP_CONF, "iterations": 2, "checkpoint_every": 1, "warmup": 1}
    fit(model, step, conf, tmp_path / "run", lambda path, it: write_text(path, "w"),
        progress=False)  # fmt: skip
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == ["checkpoint.pt", "config.yaml", "log.jsonl", "model.safetensors"]
    assert _mode(tmp_path / "run" / "checkpoint.pt") == 0o644
    assert _mode(tmp_path / "run" / "config.yaml") == 0o644


def test_temp_names_are_hidden_and_carry_the_pid(tmp_path):
    tmp = temp_path(tmp_path / "0001.png")
    match = TEMP_NAME.match(tmp.name)
    assert tmp.parent == tmp_path and tmp.name.startswith(".0001.png.")
    assert match and match["name"] == "0001.png" and int(match["pid"]) == os.getpid()
    assert temp_path(tmp_path / "0001.png") != tmp


def _dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)  # fmt: skip
    return int(process.stdout)


def test_remove_stale_temps_keeps_live_writers_and_other_files(tmp_path):
    dead = tmp_path / f".0001.png.{_dead_pid()}-0123abcd.tmp"
    nested = tmp_path / "sub" / f".0002.json.{_dead_pid()}-89abcdef.tmp"
    live = temp_path(tmp_path / "0003.png")  # this process: still writing
    lookalike = tmp_path / ".notes.tmp"
    nested.parent.mkdir()
    for path in (dead, nested, live, lookalike):
        path.write_bytes(b"")
    assert is_stale_temp(dead) and not is_stale_temp(live) and not is_stale_temp(lookalike)
    assert remove_stale_temps(tmp_path) == [dead]
    assert remove_stale_temps(tmp_path, recursive=True) == [nested]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, ".notes.tmp", "sub"])
    assert remove_stale_temps(tmp_path / "missing") == []


def test_old_temp_of_a_reused_pid_is_stale(tmp_path):
    old = temp_path(tmp_path / "x.png")
    old.write_bytes(b"")
    os.utime(old, (0, 0))
    assert is_stale_temp(old)


def test_failed_writes_name_the_path_and_leave_no_temp(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"file: is a file, not a folder"):
        write_text(tmp_path / "file" / "sub" / "a.json", "{}")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match=r"folder: is a folder"):
        write_text(tmp_path / "folder", "{}")

    def fail(tmp):
        tmp.write_text("partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match=r"b.json: cannot write \(No space left on device\)"):
        atomic_write(tmp_path / "b.json", fail)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"]
