"""Make ``docs/images/review.png``: ``pbc review`` on the bundled example in headless Chromium.

Usage: ``python docs/review_screenshot.py [OUT_PNG]`` (needs the ``review`` extra, the
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


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_example_clip(Path(tmp) / "example")
        colorize_clip(clip, clip / "colorized", engine="flow", progress=False)
        session = ReviewSession(clip, clip / "colorized", engine="flow")
        server = start_server(create_app(session), "127.0.0.1", 0)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(Path(tmp) / "profile"),
                    executable_path="/usr/bin/chromium",
                    args=ARGS,
                    viewport={"width": 1280, "height": 720},
                )
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/")
                page.locator('body[data-state="ready"]').wait_for(state="attached")
                page.locator("#threshold").fill("0.95")
                page.locator("#threshold").dispatch_event("change")
                page.locator('body[data-state="ready"]').wait_for(state="attached")
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                context.close()
        finally:
            server.shutdown()
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images/review.png"))
