"""Crash safety of the review session: a process dying at any point of an edit or an
undo leaves, after a restart, every frame's PNG and JSON and the undo history agreeing.

The deterministic tests let the first ``k`` file-system changes of an operation happen
and make every later one fail (the disk then looks exactly as after a SIGKILL there),
for every ``k``; one test also kills a real process with SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import paintbucket
import paintbucket.review.edits as edits_module
import paintbucket.review.history as history_module
from paintbucket.io.images import TEMP_NAME
from paintbucket.review.palette import PALETTE_FILE
from paintbucket.review.session import ReviewSession

#: ``os`` functions that change the file system (atomic writes, entry deletion).
CHANGES = ("replace", "rename", "unlink", "rmdir", "mkdir")
NAMES = ["0000", "0001", "0002"]

State = dict[str, tuple[bytes, bytes]]


class ProcessDied(BaseException):
    """Every file-system change after the simulated death raises this."""


@contextlib.contextmanager
def dies_after(changes: int | None) -> Iterator[list[str]]:
    """Let ``changes`` file-system changes happen, then fail every later one (None:
    never). Yields the list of changes done so far."""
    done: list[str] = []

    def wrap(name: str) -> Callable:
        original = getattr(os, name)

        def change(*args, **kwargs):
            if changes is not None and len(done) >= changes:
                raise ProcessDied(name)
            done.append(name)
            return original(*args, **kwargs)

        return change

    with pytest.MonkeyPatch.context() as patch:
        for name in CHANGES:
            patch.setattr(os, name, wrap(name))
        yield done


def files(clip: Path) -> State:
    """PNG and JSON bytes of every frame's result, and the palette file's (``b""`` when
    there is none)."""
    out = clip / "colorized"
    state = {name: ((out / f"{name}.png").read_bytes(), (out / f"{name}.json").read_bytes())
             for name in NAMES}  # fmt: skip
    palette = out / PALETTE_FILE
    state["palette"] = (palette.read_bytes() if palette.exists() else b"", b"")
    return state


def stored_info(state: State, name: str) -> dict:
    """A frame's result JSON in a state, as the session reads it."""
    info = json.loads(state[name][1])
    info.setdefault("reviewed", [])
    return info


def open_session(clip: Path, max_history: int) -> ReviewSession:
    return ReviewSession(clip, clip / "colorized", engine="flow", max_history=max_history)


def assert_consistent(clip: Path, snapshots: dict[int, State], max_history: int) -> list[int]:
    """Reopen the session (which recovers) and check that the files are exactly the
    state after the newest listed edit, then undo down the whole history checking
    the same after every step.

    Parameters
    ----------
    snapshots : dict
        State of the files after the edit with history id ``i``; ``0``: before any.

    Returns
    -------
    ids : list of int
        History ids listed right after reopening.
    """
    session = open_session(clip, max_history)
    out = clip / "colorized"
    assert not [p for p in out.rglob("*") if TEMP_NAME.fullmatch(p.name)]
    first_ids = [record["id"] for record in session.history()]
    empty_state = snapshots[0]
    while True:
        ids = [record["id"] for record in session.history()]
        assert sorted(p.name for p in session.history_dir.glob("*")) == [
            f"{i:06d}" for i in ids
        ]  # nothing on disk that the history does not list
        expected = snapshots[ids[-1]] if ids else empty_state
        assert files(clip) == expected, f"history {ids} but the files are another state"
        for name in NAMES:
            assert session.frame_info(name) == stored_info(expected, name)
        body = next(e for e in session.palette_entries() if e["key"] == [88, 140, 214, 255])
        assert (body["color"] == body["key"]) == (expected["palette"][0] == b"")
        if not ids:
            return first_ids
        if len(ids) == 1:
            empty_state = snapshots[ids[0] - 1]
        session.undo()


def largest_segment(session: ReviewSession, name: str) -> tuple[int, list[int]]:
    """Largest segment of a frame and an opaque palette color it does not have."""
    sid = int(np.bincount(session.segments(name).ravel())[1:].argmax()) + 1
    current = session.frame_info(name)["colors"][str(sid)]
    for color in session.palette.tolist():
        if color != current and color[3] == 255 and color != [0, 0, 0, 255]:
            return sid, color
    raise AssertionError("palette has no other color")


def paint_largest(name: str) -> Callable[[ReviewSession], object]:
    def paint(session: ReviewSession) -> object:
        return session.paint(name, *largest_segment(session, name))

    return paint


def propagate_from_keyframe(session: ReviewSession) -> object:
    return session.propagate("0000")  # rewrites 0001 and 0002 together


def undo(session: ReviewSession) -> object:
    return session.undo()


def recolor_body(session: ReviewSession) -> object:
    """The mascot's body blue, orange in the whole cut (rewrites 0001, 0002 and the
    palette file together)."""
    return session.recolor([88, 140, 214, 255], [200, 90, 30])


# name: (max_history, edits done before, operation that is interrupted)
SCENARIOS = {
    "undo paint": (10, [paint_largest("0001")], undo),
    "undo propagate": (
        10, [paint_largest("0001"), paint_largest("0002"), propagate_from_keyframe], undo,
    ),
    "paint": (10, [], paint_largest("0001")),
    "propagate": (10, [paint_largest("0001"), paint_largest("0002")], propagate_from_keyframe),
    "paint dropping the oldest entry": (1, [paint_largest("0001")], paint_largest("0002")),
    "recolor": (10, [paint_largest("0001")], recolor_body),
    "undo recolor": (10, [recolor_body], undo),
}  # fmt: skip


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_crash_at_every_step_leaves_files_and_history_agreeing(clip, tmp_path, scenario):
    max_history, edits, operation = SCENARIOS[scenario]
    session = open_session(clip, max_history)
    snapshots = {0: files(clip)}
    for edit in edits:
        edit(session)
        snapshots[session.history()[-1]["id"]] = files(clip)
    prepared = Path(shutil.copytree(clip, tmp_path / "prepared"))

    # A run that does not die: how many changes the operation makes, and its result.
    with dies_after(None) as done:
        operation(session)
    total = len(done)
    ids_after = [record["id"] for record in session.history()]
    if ids_after and ids_after[-1] not in snapshots:
        snapshots[ids_after[-1]] = files(clip)
    ids_before = [record["id"] for record in open_session(prepared, max_history).history()]
    assert ids_after != ids_before and total > 4

    outcomes = set()
    for changes in range(total + 1):  # the last one: no crash
        trial = Path(shutil.copytree(prepared, tmp_path / f"crash{changes}"))
        session = open_session(trial, max_history)
        dies = pytest.raises(ProcessDied) if changes < total else contextlib.nullcontext()
        with dies, dies_after(changes):
            operation(session)
        ids = assert_consistent(trial, snapshots, max_history)
        assert ids in (ids_before, ids_after), (changes, ids)
        outcomes.add(tuple(ids))
        shutil.rmtree(trial)
    assert outcomes == {tuple(ids_before), tuple(ids_after)}  # both sides of the commit


def fill_disk_for(monkeypatch, path: Path, times: int | None) -> list[Path]:
    """Make the session's writes of ``path`` fail as on a full disk, the first ``times``
    times (None: every time). Returns the list of failed writes."""
    failed: list[Path] = []

    def failing(real: Callable) -> Callable:
        def write(target, data):
            if Path(target) == path and (times is None or len(failed) < times):
                failed.append(path)
                raise OSError(28, "No space left on device")
            return real(target, data)

        return write

    for module, name in ((history_module, "write_bytes"), (edits_module, "write_png")):
        monkeypatch.setattr(module, name, failing(getattr(module, name)))
    return failed


@pytest.mark.parametrize("operation", [undo, propagate_from_keyframe])
def test_a_failed_write_is_finished_or_rolled_back_at_once(clip, monkeypatch, operation):
    """Not a crash: one write fails (disk full) and the server keeps running. The
    running session finishes the undo or rolls the edit back right away."""
    session = open_session(clip, 10)
    paint_largest("0001")(session)
    paint_largest("0002")(session)
    before = files(clip)
    if operation is undo:
        propagate_from_keyframe(session)
    history = [record["id"] for record in session.history()]
    # 0002.png is written after 0001.png and 0001.json, by both operations.
    failed = fill_disk_for(monkeypatch, clip / "colorized" / "0002.png", times=1)
    with pytest.raises(OSError, match="No space"):
        operation(session)
    monkeypatch.undo()
    assert failed
    expected = history[:-1] if operation is undo else history
    assert [record["id"] for record in session.history()] == expected
    assert files(clip) == before
    for name in NAMES:
        assert session.frame_info(name) == stored_info(before, name)
    assert [record["id"] for record in open_session(clip, 10).history()] == expected
    assert files(clip) == before


@pytest.mark.parametrize("operation", [undo, propagate_from_keyframe])
def test_after_a_persistent_failure_the_next_change_recovers_first(clip, monkeypatch, operation):
    """The disk stays full during the operation and its own recovery; the next undo,
    once writing works again, first finishes that, then undoes the edit before."""
    session = open_session(clip, 10)
    paint_largest("0001")(session)
    after_first = files(clip)
    paint_largest("0002")(session)
    if operation is undo:
        propagate_from_keyframe(session)
    fill_disk_for(monkeypatch, clip / "colorized" / "0002.png", times=None)
    with pytest.raises(OSError, match="No space"):
        operation(session)
    monkeypatch.undo()
    session.undo()
    assert [record["id"] for record in session.history()] == [1]
    assert files(clip) == after_first
    assert session.frame_info("0002") == stored_info(after_first, "0002")


def test_session_start_removes_stale_temp_files(clip):
    session = open_session(clip, 10)
    paint_largest("0001")(session)
    out = clip / "colorized"
    entry = session.history_dir / "000001"
    stale = [
        out / ".0001.png.k2j_9x0a.tmp",
        out / ".0001.json.abcdefgh.tmp",
        entry / ".0001.png.zz_00011.tmp",
        session.history_dir / ".entry.json.q1w2e3r4.tmp",
        out / "export" / "psd" / ".0001.psd.a1b2c3d4.tmp",
    ]
    kept = [out / "notes.tmp", out / ".hidden.tmp", out / "0001.png.tmp"]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    open_session(clip, 10)
    assert [p for p in stale if p.exists()] == []
    assert all(p.read_bytes() == b"half" for p in kept)
    assert [record["id"] for record in open_session(clip, 10).history()] == [1]


KILLED_LOOP = """
import json, sys
from paintbucket.review.palette import PALETTE_FILE
from paintbucket.review.session import ReviewSession
clip, edits = sys.argv[1], json.loads(sys.argv[2])
session = ReviewSession(clip, clip + "/colorized", engine="flow", max_history=10)
while session.history():
    session.undo()
print("ready", flush=True)
while True:
    for name, sid, color in edits:
        session.paint(name, sid, color)
    session.propagate("0000")
    for _ in range(len(edits) + 1):
        session.undo()
"""


def test_sigkill_during_edits_and_undos_leaves_a_consistent_state(clip):
    """Kill a process editing and undoing in a loop at random times, then reopen."""
    session = open_session(clip, 10)
    snapshots = {0: files(clip)}
    edits = []
    for name in ("0001", "0002"):
        sid, color = largest_segment(session, name)
        session.paint(name, sid, color)
        edits.append([name, sid, color])
        snapshots[len(edits)] = files(clip)
    propagate_from_keyframe(session)
    snapshots[3] = files(clip)
    for _ in range(3):
        session.undo()
    assert files(clip) == snapshots[0]

    env = {**os.environ, "PYTHONPATH": str(Path(paintbucket.__file__).parents[1])}
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_LOOP, str(clip), json.dumps(edits)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(float(rng.uniform(0.05, 0.4)))
            assert child.poll() is None, child.stderr.read()  # still looping
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()
            child.stderr.close()
        assert_consistent(clip, snapshots, 10)
    assert time.perf_counter() - started < 15
