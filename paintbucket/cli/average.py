"""``pbc average WEIGHTS WEIGHTS... --out FILE``: average weights files into one."""

from __future__ import annotations

import argparse

#: ``--model`` choices -> (module, class) of the model the files hold.
MODEL_CLASSES = {
    "consecutive": ("paintbucket.models.inclusion_matcher", "InclusionMatcher"),
    "keyframe": ("paintbucket.models.keyframe_matcher", "KeyframeMatcher"),
    "views": ("paintbucket.models.view_encoder", "ViewEncoder"),
}


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
        choices=tuple(MODEL_CLASSES),
        default="consecutive",
        help="which model the files hold (default consecutive)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    import importlib

    from paintbucket.errors import InputError
    from paintbucket.io.outputs import check_output_file
    from paintbucket.models.weights import average_weights

    if len(args.paths) < 2:
        raise InputError(None, "give at least two weights files to average")
    check_output_file(args.out, not_at=args.paths)

    module, name = MODEL_CLASSES[args.model]
    model_class = getattr(importlib.import_module(module), name)
    print(f"weights: {average_weights(args.paths, args.out, model_class)}")
    return 0
