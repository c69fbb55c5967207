"""``pbc batch EPISODE_DIR --out OUT_DIR``: color every cut of an episode on Ray."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import add_cluster_options, add_colorize_options, colorize_settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "batch",
        help="colorize every cut of an episode in parallel (Ray: local or a cluster)",
        description="Color every cut of EPISODE_DIR (each folder under it holding line/, "
        "or those listed by --cuts) as pbc colorize does, into OUT_DIR/<cut>/, one Ray task "
        "per cut. OUT_DIR/manifest.jsonl records the finished cuts: a re-run skips them "
        "unless their inputs or the settings changed. A cut with bad input fails alone. "
        "OUT_DIR/batch.json sums up the run. Exit status 1 when a cut failed. Needs Ray: "
        'pip install "paintbucket[cluster]".',
    )
    parser.add_argument("episode_dir", metavar="EPISODE_DIR", help="folder of the cuts")
    parser.add_argument("--out", dest="out_dir", required=True, metavar="OUT_DIR")
    parser.add_argument(
        "--cuts",
        dest="cut_list",
        metavar="FILE",
        help="the cuts, one clip folder a line (relative to EPISODE_DIR), optionally "
        "followed by a tab and that cut's design sheet folder; # starts a comment",
    )
    add_colorize_options(parser)
    add_cluster_options(parser, "cuts")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.batch.run import SUMMARY_NAME, run_batch

    summary = run_batch(
        args.episode_dir,
        args.out_dir,
        colorize_settings(args),
        cut_list=args.cut_list,
        sheet=args.sheet,
        workers=args.workers,
        address=args.address,
        progress=not args.quiet,
    )
    print(
        f"{summary['cuts']} cuts: {summary['done']} done, {summary['skipped']} skipped, "
        f"{summary['failed']} failed; {summary['frames']} frames in {summary['seconds']:.1f} s "
        f"({summary['frames_per_second']:.2f} frames/s); {args.out_dir}/{SUMMARY_NAME}"
    )
    return 1 if summary["failed"] else 0
