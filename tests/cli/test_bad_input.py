"""Bad input through the installed ``pbc``: one line ``pbc: error: PATH: ...``, exit 2, no
traceback, and nothing written. The README's "Bad input" table counts these cases."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from paintbucket.synth.example import write_example_clip
from tests.cli.conftest import REPO, Run, snapshot
from tests.conftest import png_header_only

#: ``pbc train`` and ``pbc average`` need PyTorch (the train extra).
needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="PyTorch (the train extra) is absent"
)


def _cuda_available() -> bool:
    """Whether ONNX Runtime or PyTorch (when installed) can use a GPU here."""
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        return True
    check = "import torch; assert not torch.cuda.is_available()"
    has_torch = importlib.util.find_spec("torch") is not None
    return has_torch and subprocess.run([sys.executable, "-c", check]).returncode != 0


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return write_example_clip(tmp_path_factory.mktemp("bad-input") / "clip", frames=3, size=64)


@pytest.fixture
def clip(example, tmp_path):
    """A private copy of the 3-frame example clip (line/, gt/0000.png, truth/)."""
    return shutil.copytree(example, tmp_path / "clip")


@pytest.fixture(scope="module")
def results(example, tmp_path_factory):
    """``pbc colorize`` results of the example clip (flow engine), for ``pbc eval``."""
    from paintbucket.pipeline.clip import colorize_clip

    out = tmp_path_factory.mktemp("results") / "out"
    colorize_clip(example, out, engine="flow", progress=False)
    return out


# --------------------------------------------------------------- OUT on top of inputs


@pytest.mark.parametrize("target", ["line", "gt", "line/sub", "gt/sub/deeper", ".", "line/.."])
def test_colorize_refuses_out_on_the_inputs(pbc, clip, target):
    before = snapshot(clip)
    out = clip / target
    pbc("colorize", clip, "--out", out, "--engine", "flow", "--quiet").assert_refused(
        str(out), "write the results somewhere else"
    )
    assert snapshot(clip) == before


def test_colorize_into_a_subfolder_of_the_clip_is_fine(pbc, clip):
    run = pbc("colorize", clip, "--out", clip / "colorized", "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    assert len(list((clip / "colorized").glob("*.png"))) == 3


def test_keyframe_refuses_to_overwrite_its_inputs(pbc, clip, tmp_path):
    line, anno = clip / "line" / "0001.png", clip / "line" / "0002.png"
    before = snapshot(clip)
    sheet = tmp_path / "sheet"
    for out in (line, anno):
        pbc("keyframe", "--sheet", sheet, "--line", line, "--anno", anno,
            "--out", out).assert_refused(str(out), "one of the inputs")  # fmt: skip
    pbc("keyframe", "--sheet", sheet, "--line", line,
        "--out", sheet / "out.png").assert_refused("inside the input folder")  # fmt: skip
    pbc("keyframe", "--sheet", sheet, "--line", line,
        "--out", tmp_path / "out.json").assert_refused("out.json", "OUT.json")  # fmt: skip
    assert snapshot(clip) == before


def test_eval_json_must_not_be_an_input(pbc, clip, results):
    before = (results / "0001.json").read_bytes()
    pbc("eval", results, clip / "truth", "--json", results / "0001.json").assert_refused(
        str(results / "0001.json"), "inputs"
    )
    pbc("eval", results, clip / "truth", "--json", clip / "truth" / "gt" / "e.json").assert_refused(
        "inside the input folder"
    )
    assert (results / "0001.json").read_bytes() == before
    assert not (clip / "truth" / "gt" / "e.json").exists()


# ------------------------------------------------------- images too large to decode


def test_decompression_bomb_is_refused_from_the_header(pbc, clip, results, tmp_path):
    bomb = png_header_only(clip / "line" / "0001.png", 60000, 60000)
    pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet").assert_refused(
        str(bomb), "too large"
    )
    assert not (tmp_path / "out").exists()
    predictions = shutil.copytree(results, tmp_path / "pred")
    png_header_only(predictions / "0001.png", 60000, 60000)
    pbc("eval", predictions, clip / "truth", "--json", tmp_path / "e.json").assert_refused(
        str(predictions / "0001.png"), "too large"
    )
    assert not (tmp_path / "e.json").exists()
    pbc("keyframe", "--sheet", tmp_path / "sheet", "--line", bomb,
        "--out", tmp_path / "k.png").assert_refused(str(bomb), "too large")  # fmt: skip
    assert not (tmp_path / "k.png").exists()


def test_frames_over_max_pixels_are_refused_before_decoding(pbc, clip, tmp_path):
    # 5000 x 5000 = 25 MP claimed, over the 16.8 MP default; the data would not decode
    big = png_header_only(clip / "line" / "0002.png", 5000, 5000)
    pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet").assert_refused(
        str(big), "5000x5000", "over the limit of 16777216"
    )
    small = clip / "line" / "0001.png"
    pbc("colorize", clip, "--out", tmp_path / "out", "--max-pixels", "1000",
        "--engine", "flow").assert_refused(str(clip / "line" / "0000.png"), "64x64")  # fmt: skip
    assert small.is_file() and not (tmp_path / "out").exists()


def test_synth_size_is_bounded(pbc, tmp_path):
    pbc("synth", tmp_path / "s", "--size", "60000", "--quiet").assert_refused(
        "--size 60000", "at most --size 4096"
    )
    assert not (tmp_path / "s").exists()


# ------------------------------------------------------------ OUT cannot be written


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a_file"
    path.write_text("not a folder")
    return path


def test_out_that_is_a_file_or_under_a_file(pbc, clip, results, a_file, tmp_path):
    sub = a_file / "sub"
    for out in (a_file, sub):
        pbc("colorize", clip, "--out", out, "--engine", "flow", "--quiet").assert_refused(
            str(a_file)
        )
        pbc("synth", out, "--frames", "1", "--clips-per-character", "1", "--size", "64",
            "--quiet").assert_refused(str(a_file))  # fmt: skip
        pbc("example", out, "--size", "64").assert_refused(str(a_file))
    pbc("eval", results, clip / "truth", "--json", sub / "e.json").assert_refused(str(a_file))
    pbc("eval", results, clip / "truth", "--json", tmp_path).assert_refused(
        str(tmp_path), "is a folder"
    )
    pbc("keyframe", "--sheet", tmp_path / "sheet", "--line", clip / "line" / "0000.png",
        "--out", sub / "k.png").assert_refused(str(a_file))  # fmt: skip
    assert a_file.read_text() == "not a folder"


@needs_torch
def test_train_out_that_is_a_file(pbc, a_file):
    pbc("train", "views", "--out", a_file).assert_refused(str(a_file))
    assert a_file.read_text() == "not a folder"


def test_train_and_average_without_torch_are_one_line(tmp_path):
    fake = tmp_path / "no_torch" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named torch')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), str(REPO)])}
    for argv in (
        ["train", "views", "--out", str(tmp_path / "run")],
        ["average", "a.safetensors", "b.safetensors", "--out", str(tmp_path / "c")],
    ):
        done = subprocess.run([sys.executable, "-m", "paintbucket.cli.main", *argv],
                              capture_output=True, text=True, env=env)  # fmt: skip
        Run(done.returncode, done.stdout, done.stderr).assert_refused(
            "needs PyTorch", "paintbucket[train]"
        )
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes into read-only folders")  # fmt: skip
def test_out_in_a_read_only_folder(pbc, clip, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        pbc("colorize", clip, "--out", locked / "out", "--engine", "flow").assert_refused(
            str(locked), "not writable"
        )
    finally:
        locked.chmod(0o755)


# --------------------------------------------------------------- bad option values


def test_synth_rejects_bad_rates_before_writing(pbc, tmp_path):
    for value in ("0", "nan", "-1", "inf"):
        pbc("synth", tmp_path / "s", "--fps", value, "--quiet").assert_refused("--fps")
    pbc("synth", tmp_path / "s", "--motion-scale", "nan").assert_refused("--motion-scale")
    pbc("synth", tmp_path / "s", "--frames", "0").assert_refused("--frames")
    assert not (tmp_path / "s").exists()


def test_usage_errors_are_one_line(pbc, clip, tmp_path):
    pbc("colorize", clip).assert_refused("--out", "pbc colorize --help")
    pbc("colorise", clip).assert_refused("invalid choice")
    pbc("colorize", clip, "--out", tmp_path / "o", "--mode", "sideways").assert_refused("--mode")
    pbc("colorize", clip, "--out", tmp_path / "o", "--engine", "flow",
        "--weights", "w.safetensors").assert_refused("--weights")  # fmt: skip
    pbc("example", tmp_path / "e", "--size", "100000").assert_refused("--size")
    assert not (tmp_path / "o").exists()


@needs_torch
def test_train_usage_errors_are_one_line(pbc, tmp_path):
    pbc("average", tmp_path / "a.safetensors", "--out", tmp_path / "b").assert_refused("two")
    pbc("train", "consecutive", "--out", tmp_path / "run").assert_refused("--data")
    pbc("train", "views", "--data", tmp_path, "--out", tmp_path / "run").assert_refused(
        "views renders its own data", "--data"
    )
    assert not (tmp_path / "run").exists()


@pytest.mark.skipif(_cuda_available(), reason="CUDA is available here")
def test_cuda_without_cuda(pbc, clip, tmp_path):
    pbc("colorize", clip, "--out", tmp_path / "o", "--device", "cuda",
        "--quiet").assert_refused("--device cuda")  # fmt: skip
    assert not (tmp_path / "o").exists()


@needs_torch
@pytest.mark.skipif(_cuda_available(), reason="CUDA is available here")
def test_train_cuda_without_cuda(pbc, tmp_path):
    pbc("train", "views", "--out", tmp_path / "run", "--device", "cuda").assert_refused(
        "--device cuda",
        "this torch",  # PyTorch trains, whatever ONNX Runtime has
    )
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("task", "yaml_text", "message"),
    [
        ("consecutive", "pairs:\n  crpo: 96\n", "pairs: unknown configuration key 'crpo'"),
        ("keyframe", "model:\n  widthz: [8]\n", "model: unknown configuration key 'widthz'"),
        ("views", "model: 3\n", "model: expected a mapping"),
        ("views", "- iterations\n", "expected a mapping"),
    ],
)
@needs_torch
def test_train_config_errors_in_nested_sections(pbc, clip, tmp_path, task, yaml_text, message):
    config = tmp_path / "conf.yaml"
    config.write_text(yaml_text)
    data = [] if task == "views" else ["--data", clip]  # views renders its own
    pbc("train", task, *data, "--out", tmp_path / "run", "--config",
        config).assert_refused(str(config), message)  # fmt: skip
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------------------- frame listing


def _renamed_clip(example, tmp_path, names):
    """A copy of ``example`` whose frames are renamed to ``names`` (keyframe: first)."""
    clip = tmp_path / "renamed"
    for folder in ("line", "gt"):
        (clip / folder).mkdir(parents=True)
    sources = sorted((example / "line").glob("*.png"))
    for index, name in enumerate(names):
        shutil.copy(sources[index % len(sources)], clip / "line" / f"{name}.png")
    shutil.copy(example / "gt" / "0000.png", clip / "gt" / f"{names[0]}.png")
    return clip


def test_frames_are_in_natural_order(pbc, example, tmp_path):
    names = [str(i) for i in range(1, 12)]
    clip = _renamed_clip(example, tmp_path, names)
    run = pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    references = {
        name: json.loads((tmp_path / "out" / f"{name}.json").read_text())["reference"]
        for name in names
    }
    assert references == {"1": None, **{str(i): str(i - 1) for i in range(2, 12)}}


def test_hidden_files_are_not_frames(pbc, clip, tmp_path):
    shutil.copy(clip / "line" / "0001.png", clip / "line" / ".hidden.png")
    shutil.copy(clip / "gt" / "0000.png", clip / "gt" / "._0000.png")  # macOS resource fork
    run = pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    assert "wrote 3 frames" in run.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"000{i}.{ext}" for i in range(3) for ext in ("json", "png")
    ]


def test_frame_names_differing_only_in_case_are_refused(pbc, clip, tmp_path):
    shutil.copy(clip / "line" / "0001.png", clip / "line" / "0001.PNG")
    pbc("colorize", clip, "--out", tmp_path / "out", "--engine", "flow", "--quiet").assert_refused(
        "0001", "letter case"
    )
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------- file modes and leftovers


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_results_are_readable_per_umask(pbc, example, tmp_path, umask, mode):
    run = pbc("colorize", example, "--out", tmp_path / "out", "--engine", "flow", "--quiet",
              umask=umask)  # fmt: skip
    assert run.rc == 0, run.stderr
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()}
    assert modes == {mode}


def test_rerun_removes_stale_temps_of_a_killed_run(pbc, example, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = [out / f".0001.png.{dead}_0123abcd.tmp", out / f".0001.json.{dead}_4567cdef.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    foreign = out / ".keep.tmp"  # not our naming: left alone
    foreign.write_bytes(b"")
    run = pbc("colorize", example, "--out", out, "--engine", "flow", "--quiet")
    assert run.rc == 0, run.stderr
    assert not any(path.exists() for path in stale) and foreign.exists()
