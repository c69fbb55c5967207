"""End to end: the real app served on 127.0.0.1, driven in headless Chromium.

Skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing.
"""

from __future__ import annotations

import json
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


def test_click_paint_undo_propagate_in_chromium(browser, live_server, session, clip, other_color):
    page = browser.new_page()
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
    page.goto(live_server.url)
    wait_ready(page)
    assert page.locator("#filmstrip .thumb").count() == 3

    # The largest segment below the overlay threshold on frame 0001.
    queue = session.queue(threshold=0.8)
    ids = session.segments("0001")
    areas = np.bincount(ids.ravel())
    sid = max((q["segment"] for q in queue if q["frame"] == "0001"), key=lambda s: areas[s])
    page.locator('#filmstrip .thumb[data-frame="0001"]').click()
    wait_ready(page)
    x, y = inner_pixel(ids == sid)
    box = page.locator("#result-overlay").bounding_box()
    page.mouse.click(
        box["x"] + (x + 0.5) * box["width"] / ids.shape[1],
        box["y"] + (y + 0.5) * box["height"] / ids.shape[0],
    )
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
