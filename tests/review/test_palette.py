"""Palette-linked recolor: one palette entry's color changed for the whole cut, named
entries, undo, exports and later propagations in the new color."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("flask")
pytest.importorskip("psd_tools")

from paintbucket.errors import InputError
from paintbucket.io.images import read_rgba
from paintbucket.review.errors import ReviewError
from paintbucket.review.palette import PALETTE_FILE, Palette, check_name
from paintbucket.review.session import ReviewSession

#: The mascot's body color, used by large segments of every frame.
BODY = [88, 140, 214, 255]
NEW = [200, 90, 30, 255]


def frames_bytes(clip) -> dict[str, bytes]:
    out = clip / "colorized"
    return {p.name: p.read_bytes() for p in sorted(out.glob("000*"))}


def test_palette_file_names_and_recolors_entries(tmp_path):
    keys = np.array([[0, 0, 0, 0], [10, 20, 30, 255], [40, 50, 60, 255]], np.uint8)
    path = tmp_path / "palette.json"
    empty = Palette.load(keys, None, path)
    assert np.array_equal(empty.colors, keys) and empty.changes() == {}
    assert [e["name"] for e in empty.summary()] == [None, None, None]
    edited = empty.recolored(1, (11, 21, 31, 255)).renamed(2, "skin shadow")
    path.write_text(edited.to_json())
    loaded = Palette.load(keys, None, path)
    assert loaded.changes() == {(10, 20, 30, 255): (11, 21, 31, 255)}
    assert loaded.summary()[2] == {
        "color": [40, 50, 60, 255], "key": [40, 50, 60, 255], "name": "skin shadow",
        "named_by": "palette",
    }  # fmt: skip
    assert loaded.name_of((40, 50, 60, 255)) == "skin shadow"
    for clash in ((40, 50, 60, 255), (0, 0, 0, 0)):  # another entry's color
        with pytest.raises(ReviewError, match="would share the color") as error:
            loaded.recolored(1, clash)
        assert error.value.status == 409
    with pytest.raises(ReviewError, match="would share"):
        loaded.recolored(2, (10, 20, 30, 255))  # entry 1's keyframe color


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops", "cannot read palette file"),
        ('{"colors": {}}', "palette file needs"),
        ('{"colors": [{"key": [1, 2, 3]}]}', "is not \\[R, G, B, A\\]"),
        ('{"colors": [{"key": [10, 20, 30, 255], "name": 5}]}', "name must be a string"),
        (
            '{"colors": [{"key": [10, 20, 30, 255], "color": [40, 50, 60, 255]}]}',
            "would share the color",
        ),
    ],
)
def test_a_malformed_palette_file_is_an_input_error_naming_it(tmp_path, text, message):
    keys = np.array([[10, 20, 30, 255], [40, 50, 60, 255]], np.uint8)
    path = tmp_path / "palette.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        Palette.load(keys, None, path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"), [(" skin ", "skin"), ("", None), (None, None), ("x" * 61, None)]
)
def test_check_name(value, expected):
    if value is not None and len(value) > 60:
        with pytest.raises(ReviewError, match="at most 60"):
            check_name(value)
    else:
        assert check_name(value) == expected
    with pytest.raises(ReviewError, match="control"):
        check_name("a\nb")


def test_recolor_changes_every_non_key_frame_and_one_undo_reverts_it(client, session, clip):
    out = clip / "colorized"
    before = frames_bytes(clip)
    olds = {name: (read_rgba(out / f"{name}.png"), session.frame_info(name)) for name in
            ("0001", "0002")}  # fmt: skip
    response = client.post("/api/palette/recolor", json={"color": BODY, "to": NEW[:3]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["frames"] == ["0001", "0002"]
    for name, (old_rgba, old_info) in olds.items():
        ids = session.segments(name)
        body = [int(k) for k, c in old_info["colors"].items() if c == BODY]
        assert body
        mask = np.isin(ids, body)
        rgba = read_rgba(out / f"{name}.png")
        assert np.all(rgba[mask] == NEW) and np.array_equal(rgba[~mask], old_rgba[~mask])
        info = json.loads((out / f"{name}.json").read_text())
        assert all(info["colors"][str(k)] == NEW for k in body)
        assert info["confidence"] == old_info["confidence"]
        flat = [c for cands in info["candidates"].values() for c, _ in cands]
        assert BODY not in flat and NEW in flat
    assert frames_bytes(clip)["0000.png"] == before["0000.png"]  # the keyframe file stays
    entry = next(e for e in client.get("/api/palette").get_json() if e["key"] == BODY)
    assert entry["color"] == NEW
    assert json.loads((out / PALETTE_FILE).read_text())  # what a restart reads
    assert ReviewSession(clip, out, engine="flow").palette.tolist() == session.palette.tolist()
    history = client.get("/api/history").get_json()
    assert [h["action"] for h in history] == ["recolor"]
    assert history[0]["frames"] == ["0001", "0002"]

    assert client.post("/api/undo", json={}).status_code == 200
    assert frames_bytes(clip) == before and not (out / PALETTE_FILE).exists()
    entry = next(e for e in client.get("/api/palette").get_json() if e["key"] == BODY)
    assert entry["color"] == BODY


def test_after_a_recolor_keyframes_show_and_export_it_and_propagation_keeps_it(
    client, session, clip
):
    from io import BytesIO

    from PIL import Image

    out = clip / "colorized"
    key_info = session.frame_info("0000")
    body = [int(k) for k, c in key_info["colors"].items() if c == BODY]
    key_mask = np.isin(session.segments("0000"), body)
    client.post("/api/palette/recolor", json={"color": BODY, "to": NEW})
    shown = np.array(Image.open(BytesIO(client.get("/api/frames/0000/result.png").data)))
    gt = read_rgba(clip / "gt" / "0000.png")
    assert np.all(shown[key_mask] == NEW) and np.array_equal(shown[~key_mask], gt[~key_mask])
    assert client.post("/api/export", json={}).status_code == 200
    assert np.array_equal(read_rgba(out / "export" / "color" / "0000.png"), shown)
    assert np.array_equal(
        read_rgba(out / "export" / "color" / "0001.png"), read_rgba(out / "0001.png")
    )
    # Re-propagating from the keyframe (still in the old color in gt/) keeps the new one.
    assert client.post("/api/frames/0000/propagate", json={}).status_code == 200
    for name in ("0001", "0002"):
        colors = json.loads((out / f"{name}.json").read_text())["colors"].values()
        assert NEW in colors and BODY not in colors
        rgba = read_rgba(out / f"{name}.png")
        assert not np.any(np.all(rgba == BODY, axis=2))
    # Painting takes the new color, not the replaced one.
    response = client.post("/api/frames/0001/segments/1/paint", json={"color": BODY})
    assert response.status_code == 422
    response = client.post("/api/frames/0001/segments/1/paint", json={"color": NEW})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"color": BODY, "to": [250, 214, 186]}, 409),  # another entry's color
        ({"color": BODY, "to": BODY}, 409),  # its color already
        ({"color": BODY, "to": [1, 2, 3, 0]}, 422),  # transparent
        ({"color": [1, 2, 3, 255], "to": NEW}, 422),  # not in the palette
        ({"color": BODY}, 400),
        ({"color": BODY, "to": "orange"}, 400),
    ],
)
def test_bad_recolors_change_nothing(client, clip, body, status):
    before = frames_bytes(clip)
    response = client.post("/api/palette/recolor", json=body)
    assert response.status_code == status, response.get_json()
    assert frames_bytes(clip) == before and client.get("/api/history").get_json() == []


def test_a_recolor_failing_half_way_is_rolled_back(session, clip, monkeypatch):
    import paintbucket.review.session as session_module

    before = frames_bytes(clip)
    real = session_module.write_result
    written = []

    def fail_on_second(png, js, rgba, info):
        written.append(png.name)
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        return real(png, js, rgba, info)

    monkeypatch.setattr(session_module, "write_result", fail_on_second)
    with pytest.raises(OSError, match="No space"):
        session.recolor(BODY, NEW)
    assert frames_bytes(clip) == before
    assert not (clip / "colorized" / PALETTE_FILE).exists() and session.history() == []
    assert BODY in session.palette.tolist() and NEW not in session.palette.tolist()


def test_names_from_the_page_label_candidates_and_undo(client, session, clip):
    response = client.post("/api/palette/name", json={"color": BODY, "name": " body blue "})
    assert response.status_code == 200
    entry = next(e for e in response.get_json()["palette"] if e["color"] == BODY)
    assert entry["name"] == "body blue" and entry["named_by"] == "palette"
    info = session.frame_info("0001")
    sid = next(k for k, cands in info["candidates"].items() if BODY in [c for c, _ in cands])
    candidates = client.get(f"/api/frames/0001/segments/{sid}").get_json()["candidates"]
    assert {c["name"] for c in candidates if c["color"] == BODY} == {"body blue"}
    reopened = ReviewSession(clip, clip / "colorized", engine="flow")
    assert "body blue" in reopened.palette_names
    assert [h["action"] for h in client.get("/api/history").get_json()] == ["rename"]
    client.post("/api/undo", json={})
    assert not (clip / "colorized" / PALETTE_FILE).exists()
    assert "body blue" not in session.palette_names


def test_colorbook_names_cannot_be_renamed_in_the_page(clip):
    r, g, b = BODY[:3]
    (clip / "colorbook.yml").write_text(f"belly on clothes: [null,[{r} {g} {b}],null,null]\n")
    session = ReviewSession(clip, clip / "colorized", engine="flow")
    with pytest.raises(ReviewError, match="named by colorbook.yml") as error:
        session.rename(BODY, "blue")
    assert error.value.status == 409
    session.recolor(BODY, NEW)  # a colorbook-named entry can still be recolored
    entry = next(e for e in session.palette_entries() if e["key"] == BODY)
    assert entry["name"] == "belly on clothes (normal)" and entry["named_by"] == "colorbook"
