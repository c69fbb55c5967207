"""``pbc batch`` and ``pbc synth --workers``: what is refused before any work, in one
line (no Ray started)."""

from __future__ import annotations

import sys

import pytest

from paintbucket.cli.main import main
from tests.batch.conftest import make_episode


def _refused(capsys, *fragments: str) -> None:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("pbc: error: ")
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize(
    "command",
    [["batch", "{episode}", "--out", "{out}"], ["synth", "{out}", "--workers", "2"]],
)
def test_missing_ray_is_one_line_saying_how_to_install_it(tmp_path, capsys, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    episode = make_episode(tmp_path / "ep", ["c1"])
    args = [a.format(episode=episode, out=tmp_path / "out") for a in command]
    assert main(args) == 2
    _refused(capsys, 'needs Ray: pip install "paintbucket[cluster]"')
    assert not (tmp_path / "out").exists()


def test_bad_batch_inputs_are_refused_before_any_work(tmp_path, capsys):
    pytest.importorskip("ray")
    episode = make_episode(tmp_path / "ep", ["c1"])
    cases = [
        (["--out", str(episode)], f"{episode}: is one of the inputs"),
        (["--out", str(tmp_path / "o"), "--engine", "flow", "--weights", "w"],
         "--weights only applies to --engine inclusion"),
        (["--out", str(tmp_path / "o"), "--address", "127.0.0.1:1"],
         "--address 127.0.0.1:1: no Ray cluster answers"),
    ]  # fmt: skip
    for options, message in cases:
        assert main(["batch", str(episode), *options, "--quiet"]) == 2
        _refused(capsys, message)
    assert main(["batch", str(tmp_path / "ep" / "c1" / "line"), "--out", str(tmp_path / "o")]) == 2
    _refused(capsys, "no folder under", "holds a line/ folder")
    assert not (tmp_path / "o").exists()
