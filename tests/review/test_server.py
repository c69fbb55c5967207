"""The waitress server around the review app: starting and stopping it."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("flask")
pytest.importorskip("waitress")


def test_shutdown_as_the_loop_stops_on_its_own_closes_nothing_twice(session):
    """The serving loop can see the stop flag at its poll timeout and close the sockets
    (the wake-up pipe included) between shutdown() setting the flag and pulling that
    pipe; the shutdown must then not write to the closed pipe (EBADF, or another file
    that took its number)."""
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    server = start_server(create_app(session), "127.0.0.1", 0)

    class LoopStopsFirst(threading.Event):
        def set(self) -> None:
            super().set()
            assert server._stopped.wait(10), "the loop did not stop at its poll timeout"

    server._stop = LoopStopsFirst()
    server.shutdown()
    assert server._stopped.is_set()
    server.shutdown()  # a second one does nothing
