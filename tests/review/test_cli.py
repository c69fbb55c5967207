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
    assert (args.host, args.port, args.results_dir) == ("127.0.0.1", 8000, None)


def test_default_engine_is_the_one_of_pbc_colorize(parser):
    """The review starts from (and re-propagates with) the same engine as a plain
    ``pbc colorize``, not a weaker one of its own."""
    from paintbucket.choices import ENGINE_NAMES
    from paintbucket.review.session import DEFAULT_ENGINE

    colorize = parser.parse_args(["colorize", "clip", "--out", "out"])
    review = parser.parse_args(["review", "clip"])
    assert review.engine == colorize.engine == ENGINE_NAMES[0] == DEFAULT_ENGINE
    assert parser.parse_args(["review", "clip", "--engine", "flow"]).engine == "flow"


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_max_history_must_be_a_positive_integer(parser, value, capsys):
    with pytest.raises(SystemExit):
        parser.parse_args(["review", "clip", "--max-history", value])
    assert "--max-history" in capsys.readouterr().err
    assert parser.parse_args(["review", "clip", "--max-history", "5"]).max_history == 5


class FakeServer:
    """Stands in for ReviewServer: records what ``run`` asked for, serves nothing."""

    created: dict = {}

    def __init__(self, app, host, port) -> None:
        FakeServer.created = {"app": app, "host": host, "port": port, "served": False,
                              "started": False, "shut down": False}  # fmt: skip
        self.server_port = 8123

    def start(self) -> None:
        FakeServer.created["started"] = True

    def wait(self) -> None:
        FakeServer.created["served"] = FakeServer.created["started"]

    def shutdown(self) -> None:
        FakeServer.created["shut down"] = True


@pytest.fixture
def fake_server(monkeypatch):
    import paintbucket.review.server

    monkeypatch.setattr(paintbucket.review.server, "ReviewServer", FakeServer)
    return FakeServer


def test_run_colorizes_missing_results_then_serves(parser, clip, fake_server, capsys):
    shutil.rmtree(clip / "colorized")
    args = parser.parse_args(["review", str(clip), "--port", "0", "--engine", "flow"])
    assert args.run(args) == 0
    assert sorted(p.name for p in (clip / "colorized").glob("*.png")) == [
        "0000.png", "0001.png", "0002.png",
    ]  # fmt: skip
    served = fake_server.created
    assert served["host"] == "127.0.0.1" and served["served"]
    out = capsys.readouterr()
    assert "http://127.0.0.1:8123/ " in out.out and "warning" not in out.err
    # The URL comes before the colorization, whose progress the served app reports.
    assert out.out.index("http://") < out.out.index("colorizing")
    client = served["app"].test_client()
    client.environ_base["HTTP_X_PBC_TOKEN"] = served["app"].config["REVIEW_TOKEN"]
    progress = client.get("/api/progress").get_json()
    assert progress["ready"] and progress["last"]["action"] == "index"
    assert client.get("/api/clip").get_json()["engine"] == "flow"


def test_a_failure_while_starting_stops_the_server(parser, clip, fake_server):
    from paintbucket.errors import InputError

    shutil.rmtree(clip / "colorized")
    (clip / "line" / "0002.png").write_bytes(b"not a png")
    args = parser.parse_args(["review", str(clip), "--engine", "flow"])
    with pytest.raises(InputError, match="0002.png"):
        args.run(args)
    assert fake_server.created["shut down"] and not fake_server.created["served"]


def test_non_loopback_host_without_allow_remote_is_a_one_line_error(clip, tmp_path):
    """Through the installed ``pbc`` entry point; fails before colorizing or binding."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import paintbucket

    pbc = Path(sys.executable).parent / "pbc"
    if not pbc.is_file():
        pytest.skip(f"no pbc entry point next to {sys.executable}")
    env = {**os.environ, "PYTHONPATH": str(Path(paintbucket.__file__).parents[1])}
    shutil.rmtree(clip / "colorized")
    for host in ("0.0.0.0", "::", "192.0.2.7"):
        command = [str(pbc), "review", str(clip), "--host", host, "--port", "0", "--no-colorize"]
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and result.stdout == ""
        assert result.stderr.startswith(f"pbc: error: --host {host} is not a loopback")
        assert "--allow-remote" in result.stderr
    assert not (clip / "colorized").exists()


def test_allow_remote_warns_and_prints_the_token_url(parser, clip, fake_server, capsys):
    import socket

    token = "my-remote-token-0123456789"
    args = parser.parse_args(
        ["review", str(clip), "--host", "0.0.0.0", "--allow-remote", "--token", token]
    )
    assert args.run(args) == 0
    app = fake_server.created["app"]
    assert fake_server.created["host"] == "0.0.0.0" and app.config["REVIEW_TOKEN"] == token
    out = capsys.readouterr()
    assert out.out.startswith(f"pbc review: http://{socket.gethostname()}:8123/?token={token} ")
    assert out.err.startswith("pbc review: warning: serving on 0.0.0.0")
    client = app.test_client()
    assert client.get("/", headers={"Host": "review-box.lan:8123"}).status_code == 403
    page = client.get(f"/?token={token}", headers={"Host": "review-box.lan:8123"})
    assert page.status_code == 200


def test_loopback_names_need_no_allow_remote(parser, clip, fake_server, capsys):
    for host, shown in (("localhost", "localhost"), ("::1", "[::1]"), ("127.0.0.2", "127.0.0.2")):
        args = parser.parse_args(["review", str(clip), "--host", host])
        assert args.run(args) == 0
        out = capsys.readouterr()
        assert out.out.startswith(f"pbc review: http://{shown}:8123/ ") and out.err == ""


@pytest.mark.parametrize("token", ["short", "has space in it 0123456789", "ü" * 20])
def test_token_must_be_long_and_url_safe(parser, token, capsys):
    with pytest.raises(SystemExit):
        parser.parse_args(["review", "clip", "--token", token])
    assert "--token" in capsys.readouterr().err
    good = "Ab_-" * 4
    assert parser.parse_args(["review", "clip", "--token", good]).token == good


def test_no_colorize_reports_missing_results(parser, clip):
    shutil.rmtree(clip / "colorized")
    args = parser.parse_args(["review", str(clip), "--no-colorize"])
    from paintbucket.errors import InputError

    with pytest.raises(InputError, match="no result"):
        args.run(args)
