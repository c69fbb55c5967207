import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from paintbucket.errors import InputError
from paintbucket.io import write_png, write_text
from paintbucket.io.atomic import TEMP_NAME, atomic_write, remove_temp_files, temp_path


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
    assert [_mode(p) for p in (png, text)] == [expected] * 2


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664)])
def test_saved_weights_respect_the_umask(tmp_path, umask, mask, expected):
    pytest.importorskip("torch")
    from paintbucket.models.view_encoder import ViewEncoder
    from paintbucket.models.weights import save_model

    umask(mask)
    weights = save_model(ViewEncoder({"size": 32, "widths": (4, 8), "dim": 8}),
                         tmp_path / "w.safetensors")  # fmt: skip
    assert _mode(weights) == expected


def test_training_checkpoint_respects_the_umask(tmp_path, umask):
    torch = pytest.importorskip("torch")
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
    assert tmp.parent == tmp_path and TEMP_NAME.fullmatch(tmp.name)
    assert tmp.name.startswith(f".0001.png.{os.getpid()}_") and tmp.name.endswith(".tmp")
    assert temp_path(tmp_path / "0001.png") != tmp


def _pid_of_a_finished_process() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)  # fmt: skip
    return int(process.stdout)


@pytest.fixture
def running_process():
    """Another process that is still running (a concurrent writer)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


def test_remove_temp_files_spares_only_other_running_writers(tmp_path, running_process):
    dead = tmp_path / f".0001.png.{_pid_of_a_finished_process()}_0123abcd.tmp"
    ours = temp_path(tmp_path / "0002.png")  # this process: the caller has no write open
    old_style = tmp_path / ".0003.json.k2j_9x0a.tmp"  # tempfile.mkstemp's naming
    busy = tmp_path / f".0004.png.{running_process}_89abcdef.tmp"
    nested = tmp_path / "sub" / f".0005.json.{_pid_of_a_finished_process()}_0a1b2c3d.tmp"
    others = [tmp_path / name for name in (".notes.tmp", "0001.png.abc12345.tmp", "0001.png")]
    nested.parent.mkdir()
    for path in (dead, ours, old_style, busy, nested, *others):
        path.write_bytes(b"")
    assert sorted(remove_temp_files(tmp_path)) == sorted([dead, ours, old_style])
    assert remove_temp_files(tmp_path, recursive=True) == [nested]
    assert sorted(tmp_path.iterdir()) == sorted([busy, tmp_path / "sub", *others])
    os.utime(busy, (0, 0))  # a day old: its pid now belongs to some other process
    assert remove_temp_files(tmp_path) == [busy]
    assert remove_temp_files(tmp_path / "missing") == []


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
