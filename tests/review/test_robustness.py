"""1,000 random and malicious requests: never a 5xx, never a lost edit."""

from __future__ import annotations

import json

import numpy as np
import pytest

# The review app needs the `review` extra (Flask, psd-tools); skip cleanly without it.
pytest.importorskip("flask")
pytest.importorskip("psd_tools")

from paintbucket.io.images import read_rgba

NAMES = ["0000", "0001", "0002"]
BAD_NAMES = [
    "..", "...", "../gt/0000", "..%2Fgt%2F0000", "%2e%2e", "0001.png", "/etc/passwd",
    "..\\..\\windows", "%00", "0001%00", "colorized", ".review", "line", "ÿ", "0" * 300,
    "%252e%252e%252f", "export", "-1", " ", "0001;rm", "<script>",
]  # fmt: skip
BODIES = [
    None, "", "{", "[]", "null", "1", '"color"', "{}", '{"color": null}', '{"color": []}',
    '{"color": [0, 0, 0]}', '{"color": [0, 0, 0, 0, 0]}', '{"color": [-1, 0, 0]}',
    '{"color": [1.5, 0, 0]}', '{"color": ["1", "2", "3"]}', '{"color": [1e99, 0, 0]}',
    '{"color": {"r": 1}}', '{"colour": [0, 0, 0, 0]}', "\u0000\u0001", '{"color": [256, 0, 0]}',
]  # fmt: skip


def random_request(rng: np.random.Generator, palette: list[list[int]], protect: tuple[str, int]):
    """One random request; never a valid undo, propagate or recolor (they legitimately
    rewrite frames) and never a valid paint of the protected segment."""
    name = str(rng.choice(NAMES + BAD_NAMES))
    segment = str(rng.choice(["0", "1", "5", "27", "30", "31", "99999", "-4", "x", "1.5", "%20"]))
    kind = int(rng.integers(0, 12))
    if kind == 0:
        return "get", f"/api/frames/{name}", None
    if kind == 1:
        return "get", f"/api/frames/{name}/{rng.choice(['line', 'result', 'segments'])}.png", None
    if kind == 2:
        return "get", f"/api/frames/{name}/segments/{segment}", None
    if kind == 3:
        limit = rng.choice(["1", "0", "-1", "abc", "5", "1e9", "%00"])
        thr = rng.choice(["0.5", "nan", "inf", "-1", "2", "x", "1"])
        area = rng.choice(["1", "26", "0", "-5", "1e3", "x", "99999999999"])
        specks = rng.choice(["after", "hide", "first", ""])
        order = rng.choice(["confidence", "impact", "area", "%00"])
        return "get", (f"/api/queue?limit={limit}&threshold={thr}&min_area={area}"
                       f"&specks={specks}&sort={order}"), None  # fmt: skip
    if kind in (4, 5):
        if rng.random() < 0.5:
            body = json.dumps({"color": palette[int(rng.integers(len(palette)))]})
        elif rng.random() < 0.5:
            body = json.dumps({"color": rng.integers(-5, 300, int(rng.integers(0, 6))).tolist()})
        else:
            body = BODIES[int(rng.integers(len(BODIES)))]
        if (name, segment) == (protect[0], str(protect[1])):
            segment = "99999"
        return "post", f"/api/frames/{name}/segments/{segment}/paint", body
    if kind == 6:
        return "post", f"/api/frames/{name}/segments/{segment}/accept", None
    if kind == 7:
        bad = BAD_NAMES[int(rng.integers(len(BAD_NAMES)))]
        return "post", f"/api/frames/{bad}/propagate", BODIES[int(rng.integers(len(BODIES)))]
    if kind == 8:
        method = str(rng.choice(["get", "put", "delete", "patch"]))
        return method, str(rng.choice(["/api/undo", "/api/export", "/api/clip", "/api/nope"])), None
    if kind == 9:
        area = rng.choice(["1", "26", "0", "x"])
        path = rng.choice(["/api/progress", "/api/palette", f"/api/frames?min_area={area}"])
        return "get", str(path), None
    if kind == 10:
        # Invalid recolors and names: a malformed body, a color not in the palette, a new
        # color that is not opaque or not a color, a name too long or not text.
        color = palette[int(rng.integers(len(palette)))]
        body = rng.choice([
            BODIES[int(rng.integers(len(BODIES)))],
            json.dumps({"color": rng.integers(-5, 300, 4).tolist(), "to": [1, 2, 3]}),
            json.dumps({"color": color, "to": [*rng.integers(0, 256, 3).tolist(), 0]}),
            json.dumps({"color": color, "to": BODIES[int(rng.integers(len(BODIES)))]}),
            json.dumps({"color": color, "name": "x" * int(rng.integers(61, 200))}),
            json.dumps({"color": color, "name": rng.integers(0, 9, 3).tolist()}),
            json.dumps({"color": color, "name": "a\u0000b"}),
        ])  # fmt: skip
        return "post", str(rng.choice(["/api/palette/recolor", "/api/palette/name"])), body
    junk = "".join(rng.choice(list("abc/.%0123_-?=&")) for _ in range(int(rng.integers(1, 40))))
    return "get", "/" + junk.lstrip("/"), None


def test_random_requests_never_5xx_and_keep_the_edit(client, session, clip, other_color):
    first = client.get("/api/queue?limit=1").get_json()[0]
    name, sid = first["frame"], first["segment"]
    color = other_color(session.frame_info(name)["colors"][str(sid)])
    edit = client.post(f"/api/frames/{name}/segments/{sid}/paint", json={"color": color})
    assert edit.status_code == 200
    mask = session.segments(name) == sid

    rng = np.random.default_rng(0)
    palette = session.palette.tolist()
    statuses = []
    for _ in range(1000):
        method, url, body = random_request(rng, palette, (name, sid))
        response = getattr(client, method)(url, data=body, content_type="application/json")
        statuses.append(response.status_code)
        assert response.status_code < 500, (method, url, body, response.get_data(as_text=True))
        if response.status_code >= 400:
            assert response.mimetype == "application/json" and response.get_json()["error"]
    assert sum(s >= 400 for s in statuses) > 500  # mostly bad requests

    png = session.result_path(name)
    assert np.all(read_rgba(png)[mask] == color)
    stored = json.loads(session.json_path(name).read_text())
    assert stored["colors"][str(sid)] == color and sid in stored["reviewed"]
    assert not any(p.name.endswith(".tmp") for p in png.parent.iterdir())
    outside = [p for p in clip.rglob("*") if p.is_file() and "colorized" not in p.parts]
    assert all(p.suffix in (".png",) for p in outside)  # nothing written into the clip
