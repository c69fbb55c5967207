"""End to end: the real app served on 127.0.0.1, driven in headless Chromium.

Skipped when ``/usr/bin/chromium`` or the ``playwright`` package is missing.
"""

from __future__ import annotations

import json
import shutil
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


@pytest.fixture
def browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} not installed")
    profile = tmp_path / "chromium-profile"
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def server(session):
    from paintbucket.review.app import create_app
    from paintbucket.review.server import start_server

    server = start_server(create_app(session), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def inner_pixel(mask: np.ndarray) -> tuple[int, int]:
    """(x, y) of a pixel of ``mask`` as far from its border as possible."""
    import cv2

    distance = cv2.distanceTransform(np.pad(mask, 1).astype(np.uint8), cv2.DIST_L2, 3)[1:-1, 1:-1]
    y, x = np.unravel_index(int(distance.argmax()), mask.shape)
    return int(x), int(y)


def wait_ready(page) -> None:
    page.wait_for_function("document.body.dataset.state === 'ready'")


def test_click_paint_undo_propagate_in_chromium(browser, server, session, clip, other_color):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server)
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
