"""Cuts: one painted keyframe, every other frame chained from an already colored one.

The pairwise protocol (``bench_consecutive.py``, the paper's) colors each frame from the
*painted* previous frame; a painter instead gets a cut with one painted keyframe, and
every other frame is colored from a colored neighbour, so errors are copied forward.
This script measures that, on

- held-out synthetic cuts (``pbc synth --split test``, 24+ frames), and
- warped sequences of the real drawings in ``../shared/data/real``: frame k is the
  drawing warped by k/(n-1) of a smooth random deformation (rotation, scale, shift,
  elastic field), colors warped alike (morevna's views get their keyframe from their
  fills: each segment takes its majority fill color). A real frame is scored on our
  segmentation split by its truth's colors, so a segment that leaks into the background
  through a broken line is not scored as correct.

Protocols: ``pair`` (each frame from the truth of the previous one), ``chain`` (one
keyframe at frame 0, ``--mode forward``), ``anchored`` (one keyframe, ``--mode
anchored``), with ``--both-ends`` the same two with keyframes at both ends, and with
``--sheet`` (synthetic cuts) ``anchored`` with the character's design sheet as one more
reference (``anchored-sheet``: the drawings only, so the sheet names materials;
``anchored-sheet-anno``: with every frame's shading annotation, ``line_anno/``). Scores
are over the non-key frames; ``late`` is Acc-Thres of the last four frames of a
synthetic cut (frames 20-23 of a 24-frame cut). Under each set's table, the *keyframe
palette ceiling*: the Acc-Thres a method would reach if it got right every segment whose
true color the keyframes show anywhere (:func:`palette_ceiling`); a color the keyframes
never show (the back of a character that a front-view keyframe hides) cannot be found
from them, only from a design sheet. With keyframes at both ends, also how well each
cut's last keyframe agrees with its own truth (:func:`print_key_agreement`). ``--plot``
draws Acc-Thres by distance from the nearest keyframe; ``--weights
LABEL=FILE[:BETA[:FLOOR[:LOCK[:CONSISTENCY]]]]`` adds the inclusion engine with other
weights (a training run's) beside the named engines, as in every bench script (network
only unless BETA is given; the default engine's settings are ``:0.5:0.01:0.7:0.8``).
``--seg`` segments the real sequences another way (morevna's flat keyframe too, so its
truth follows the lines that segmentation closes); ``--drawings`` keeps only some of
them. ``--opinions`` scores, for the ``anchored`` protocols, every coloring that a frame
fuses (the chained neighbour's, its predecessor's, each keyframe's, the sheet's) alone,
and the best pick per segment among them: the most any fusion of those opinions could
reach. Run: ``python bench/bench_cut.py --plot docs/images/cut.png``.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paintbucket.choices import KEYFRAME_BASELINE_WEIGHT, SEG_METHODS
from paintbucket.consecutive import make_engine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.io import normalize_transparent, read_rgba
from paintbucket.io.index_png import read_segments
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.inputs import segment_majority
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.metrics import evaluate_frame, segment_correctness, truth_segments
from paintbucket.metrics.segment_accuracy import THRESHOLD_AREA
from paintbucket.pipeline.chain import (
    colorize_sequence,
    extra_references,
    fuse_colorings,
    weighed_sheet_opinion,
)
from paintbucket.segment.stats import majority_vote, pack_rgba, segment_areas, unpack_rgba
from paintbucket.synth.dataset import SynthConfig, generate

from _common import REAL_DATA, WEIGHTS_HELP, WEIGHTS_METAVAR, add_keyframe_options, weight_engines
from _warp import apply_warp, random_warp

ROOT = Path(__file__).resolve().parents[1]
#: Held-out synthetic cuts: test-split characters, a seed no other bench uses.
CUT_CONFIG = SynthConfig(characters=4, clips_per_character=2, frames=24, size=512, seed=31,
                         split="test")  # fmt: skip
#: Real drawings: (name, line-art file, colors file; None = painted gt of the same name).
REAL = (
    ("laughing_girl", "laughing_girl/line/0000.png", "laughing_girl/gt/0000.png"),
    ("smoke_explosion", "smoke_explosion/line/00026.png", "smoke_explosion/gt/00026.png"),
    ("pbc_char_0242", "pbc_char_0242/line/0242.png", "pbc_char_0242/gt/0242.png"),
    ("saha_front", "morevna/saha_front_lineart.png", "morevna/saha_front_fill.png"),
    ("saha_side", "morevna/saha_side_lineart.png", "morevna/saha_side_fill.png"),
    ("sita_front", "morevna/sita_front_lineart.png", "morevna/sita_front_fill.png"),
)


class Cut:
    """A sequence of drawings with their true colors and segments (and, for synthetic
    cuts, the character's design sheet and every frame's shading annotation)."""

    def __init__(self, name: str, lines: list, truths: list, segments: list | None = None,
                 sheet_dir: Path | None = None, annotations: list | None = None,
                 seg_method: str = "default"):  # fmt: skip
        self.name, self.lines, self.truths = name, lines, truths
        self.seg_method = seg_method
        self.segments = segments  # official segment maps, else our segmentation
        self.sheet_dir, self.annotations = sheet_dir, annotations

    def __len__(self) -> int:
        return len(self.lines)

    def frame(self, index: int) -> Frame:
        return Frame.from_line_art(self.lines[index], self.seg_method)

    def keyframe(self, index: int) -> ColoredFrame:
        """The frame painted with its truth (each segment its majority color: a warped
        frame's nearest-sampled colors need not be perfectly flat on its own segments)."""
        return ColoredFrame.from_keyframe(self.frame(index), self.truths[index], min_flatness=0)

    def scoring_ids(self, index: int, frame: Frame) -> np.ndarray:
        """The segments a frame is scored on: the official map, else our segmentation
        split by the truth's colors (:func:`~paintbucket.metrics.truth_segments`), so
        that a segment leaking into the background cannot pass as correct."""
        if self.segments is not None:
            return self.segments[index]
        return truth_segments(frame.segment_ids, self.truths[index], frame.line_mask)

    def score(self, index: int, frame: Frame, rendered: np.ndarray):
        return evaluate_frame(rendered, self.truths[index], self.scoring_ids(index, frame))


def synthetic_cuts(folder: Path) -> list[Cut]:
    if not (folder / "dataset.json").is_file():
        generate(folder, CUT_CONFIG)
    cuts = []
    for clip in sorted(p for p in folder.iterdir() if (p / "line").is_dir()):
        names = sorted(p.name for p in (clip / "line").glob("*.png"))
        cuts.append(Cut(clip.name, [read_rgba(clip / "line" / n) for n in names],
                        [read_rgba(clip / "gt" / n) for n in names],
                        [read_segments(clip / "seg" / n) for n in names],
                        folder / f"{clip.name.split('_')[0]}_sheet",
                        [read_rgba(clip / "line_anno" / n) for n in names]))  # fmt: skip
    return cuts


def flat_colors(line: np.ndarray, fill: np.ndarray, seg_method: str = "default") -> np.ndarray:
    """A flat keyframe from separate fills: each segment takes its majority fill color."""
    frame = Frame.from_line_art(line, seg_method)
    majority = segment_majority(frame.segment_ids, pack_rgba(normalize_transparent(fill)))
    colors = unpack_rgba(np.maximum(majority, 0))
    colors[majority < 0] = 0
    painted = colors[frame.segment_ids]
    painted[frame.segment_ids == 0] = (0, 0, 0, 255)
    return painted


def real_cuts(frames: int, seed: int, strength: float, seg_method: str = "default",
              names: list[str] | None = None) -> list[Cut]:  # fmt: skip
    """Warped sequences of the real drawings (``names``: only these), segmented with
    ``seg_method``; morevna's flat keyframe is made with the same segmentation."""
    cuts = []
    for name, line_file, color_file in REAL:
        if names and name not in names:
            continue
        if not (REAL_DATA / line_file).is_file():
            print(f"skipping {name}: not found")
            continue
        line, color = read_rgba(REAL_DATA / line_file), read_rgba(REAL_DATA / color_file)
        if "morevna" in line_file:
            color = flat_colors(line, color, seg_method)
        warp = random_warp(np.random.default_rng(seed), line.shape[:2], strength)
        pairs = [apply_warp(line, color, warp, k / (frames - 1)) for k in range(frames)]
        cuts.append(Cut(name, [p[0] for p in pairs], [p[1] for p in pairs],
                        seg_method=seg_method))  # fmt: skip
    return cuts


@functools.cache
def sheet_colorizer(sheet_dir: Path, baseline_weight: float, flip_average: bool) -> SheetColorizer:
    return SheetColorizer(
        load_sheet(sheet_dir), baseline_weight=baseline_weight, flip_average=flip_average
    )


def palette_ceiling(cut: Cut, keys: list[int]) -> dict[int, float]:
    """Per non-key frame, the share of its Acc-Thres segments (as :meth:`Cut.score`
    counts them) whose true color appears in one of the ``keys`` frames' truth: the most
    that coloring from those keyframes alone can get right."""
    shown = np.unique(
        np.concatenate([pack_rgba(normalize_transparent(cut.truths[k])).ravel() for k in keys])
    )
    ceilings = {}
    for index in range(len(cut)):
        if index in keys:
            continue
        ids = cut.scoring_ids(index, cut.frame(index))
        segment, colors, _, _ = majority_vote(
            ids, pack_rgba(normalize_transparent(cut.truths[index]))
        )
        large = segment_areas(ids)[segment] > THRESHOLD_AREA
        ceilings[index] = float(np.isin(colors[large], shown).mean()) if large.any() else np.nan
    return ceilings


def print_ceilings(sets: dict, both_ends: bool) -> None:
    """The keyframe palette ceiling of every set, over all non-key frames and (synthetic
    cuts) the last four, for one keyframe and, with ``both_ends``, keyframes at both ends."""
    for set_name, cuts in sets.items():
        key_sets = {"one keyframe": lambda c: [0]}
        if both_ends:
            key_sets["both ends"] = lambda c: [0, len(c) - 1]
        cells = []
        for label, keys_of in key_sets.items():
            frames = [(c, i, v) for c in cuts for i, v in palette_ceiling(c, keys_of(c)).items()]
            cell = f"{label} {_mean(v for _, _, v in frames):.4f}"
            if set_name == "synthetic":
                cell += f" | {_mean(v for c, i, v in frames if i >= len(c) - 4):.4f}"
            cells.append(cell)
        print(f"{set_name}: keyframe palette ceiling (Acc-Thres) | " + " | ".join(cells))


def print_key_agreement(sets: dict) -> None:
    """How well the last frame's keyframe, painted as a user would (each of our segments
    its majority true color, :meth:`Cut.keyframe`), agrees with that frame's truth.
    Where our segmentation of an open drawing merges regions that the truth keeps apart,
    it cannot agree; a warped sequence's truth follows the first frame's painting, so
    only the second keyframe of the both-ends protocols is affected, and it then hands
    the method colors that the scoring counts as wrong."""
    for set_name, cuts in sets.items():
        cells = []
        for cut in cuts:
            last = len(cut) - 1
            key = cut.keyframe(last)
            score = cut.score(last, key, key.as_coloring().render())
            if score.acc < 1 or score.acc_thres < 1:
                cells.append(f"{cut.name} {score.acc:.4f} / {score.acc_thres:.4f}")
        agreement = ", ".join(cells) if cells else "all agree"
        print(f"{set_name}: last keyframe against its own truth (Acc / Acc-Thres) | {agreement}")


#: Names of the opinions an ``anchored`` frame fuses, in :func:`opinion_roles` order.
ROLES = ("chained", "predecessor", "keyframe", "far keyframe", "sheet", "fused", "any right")


def opinion_roles(index: int, reference: int, keys: list[int], sheet: bool) -> list[str]:
    """The role of each coloring that ``colorize_sequence`` fuses for frame ``index``:
    the chained neighbour's, then :func:`extra_references` in its order (a chained
    predecessor, the nearest keyframe, one on the other side), then the sheet's."""
    nearest = min(keys, key=lambda k: (abs(k - index), k))
    roles = ["chained"]
    for extra in extra_references(index, reference, keys):
        roles.append("predecessor" if extra not in keys
                     else "keyframe" if extra == nearest else "far keyframe")  # fmt: skip
    return roles + ["sheet"] * sheet


def opinion_scores(cut: Cut, index: int, frame: Frame, renders: dict[str, np.ndarray]):
    """(Acc, Acc-Thres) of each rendered coloring alone, and of a choice that takes, for
    every segment, whichever coloring (but the ``fused`` one) has it right (``any
    right``): the most that a fusion of those colorings could reach."""
    ids = cut.scoring_ids(index, frame)
    scores, right = {}, None
    for role, rendered in renders.items():
        areas, correct = segment_correctness(rendered, cut.truths[index], ids)
        if role != "fused":
            right = correct if right is None else right | correct
        scores[role] = correct, areas
    scores["any right"] = right, areas
    large = areas > THRESHOLD_AREA
    return {role: (float(c.mean()) if c.size else np.nan,
                   float(c[large].mean()) if large.any() else np.nan)
            for role, (c, _) in scores.items()}  # fmt: skip


def run_protocol(
    cut: Cut,
    engine,
    protocol: str,
    opinions: dict | None = None,
    baseline_weight: float = KEYFRAME_BASELINE_WEIGHT,
    flip_average: bool = True,
) -> dict[int, object]:
    """Scores per non-key frame index; with ``opinions`` (a dict, ``anchored`` protocols),
    also :func:`opinion_scores` per non-key frame index into it. ``baseline_weight``,
    ``flip_average``: the sheet colorizer's (``anchored-sheet`` protocols)."""
    last = len(cut) - 1
    if protocol == "pair":
        return {i: cut.score(i, target, engine(cut.keyframe(i - 1), target).render())
                for i in range(1, len(cut)) for target in [cut.frame(i)]}  # fmt: skip
    mode = "forward" if protocol.startswith("chain") else "anchored"
    keys = [0, last] if protocol.endswith("both") else [0]
    sheet_opinion = None
    if protocol.startswith("anchored-sheet"):
        if cut.sheet_dir is None:
            return {}
        colorizer = sheet_colorizer(cut.sheet_dir, baseline_weight, flip_average)
        annotated = protocol == "anchored-sheet-anno"

        def sheet_opinion(index: int, frame: Frame):
            annotation = cut.annotations[index] if annotated else None
            return weighed_sheet_opinion(colorizer.opinion, frame, annotation)

    def load_keyframe(index: int):
        key = cut.keyframe(index)
        return key, key.as_coloring()

    fused: list = []

    def fuse(chained, others, weights):
        fused[:] = [chained, *others]
        return fuse_colorings(chained, others, weights)

    sequence = colorize_sequence(len(cut), keys, cut.frame, load_keyframe, engine, mode,
                                 fuse=fuse, sheet_opinion=sheet_opinion)  # fmt: skip
    scores = {}
    for index, reference, frame, coloring in sequence:
        if reference < 0:
            continue
        rendered = coloring.render()
        scores[index] = cut.score(index, frame, rendered)
        if opinions is not None and mode == "anchored":
            roles = opinion_roles(index, reference, keys, sheet_opinion is not None)
            renders = {role: c.render() for role, c in zip(roles, fused)}
            renders = (renders or {"chained": rendered}) | {"fused": rendered}
            opinions[index] = opinion_scores(cut, index, frame, renders)
        fused.clear()
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "bench-cut")
    parser.add_argument("--engines", nargs="*", default=["flow", "inclusion"])
    parser.add_argument("--both-ends", action="store_true", help="also keyframes at both ends")
    parser.add_argument("--sheet", action="store_true",
                        help="synthetic cuts: also anchored with the design sheet, without "
                        "and with every frame's shading annotation")  # fmt: skip
    add_keyframe_options(parser)  # the sheet colorizer's (anchored-sheet protocols)
    parser.add_argument("--protocols", nargs="+", help="run only these protocols")
    parser.add_argument("--cuts", type=int, help="use only the first N synthetic cuts")
    parser.add_argument("--real-frames", type=int, default=8, help="frames per real sequence")
    parser.add_argument("--strength", type=float, default=1.5, help="total warp of a sequence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip", choices=("synthetic", "real"), help="run only the other set")
    parser.add_argument("--drawings", nargs="+", choices=[r[0] for r in REAL],
                        help="real sequences of only these drawings")  # fmt: skip
    parser.add_argument(
        "--seg",
        default=SEG_METHODS[0],
        choices=SEG_METHODS,
        help="segmentation of the real sequences (and of morevna's keyframe)",
    )
    parser.add_argument("--opinions", action="store_true",
                        help="anchored protocols: also score every fused opinion alone and "
                        "the best pick among them per segment")  # fmt: skip
    parser.add_argument("--plot", type=Path, help="Acc-Thres by distance to the keyframe")
    parser.add_argument("--weights", nargs="+", default=[], metavar=WEIGHTS_METAVAR,
                        help=WEIGHTS_HELP)  # fmt: skip
    args = parser.parse_args()
    protocols = ["pair", "chain", "anchored"]
    if args.both_ends:
        protocols += ["chain-both", "anchored-both"]
    if args.sheet:
        protocols += ["anchored-sheet", "anchored-sheet-anno"]
    protocols = args.protocols or protocols
    sets = {}
    if args.skip != "synthetic":
        sets["synthetic"] = synthetic_cuts(args.data)[: args.cuts]
    if args.skip != "real":
        sets["real"] = real_cuts(args.real_frames, args.seed, args.strength, args.seg,
                                 args.drawings)  # fmt: skip
    engines = {name: make_engine(name) for name in args.engines}
    engines.update(weight_engines(args.weights))
    scores: dict = defaultdict(dict)  # (set, cut, engine, protocol) -> {index: FrameScores}
    start = time.perf_counter()
    jobs = [(s, c, e, p) for s, cuts in sets.items() for c in cuts for e in engines
            for p in protocols]  # fmt: skip
    seconds: dict = defaultdict(float)  # (engine, protocol) -> time spent
    opinion_table: dict = defaultdict(list)  # (set, engine, protocol) -> [{index: scores}]
    for set_name, cut, engine_name, protocol in tqdm(jobs, desc="cuts", unit="run"):
        began = time.perf_counter()
        opinions = {} if args.opinions else None
        scores[set_name, cut.name, engine_name, protocol] = run_protocol(
            cut, engines[engine_name], protocol, opinions, args.baseline_weight,
            args.flip_average,
        )  # fmt: skip
        if opinions:
            opinion_table[set_name, engine_name, protocol].append(opinions)
        seconds[engine_name, protocol] += time.perf_counter() - began
    elapsed = time.perf_counter() - start
    print_tables(sets, scores, engines, protocols)
    if any(p.startswith("anchored-sheet") for p in protocols):
        print(f"(the sheet colorizer's baseline weight: {args.baseline_weight}, "
              f"flip averaging: {args.flip_average})")  # fmt: skip
    if opinion_table:
        print_opinions(opinion_table)
    print()
    print_ceilings(sets, any(p.endswith("both") for p in protocols))
    if any(p.endswith("both") for p in protocols):
        print_key_agreement(sets)
    print("\nseconds per scored frame (drawing, matching, fusion and scoring):")
    for engine_name in engines:
        cells = []
        for protocol in protocols:
            frames = sum(len(scores[s, c.name, engine_name, protocol])
                         for s, cuts in sets.items() for c in cuts)  # fmt: skip
            cells.append(f"{protocol} {seconds[engine_name, protocol] / max(frames, 1):.3f}")
        print(f"{engine_name:>9} | " + " | ".join(cells))
    print(f"{elapsed:.0f} s on {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    if args.plot:
        plot_by_distance(sets, scores, engines, protocols, args.plot)


def _mean(values) -> float:
    values = [v for v in values if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def print_tables(sets, scores, engines, protocols) -> None:
    for set_name, cuts in sets.items():
        late = " | Acc-Thres of the last 4 frames" if set_name == "synthetic" else ""
        print(f"\n{set_name}: Acc / Acc-Thres over the non-key frames{late}")
        rows = [(c.name, [c]) for c in cuts] if set_name == "real" else []
        rows.append(("all", cuts))
        for label, group in rows:
            for engine_name in engines:
                cells = []
                for protocol in protocols:
                    frames = [
                        (c, i, s)
                        for c in group
                        for i, s in scores[set_name, c.name, engine_name, protocol].items()
                    ]
                    acc = _mean(s.acc for _, _, s in frames)
                    thres = _mean(s.acc_thres for _, _, s in frames)
                    cell = f"{protocol} {acc:.4f} / {thres:.4f}"
                    if set_name == "synthetic":
                        late = _mean(s.acc_thres for c, i, s in frames if i >= len(c) - 4)
                        cell += f" | {late:.4f}"
                    cells.append(cell)
                print(f"{label:>16} | {engine_name:>9} | " + " | ".join(cells))


def print_opinions(table: dict) -> None:
    """Acc / Acc-Thres of every fused opinion alone, of the fusion and of the per-segment
    best pick, over the frames that have that opinion."""
    for (set_name, engine_name, protocol), cuts in table.items():
        print(f"\n{set_name}, {engine_name} {protocol}: each opinion alone, the fusion, and "
              "the best pick per segment (Acc / Acc-Thres over the frames that have the "
              "opinion, in brackets Acc-Thres of each cut's last four scored frames | the "
              "fusion over the same frames)")  # fmt: skip
        for role in ROLES:
            frames = [f for cut in cuts for f in cut.values() if role in f]
            late = [f for cut in cuts for i, f in cut.items() if role in f and i > max(cut) - 4]
            if frames:
                cells = []
                for name in (role, "fused"):
                    acc = _mean(f[name][0] for f in frames)
                    cell = f"{acc:.4f} / {_mean(f[name][1] for f in frames):.4f}"
                    if late:
                        cell += f" ({_mean(f[name][1] for f in late):.4f})"
                    cells.append(cell)
                print(f"{role:>14} | {' | '.join(cells)} | {len(frames)} frames")


def plot_by_distance(sets, scores, engines, protocols, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(sets), figsize=(6 * len(sets), 4), squeeze=False)
    for axis, (set_name, cuts) in zip(axes[0], sets.items()):
        for engine_name in engines:
            for protocol in protocols:
                by_distance = defaultdict(list)
                for cut in cuts:
                    keys = [0, len(cut) - 1] if protocol.endswith("both") else [0]
                    for i, s in scores[set_name, cut.name, engine_name, protocol].items():
                        by_distance[min(abs(i - k) for k in keys)].append(s.acc_thres)
                distances = sorted(by_distance)
                axis.plot(distances, [_mean(by_distance[d]) for d in distances],
                          marker=".", label=f"{engine_name} {protocol}")  # fmt: skip
        axis.set_title(f"{set_name} cuts")
        axis.set_xlabel("frames from the nearest keyframe")
        axis.set_ylabel("Acc-Thres")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
