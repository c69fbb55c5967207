"""The review web app (Flask): a JSON API over :class:`ReviewSession` plus a static UI.

API (every error is ``{"error": message}`` with a 4xx status; 503 while the review is
still starting, 409 while a long operation runs and the request would conflict with it):

=======  ============================================  ===================================
GET      /api/progress                                 running long task, last one, ready
GET      /api/clip                                     names, keyframes, size, engine,
                                                       speck size, palette
GET      /api/frames?threshold=T&min_area=A            per frame: uncertain regions and
                                                       specks (regions below A pixels)
GET      /api/frames/<name>                            the frame's result JSON
GET      /api/frames/<name>/{line,result,segments}.png line art, result, segment-id map
GET      /api/frames/<name>/segments/<id>              color, confidence, candidates,
                                                       area, bounding box
POST     /api/frames/<name>/segments/<id>/paint        body ``{"color": [R, G, B, A]}``
POST     /api/frames/<name>/segments/<id>/accept       mark reviewed, confidence 1
POST     /api/frames/<name>/propagate                  re-colorize following frames (long)
GET      /api/queue?limit=N&threshold=T&min_area=A     to review: real regions, then specks
         &specks=after|hide&sort=confidence|impact     (or none); by confidence or by
                                                       (1 - confidence) x area
GET      /api/palette                                  entries: color, key, name, named_by
POST     /api/palette/recolor                          body ``{"color": C, "to": [R, G, B]}``:
                                                       the entry's new color in the whole
                                                       cut, one undo step (long)
POST     /api/palette/name                             body ``{"color": C, "name": "..."}``
GET      /api/history                                  done edits, oldest first
POST     /api/undo                                     revert the last edit
POST     /api/export                                   PNG sequences + layered PSDs (long)
=======  ============================================  ===================================

Long operations (colorizing missing results at start, propagate, recolor, export) run
one at a time; ``GET /api/progress`` reports the running one (:mod:`~paintbucket.review.tasks`).
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
    current_app,
    jsonify,
    render_template_string,
    request,
    send_from_directory,
)
from PIL import Image
from werkzeug.exceptions import HTTPException

from paintbucket.errors import InputError
from paintbucket.io.index_png import encode_index
from paintbucket.review.security import allowed_host_names, install_guards, new_token
from paintbucket.review.session import (
    DEFAULT_THRESHOLD,
    QUEUE_ORDERS,
    SPECK_MODES,
    ReviewError,
    ReviewSession,
)
from paintbucket.review.tasks import Tasks, describe

STATIC_DIR = Path(__file__).parent / "static"
#: Largest request body accepted (bytes); the API only takes small JSON objects.
MAX_BODY = 64 * 1024

log = logging.getLogger(__name__)


#: How the page shows the lines ``closegaps`` drew (opaque red on a transparent image).
JOIN_COLOR = (255, 0, 0, 255)


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


def _choice_arg(name: str, choices: tuple[str, ...]) -> str:
    raw = request.args.get(name, choices[0])
    if raw not in choices:
        raise ReviewError(f"{name} must be one of {', '.join(choices)}")
    return raw


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


def attach_session(app: Flask, session: ReviewSession) -> None:
    """Serve ``session`` from an app made with ``create_app(None, ...)``, once it is open.

    Raises
    ------
    ValueError
        If the session runs its long tasks elsewhere than the app's :class:`Tasks`.
    """
    if session.tasks is not app.extensions["review_tasks"]:
        raise ValueError("the session must share the app's Tasks")
    app.extensions["review_session"] = session


def create_app(
    session: ReviewSession | None,
    host: str = "127.0.0.1",
    token: str | None = None,
    allow_remote: bool = False,
    tasks: Tasks | None = None,
) -> Flask:
    """Build the Flask app serving ``session``.

    Parameters
    ----------
    session : ReviewSession or None
        The clip and results under review; None while they are being prepared
        (``pbc review`` colorizing missing results): the page and ``/api/progress``
        answer, the rest of the API says 503 until :func:`attach_session`.
    host : str
        The address or name the server binds; requests must name it or a loopback
        name in ``Host``.
    token : str, optional
        Session token every ``/api/`` request must carry; a random one by default.
        Read it back from ``app.config["REVIEW_TOKEN"]``.
    allow_remote : bool
        Allow a non-loopback ``host``; the page ``/`` then needs ``?token=`` too.
    tasks : Tasks, optional
        The long operations' progress; the session's by default.

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
    if tasks is None:
        tasks = session.tasks if session is not None else Tasks()
    app.extensions["review_tasks"] = tasks
    app.extensions["review_session"] = None
    if session is not None:
        attach_session(app, session)
    install_guards(app, token, allowed_host_names(host, allow_remote), allow_remote)
    _add_error_handlers(app)
    _add_page_routes(app, token)
    _add_frame_routes(app)
    _add_review_routes(app)
    return app


def _current() -> ReviewSession:
    """The request's session, or a 503 while ``pbc review`` is still preparing it."""
    session = current_app.extensions["review_session"]
    if session is None:
        progress = current_app.extensions["review_tasks"].snapshot()
        doing = progress["task"] or progress["last"] or {}
        if doing.get("error"):
            raise ReviewError(f"the review could not start: {doing['error']}", 503)
        state = f": {describe(doing)}" if doing else ""
        raise ReviewError(f"the review is starting{state}", 503)
    return session


def _body_with(*keys: str) -> dict:
    """The request's JSON object, which must have ``keys`` (else a 400 naming them)."""
    body = _json_body(required=True)
    missing = [key for key in keys if key not in body]
    if missing:
        raise ReviewError(f"body needs {', '.join(repr(key) for key in keys)}")
    return body


def _add_error_handlers(app: Flask) -> None:
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


def _add_page_routes(app: Flask, token: str) -> None:
    """The page, its icon, and the progress it polls (which works while starting)."""
    index_template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

    @app.get("/")
    def index():
        response = Response(render_template_string(index_template, token=token))
        response.headers["Cache-Control"] = "no-store"  # the page holds the token
        return response

    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(STATIC_DIR, "favicon.svg", mimetype="image/svg+xml")

    @app.get("/api/progress")
    def progress():
        ready = app.extensions["review_session"] is not None
        return jsonify(ready=ready, **app.extensions["review_tasks"].snapshot())


def _add_frame_routes(app: Flask) -> None:
    """Frames, their images and segments, and the edits of one segment or frame."""

    @app.get("/api/frames")
    def frames():
        threshold = _float_arg("threshold", DEFAULT_THRESHOLD, 0.0, 1.0)
        min_area = _int_arg("min_area", _current().speck_area, 1, 100_000_000)
        return jsonify(_current().frames(threshold, min_area))

    @app.get("/api/frames/<name>")
    def frame(name: str):
        return jsonify(_current().frame_info(name))

    @app.get("/api/frames/<name>/line.png")
    def line_png(name: str):
        session = _current()
        path = session.line_path(session.frame_name(name))
        return send_from_directory(path.parent, path.name, max_age=0)

    @app.get("/api/frames/<name>/result.png")
    def result_png(name: str):
        session = _current()
        mapped = session.mapped_result(name)  # a keyframe in recolored palette entries
        if mapped is not None:
            return _png_response(mapped)
        response = Response(session.result_path(name).read_bytes(), mimetype="image/png")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/api/frames/<name>/segments.png")
    def segments_png(name: str):
        session = _current()
        return _png_response(encode_index(session.segments(session.frame_name(name)), False))

    @app.get("/api/frames/<name>/joins.png")
    def joins_png(name: str):
        session = _current()
        joins = session.joins(session.frame_name(name))
        rgba = np.zeros((*joins.shape, 4), np.uint8)
        rgba[joins] = JOIN_COLOR
        return _png_response(rgba)

    @app.get("/api/frames/<name>/segments/<int:segment>")
    def segment(name: str, segment: int):
        return jsonify(_current().segment_info(name, segment))

    @app.post("/api/frames/<name>/segments/<int:segment>/paint")
    def paint(name: str, segment: int):
        return jsonify(_current().paint(name, segment, _body_with("color")["color"]))

    @app.post("/api/frames/<name>/segments/<int:segment>/accept")
    def accept(name: str, segment: int):
        _json_body(required=False)
        return jsonify(_current().accept(name, segment))

    @app.post("/api/frames/<name>/propagate")
    def propagate(name: str):
        _json_body(required=False)
        return jsonify(frames=_current().propagate(name))


def _add_review_routes(app: Flask) -> None:
    """The clip, the queue, the palette, the history and the export."""

    @app.get("/api/clip")
    def clip():
        return jsonify(_current().clip_summary())

    @app.get("/api/queue")
    def queue():
        session = _current()
        limit = _int_arg("limit", 200, 1, 100_000)
        threshold = _float_arg("threshold", 1.0, 0.0, 1.0)
        min_area = _int_arg("min_area", session.speck_area, 1, 100_000_000)
        specks = _choice_arg("specks", SPECK_MODES)
        order = _choice_arg("sort", QUEUE_ORDERS)
        return jsonify(session.queue(limit, threshold, min_area, specks, order))

    @app.get("/api/palette")
    def palette():
        return jsonify(_current().palette_entries())

    @app.post("/api/palette/recolor")
    def recolor():
        body = _body_with("color", "to")
        return jsonify(_current().recolor(body["color"], body["to"]))

    @app.post("/api/palette/name")
    def rename():
        body = _body_with("color", "name")
        return jsonify(_current().rename(body["color"], body["name"]))

    @app.get("/api/history")
    def history():
        return jsonify(_current().history())

    @app.post("/api/undo")
    def undo():
        _json_body(required=False)
        return jsonify(_current().undo())

    @app.post("/api/export")
    def export():
        _json_body(required=False)
        return jsonify(_current().export())
