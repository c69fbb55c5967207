"""Make the README's screenshots of ``pbc review``, at production size, in headless Chromium.

The bundled example drawn at 1600 x 1600 px (the size of the issue's laughing_girl),
colorized with the default engine, as ``pbc review`` shows it:

* ``review.png``: the whole frame (fit), as the page opens: segments below the default
  "mark below" confidence hatched, the first segment of the queue selected, the queue
  with its per-frame counts;
* ``review_zoom.png``: zoomed to that segment (pixel-exact), the palette editor open.

Usage: ``python docs/review_screenshot.py [OUT_DIR]`` (default ``docs/images``; needs the
``playwright`` package and Debian's ``chromium`` at /usr/bin/chromium).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from paintbucket.pipeline.clip import colorize_clip
from paintbucket.review.app import create_app
from paintbucket.review.server import start_server
from paintbucket.review.session import ReviewSession
from paintbucket.synth.example import write_example_clip

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: Production size: the issue's drawings are 1600 x 1600.
SIZE = 1600


def main(out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_example_clip(Path(tmp) / "example", frames=4, size=SIZE)
        colorize_clip(clip, clip / "colorized", progress=False)  # the default engine
        session = ReviewSession(clip, clip / "colorized")
        server = start_server(create_app(session), "127.0.0.1", 0)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(Path(tmp) / "profile"),
                    executable_path="/usr/bin/chromium",
                    args=ARGS,
                    viewport={"width": 1440, "height": 900},
                )
                page = context.new_page()
                page.set_default_timeout(120_000)
                ready = page.locator('body[data-state="ready"]')
                page.goto(f"http://127.0.0.1:{server.server_port}/")
                ready.wait_for(state="attached")
                out_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out_dir / "review.png"))
                page.locator("#btn-zoom-segment").click()
                page.locator("#palette-editor summary").click()
                page.screenshot(path=str(out_dir / "review_zoom.png"))
                context.close()
        finally:
            server.shutdown()
    for name in ("review.png", "review_zoom.png"):
        path = out_dir / name
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images"))
