"""Serving the review app with waitress (a production WSGI server) on a local port.

waitress answers malformed HTTP with proper ``400 Bad Request`` responses, unlike the
development server of werkzeug.
"""

from __future__ import annotations

import threading

import waitress
from flask import Flask
from waitress import trigger, wasyncore

#: Seconds one poll of the sockets may wait; bounds how late a missed wake-up is seen.
POLL_TIMEOUT = 1.0
#: Largest body waitress reads before answering 413 itself (the app answers 413 as JSON
#: above its own, smaller limit), so a huge upload is never buffered.
MAX_REQUEST_BODY = 1 << 20


class ReviewServer:
    """The review app served by waitress, stoppable from another thread.

    Parameters
    ----------
    app : Flask
        The app of :func:`paintbucket.review.app.create_app`.
    host : str
        Interface to bind.
    port : int
        TCP port; 0 picks a free one (read it back from ``server_port``).
    threads : int
        Worker threads handling requests.

    Attributes
    ----------
    server_port : int
        The bound port (the first one when a name resolves to several addresses).
    """

    def __init__(self, app: Flask, host: str, port: int, threads: int = 8) -> None:
        self._socket_map: dict = {}
        self._server = waitress.create_server(
            app,
            map=self._socket_map,
            host=host,
            port=port,
            threads=threads,
            ident="pbc-review",
            asyncore_use_poll=True,
            max_request_body_size=MAX_REQUEST_BODY,
        )
        # A single server has effective_port; one per address of a name has effective_listen.
        listen = getattr(self._server, "effective_listen", None)
        self.server_port = int(listen[0][1] if listen else self._server.effective_port)
        self._wake = trigger.trigger(self._socket_map)
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._started = False
        # The loop may stop at a poll timeout and close the sockets, the trigger's pipe
        # included, just as shutdown() pulls that trigger: one at a time.
        self._closing = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Run :meth:`serve_forever` in a background daemon thread."""
        self._started = True
        threading.Thread(target=self.serve_forever, name="pbc-review", daemon=True).start()

    def serve_forever(self) -> None:
        """Serve requests until :meth:`shutdown` (or an exception such as Ctrl+C)."""
        self._started = True
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=POLL_TIMEOUT, use_poll=True, map=self._socket_map, count=1)
        finally:
            self._close()
            self._stopped.set()

    def wait(self) -> None:
        """Block until the server has stopped (:meth:`shutdown` from another thread);
        Ctrl+C interrupts the wait."""
        while not self._stopped.wait(POLL_TIMEOUT):
            pass

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (running in another thread) and close the sockets."""
        if self._stopped.is_set():
            return
        self._stop.set()
        if self._started:
            with self._closing:
                if not self._closed:
                    self._wake.pull_trigger()
            self._stopped.wait()
        else:
            self._close()
            self._stopped.set()

    def _close(self) -> None:
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._socket_map)


def start_server(app: Flask, host: str = "127.0.0.1", port: int = 8000) -> ReviewServer:
    """Serve ``app`` in a background daemon thread.

    Parameters
    ----------
    app : Flask
    host : str
        Interface to bind; the loopback interface by default so the app (which can
        rewrite files) is not reachable from other machines.
    port : int
        TCP port; 0 picks a free one (read it back from ``server.server_port``).

    Returns
    -------
    server : ReviewServer
        Call ``server.shutdown()`` to stop it.
    """
    server = ReviewServer(app, host, port)
    server.start()
    return server
