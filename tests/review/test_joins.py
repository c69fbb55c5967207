"""The review shows where ``--seg-method closegaps`` closed the lines."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from paintbucket.io.images import write_png
from paintbucket.pipeline.clip import colorize_clip
from paintbucket.review.session import ReviewSession
from paintbucket.segment import PAPER, classify_lines, gap_lines
from tests.conftest import open_box


def _client(session: ReviewSession):
    from paintbucket.review.app import create_app
    from paintbucket.review.security import TOKEN_HEADER

    app = create_app(session)
    client = app.test_client()
    client.environ_base["HTTP_" + TOKEN_HEADER.upper().replace("-", "_")] = app.config[
        "REVIEW_TOKEN"
    ]
    return client


@pytest.fixture(scope="module")
def open_clip(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("joins") / "clip"
    art, keyframe = open_box()
    for name in ("0000", "0001"):
        write_png(root / "line" / f"{name}.png", art)
    write_png(root / "gt" / "0000.png", keyframe)
    colorize_clip(root, root / "closed", engine="flow", progress=False, seg_method="closegaps")
    return root


def _joins_png(client, name: str) -> np.ndarray:
    response = client.get(f"/api/frames/{name}/joins.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    return np.array(Image.open(BytesIO(response.data)).convert("RGBA"))


def test_results_record_their_segmentation(open_clip):
    import json

    info = json.loads((open_clip / "closed" / "0001.json").read_text())
    assert info["seg_method"] == "closegaps"
    # The review follows the results, whatever its own default: no segment-count clash.
    session = ReviewSession(open_clip, open_clip / "closed", engine="flow")
    assert session.segmentation("0001") == "closegaps"
    assert session.segments("0001").max() == info["num_segments"]
    del info["seg_method"]  # a result of an older version: the session's method
    (open_clip / "closed" / "0001.json").write_text(json.dumps(info))
    older = ReviewSession(open_clip, open_clip / "closed", engine="flow", seg_method="trappedball")
    assert older.segmentation("0001") == "trappedball"
    assert older.segmentation("0000") == "closegaps"
    info["seg_method"] = "closegaps"
    (open_clip / "closed" / "0001.json").write_text(json.dumps(info))


def test_joins_png_shows_the_closing_lines(open_clip):
    session = ReviewSession(open_clip, open_clip / "closed", engine="flow")
    client = _client(session)
    assert client.get("/api/clip").get_json()["seg_method"] == "closegaps"
    rgba = _joins_png(client, "0001")
    art, _ = open_box()
    expected = gap_lines(classify_lines(art) != PAPER)
    np.testing.assert_array_equal(np.argwhere(expected), [[10, 38], [10, 39], [10, 40]])
    np.testing.assert_array_equal(rgba[..., 3] > 0, expected)
    assert (rgba[expected] == (255, 0, 0, 255)).all()
    # The inside of the box is its own segment.
    assert session.segments("0001")[40, 40] != session.segments("0001")[2, 2]


def test_joins_are_computed_once_per_frame(open_clip, monkeypatch):
    import paintbucket.review.session as session_module

    session = ReviewSession(open_clip, open_clip / "closed", engine="flow")
    calls = []
    real = session_module.gap_lines
    monkeypatch.setattr(session_module, "gap_lines", lambda mask: calls.append(1) or real(mask))
    first = session.joins("0001")
    again = session.joins("0001")
    assert again is first and len(calls) == 1 and first.any()
    session.joins("0000")
    assert len(calls) == 2


def test_other_segmentations_have_no_joins(client):
    assert client.get("/api/clip").get_json()["seg_method"] == "default"
    assert not _joins_png(client, "0001")[..., 3].any()


def test_the_page_draws_the_joins_on_request(open_clip, tmp_path):
    from tests.review.test_browser import (
        chromium,
        element_pixels,
        open_review,
        screen_point,
        serve,
    )

    session = ReviewSession(open_clip, open_clip / "closed", engine="flow")
    with chromium(tmp_path / "profile") as context, serve(session) as (_, url):
        page, errors = open_review(context, url)
        page.locator('#filmstrip .thumb[data-frame="0001"]').click()
        page.locator('body[data-state="ready"]').wait_for(state="attached")
        page.locator("#show-overlay").uncheck()  # no hatching over the segments
        assert page.locator("#joins-toggle").is_visible()
        box = page.locator("#result-canvas").bounding_box()

        def join_is_red() -> bool:
            x, y = screen_point(page, 39.5, 10.5)
            pixel = element_pixels(page, "#result-canvas")[
                round(y - round(box["y"])), round(x - round(box["x"]))
            ]
            return bool(pixel[0] > 200 and pixel[1] < 60 and pixel[2] < 60)

        assert join_is_red()
        page.locator("#show-joins").uncheck()
        assert not join_is_red()
        assert errors == []


def test_propagated_results_keep_their_segmentation(open_clip, tmp_path):
    import json
    import shutil

    clip = Path(shutil.copytree(open_clip, tmp_path / "clip"))
    session = ReviewSession(clip, clip / "closed", engine="flow")
    assert session.propagate("0000") == ["0001"]
    info = json.loads((clip / "closed" / "0001.json").read_text())
    assert info["propagated_from"] == "0000" and info["seg_method"] == "closegaps"
    assert (
        ReviewSession(clip, clip / "closed", engine="flow").segments("0001").max()
        == (info["num_segments"])
    )
