"""``pbc example OUT_DIR``: draw a small clip to try ``pbc colorize`` on."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import int_at_least, int_between


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "example",
        help="draw the bundled example clip",
        description="Draw a waving mascot as a clip folder: line/ (all frames), gt/0000.png "
        "(the colored keyframe) and truth/ (gt/ and seg/ of every frame, for pbc eval).",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument(
        "--frames", type=int_at_least(1), default=6, help="number of frames (default 6)"
    )
    parser.add_argument(
        "--size",
        type=int_between(64, 4096),
        default=512,
        help="frame side in pixels, 64..4096 (default 512)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.io.outputs import check_output_folder
    from paintbucket.synth.example import write_example_clip

    check_output_folder(args.out_dir)
    write_example_clip(args.out_dir, frames=args.frames, size=args.size)
    print(f"wrote example clip to {args.out_dir}")
    return 0
