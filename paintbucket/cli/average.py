"""``pbc average WEIGHTS WEIGHTS... --out FILE``: average weights files into one."""

from __future__ import annotations

import argparse

from paintbucket.choices import MODEL_KINDS
from paintbucket.cli.options import require_torch


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "average",
        help="average trained weights files of one model into one (model soup)",
        description="Average the parameters of two or more safetensors files of the same "
        "model and conf (e.g. runs fine-tuned from the same weights) into OUT.",
    )
    parser.add_argument("paths", nargs="+", metavar="WEIGHTS", help="safetensors files")
    parser.add_argument("--out", required=True, metavar="FILE", help="averaged weights")
    parser.add_argument(
        "--model",
        choices=MODEL_KINDS,
        default=MODEL_KINDS[0],
        help=f"which model the files hold (default {MODEL_KINDS[0]})",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    require_torch("pbc average")
    from paintbucket.errors import InputError
    from paintbucket.io.outputs import check_output_file
    from paintbucket.models.weights import average_weights

    if len(args.paths) < 2:
        raise InputError(None, "give at least two weights files to average")
    check_output_file(args.out, not_at=args.paths)
    print(f"weights: {average_weights(args.paths, args.out, args.model)}")
    return 0
