"""Long operations: one at a time, their progress reported, conflicting requests refused."""

from __future__ import annotations

import shutil
import threading

import pytest

pytest.importorskip("flask")
pytest.importorskip("psd_tools")

from paintbucket.review.errors import ReviewError
from paintbucket.review.tasks import CountingEngine, Tasks


def test_one_task_at_a_time_with_its_progress():
    tasks = Tasks()
    assert tasks.snapshot() == {"running": False, "task": None, "last": None}
    with tasks.run("propagate", 3) as progress:
        progress.advance()
        running = tasks.snapshot()["task"]
        assert (running["action"], running["done"], running["total"]) == ("propagate", 1, 3)
        assert running["text"] == "re-propagating 1/3 frames"
        with pytest.raises(ReviewError, match="cannot export while re-propagating 1/3") as busy:
            with tasks.run("export", 5):
                pass
        assert busy.value.status == 409
        with pytest.raises(ReviewError, match="cannot paint while"):
            tasks.check_idle("paint")
        for _ in range(5):
            progress.advance()  # counts stop at the total
        assert tasks.snapshot()["task"]["done"] == 3
    snapshot = tasks.snapshot()
    assert not snapshot["running"] and snapshot["last"]["error"] is None
    tasks.check_idle("paint")
    with pytest.raises(OSError):
        with tasks.run("export", 2):
            raise OSError("disk full")
    assert tasks.snapshot()["last"]["error"] == "disk full"


def test_counting_engine_counts_frames_and_keeps_the_name(session):
    from paintbucket.review.propagation import reference_from_result

    counted = []
    engine = CountingEngine(session.engine, lambda: counted.append(1))
    assert engine.name == "flow"
    key, first, second = (session._frame(name) for name in session.names)
    reference = reference_from_result(key, session.frame_info("0000"), session.palette)
    engine(reference, first)
    engine(reference, first)  # a second reference for the same frame (anchored chain)
    assert counted == []
    engine(reference, second)
    assert counted == [1]
    engine.finish()
    assert counted == [1, 1]


def test_counting_engine_offers_what_the_engine_offers_a_chain():
    from paintbucket.pipeline.chain import tracks_flow

    class Engine:
        anchor_flow = "chained"

        def __call__(self, reference, target, flow=None):
            return ("call", reference, target, flow)

        def estimate_flow(self, reference, target):
            return "flow"

        def opinions(self, references, target, flows=None):
            return [("opinion", r, target, flows) for r in references]

    counted = []
    engine = CountingEngine(Engine(), lambda: counted.append(1))
    assert tracks_flow(engine) and engine.estimate_flow("a", "b") == "flow"
    assert engine("ref", "t1", flow="f") == ("call", "ref", "t1", "f")
    assert engine.opinions(["r"], "t1", flows=["f"]) == [("opinion", "r", "t1", ["f"])]
    assert counted == []
    engine.opinions(["r"], "t2")  # another frame: the first is done
    assert counted == [1]
    plain = CountingEngine(lambda reference, target: None, lambda: None)
    assert getattr(plain, "opinions", None) is None and not tracks_flow(plain)


def run_in_thread(function, *args):
    """Start ``function(*args)`` in a thread; return the thread and its outcome list."""
    outcome: list = []

    def target():
        try:
            outcome.append(function(*args))
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def test_edits_are_refused_while_a_propagation_runs_and_progress_answers(
    clip, gated_engine, other_color
):
    from paintbucket.review.app import create_app
    from paintbucket.review.session import ReviewSession

    session = ReviewSession(clip, clip / "colorized", engine=gated_engine)
    client = create_app(session).test_client()
    client.environ_base["HTTP_X_PBC_TOKEN"] = client.application.config["REVIEW_TOKEN"]
    before = {p.name: p.read_bytes() for p in (clip / "colorized").glob("000*")}
    color = other_color(session.frame_info("0001")["colors"]["1"])
    thread, outcome = run_in_thread(session.propagate, "0000")  # rewrites 0001 and 0002
    gated_engine.wait_started()
    progress = client.get("/api/progress").get_json()  # answers though the lock is held
    assert progress["running"] and progress["ready"]
    assert progress["task"]["text"] == "re-propagating 0/2 frames"
    refused = [
        client.post("/api/frames/0001/segments/1/paint", json={"color": color}),
        client.post("/api/frames/0001/segments/1/accept", json={}),
        client.post("/api/undo", json={}),
        client.post("/api/frames/0001/propagate", json={}),
        client.post("/api/export", json={}),
        client.post("/api/palette/recolor", json={"color": color, "to": [1, 2, 3]}),
        client.post("/api/palette/name", json={"color": color, "name": "x"}),
    ]
    for response in refused:
        assert response.status_code == 409, response.get_json()
        assert "while re-propagating 0/2 frames" in response.get_json()["error"]
    gated_engine.next_frame()
    assert client.get("/api/progress").get_json()["task"]["done"] == 1
    gated_engine.open()
    thread.join(60)
    assert outcome == [["0001", "0002"]]
    progress = client.get("/api/progress").get_json()
    assert not progress["running"] and progress["last"]["action"] == "propagate"
    assert progress["last"]["done"] == 2 and progress["last"]["error"] is None
    assert not (clip / "colorized" / "export").exists()
    after = {p.name: p.read_bytes() for p in (clip / "colorized").glob("000*")}
    assert after["0000.png"] == before["0000.png"] and after["0001.json"] != before["0001.json"]
    assert [h["action"] for h in session.history()] == ["propagate"]


def test_export_reports_one_step_per_frame(client, session, clip):
    assert client.post("/api/export", json={}).status_code == 200
    last = client.get("/api/progress").get_json()["last"]
    assert (last["action"], last["done"], last["total"]) == ("export", 3, 3)


def test_the_app_answers_progress_and_503_until_the_review_has_started(clip, gated_engine):
    from paintbucket.review.app import create_app
    from paintbucket.review.startup import open_review

    shutil.rmtree(clip / "colorized")
    app = create_app(None)
    client = app.test_client()
    client.environ_base["HTTP_X_PBC_TOKEN"] = app.config["REVIEW_TOKEN"]
    assert client.get("/").status_code == 200
    thread, outcome = run_in_thread(open_review, app, clip, clip / "colorized", gated_engine)
    gated_engine.wait_started()
    progress = client.get("/api/progress").get_json()
    assert not progress["ready"] and progress["task"]["text"] == "colorizing 0/2 frames"
    response = client.get("/api/clip")
    assert response.status_code == 503
    assert response.get_json()["error"] == "the review is starting: colorizing 0/2 frames"
    gated_engine.next_frame()  # frame 0001 is done, 0002 begins
    assert client.get("/api/progress").get_json()["task"]["text"] == "colorizing 1/2 frames"
    gated_engine.open()
    thread.join(60)
    assert not isinstance(outcome[0], BaseException), outcome
    progress = client.get("/api/progress").get_json()
    assert progress["ready"] and progress["last"]["action"] == "index"
    assert client.get("/api/clip").get_json()["engine"] == "flow"
    assert sorted(p.name for p in (clip / "colorized").glob("*.png")) == [
        "0000.png", "0001.png", "0002.png",
    ]  # fmt: skip


def test_a_failed_start_is_reported(clip):
    from paintbucket.review.app import create_app
    from paintbucket.review.startup import open_review

    shutil.rmtree(clip / "colorized")
    (clip / "line" / "0001.png").write_bytes(b"not a png")
    app = create_app(None)
    client = app.test_client()
    client.environ_base["HTTP_X_PBC_TOKEN"] = app.config["REVIEW_TOKEN"]
    from paintbucket.errors import InputError

    with pytest.raises(InputError):
        open_review(app, clip, clip / "colorized", "flow")
    response = client.get("/api/clip")
    assert response.status_code == 503
    assert "could not start" in response.get_json()["error"]
