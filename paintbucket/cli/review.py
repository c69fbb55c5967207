"""``pbc review CLIP_DIR``: review and correct colorization results in the browser."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import add_engine_option, add_seg_option, int_at_least


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "review",
        help="review and correct colorization results in the browser",
        description="Start a local web app showing CLIP_DIR's frames and their colorization "
        "results, lowest-confidence segments first; repaint segments, re-propagate, undo "
        "and export PNG sequences and layered PSDs. Results missing from OUT_DIR are made "
        "first with `pbc colorize --engine ENGINE`.",
    )
    parser.add_argument("clip_dir", metavar="CLIP_DIR", help="folder with line/ and gt/")
    parser.add_argument(
        "--results",
        dest="results_dir",
        metavar="OUT_DIR",
        help="results of pbc colorize (default: CLIP_DIR/colorized)",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default: 127.0.0.1, this machine only)",
    )
    add_engine_option(
        parser,
        "flow",
        "engine for colorizing missing results and for re-propagation (default: flow)",
    )
    add_seg_option(parser, help="segmentation the results were made with (default: default)")
    parser.add_argument(
        "--max-history",
        type=int_at_least(1),
        default=200,
        help="undo steps kept on disk (default: 200)",
    )
    parser.add_argument(
        "--no-colorize",
        dest="colorize",
        action="store_false",
        help="fail instead of colorizing when results are missing",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from werkzeug.serving import make_server

    from paintbucket.errors import InputError
    from paintbucket.pipeline.clip import colorize_clip
    from paintbucket.review.app import create_app
    from paintbucket.review.session import ReviewSession, default_results_dir, missing_results

    results_dir = Path(args.results_dir or default_results_dir(args.clip_dir))
    missing = missing_results(args.clip_dir, results_dir)
    if missing:
        if not args.colorize:
            raise InputError(results_dir, f"no result for {len(missing)} frame(s)")
        print(f"colorizing {args.clip_dir} into {results_dir} ({args.engine} engine)")
        colorize_clip(args.clip_dir, results_dir, engine=args.engine, seg_method=args.seg_method)
    session = ReviewSession(args.clip_dir, results_dir, engine=args.engine,
                            seg_method=args.seg_method, max_history=args.max_history)  # fmt: skip
    server = make_server(args.host, args.port, create_app(session), threaded=True)
    print(f"pbc review: http://{args.host}:{server.server_port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
