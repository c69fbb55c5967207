"""Time and peak memory of the learned engine on one frame (1024 and 1920 pixels square).

Each size runs in a fresh process so its peak resident memory is its own. The frame is a
``pbc synth`` character frame rendered at that size (two consecutive frames).
Run: ``python bench/bench_learned_speed.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(size: int) -> dict:
    from paintbucket.consecutive import make_engine
    from paintbucket.core import ColoredFrame, Frame
    from paintbucket.io import read_rgba, write_png, write_text
    from paintbucket.synth.dataset import SynthConfig, generate

    with tempfile.TemporaryDirectory() as tmp:
        config = SynthConfig(
            characters=1, clips_per_character=1, frames=2, size=size, seed=11, split="test"
        )
        generate(Path(tmp) / "d", config, progress=False)
        clip = next((Path(tmp) / "d").glob("*/line")).parent
        # The same reference object for every run: reusing its encoding would time a
        # frame that anchored mode's keyframe gets, not one frame of a chain.
        engine = make_engine("inclusion", reuse_references=False)
        reference = ColoredFrame.from_keyframe(
            Frame.from_line_art(read_rgba(clip / "line" / "0000.png")),
            read_rgba(clip / "gt" / "0000.png"),
        )
        engine(reference, Frame.from_line_art(read_rgba(clip / "line" / "0001.png")))  # warm-up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            target = Frame.from_line_art(read_rgba(clip / "line" / "0001.png"))
            coloring = engine(reference, target)
            write_png(Path(tmp) / "out.png", coloring.render())
            write_text(Path(tmp) / "out.json", json.dumps(coloring.to_json()))
            times.append(time.perf_counter() - start)
        segments = int(target.segment_ids.max())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "seconds": min(times), "peak_rss_mb": peak_mb, "segments": segments}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    for size in (1024, 1920):
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True,
                             text=True, check=True)  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{size}x{size}: {result['seconds']:.2f} s end to end (segment, flow, network, "
            f"write PNG+JSON), peak memory {result['peak_rss_mb']:.0f} MB, "
            f"{result['segments']} segments"
        )


if __name__ == "__main__":
    main()
