"""``pbc review CLIP_DIR``: review and correct colorization results in the browser."""

from __future__ import annotations

import argparse
import re

from paintbucket.choices import ENGINE_NAMES
from paintbucket.cli.options import add_engine_option, add_seg_option, int_at_least

#: A --token: URL-safe (it goes into the printed URL), long enough not to be guessed.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,256}")


def session_token(text: str) -> str:
    """argparse type of ``--token``: 16-256 URL-safe characters."""
    if not TOKEN_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError("must be 16-256 characters of A-Z a-z 0-9 _ -")
    return text


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
        help="interface to bind (default: 127.0.0.1, this machine only); a non-loopback "
        "address needs --allow-remote",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach; the page and API then need the "
        "session token, printed in the URL",
    )
    parser.add_argument(
        "--token",
        type=session_token,
        help="session token every API request must carry (default: a random one)",
    )
    add_engine_option(
        parser,
        f"engine for colorizing missing results and for re-propagation (default: "
        f"{ENGINE_NAMES[0]}, as pbc colorize)",
    )
    add_seg_option(
        parser,
        help="segmentation of missing results and of results that do not record theirs "
        "(pbc colorize records it in each JSON; default: default)",
    )
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
    import socket
    import sys
    from pathlib import Path

    from paintbucket.errors import InputError
    from paintbucket.review.app import create_app
    from paintbucket.review.security import WILDCARD_HOSTS, is_loopback
    from paintbucket.review.server import ReviewServer
    from paintbucket.review.session import default_results_dir, missing_results
    from paintbucket.review.startup import open_review
    from paintbucket.review.tasks import Tasks

    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        raise InputError(
            None,
            f"--host {args.host} is not a loopback address, so other machines could open "
            "the review; add --allow-remote to serve it anyway (page and API need the token)",
        )
    results_dir = Path(args.results_dir or default_results_dir(args.clip_dir))
    missing = missing_results(args.clip_dir, results_dir)
    if missing and not args.colorize:
        raise InputError(results_dir, f"no result for {len(missing)} frame(s)")
    # The server comes up first, so the page can show the colorization's progress.
    app = create_app(None, args.host, args.token, allow_remote=remote, tasks=Tasks())
    server = ReviewServer(app, args.host, args.port)
    if remote:
        name = socket.gethostname() if args.host in WILDCARD_HOSTS else args.host
        name = f"[{name}]" if ":" in name else name
        url = f"http://{name}:{server.server_port}/?token={app.config['REVIEW_TOKEN']}"
        print(
            f"pbc review: warning: serving on {args.host}, reachable from other machines; "
            "anyone with the URL below can edit the results",
            file=sys.stderr,
            flush=True,
        )
    else:
        name = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{name}:{server.server_port}/"
    print(f"pbc review: {url}  (Ctrl+C to stop)", flush=True)
    server.start()
    try:
        if missing:
            print(f"colorizing {args.clip_dir} into {results_dir} ({args.engine} engine)",
                  flush=True)  # fmt: skip
        open_review(app, args.clip_dir, results_dir, engine=args.engine,
                    seg_method=args.seg_method, max_history=args.max_history,
                    progress_bar=True)  # fmt: skip
    except BaseException:
        server.shutdown()
        raise
    try:
        server.wait()
    finally:  # Ctrl+C
        server.shutdown()
    return 0
