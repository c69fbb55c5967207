"""``pbc review`` command line: options, default results folder, colorizing on demand."""

from __future__ import annotations

import shutil

import pytest

# The review app needs the `review` extra (Flask, psd-tools); skip cleanly without it.
pytest.importorskip("flask")
pytest.importorskip("psd_tools")

from paintbucket.cli import main as cli_main


@pytest.fixture
def parser():
    return cli_main.build_parser()


def test_defaults_bind_to_loopback(parser):
    args = parser.parse_args(["review", "clip"])
    assert (args.host, args.port, args.results_dir, args.engine) == (
        "127.0.0.1",
        8000,
        None,
        "flow",
    )


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_max_history_must_be_a_positive_integer(parser, value, capsys):
    with pytest.raises(SystemExit):
        parser.parse_args(["review", "clip", "--max-history", value])
    assert "--max-history" in capsys.readouterr().err
    assert parser.parse_args(["review", "clip", "--max-history", "5"]).max_history == 5


def test_run_colorizes_missing_results_then_serves(parser, clip, monkeypatch, capsys):
    import werkzeug.serving

    shutil.rmtree(clip / "colorized")
    served = {}

    class FakeServer:
        server_port = 8123

        def serve_forever(self) -> None:
            served["yes"] = True

        def server_close(self) -> None:
            pass

    def fake_make_server(host, port, app, threaded):
        served.update(host=host, port=port, app=app)
        return FakeServer()

    monkeypatch.setattr(werkzeug.serving, "make_server", fake_make_server)
    args = parser.parse_args(["review", str(clip), "--port", "0"])
    assert args.run(args) == 0
    assert sorted(p.name for p in (clip / "colorized").glob("*.png")) == [
        "0000.png", "0001.png", "0002.png",
    ]  # fmt: skip
    assert served["host"] == "127.0.0.1" and served["yes"]
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_no_colorize_reports_missing_results(parser, clip):
    shutil.rmtree(clip / "colorized")
    args = parser.parse_args(["review", str(clip), "--no-colorize"])
    from paintbucket.errors import InputError

    with pytest.raises(InputError, match="no result"):
        args.run(args)
