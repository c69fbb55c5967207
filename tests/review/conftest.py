"""Fixtures for the review app: a small colorized example clip, a test client and a
live server on a free loopback port."""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from paintbucket.io.images import read_rgba
from paintbucket.pipeline.clip import colorize_clip
from paintbucket.synth.example import write_example_clip


@pytest.fixture(scope="session")
def colorized_template(tmp_path_factory) -> Path:
    """Example clip (3 frames, 160 px) with flow-engine results in ``colorized/``."""
    root = tmp_path_factory.mktemp("template") / "clip"
    write_example_clip(root, frames=3, size=160)
    colorize_clip(root, root / "colorized", engine="flow", progress=False)
    return root


#: Side of the production-size test frames (the issue's laughing_girl is 1600 x 1600).
PRODUCTION_SIZE = 1600
#: Drawn into the paper of the non-key production frames: a thin "hair curl" (a channel
#: 2 px wide, 59 long, between 1-px lines), and closed loops around square holes of
#: these sides (1, 4, 9, 25, 36 and 100 px segments).
THIN_CHANNEL = (200, 160, 61, 4)  # x, y, width, height of its outline
HOLE_SIDES = (1, 2, 3, 5, 6, 10)
#: The confidence the production fixture gives its stamped segments, by area: specks
#: lowest, as in real results (laughing_girl: 42 of the first 60 are <= 5 px).
STAMPED_CONFIDENCE = {1: 0.2, 4: 0.25, 9: 0.3, 25: 0.35, 36: 0.4, 100: 0.55, 118: 0.5}


def _outline(line: np.ndarray, x: int, y: int, width: int, height: int) -> None:
    black = (0, 0, 0, 255)
    line[y, x : x + width] = black
    line[y + height - 1, x : x + width] = black
    line[y : y + height, x] = black
    line[y : y + height, x + width - 1] = black


def stamp_review_cases(line: np.ndarray) -> list[tuple[int, int]]:
    """Draw the thin channel and the holes of :data:`HOLE_SIDES` into ``line``.

    Returns
    -------
    inside : list of (x, y)
        A pixel inside the channel, then one inside each hole.
    """
    _outline(line, *THIN_CHANNEL)
    inside = [(THIN_CHANNEL[0] + 30, THIN_CHANNEL[1] + 1)]
    x = 400
    for side in HOLE_SIDES:
        _outline(line, x, 160, side + 2, side + 2)
        inside.append((x + 1, 161))
        x += side + 12
    return inside


@pytest.fixture(scope="session")
def production_template(tmp_path_factory) -> Path:
    """Example clip of 3 frames at 1600 x 1600 px, flow-engine results in ``colorized/``;
    frames 0001 and 0002 carry :func:`stamp_review_cases`, whose segments get
    :data:`STAMPED_CONFIDENCE` in the result JSON."""
    import json

    from paintbucket.io.images import write_png
    from paintbucket.segment.regions import segment_line_art

    root = tmp_path_factory.mktemp("production") / "clip"
    write_example_clip(root, frames=3, size=PRODUCTION_SIZE)
    for name in ("0001", "0002"):
        line = read_rgba(root / "line" / f"{name}.png")
        stamp_review_cases(line)
        write_png(root / "line" / f"{name}.png", line)
    colorize_clip(root, root / "colorized", engine="flow", progress=False)
    for name in ("0001", "0002"):
        ids = segment_line_art(read_rgba(root / "line" / f"{name}.png"))
        areas = np.bincount(ids.ravel())
        path = root / "colorized" / f"{name}.json"
        info = json.loads(path.read_text())
        line = read_rgba(root / "line" / f"{name}.png")
        for x, y in stamp_review_cases(line):
            sid = int(ids[y, x])
            info["confidence"][str(sid)] = STAMPED_CONFIDENCE[int(areas[sid])]
        path.write_text(json.dumps(info))
    return root


@pytest.fixture
def production_clip(production_template, tmp_path) -> Path:
    """A fresh copy of the 1600-px clip for one test."""
    return Path(shutil.copytree(production_template, tmp_path / "production"))


@pytest.fixture
def clip(colorized_template, tmp_path) -> Path:
    """A fresh copy of the colorized example clip for one test."""
    return Path(shutil.copytree(colorized_template, tmp_path / "clip"))


class GatedEngine:
    """The flow engine, waiting for the test's go before each call, so a test can look
    at a long operation while it runs."""

    name = "flow"

    def __init__(self) -> None:
        from paintbucket.consecutive import make_engine

        self.inner = make_engine("flow")
        self.started = threading.Semaphore(0)  # released when a call starts
        self.go = threading.Semaphore(0)  # the test releases one per call
        self.targets: list = []  # the frames called for, each once, in order
        self.opened = False

    def __call__(self, reference, target):
        if not self.targets or self.targets[-1] is not target:
            self.targets.append(target)
        self.started.release()
        if not self.opened and not self.go.acquire(timeout=120):
            raise TimeoutError("the test never let the engine go on")
        return self.inner(reference, target)

    def wait_started(self) -> None:
        assert self.started.acquire(timeout=60), "the engine was never called"

    def next_frame(self) -> None:
        """Let calls go until the engine starts on another frame (an anchored chain
        colors a frame from several references)."""
        frames = len(self.targets)
        while len(self.targets) == frames:
            self.go.release()
            self.wait_started()

    def open(self) -> None:
        """Let every call go from now on."""
        self.opened = True
        for _ in range(100):
            self.go.release()


@pytest.fixture
def gated_engine() -> GatedEngine:
    return GatedEngine()


@pytest.fixture
def session(clip):
    from paintbucket.review.session import ReviewSession

    return ReviewSession(clip, clip / "colorized", engine="flow")


@pytest.fixture
def client(session):
    """Flask test client sending the app's session token with every request."""
    from paintbucket.review.app import create_app
    from paintbucket.review.security import TOKEN_HEADER

    app = create_app(session)
    test_client = app.test_client()
    header = "HTTP_" + TOKEN_HEADER.upper().replace("-", "_")
    test_client.environ_base[header] = app.config["REVIEW_TOKEN"]
    return test_client


@dataclass(frozen=True)
class LiveServer:
    """A review app served by :func:`paintbucket.review.server.start_server`."""

    url: str  # http://127.0.0.1:PORT
    port: int
    token: str
    app: Any  # the Flask app served


@pytest.fixture
def live_server(session):
    """The review of ``session`` served over real HTTP on a free port of 127.0.0.1."""
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    app = create_app(session)
    server = start_server(app, "127.0.0.1", 0)
    try:
        port = server.server_port
        yield LiveServer(f"http://127.0.0.1:{port}", port, app.config["REVIEW_TOKEN"], app)
    finally:
        server.shutdown()


@pytest.fixture
def read_result(clip):
    """``read_result(name)``: the result PNG of a frame as (H, W, 4) uint8."""

    def read(name: str) -> np.ndarray:
        return read_rgba(clip / "colorized" / f"{name}.png")

    return read


@pytest.fixture
def other_color(session):
    """``other_color(color)``: an opaque, non-black palette color other than ``color``."""

    def pick(color: list[int]) -> list[int]:
        for candidate in session.palette.tolist():
            if candidate != list(color) and candidate[3] == 255 and candidate != [0, 0, 0, 255]:
                return candidate
        raise AssertionError("palette has no other color")

    return pick
