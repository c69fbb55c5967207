"""The README's first set-up command in a fresh virtual environment, timed and sized.

Creates a new venv in a temporary folder, runs ``pip install .`` (the project, no
extras) and then the README's demo (``pbc example demo``, ``pbc colorize demo``,
``pbc eval``), and prints: seconds from the start of ``pip install`` to the demo's
printed scores, the venv's size on disk, the five largest installed packages, and
whether PyTorch was installed (it must not be: colorizing runs on ONNX Runtime).
pip takes packages from its configured index and caches, so the install time depends
on them (a warm cache is the usual case on a developer machine).

Run: ``python bench/bench_install.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def folder_size(path: Path) -> int:
    """Bytes of every regular file under ``path`` (links not followed)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def run(command: list[str], cwd: Path) -> str:
    """stdout of ``command``; exits with its stderr on failure."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pbc-install-"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    start = time.perf_counter()
    run([str(bin_dir / "pip"), "install", "--quiet", str(ROOT)], work)
    installed = time.perf_counter() - start
    run([str(bin_dir / "pbc"), "example", "demo"], work)
    run([str(bin_dir / "pbc"), "colorize", "demo", "--out", "demo_out", "--quiet"], work)
    scores = run([str(bin_dir / "pbc"), "eval", "demo_out", "demo/truth"], work)
    total = time.perf_counter() - start
    site = next((venv / "lib").glob("python3*/site-packages"))
    sizes = sorted(((folder_size(p), p.name) for p in site.iterdir() if p.is_dir()), reverse=True)
    torch = (site / "torch").exists()
    print(scores.strip())
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"pip install .: {installed:.1f} s; to the demo's scores: {total:.1f} s")
    print(f"venv: {folder_size(venv) / 1e6:.0f} MB; torch installed: {torch}")
    print("largest: " + ", ".join(f"{name} {size / 1e6:.0f} MB" for size, name in sizes[:5]))


if __name__ == "__main__":
    main()
