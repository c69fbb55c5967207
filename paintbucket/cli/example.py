"""``pbc example OUT_DIR``: draw a small clip to try ``pbc colorize`` on."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "example",
        help="draw the bundled example clip",
        description="Draw a waving mascot as a clip folder: line/ (all frames), gt/0000.png "
        "(the colored keyframe) and truth/ (gt/ and seg/ of every frame, for pbc eval).",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--frames", type=int, default=6, help="number of frames (default 6)")
    parser.add_argument("--size", type=int, default=512, help="frame side in pixels (default 512)")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.synth.example import write_example_clip

    write_example_clip(args.out_dir, frames=args.frames, size=args.size)
    print(f"wrote example clip to {args.out_dir}")
    return 0
