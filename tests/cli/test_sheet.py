"""``pbc sheet init`` and ``pbc sheet check`` end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paintbucket.io.images import write_png
from tests.cli.conftest import snapshot


@pytest.fixture
def views(tmp_path: Path) -> Path:
    """A folder with ``hero_fill.png`` and ``hero_lineart.png``: a skin-colored square
    with a shadow shape in it (no outline between them), outlined in black."""
    line = np.zeros((40, 40, 4), np.uint8)
    line[5:35, 5:35] = (0, 0, 0, 255)
    line[7:33, 7:33] = 0
    fill = np.zeros_like(line)
    fill[5:35, 5:35] = (245, 200, 170, 255)
    fill[7:33, 26:33] = (200, 160, 135, 255)
    folder = tmp_path / "views"
    write_png(folder / "hero_fill.png", fill)
    write_png(folder / "hero_lineart.png", line)
    return folder


def test_init_then_check(pbc, views, tmp_path):
    out = tmp_path / "sheet"
    run = pbc("sheet", "init", views / "hero_fill.png", "--out", out)
    assert run.rc == 0, run.stderr
    assert f"wrote {out / 'colorbook.yml'}: 1 entries, 2 colors, from 1 view(s)" in run.stdout
    text = (out / "colorbook.yml").read_text()
    assert ": [null,[245 200 170],[200 160 135],null]" in text
    check = pbc("sheet", "check", out)
    assert check.rc == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[-1] == f"{out}: sheet OK (1 view(s), 0 warning(s))"


def test_check_lists_errors_and_exits_1(pbc, views, tmp_path):
    out = tmp_path / "sheet"
    assert pbc("sheet", "init", views / "hero_fill.png", "--out", out).rc == 0
    (out / "colorbook.yml").write_text("skin on skin: [null,[245 200 170],null,null]\n")
    (out / "ref" / "extra_line.png").write_bytes((out / "ref" / "hero_line.png").read_bytes())
    check = pbc("sheet", "check", out)
    assert check.rc == 1
    lines = check.stdout.splitlines()
    assert lines[0].startswith("error: ") and lines[1].startswith("error: ")
    assert lines[-1] == f"{out}: 2 error(s), 0 warning(s)"


def test_init_bad_input_is_one_line(pbc, views, tmp_path):
    out = tmp_path / "sheet"
    pbc("sheet", "init", views / "missing.png", "--out", out).assert_refused("missing.png")
    assert not out.exists()
    assert pbc("sheet", "init", views / "hero_fill.png", "--out", out).rc == 0
    before = snapshot(out)
    pbc("sheet", "init", views / "hero_fill.png", "--out", out).assert_refused(
        "colorbook.yml: already exists (pass --force to overwrite)"
    )
    assert snapshot(out) == before
