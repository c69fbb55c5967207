"""Serving the review app on a local port (werkzeug's threaded WSGI server)."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


def start_server(app: Flask, host: str = "127.0.0.1", port: int = 8000) -> BaseWSGIServer:
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
    server : BaseWSGIServer
        Call ``server.shutdown()`` to stop it.
    """
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pbc-review", daemon=True)
    thread.start()
    return server
