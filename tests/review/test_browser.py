"""End to end: the real app served on 127.0.0.1, driven in headless Chromium.

Skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

# The review app needs the `review` extra (Flask, psd-tools); skip cleanly without it.
pytest.importorskip("flask")
pytest.importorskip("psd_tools")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


#: Chromium's own guard against web pages calling loopback servers. Firefox and Safari
#: have none, so the server must refuse such requests itself; tests switch it off.
LOCAL_NETWORK_CHECKS = (
    "LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
    "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults"
)


@contextmanager
def chromium(profile: Path, extra_args: tuple[str, ...] = ()):
    """A headless Chromium context with a fresh profile (skips when unavailable)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} not installed")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, *extra_args],
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "chromium-profile") as context:
        yield context


@pytest.fixture
def browser_without_local_network_checks(tmp_path):
    extra = (f"--disable-features={LOCAL_NETWORK_CHECKS}",)
    with chromium(tmp_path / "chromium-profile", extra) as context:
        yield context


def inner_pixel(mask: np.ndarray) -> tuple[int, int]:
    """(x, y) of a pixel of ``mask`` as far from its border as possible."""
    import cv2

    distance = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    y, x = np.unravel_index(int(distance.argmax()), mask.shape)
    return int(x), int(y)


def wait_ready(page) -> None:
    # A selector, not wait_for_function: the page's CSP forbids the eval that needs.
    page.locator('body[data-state="ready"]').wait_for(state="attached")


def view_state(page) -> tuple[float, float, float]:
    """The views' transform: zoom, and the screen offset (x, y) of the image's origin."""
    views = page.locator("#views")
    return tuple(float(views.get_attribute(f"data-{key}")) for key in ("zoom", "x", "y"))


def screen_point(page, x: float, y: float, canvas: str = "#result-canvas") -> tuple[float, float]:
    """Page coordinates of image point ``(x, y)`` in one of the two views."""
    zoom, left, top = view_state(page)
    box = page.locator(canvas).bounding_box()
    return box["x"] + left + x * zoom, box["y"] + top + y * zoom


def click_pixel(page, x: int, y: int, canvas: str = "#result-canvas") -> None:
    page.mouse.click(*screen_point(page, x + 0.5, y + 0.5, canvas))


def open_review(context, url: str) -> tuple:
    """A new page on the review at ``url``, ready; and the list its errors go to."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors include Content-Security-Policy violations.
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    page.goto(url)
    wait_ready(page)
    return page, errors


def test_click_paint_undo_propagate_in_chromium(browser, live_server, session, clip, other_color):
    page, errors = open_review(browser, live_server.url)
    assert page.locator("#filmstrip .thumb").count() == 3
    title = page.locator('#filmstrip .thumb[data-frame="0002"]').get_attribute("title")
    assert title.endswith("; colored from 0001, fused with 0000")

    # The largest segment below the overlay threshold on frame 0001.
    queue = session.queue(threshold=0.8)
    ids = session.segments("0001")
    areas = np.bincount(ids.ravel())
    sid = max((q["segment"] for q in queue if q["frame"] == "0001"), key=lambda s: areas[s])
    page.locator('#filmstrip .thumb[data-frame="0001"]').click()
    wait_ready(page)
    click_pixel(page, *inner_pixel(ids == sid))
    wait_ready(page)
    assert f"segment {sid}:" in page.locator("#segment-summary").inner_text()

    png = clip / "colorized" / "0001.png"
    before_bytes = png.read_bytes()
    from paintbucket.io.images import read_rgba

    before = read_rgba(png)
    color = other_color(session.frame_info("0001")["colors"][str(sid)])
    page.locator(f'#palette .swatch[data-color="{",".join(map(str, color))}"]').click()
    wait_ready(page)
    after = read_rgba(png)
    assert np.array_equal(np.any(after != before, axis=2), ids == sid)
    assert np.all(after[ids == sid] == color)

    page.keyboard.press("u")
    wait_ready(page)
    assert png.read_bytes() == before_bytes

    page.keyboard.press("p")
    wait_ready(page)
    info = json.loads((clip / "colorized" / "0002.json").read_text())
    assert info["propagated_from"] == "0001"
    assert "re-colorized 0002" in page.locator("#message").inner_text()
    assert errors == []


ATTACK_PAGE = """<!doctype html><html><body>
<form id="form" method="POST" action="{paint}" enctype="text/plain" target="sink">
  <input name='{{"color": {color}, "x": "' value='"}}'>
</form>
<iframe name="sink"></iframe>
<script>
  const body = JSON.stringify({{color: {color}}});
  Promise.allSettled([
    fetch("{paint}", {{method: "POST", mode: "no-cors", body,
                       headers: {{"Content-Type": "text/plain"}}}}),
    fetch("{paint}", {{method: "POST", body,
                       headers: {{"Content-Type": "application/json"}}}}),
    fetch("{base}/api/export", {{method: "POST", mode: "no-cors"}}),
  ]).then((results) => {{
    document.body.dataset.fetches = results.map((r) => r.status).join(",");
    document.getElementById("form").submit();
  }});
</script></body></html>"""


def record_requests(app) -> list[tuple[str, str, int]]:
    """Wrap ``app`` so every request it answers appends ``(method, path, status)``."""
    seen: list[tuple[str, str, int]] = []
    inner = app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, exc_info=None):
            seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status[:3])))
            return start_response(status, headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = recording
    return seen


def test_another_site_cannot_edit_through_the_browser(
    browser_without_local_network_checks, live_server, session, clip, other_color
):
    """A page of another origin fires the issue's simple cross-site POSTs at the review."""
    color = other_color(session.frame_info("0001")["colors"]["1"])
    paint = f"{live_server.url}/api/frames/0001/segments/1/paint"
    html = ATTACK_PAGE.format(paint=paint, base=live_server.url, color=json.dumps(color))
    page = browser_without_local_network_checks.new_page()
    attacker = "http://evil.example/"
    page.route(attacker, lambda route: route.fulfill(body=html, content_type="text/html"))
    seen = record_requests(live_server.app)
    out = clip / "colorized"
    before = [(out / name).read_bytes() for name in ("0001.png", "0001.json")]
    page.goto(attacker)
    page.locator("body[data-fetches]").wait_for(state="attached")
    deadline = time.monotonic() + 30
    # Three simple POSTs (two fetches, the form) and the JSON fetch (or its preflight).
    while len(seen) < 4 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert [method for method, _, _ in seen].count("POST") >= 3, seen
    assert {status for _, _, status in seen} == {403}, seen
    assert [(out / name).read_bytes() for name in ("0001.png", "0001.json")] == before
    assert not (out / "export").exists()


# ---------------------------------------------------------------- production size
# The frames are 1600 x 1600 (laughing_girl); these tests run on the example
# drawn at that size (conftest.production_template), with the flow engine for speed.


@pytest.fixture(scope="module")
def shared_browser(tmp_path_factory):
    """One Chromium for the production-size tests (a new page each)."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@contextmanager
def serve(session=None, tasks=None):
    """The review app of ``session`` (or one still starting) on a free loopback port."""
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    app = create_app(session, tasks=tasks)
    server = start_server(app, "127.0.0.1", 0)
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def production(production_clip):
    """``(session, url)``: the 1600-px clip served with the flow engine."""
    from paintbucket.review.session import ReviewSession

    session = ReviewSession(production_clip, production_clip / "colorized", engine="flow")
    with serve(session) as (_, url):
        yield session, url


def element_pixels(page, selector: str) -> np.ndarray:
    """(H, W, 3) uint8: what a canvas shows on screen (Chromium draws a canvas at a
    fractional position on the nearest whole pixel)."""
    from io import BytesIO

    from PIL import Image

    box = page.locator(selector).bounding_box()
    clip = {"x": round(box["x"]), "y": round(box["y"]), "width": box["width"],
            "height": box["height"]}  # fmt: skip
    return np.array(Image.open(BytesIO(page.screenshot(clip=clip))).convert("RGB"))


def on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: RGBA composited over white paper (binary alpha here)."""
    alpha = rgba[..., 3:].astype(np.float64) / 255
    return np.round(rgba[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)


def visible_crop(page, image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The part of ``image`` a view of ``shape`` shows at the current integer zoom and
    offsets, as the screen should show it (each pixel a zoom x zoom block)."""
    zoom, left, top = view_state(page)
    assert zoom == int(zoom) and left == int(left) and top == int(top)
    zoom, left, top = int(zoom), int(left), int(top)
    assert left <= 0 and top <= 0  # the image covers the whole view
    blocks = np.repeat(np.repeat(image, zoom, axis=0), zoom, axis=1)
    return blocks[-top : -top + shape[0], -left : -left + shape[1]]


def show_frame(page, name: str) -> None:
    page.locator(f'#filmstrip .thumb[data-frame="{name}"]').click()
    wait_ready(page)


def test_zoom_and_pan_in_sync_pixel_exact_and_thin_lines_whole(shared_browser, production):
    import cv2

    from paintbucket.io.images import read_rgba

    session, url = production
    page, errors = open_review(shared_browser, url)
    show_frame(page, "0001")  # no selection: nothing drawn over the images
    page.locator("#show-overlay").uncheck()
    line_rgba = read_rgba(session.line_path("0001"))
    line, result = on_white(line_rgba), on_white(read_rgba(session.result_path("0001")))
    box = page.locator("#line-canvas").bounding_box()
    width, height = int(box["width"]), int(box["height"])
    assert page.locator("#result-canvas").bounding_box()["width"] == box["width"]

    # Fit: the whole 1600-px frame, reduced with a filter that keeps 1-px lines whole.
    zoom, left, top = view_state(page)
    assert zoom == pytest.approx(min(width, height) / 1600)
    shown = element_pixels(page, "#line-canvas")
    coverage = cv2.resize((line_rgba[..., 3] > 0).astype(np.float32),
                          (round(1600 * zoom),) * 2, interpolation=cv2.INTER_AREA)  # fmt: skip
    x0, y0 = round(left), round(top)
    darkness = 1 - shown[y0 : y0 + coverage.shape[0], x0 : x0 + coverage.shape[1]].mean(2) / 255
    on_line = coverage >= 0.25
    # Within one screen pixel, every place where a line passes is visibly darker.
    near = cv2.dilate(darkness.astype(np.float32), np.ones((3, 3), np.uint8))
    assert on_line.sum() > 2000 and (near[on_line] >= 0.08).mean() > 0.97

    # Wheel: zooms in about the pointer, in both views.
    page.mouse.move(box["x"] + 200, box["y"] + 300)
    image_point = ((200 - left) / zoom, (300 - top) / zoom)
    page.mouse.wheel(0, -400)
    zoom2, left2, top2 = view_state(page)
    assert zoom2 > 1.5 * zoom
    assert (200 - left2) / zoom2 == pytest.approx(image_point[0], abs=1 / zoom2)
    assert (300 - top2) / zoom2 == pytest.approx(image_point[1], abs=1 / zoom2)

    # 1:1 and 200%: both views show the exact pixels, each a sharp block.
    page.keyboard.press("0")
    assert view_state(page)[0] == 1
    for zoom_keys in ((), ("+", "+")):  # 100%, then 150% and 200%
        for key in zoom_keys:
            page.keyboard.press(key)
        for canvas, image in (("#line-canvas", line), ("#result-canvas", result)):
            shown = element_pixels(page, canvas)
            assert np.array_equal(shown, visible_crop(page, image, shown.shape[:2])), canvas
    assert view_state(page)[0] == 2

    # Drag pans both views together; a drag is no click.
    start = (box["x"] + width / 2, box["y"] + height / 2)
    result_box = page.locator("#result-canvas").bounding_box()
    before = view_state(page)
    page.mouse.move(result_box["x"] + 200, result_box["y"] + 200)
    page.mouse.down()
    page.mouse.move(result_box["x"] + 170, result_box["y"] + 180, steps=3)
    page.mouse.move(result_box["x"] + 140, result_box["y"] + 160, steps=3)
    page.mouse.up()
    assert view_state(page) == (2, before[1] - 60, before[2] - 40)
    for canvas, image in (("#line-canvas", line), ("#result-canvas", result)):
        shown = element_pixels(page, canvas)
        assert np.array_equal(shown, visible_crop(page, image, shown.shape[:2])), canvas
    # Space + drag pans even by less than a click's tolerance.
    page.mouse.move(*start)
    page.keyboard.down("Space")
    page.mouse.down()
    page.mouse.move(start[0] + 3, start[1] + 2)
    page.mouse.up()
    page.keyboard.up("Space")
    assert view_state(page) == (2, before[1] - 57, before[2] - 38)
    assert page.locator("#segment-summary").inner_text().startswith("Click a segment")
    page.keyboard.press("-")
    assert view_state(page)[0] == 1.5
    page.keyboard.press("f")
    assert view_state(page)[0] == pytest.approx(zoom)

    # A 1-px segment, selected from the queue at fit zoom, is outlined visibly...
    ids = session.segments("0001")
    one_pixel = int(ids[161, 401])
    assert np.count_nonzero(ids == one_pixel) == 1
    item = page.locator(f'#queue li[data-frame="0001"][data-segment="{one_pixel}"]')
    item.click()
    wait_ready(page)
    assert f"segment {one_pixel}:" in page.locator("#segment-summary").inner_text()

    def marker_pixels() -> int:
        zoom, left, top = view_state(page)
        cx, cy = round(left + 401.5 * zoom), round(top + 161.5 * zoom)
        around = element_pixels(page, "#result-canvas")[cy - 20 : cy + 21, cx - 20 : cx + 21]
        return int(np.all(around == (255, 200, 0), axis=2).sum())

    assert marker_pixels() >= 40
    page.keyboard.press("Escape")
    assert marker_pixels() == 0
    # ... and "zoom to segment" from the queue centres it, large.
    item.locator(".zoom-to").click()
    wait_ready(page)
    zoom, left, top = view_state(page)
    assert zoom == 16
    centre = (left + 401.5 * zoom, top + 161.5 * zoom)
    assert centre == pytest.approx((width / 2, height / 2), abs=1)
    shown = element_pixels(page, "#result-canvas")
    block = shown[int(top + 161 * 16) + 2 : int(top + 162 * 16) - 2,
                  int(left + 401 * 16) + 2 : int(left + 402 * 16) - 2]  # fmt: skip
    assert np.all(block == result[161, 401])
    assert marker_pixels() >= 40
    assert errors == []


def listed_queue(page) -> list[tuple[str, int, bool]]:
    """The queue as the page lists it: (frame, segment, is a speck)."""
    return [
        (item.get_attribute("data-frame"), int(item.get_attribute("data-segment")),
         "speck" in (item.get_attribute("class") or "").split())
        for item in page.locator("#queue li[data-segment]").all()
    ]  # fmt: skip


def set_field(page, selector: str, value: str) -> None:
    page.locator(selector).fill(value)
    page.locator(selector).dispatch_event("change")
    wait_ready(page)


def test_queue_lists_real_regions_first_then_specks_with_counts(shared_browser, production):
    session, url = production
    page, errors = open_review(shared_browser, url)
    assert page.locator("#min-area").input_value() == "26" == str(session.speck_area)
    expected = [(q["frame"], q["segment"], q["speck"])
                for q in session.queue(limit=5000, threshold=0.8)]  # fmt: skip
    shown = listed_queue(page)
    assert shown == expected
    specks = [item for item in shown if item[2]]
    # At least the stamped 1, 4, 9 and 25 px holes of two frames, all after the regions.
    assert len(specks) >= 8 and shown[-len(specks) :] == specks
    assert page.locator("#queue li.speck-heading").inner_text() == "specks below 26 px"
    # The queue opens on a real region (the 36-px hole), not on a 1-px speck.
    first = session.queue(limit=1, threshold=0.8)[0]
    assert first["area"] == 36
    assert f"segment {first['segment']}:" in page.locator("#segment-summary").inner_text()
    # Counts per frame.
    rows = {row["name"]: row for row in session.frames(0.8)}
    for name in ("0001", "0002"):
        chip = page.locator(f'#queue-frames .chip[data-frame="{name}"]')
        assert int(chip.get_attribute("data-regions")) == rows[name]["uncertain"] >= 3
        assert int(chip.get_attribute("data-specks")) == rows[name]["specks"] >= 4
    assert page.locator('#filmstrip .thumb[data-frame="0002"] .badge').inner_text() == str(
        rows["0002"]["uncertain"]
    )

    page.locator("#hide-specks").check()
    wait_ready(page)
    shown = listed_queue(page)
    assert shown == [item for item in expected if not item[2]]
    page.locator("#queue-sort").select_option("impact")
    wait_ready(page)
    by_impact = session.queue(limit=5000, threshold=0.8, specks="hide", order="impact")
    assert listed_queue(page) == [(q["frame"], q["segment"], False) for q in by_impact]
    # The 118-px channel (confidence 0.5) now comes before the 36-px hole (0.4).
    ids = session.segments("0001")
    channel, hole = ("0001", int(ids[161, 230]), False), ("0001", int(ids[161, 460]), False)
    assert shown.index(hole) < shown.index(channel)
    assert listed_queue(page).index(channel) < listed_queue(page).index(hole)
    set_field(page, "#min-area", "5")  # only the 1 and 4 px segments are specks now
    fewer = session.queue(limit=5000, threshold=0.8, min_area=5, specks="hide", order="impact")
    assert listed_queue(page) == [(q["frame"], q["segment"], False) for q in fewer]
    assert len(fewer) == len(by_impact) + 4
    chip = page.locator('#queue-frames .chip[data-frame="0001"]')
    assert chip.get_attribute("data-specks") == str(session.frames(0.8, 5)[1]["specks"])
    assert errors == []


def test_a_click_on_a_line_selects_the_nearest_segment(shared_browser, production):
    session, url = production
    page, errors = open_review(shared_browser, url)
    show_frame(page, "0001")
    ids = session.segments("0001")
    channel = int(ids[161, 230])  # the thin "hair curl", 2 px wide
    assert ids[160, 230] == 0 and np.count_nonzero(ids == channel) == 118
    # At fit zoom (28 %) a click meant for the channel lands on its outline; the outline
    # pixel touches the channel and the paper around it alike: the thinner one wins.
    click_pixel(page, 230, 160)  # (pointer events have fractional coordinates)
    wait_ready(page)
    assert f"segment {channel}:" in page.locator("#segment-summary").inner_text()
    assert "line" not in page.locator("#message").inner_text()
    # At 200 %, a click on the body's 2-px outline takes the region nearest to the
    # pointer: the paper around the body from the outline's left pixel, though the body
    # is far smaller; the body from its right pixel.
    body, paper = int(ids[900, 800]), int(ids[900, 600])
    outline = np.flatnonzero(ids[900, 600:800] == 0) + 600
    assert len(outline) == 2 and ids[900, outline[0] - 1] == paper
    assert ids[900, outline[1] + 1] == body
    page.keyboard.press("0")
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert view_state(page)[0] == 2
    start = screen_point(page, 800, 900)
    page.mouse.move(*start)
    page.mouse.down()  # pan the outline into view
    page.mouse.move(start[0] + 2 * (800 - outline[0]) - 100, start[1], steps=4)
    page.mouse.up()
    for x, expected in ((outline[0] + 0.1, paper), (outline[1] + 0.9, body)):
        page.mouse.click(*screen_point(page, x, 900.5))
        wait_ready(page)
        assert f"segment {expected}:" in page.locator("#segment-summary").inner_text()
    assert errors == []


def test_long_operations_show_progress_and_lock_the_page(
    shared_browser, production_clip, gated_engine
):
    from paintbucket.review.session import ReviewSession

    session = ReviewSession(production_clip, production_clip / "colorized", engine=gated_engine)
    with serve(session) as (_, url):
        page, errors = open_review(shared_browser, url)
        show_frame(page, "0000")
        panes_top = page.locator("#panes").bounding_box()["y"]
        page.keyboard.press("p")
        page.locator('body[data-state="working"]').wait_for(state="attached")
        gated_engine.wait_started()
        page.locator("#message", has_text="re-propagating 0/2 frames").wait_for()
        assert page.locator("#progress").is_visible()
        for control in ("#btn-next", "#btn-accept", "#btn-undo", "#btn-propagate",
                        "#btn-export", "#palette .swatch >> nth=0", "#hide-specks",
                        "#filmstrip .thumb >> nth=1"):  # fmt: skip
            assert page.locator(control).is_disabled(), control
        page.keyboard.press("u")  # locked: no undo is even asked for
        page.keyboard.press("a")
        zoom = view_state(page)[0]
        page.keyboard.press("+")  # the view stays free
        assert view_state(page)[0] > zoom
        gated_engine.next_frame()
        page.locator("#message", has_text="re-propagating 1/2 frames").wait_for()
        assert page.locator("#progress").get_attribute("value") == "1"
        gated_engine.open()
        wait_ready(page)
        assert page.locator("#message").inner_text() == "re-colorized 0001, 0002 from frame 0000"
        assert page.locator("#btn-undo").is_enabled() and page.locator("#progress").is_hidden()
        assert [h["action"] for h in session.history()] == ["propagate"]
        assert page.locator("#panes").bounding_box()["y"] == panes_top
        assert errors == []


def test_the_page_shows_colorizing_progress_until_the_review_opens(
    shared_browser, production_clip, gated_engine
):
    import threading

    from paintbucket.review.startup import open_review as start_review
    from paintbucket.review.tasks import Tasks

    shutil.rmtree(production_clip / "colorized")
    with serve(None, Tasks()) as (app, url):
        starting = threading.Thread(
            target=start_review, args=(app, production_clip, production_clip / "colorized",
                                       gated_engine), daemon=True,
        )  # fmt: skip
        starting.start()
        page = shared_browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        gated_engine.wait_started()
        page.locator('body[data-state="working"]').wait_for(state="attached")
        page.locator("#message", has_text="colorizing 0/2 frames").wait_for()
        assert page.locator("#btn-accept").is_disabled()
        gated_engine.next_frame()
        page.locator("#message", has_text="colorizing 1/2 frames").wait_for()
        gated_engine.open()
        starting.join(120)
        wait_ready(page)
        assert page.locator("#filmstrip .thumb").count() == 3
        assert page.locator("#engine-name").inner_text() == "flow engine"
        assert page.locator("#btn-accept").is_enabled()
        assert errors == []


def test_pbc_review_starts_from_the_engine_of_pbc_colorize(shared_browser, clip, tmp_path):
    """``pbc review CLIP`` with no --engine colorizes with ``pbc colorize``'s default."""
    import os
    import re
    import subprocess
    import sys

    import paintbucket
    from paintbucket.choices import ENGINE_NAMES

    shutil.rmtree(clip / "colorized")
    env = {**os.environ, "PYTHONPATH": str(Path(paintbucket.__file__).parents[1])}
    command = [sys.executable, "-m", "paintbucket.cli.main", "review", str(clip), "--port", "0"]
    with open(tmp_path / "stderr.txt", "w") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   env=env)  # fmt: skip
    try:
        first = process.stdout.readline()
        url = re.match(r"pbc review: (http://127\.0\.0\.1:\d+/) ", first)
        assert url, first + (tmp_path / "stderr.txt").read_text()
        page = shared_browser.new_page()
        page.set_default_timeout(180_000)  # the learned engine loads its weights first
        page.goto(url.group(1))
        wait_ready(page)
        assert page.locator("#engine-name").inner_text() == f"{ENGINE_NAMES[0]} engine"
        info = json.loads((clip / "colorized" / "0001.json").read_text())
        assert info["engine"] == ENGINE_NAMES[0] == "inclusion"
    finally:
        process.terminate()
        process.wait(30)


def test_recolor_a_palette_entry_for_the_whole_cut(shared_browser, production):
    from paintbucket.io.images import read_rgba
    from paintbucket.review.palette import PALETTE_FILE

    session, url = production
    out = session.results_dir
    body, new = [88, 140, 214, 255], [200, 90, 30, 255]
    masks = {name: np.isin(session.segments(name), [
        int(k) for k, c in session.frame_info(name)["colors"].items() if c == body])
        for name in session.names}  # fmt: skip
    page, errors = open_review(shared_browser, url)
    page.locator("#palette-editor summary").click()
    row = page.locator('.palette-row[data-key="88,140,214,255"]')
    # No colorbook: the page names the color, in the palette file.
    row.locator(".palette-name").fill("body blue")
    row.locator(".palette-name").press("Tab")
    wait_ready(page)
    assert json.loads((out / PALETTE_FILE).read_text())
    assert "body blue" in session.palette_names
    before = {p.name: p.read_bytes() for p in out.glob("000*")}

    row.locator(".palette-color").fill("#c85a1e")
    page.locator("#message", has_text="recolored body blue to #c85a1e in 2 frames").wait_for()
    wait_ready(page)
    for name in ("0001", "0002"):
        rgba = read_rgba(out / f"{name}.png")
        assert np.all(rgba[masks[name]] == new)
        assert not np.any(np.all(rgba == body, axis=2))
    assert (out / "0000.png").read_bytes() == before["0000.png"]  # gt's copy stays
    # The page shows the keyframe in the new color too, and the export has it.
    show_frame(page, "0000")
    page.locator("#show-overlay").uncheck()
    y, x = np.argwhere(masks["0000"])[len(np.argwhere(masks["0000"])) // 2]
    page.keyboard.press("0")
    zoom, left, top = view_state(page)
    shown = element_pixels(page, "#result-canvas")
    assert shown[int(top + y), int(left + x)].tolist() == new[:3]
    # Export (in a narrow window: its long message stays on one line, not pushing the
    # frames down).
    page.set_viewport_size({"width": 640, "height": 800})
    panes_top = page.locator("#panes").bounding_box()["y"]
    page.locator("#btn-export").click()
    page.locator("#message", has_text="exported 3 frames").wait_for()
    message = page.locator("#message")
    assert message.bounding_box()["height"] < 30 and len(message.inner_text()) > 80
    assert page.locator("#panes").bounding_box()["y"] == panes_top
    page.set_viewport_size({"width": 1280, "height": 800})
    exported = read_rgba(out / "export" / "color" / "0000.png")
    assert np.all(exported[masks["0000"]] == new)
    # Candidates are named, not raw numbers.
    page.locator("#queue li[data-segment] >> nth=0").click()
    wait_ready(page)
    labels = page.locator("#candidates .candidate span").all_inner_texts()
    assert not any(re.search(r"\d+ \d+ \d+", label) for label in labels)
    # One undo puts every frame back.
    page.keyboard.press("u")
    wait_ready(page)
    assert page.locator("#message").inner_text() == "undid recolor (0001, 0002)"
    assert {p.name: p.read_bytes() for p in out.glob("000*")} == before
    assert row.locator(".palette-color").input_value() == "#588cd6"
    assert errors == []
