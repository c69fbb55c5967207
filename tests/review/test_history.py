"""The undo journal on a folder of a few bytes: begin, commit, transaction, undo,
delete, prune and recover, each exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import paintbucket.review.history as history_module
from paintbucket.errors import InputError
from paintbucket.review.history import ENTRY_FILE, History

Files = dict[str, tuple[bytes, bytes]]


@pytest.fixture
def results(tmp_path) -> Path:
    """Results folder with frames ``a`` and ``b`` (any bytes do: the journal copies)."""
    folder = tmp_path / "results"
    folder.mkdir()
    write(folder, {"a": (b"a-png-0", b'{"a": 0}'), "b": (b"b-png-0", b'{"b": 0}')})
    return folder


#: A state file the history may save besides frames (the review's palette file).
STATE = "state/palette.json"


@pytest.fixture
def history(results) -> History:
    return History(results / "history", results, ["a", "b", "c"], max_history=2, files=[STATE])


def write(folder: Path, files: Files) -> None:
    for name, (png, info) in files.items():
        (folder / f"{name}.png").write_bytes(png)
        (folder / f"{name}.json").write_bytes(info)


def read(folder: Path, names: str = "ab") -> Files:
    return {n: ((folder / f"{n}.png").read_bytes(), (folder / f"{n}.json").read_bytes())
            for n in names}  # fmt: skip


def edit(history: History, name: str, version: int) -> Path:
    """One committed edit rewriting frame ``name`` to ``version``."""
    with history.transaction("paint", [name], segment=version) as entry:
        write(history.results_dir, {name: (f"{name}-png-{version}".encode(), b"{}")})
    return entry


def test_begin_saves_the_bytes_and_commit_lists_the_entry(history, results):
    before = read(results)
    entry = history.begin("paint", ["a", "b"], segment=3)
    assert entry == results / "history" / "000001"
    assert read(entry) == before
    record = history.record(entry)
    assert {k: v for k, v in record.items() if k != "time"} == {
        "id": 1, "action": "paint", "frames": ["a", "b"], "files": [], "segment": 3,
        "done": False,
    }  # fmt: skip
    assert history.records() == []  # not done: not in the history
    history.commit(entry)
    assert history.records() == [{**record, "done": True}]
    assert history.begin("accept", ["a"]).name == "000002"


def test_record_refuses_an_unreadable_or_foreign_entry(history, results):
    entry = history.begin("paint", ["a"])
    (entry / ENTRY_FILE).unlink()
    assert history.record(entry) is None  # snapshot unfinished
    (entry / ENTRY_FILE).write_text("{not json")
    with pytest.raises(InputError, match="cannot read undo history entry") as error:
        history.record(entry)
    assert str(entry / ENTRY_FILE) in str(error.value)
    (entry / ENTRY_FILE).write_text(json.dumps({"frames": ["a", "zz"], "done": True}))
    with pytest.raises(InputError, match="does not list frames of this clip"):
        history.records()


def test_transaction_commits_or_rolls_back(history, results):
    before = read(results)
    with pytest.raises(RuntimeError, match="half way"):
        with history.transaction("propagate", ["a", "b"]):
            write(results, {"a": (b"new", b"new")})
            raise RuntimeError("half way")
    assert read(results) == before
    assert history.entries() == [] and history.records() == []

    entry = edit(history, "b", 1)
    assert read(results) == {"a": before["a"], "b": (b"b-png-1", b"{}")}
    assert [r["id"] for r in history.records()] == [1]
    assert read(entry, "b") == {"b": before["b"]}  # the bytes before the edit


def test_undo_restores_the_bytes_and_deletes_the_entry(history, results):
    original = read(results)
    first = edit(history, "a", 1)
    after_first = read(results)
    second = edit(history, "a", 2)
    history.undo(second, history.record(second))
    assert read(results) == after_first
    assert history.entries() == [first]
    history.undo(first, history.record(first))
    assert read(results) == original
    assert history.entries() == [] and list((results / "history").iterdir()) == []


def test_an_undo_whose_write_fails_is_finished_by_recovery(history, results, monkeypatch):
    original = read(results)
    entry = edit(history, "b", 1)
    real = history_module.write_bytes
    failed = []

    def disk_full_once(path, data):
        if Path(path) == results / "b.json" and not failed:
            failed.append(path)
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(history_module, "write_bytes", disk_full_once)
    with pytest.raises(OSError, match="No space"):
        history.undo(entry, history.record(entry))
    assert failed  # b.png was already restored when b.json failed; recovery redid both
    assert read(results) == original and history.entries() == []


def test_recover_rolls_edits_back_and_undos_forward(history, results):
    edit(history, "a", 1)
    edit(history, "b", 1)
    after_edits = read(results)
    # An undo of entry 2 interrupted after its intent and half of the copying back.
    undoing = results / "history" / "000002"
    record = history.record(undoing)
    (undoing / ENTRY_FILE).write_text(json.dumps({**record, "done": False, "undoing": True}))
    (results / "b.png").write_bytes(b"b-png-0")
    # An edit of ``a`` interrupted after its intent and one new file.
    history.begin("paint", ["a"])
    (results / "a.png").write_bytes(b"a-png-half")
    # A snapshot that never got its entry.json, and a deletion that never finished.
    unfinished = results / "history" / "000004"
    unfinished.mkdir()
    (unfinished / "a.png").write_bytes(b"partial")
    (results / "history" / ".removed-000007-abc").mkdir()

    assert history.recover() == ["a", "b"]  # newest entry first
    assert read(results) == {"a": after_edits["a"], "b": (b"b-png-0", b'{"b": 0}')}
    assert sorted(p.name for p in (results / "history").iterdir()) == ["000001"]
    assert [r["id"] for r in history.records()] == [1]
    assert history.recover() == []  # nothing left to do


def test_state_files_are_saved_restored_and_deleted_with_the_frames(history, results):
    state = results / STATE
    with history.transaction("rename", [], files=[STATE]) as first:  # no state file yet
        state.parent.mkdir()
        state.write_bytes(b"names-1")
    assert history.record(first)["files"] == [{"path": STATE, "existed": False}]
    before = read(results)
    with history.transaction("recolor", ["a"], files=[STATE]) as second:
        write(results, {"a": (b"a-png-9", b"{}")})
        state.write_bytes(b"names-2")
    assert history.record(second)["files"] == [{"path": STATE, "existed": True}]
    history.undo(second, history.record(second))
    assert read(results) == before and state.read_bytes() == b"names-1"
    history.undo(first, history.record(first))
    assert not state.exists()  # it did not exist before the first edit

    # An edit interrupted after writing the state file is rolled back with its frames.
    state.write_bytes(b"names-1")
    history.begin("recolor", ["b"], files=[STATE])
    write(results, {"b": (b"b-png-half", b"{}")})
    state.write_bytes(b"names-half")
    assert history.recover() == ["b"]
    assert read(results) == before and state.read_bytes() == b"names-1"


def test_an_entry_naming_another_file_is_refused(history, results):
    with pytest.raises(ValueError, match="not a state file"):
        history.begin("rename", [], files=["../outside.json"])
    assert history.entries() == []
    entry = edit(history, "a", 1)
    record = history.record(entry)
    for files in ([{"path": "../../etc/passwd", "existed": True}], [{"path": STATE}], "x"):
        (entry / ENTRY_FILE).write_text(json.dumps({**record, "files": files}))
        with pytest.raises(InputError, match="files the review does not keep"):
            history.records()


def test_recover_without_a_history_folder_creates_nothing(history, results):
    assert history.recover() == []
    assert not (results / "history").exists()


def test_delete_takes_the_entry_out_before_deleting_its_files(history, results, monkeypatch):
    entry = edit(history, "a", 1)

    def busy(path):
        raise OSError("busy")

    monkeypatch.setattr(shutil, "rmtree", busy)
    with pytest.raises(OSError, match="busy"):
        history.delete(entry)
    monkeypatch.undo()
    assert history.entries() == [] and history.records() == []  # already out
    assert [p.name[:16] for p in (results / "history").iterdir()] == [".removed-000001-"]
    history.recover()
    assert list((results / "history").iterdir()) == []


def test_prune_keeps_the_newest_max_history_entries(history, results):
    for version in (1, 2, 3):
        edit(history, "a", version)
    assert [p.name for p in history.entries()] == ["000001", "000002", "000003"]
    history.prune()
    assert [p.name for p in history.entries()] == ["000002", "000003"]
    history.prune()
    assert [p.name for p in history.entries()] == ["000002", "000003"]


def test_max_history_must_be_positive(results):
    with pytest.raises(ValueError, match="at least 1, got 0"):
        History(results / "history", results, ["a"], max_history=0)
