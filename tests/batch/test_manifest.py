import shutil

from paintbucket.batch.cuts import Cut
from paintbucket.batch.manifest import Fingerprints, Manifest, output_checksums

SETTINGS = {"engine": "flow", "engine_options": {}, "device": "cpu", "mode": "forward",
            "keep_line": False, "seg_method": "default", "line_threshold": "auto",
            "max_pixels": 1000}  # fmt: skip


def _clip(root, name="c1"):
    clip = root / name
    for folder, files in {"line": ["0.png", "1.png"], "gt": ["0.png"]}.items():
        (clip / folder).mkdir(parents=True)
        for file in files:
            (clip / folder / file).write_bytes(f"{folder}/{file}".encode())
    return clip


def test_fingerprint_follows_inputs_and_settings_not_location(tmp_path):
    clip = _clip(tmp_path / "ep")
    cut = Cut("c1", clip)
    first = Fingerprints(SETTINGS)(cut)
    assert Fingerprints(SETTINGS)(cut) == first
    moved = tmp_path / "copy" / "c1"
    shutil.copytree(clip, moved)
    assert Fingerprints(SETTINGS)(Cut("c1", moved)) == first  # a copied episode
    (clip / "line" / ".1.png.99_abcdef01.tmp").write_bytes(b"x")  # temp files: not inputs
    assert Fingerprints(SETTINGS)(cut) == first
    assert Fingerprints({**SETTINGS, "max_pixels": 10**9})(cut) == first
    assert Fingerprints({**SETTINGS, "mode": "nearest"})(cut) != first
    (clip / "line" / "1.png").write_bytes(b"redrawn")
    assert Fingerprints(SETTINGS)(cut) != first


def test_fingerprint_reads_the_sheet_and_weights(tmp_path):
    clip = _clip(tmp_path)
    sheet = tmp_path / "sheet"
    (sheet / "ref").mkdir(parents=True)
    (sheet / "colorbook.yml").write_text("a")
    with_sheet = Cut("c1", clip, sheet)
    learned = {**SETTINGS, "engine": "inclusion", "engine_options": {"weights": None}}
    before = Fingerprints(learned)(with_sheet)
    assert before != Fingerprints(learned)(Cut("c1", clip))
    (sheet / "colorbook.yml").write_text("b")
    assert Fingerprints(learned)(with_sheet) != before
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"1")
    custom = {**learned, "engine_options": {"weights": str(weights)}}
    first = Fingerprints(custom)(with_sheet)
    copy = tmp_path / "elsewhere.safetensors"
    copy.write_bytes(b"1")  # the same weights moved: nothing to redo
    assert Fingerprints({**learned, "engine_options": {"weights": str(copy)}})(with_sheet) == first
    weights.write_bytes(b"2")  # retrained weights: redo
    assert Fingerprints(custom)(with_sheet) != first


def _finish(manifest, out, name, fingerprint):
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0.json").write_text("{}")
    (folder / "0.png").write_bytes(b"png")
    record = {
        "cut": name,
        "inputs": fingerprint,
        "frames": 1,
        "seconds": 1.0,
        "outputs": output_checksums(folder, ["0.json", "0.png"]),
        "worker": "1@h",
    }
    manifest.add(record)
    return folder


def test_manifest_states_and_edits(tmp_path):
    out = tmp_path / "out"
    manifest = Manifest(out)
    cut = Cut("c1", tmp_path / "c1")
    assert manifest.check(cut, "f") == ("new", [])
    folder = _finish(manifest, out, "c1", "f")
    reread = Manifest(out)
    assert reread.check(cut, "f") == ("finished", [])
    assert reread.check(cut, "g") == ("inputs changed", [])
    (folder / "0.png").write_bytes(b"repainted in pbc review")
    assert Manifest(out).check(cut, "f") == ("finished", ["0.png"])  # kept, not redone
    (folder / "0.json").unlink()
    assert Manifest(out).check(cut, "f") == ("outputs missing", [])


def test_torn_last_line_is_ignored_and_compacted_away(tmp_path):
    out = tmp_path / "out"
    manifest = Manifest(out)
    _finish(manifest, out, "c1", "f")
    _finish(manifest, out, "c2", "f")
    _finish(manifest, out, "c1", "f2")  # redone later: the last record wins
    with open(manifest.path, "a") as handle:
        handle.write('{"cut": "c3", "inpu')  # killed while appending
    reread = Manifest(out)
    assert set(reread.records) == {"c1", "c2"} and reread.records["c1"]["inputs"] == "f2"
    reread.compact()
    lines = manifest.path.read_text().splitlines()
    assert len(lines) == 2 and all(line.endswith("}") for line in lines)
    reread.add({"cut": "c3", "inputs": "h", "outputs": {}})
    assert set(Manifest(out).records) == {"c1", "c2", "c3"}
