"""The review web app (Flask): a JSON API over :class:`ReviewSession` plus a static UI.

API (every error is ``{"error": message}`` with a 4xx status):

=======  ============================================  ===================================
GET      /api/clip                                     names, keyframes, size, palette
GET      /api/frames?threshold=T                       per-frame summary
GET      /api/frames/<name>                            the frame's result JSON
GET      /api/frames/<name>/{line,result,segments}.png line art, result, segment-id map
GET      /api/frames/<name>/segments/<id>              color, confidence, candidates
POST     /api/frames/<name>/segments/<id>/paint        body ``{"color": [R, G, B, A]}``
POST     /api/frames/<name>/segments/<id>/accept       mark reviewed, confidence 1
POST     /api/frames/<name>/propagate                  re-colorize following frames
GET      /api/queue?limit=N&threshold=T                lowest confidence first
GET      /api/history                                  done edits, oldest first
POST     /api/undo                                     revert the last edit
POST     /api/export                                   PNG sequences + layered PSDs
=======  ============================================  ===================================
"""

from __future__ import annotations

import io
import logging
import math
from pathlib import Path

import numpy as np
from flask import (
    Flask,
    Response,
    jsonify,
    render_template_string,
    request,
    send_from_directory,
)
from PIL import Image
from werkzeug.exceptions import HTTPException

from paintbucket.errors import InputError
from paintbucket.io.index_png import encode_index
from paintbucket.review.export import export_clip
from paintbucket.review.security import allowed_host_names, install_guards, new_token
from paintbucket.review.session import DEFAULT_THRESHOLD, ReviewError, ReviewSession

STATIC_DIR = Path(__file__).parent / "static"
#: Largest request body accepted (bytes); the API only takes small JSON objects.
MAX_BODY = 64 * 1024

log = logging.getLogger(__name__)


def _png_response(array: np.ndarray) -> Response:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG", compress_level=1)
    response = Response(buffer.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


def _float_arg(name: str, default: float, low: float, high: float) -> float:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ReviewError(f"{name} must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ReviewError(f"{name} must be in {low}..{high}")
    return value


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # isdigit() alone accepts digits int() refuses, such as "²".
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ReviewError(f"{name} must be an integer in {low}..{high}")
    return int(raw)


def _json_body(required: bool) -> dict:
    """The request's JSON object; ``{}`` for an empty body unless ``required``."""
    data = request.get_data(cache=True)
    if not data.strip():
        if required:
            raise ReviewError("request body must be a JSON object")
        return {}
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the JSON decoder follows
        body = None
    if not isinstance(body, dict):
        raise ReviewError("request body must be a JSON object")
    return body


def create_app(
    session: ReviewSession,
    host: str = "127.0.0.1",
    token: str | None = None,
    allow_remote: bool = False,
) -> Flask:
    """Build the Flask app serving ``session``.

    Parameters
    ----------
    session : ReviewSession
        The clip and results under review.
    host : str
        The address or name the server binds; requests must name it or a loopback
        name in ``Host``.
    token : str, optional
        Session token every ``/api/`` request must carry; a random one by default.
        Read it back from ``app.config["REVIEW_TOKEN"]``.
    allow_remote : bool
        Allow a non-loopback ``host``; the page ``/`` then needs ``?token=`` too.

    Returns
    -------
    app : Flask
        Use ``app.test_client()`` in tests, or serve it with
        :func:`paintbucket.review.server.start_server`.

    Raises
    ------
    ValueError
        ``host`` is not a loopback address and ``allow_remote`` is false.
    """
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config["JSON_SORT_KEYS"] = False
    app.config["REVIEW_TOKEN"] = token = token or new_token()
    app.extensions["review_session"] = session
    install_guards(app, token, allowed_host_names(host, allow_remote), allow_remote)
    index_template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

    @app.errorhandler(ReviewError)
    def review_error(error: ReviewError):
        return jsonify(error=error.message), error.status

    @app.errorhandler(InputError)
    def input_error(error: InputError):
        # A result file changed or broke on disk while the app was running.
        return jsonify(error=str(error)), 409

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description or error.name), error.code or 400

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        log.exception("review: unexpected error")
        return jsonify(error=f"internal error: {error.__class__.__name__}"), 500

    @app.get("/")
    def index():
        response = Response(render_template_string(index_template, token=token))
        response.headers["Cache-Control"] = "no-store"  # the page holds the token
        return response

    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(STATIC_DIR, "favicon.svg", mimetype="image/svg+xml")

    @app.get("/api/clip")
    def clip():
        return jsonify(session.clip_summary())

    @app.get("/api/frames")
    def frames():
        return jsonify(session.frames(_float_arg("threshold", DEFAULT_THRESHOLD, 0.0, 1.0)))

    @app.get("/api/frames/<name>")
    def frame(name: str):
        return jsonify(session.frame_info(name))

    @app.get("/api/frames/<name>/line.png")
    def line_png(name: str):
        path = session.line_path(session.frame_name(name))
        return send_from_directory(path.parent, path.name, max_age=0)

    @app.get("/api/frames/<name>/result.png")
    def result_png(name: str):
        path = session.result_path(session.frame_name(name))
        response = Response(path.read_bytes(), mimetype="image/png")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/api/frames/<name>/segments.png")
    def segments_png(name: str):
        return _png_response(encode_index(session.segments(session.frame_name(name)), False))

    @app.get("/api/frames/<name>/segments/<int:segment>")
    def segment(name: str, segment: int):
        return jsonify(session.segment_info(name, segment))

    @app.post("/api/frames/<name>/segments/<int:segment>/paint")
    def paint(name: str, segment: int):
        body = _json_body(required=True)
        if "color" not in body:
            raise ReviewError('body needs "color": [R, G, B, A]')
        return jsonify(session.paint(name, segment, body["color"]))

    @app.post("/api/frames/<name>/segments/<int:segment>/accept")
    def accept(name: str, segment: int):
        _json_body(required=False)
        return jsonify(session.accept(name, segment))

    @app.post("/api/frames/<name>/propagate")
    def propagate(name: str):
        _json_body(required=False)
        return jsonify(frames=session.propagate(name))

    @app.get("/api/queue")
    def queue():
        limit = _int_arg("limit", 200, 1, 100_000)
        return jsonify(session.queue(limit, _float_arg("threshold", 1.0, 0.0, 1.0)))

    @app.get("/api/history")
    def history():
        return jsonify(session.history())

    @app.post("/api/undo")
    def undo():
        _json_body(required=False)
        return jsonify(session.undo())

    @app.post("/api/export")
    def export():
        _json_body(required=False)
        return jsonify(export_clip(session))

    return app
