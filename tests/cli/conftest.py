"""Running the installed ``pbc`` entry point, and tiny inputs for its error paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    rc: int
    stdout: str
    stderr: str

    def assert_refused(self, *fragments: str) -> None:
        """Exit 2 with exactly one stderr line, ``pbc: error: ...`` holding ``fragments``."""
        assert "Traceback" not in self.stderr, self.stderr
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("pbc: error: "), lines[0]
        for fragment in fragments:
            assert fragment in lines[0], lines[0]
        assert self.rc == 2, (self.rc, self.stderr)


def _pbc_executable() -> str:
    beside_python = Path(sys.executable).with_name("pbc")
    found = str(beside_python) if beside_python.is_file() else shutil.which("pbc")
    if found is None:
        pytest.skip("the pbc entry point is not installed")
    return found


@pytest.fixture(scope="session")
def pbc():
    """``pbc(*args, cwd=None, umask=None) -> Run``: the installed ``pbc`` command as a
    subprocess, running this checkout's code (PYTHONPATH = the repository)."""
    executable = _pbc_executable()
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), path]))}

    def run(*args: object, cwd: Path | None = None, umask: int | None = None) -> Run:
        def set_umask() -> None:
            if umask is not None:
                os.umask(umask)

        process = subprocess.run(
            [executable, *map(str, args)],
            capture_output=True, text=True, env=env, cwd=cwd, preexec_fn=set_umask, timeout=300,
        )  # fmt: skip
        return Run(process.returncode, process.stdout, process.stderr)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes), to show nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
