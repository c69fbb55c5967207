import json
import subprocess
import sys
import time

import numpy as np
import pytest

from paintbucket.cli.main import main
from paintbucket.io import read_rgba
from paintbucket.synth.example import write_example_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_example_clip(tmp_path_factory.mktemp("cli") / "clip", frames=3, size=160)


def test_help_is_fast_and_does_not_import_heavy_modules():
    code = (
        "import sys; from paintbucket.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in ('torch', 'cv2', 'tqdm', 'numpy', 'PIL') if m in sys.modules))"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert time.perf_counter() - start < 5


def test_colorize_then_eval_end_to_end(clip, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["colorize", str(clip), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "0000.json", "0000.png", "0001.json", "0001.png", "0002.json", "0002.png"
    ]  # fmt: skip
    assert read_rgba(out / "0001.png").shape == (160, 160, 4)
    capsys.readouterr()
    assert main(["eval", str(out), str(clip / "truth"), "--json", str(tmp_path / "e.json")]) == 0
    printed = capsys.readouterr().out
    assert "Pix-B-MIoU" in printed
    summary = json.loads(printed.strip().splitlines()[-1])
    assert summary["frames"] == 2 and 0.5 < summary["acc"] <= 1.0
    saved = json.loads((tmp_path / "e.json").read_text())
    assert set(saved["per_frame"]) == {"0001", "0002"}


@pytest.mark.parametrize("seg_method", ["trappedball", "closegaps"])
def test_colorize_with_gap_closing_segmentation(clip, tmp_path, capsys, seg_method):
    out = tmp_path / "out"
    args = ["colorize", str(clip), "--out", str(out), "--quiet", "--engine", "flow"]
    assert main([*args, "--seg-method", seg_method]) == 0
    capsys.readouterr()
    assert main(["eval", str(out), str(clip / "truth")]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["frames"] == 2 and summary["acc"] > 0.5


def test_bad_input_is_one_line_and_nonzero(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "paintbucket.cli.main", "colorize", str(tmp_path / "nope"),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nope: clip folder not found" in result.stderr
    assert not (tmp_path / "out").exists()


def test_example_command(tmp_path):
    assert main(["example", str(tmp_path / "ex"), "--frames", "2", "--size", "96"]) == 0
    assert sorted(p.name for p in (tmp_path / "ex" / "line").iterdir()) == ["0000.png", "0001.png"]
    assert np.array_equal(
        read_rgba(tmp_path / "ex" / "gt" / "0000.png"),
        read_rgba(tmp_path / "ex" / "truth" / "gt" / "0000.png"),
    )
