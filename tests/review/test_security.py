"""Who may read and edit a running review: real HTTP against a live server on port 0."""

from __future__ import annotations

import http.client
import json
import socket

import pytest

# The review app needs the `review` extra (Flask, psd-tools); skip cleanly without it.
pytest.importorskip("flask")
pytest.importorskip("psd_tools")
pytest.importorskip("waitress")

PAINT = "/api/frames/0001/segments/1/paint"
#: Every GET of the API (besides images), the newer ones with their parameters.
API_GETS = [
    "/api/clip", "/api/progress", "/api/palette", "/api/history", "/api/frames/0001",
    "/api/frames?threshold=0.5&min_area=5", "/api/queue?specks=hide&sort=impact&min_area=5",
]  # fmt: skip


def send(live, method: str, path: str, body: str | bytes | None = None, headers=None):
    """One request over a fresh connection: ``(status, headers, body bytes)``."""
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def json_error(headers, body: bytes) -> str:
    assert headers.get_content_type() == "application/json"
    message = json.loads(body)["error"]
    assert isinstance(message, str) and message
    return message


@pytest.fixture
def saved_state(clip):
    """``saved_state()``: bytes of frame 0001's result PNG and JSON, the undo entries,
    whether the palette file and the export exist."""
    from paintbucket.review.palette import PALETTE_FILE

    out = clip / "colorized"

    def snapshot():
        history = out / ".review" / "history"
        entries = sorted(p.name for p in history.iterdir()) if history.is_dir() else []
        return ((out / "0001.png").read_bytes(), (out / "0001.json").read_bytes(), entries,
                (out / PALETTE_FILE).exists(), (out / "export").exists())  # fmt: skip

    return snapshot


@pytest.fixture
def paint_body(session, other_color) -> str:
    """A valid paint of segment 1 of frame 0001 (a palette color it does not have)."""
    return json.dumps({"color": other_color(session.frame_info("0001")["colors"]["1"])})


@pytest.fixture
def edits(paint_body) -> list[tuple[str, str]]:
    """A valid body for every POST of the API: each would change files if obeyed."""
    body_blue = [88, 140, 214, 255]
    return [
        (PAINT, paint_body),
        ("/api/frames/0001/segments/1/accept", "{}"),
        ("/api/frames/0000/propagate", "{}"),
        ("/api/palette/recolor", json.dumps({"color": body_blue, "to": [200, 90, 30]})),
        ("/api/palette/name", json.dumps({"color": body_blue, "name": "body"})),
        ("/api/undo", "{}"),
        ("/api/export", "{}"),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        # The attack of the issue: a simple (no preflight) cross-site POST.
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        {"Origin": "null", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
    ],
)
@pytest.mark.parametrize("with_token", [False, True])
def test_cross_origin_posts_are_refused_and_nothing_is_saved(
    live_server, saved_state, edits, headers, with_token
):
    if with_token:  # even a leaked token does not let another site edit
        headers = {**headers, "X-PBC-Token": live_server.token, "Content-Type": "application/json"}
    before = saved_state()
    for path, body in edits:
        status, response_headers, data = send(live_server, "POST", path, body, headers)
        assert status == 403, data
        json_error(response_headers, data)
    assert saved_state() == before


@pytest.mark.parametrize("token", [None, "", "wrong-token-0123456789abcdef", "ÿ" * 43])
def test_missing_or_wrong_token_is_refused(live_server, saved_state, paint_body, token):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-PBC-Token"] = token.encode("latin-1")
    before = saved_state()
    status, response_headers, data = send(live_server, "POST", PAINT, paint_body, headers)
    assert status == 403 and "token" in json_error(response_headers, data)
    assert saved_state() == before
    for path in API_GETS:
        status, response_headers, data = send(live_server, "GET", path, None, headers)
        assert status == 403 and "token" in json_error(response_headers, data), path


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_non_json_bodies_are_415_even_with_the_token(live_server, saved_state, edits, content_type):
    headers = {"X-PBC-Token": live_server.token}
    if content_type:
        headers["Content-Type"] = content_type
    before = saved_state()
    for path, body in edits:
        status, response_headers, data = send(live_server, "POST", path, body, headers)
        assert status == 415, data
        assert "application/json" in json_error(response_headers, data)
    assert saved_state() == before


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil:{port}"])
def test_foreign_host_is_refused(live_server, saved_state, edits, host):
    host = host.format(port=live_server.port)
    token_json = {"X-PBC-Token": live_server.token, "Content-Type": "application/json"}
    before = saved_state()
    requests = [("GET", "/", None), *(("GET", path, None) for path in API_GETS),
                *(("POST", path, body) for path, body in edits)]  # fmt: skip
    for method, path, body in requests:
        status, response_headers, data = send(
            live_server, method, path, body, {**token_json, "Host": host}
        )
        assert status == 403, (method, path, data)
        assert "Host" in json_error(response_headers, data)
    assert saved_state() == before


def test_the_page_carries_the_token_and_a_json_post_with_it_edits(
    live_server, saved_state, paint_body
):
    before = saved_state()
    for host in (f"127.0.0.1:{live_server.port}", f"localhost:{live_server.port}", "[::1]"):
        status, _, page = send(live_server, "GET", "/", None, {"Host": host})
        assert status == 200
        assert f'<meta name="pbc-token" content="{live_server.token}">' in page.decode()
    status, headers, image = send(
        live_server, "GET", f"/api/frames/0001/line.png?token={live_server.token}"
    )
    assert status == 200 and headers.get_content_type() == "image/png"  # fmt: skip
    headers = {
        "X-PBC-Token": live_server.token,
        "Content-Type": "application/json",
        "Origin": live_server.url,  # what a browser sends with the page's own POST
        "Sec-Fetch-Site": "same-origin",
    }
    status, _, data = send(live_server, "POST", PAINT, paint_body, headers)
    assert status == 200, data
    after = saved_state()
    assert after[0] != before[0] and len(after[2]) == 1
    status, _, data = send(live_server, "POST", "/api/undo", "", headers)  # empty body is {}
    assert status == 200, data
    assert saved_state()[:2] == before[:2]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/queue?limit=%C2%B2", None),  # "²": str.isdigit() but not int()
        ("GET", "/api/queue?limit=%D9%A3", None),  # Arabic-Indic three
        ("POST", PAINT, "[" * 20_000),
        ("POST", PAINT, '{"color": ' + "[" * 20_000 + "]" * 20_000 + "}"),
    ],
)
def test_odd_query_and_deeply_nested_json_are_400(live_server, saved_state, method, path, body):
    headers = {"X-PBC-Token": live_server.token, "Content-Type": "application/json"}
    before = saved_state()
    status, response_headers, data = send(live_server, method, path, body, headers)
    assert status == 400, data
    json_error(response_headers, data)
    assert saved_state() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS hello on plain HTTP
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: many\r\n\r\n",
    ],
)
def test_malformed_raw_requests_get_an_http_status_line(live_server, raw):
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as connection:
        connection.sendall(raw)
        reply = b""
        while b"\r\n" not in reply:
            chunk = connection.recv(4096)
            if not chunk:
                break
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0].decode("latin-1")
    version, status, _ = status_line.split(" ", 2)
    assert version in ("HTTP/1.0", "HTTP/1.1") and status == "400", reply[:200]


def test_a_huge_body_is_refused_before_it_is_read(live_server):
    headers = {"Content-Length": str(1 << 30), "Content-Type": "application/json"}
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as connection:
        head = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
        connection.sendall(f"POST /api/undo HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        connection.sendall(b"{" * 65536)  # the rest of the gigabyte never comes
        reply = connection.recv(4096)
    assert reply.split(b"\r\n", 1)[0].split(b" ")[1] == b"413", reply[:200]


def test_security_headers_and_favicon(live_server):
    token = f"token={live_server.token}"
    paths = ["/", "/static/app.js", "/favicon.ico", f"/api/nope?{token}", f"/api/clip?{token}"]
    for path in [*paths, "/api/clip"]:
        status, headers, _ = send(live_server, "GET", path)
        assert status in (200, 403, 404), path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
    status, headers, icon = send(live_server, "GET", "/favicon.ico")
    assert status == 200 and headers.get_content_type() == "image/svg+xml" and b"<svg" in icon


def test_remote_access_needs_the_token_for_the_page_and_accepts_any_host(session):
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    with pytest.raises(ValueError, match="not a loopback address"):
        create_app(session, host="0.0.0.0")
    token = "remote-token-0123456789"
    app = create_app(session, host="0.0.0.0", token=token, allow_remote=True)
    server = start_server(app, "127.0.0.1", 0)
    try:
        live = type("Live", (), {"port": server.server_port})
        lan = {"Host": f"review-box.lan:{server.server_port}"}
        assert send(live, "GET", "/", None, lan)[0] == 403
        assert send(live, "GET", "/?token=remote-token-0123456780", None, lan)[0] == 403
        status, _, page = send(live, "GET", f"/?token={token}", None, lan)
        assert status == 200 and token in page.decode()
        assert send(live, "GET", "/api/clip", None, lan)[0] == 403
        assert send(live, "GET", "/api/clip", None, {**lan, "X-PBC-Token": token})[0] == 200
    finally:
        server.shutdown()


def test_a_named_remote_host_is_accepted_besides_loopback(session):
    from paintbucket.review.app import create_app

    app = create_app(session, host="192.0.2.7", allow_remote=True)
    client = app.test_client()
    token = {"X-PBC-Token": app.config["REVIEW_TOKEN"]}
    for host, status in (("192.0.2.7:8000", 200), ("localhost:8000", 200), ("other.lan", 403)):
        assert client.get("/api/clip", headers={**token, "Host": host}).status_code == status


def test_the_new_endpoints_answer_a_same_origin_request_with_the_token(live_server, saved_state):
    """The positive side of the checks above for the palette and progress endpoints."""
    headers = {
        "X-PBC-Token": live_server.token,
        "Content-Type": "application/json",
        "Origin": live_server.url,
        "Sec-Fetch-Site": "same-origin",
    }
    before = saved_state()
    body = json.dumps({"color": [88, 140, 214, 255], "name": "body"})
    status, _, data = send(live_server, "POST", "/api/palette/name", body, headers)
    assert status == 200, data
    assert saved_state()[3] and not before[3]  # the palette file was written
    for path in API_GETS:
        status, response_headers, data = send(live_server, "GET", path, None, headers)
        assert status == 200, (path, data)
        assert response_headers.get_content_type() == "application/json"
        assert response_headers["X-Frame-Options"] == "DENY"


def test_while_starting_the_same_checks_come_before_the_503(clip):
    """``pbc review`` serves the page and /api/progress before the session exists; the
    Host, origin, token and JSON rules hold then too."""
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    app = create_app(None)
    server = start_server(app, "127.0.0.1", 0)
    try:
        live = type("Live", (), {"port": server.server_port})
        token = {"X-PBC-Token": app.config["REVIEW_TOKEN"]}
        assert send(live, "GET", "/api/progress")[0] == 403
        status, _, data = send(live, "GET", "/api/progress", None, token)
        assert status == 200 and json.loads(data)["ready"] is False
        assert send(live, "GET", "/api/progress", None, {**token, "Host": "evil.example"})[0] == 403
        recolor = json.dumps({"color": [88, 140, 214, 255], "to": [1, 2, 3]})
        evil = {**token, "Content-Type": "text/plain", "Origin": "http://evil.example"}
        assert send(live, "POST", "/api/palette/recolor", recolor, evil)[0] == 403
        plain = {**token, "Content-Type": "text/plain"}
        assert send(live, "POST", "/api/palette/recolor", recolor, plain)[0] == 415
        status, headers, data = send(live, "GET", "/api/clip", None, token)
        assert status == 503 and "starting" in json_error(headers, data)
    finally:
        server.shutdown()
