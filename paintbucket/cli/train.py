"""``pbc train consecutive|keyframe --data DIR --out RUN_DIR``: train a matcher."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import add_device_option, check_device


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train a model on pbc synth data",
        description="Train the consecutive-frame inclusion matcher (on clips) or the keyframe "
        "matcher (on design sheets + labelled clips) made by pbc synth. RUN_DIR receives "
        "config.yaml, log.jsonl, checkpoint.pt and model.safetensors.",
    )
    parser.add_argument(
        "task",
        choices=("consecutive", "keyframe", "views"),
        help="consecutive-frame matcher, keyframe matcher, or reference selector (views)",
    )
    parser.add_argument(
        "--data",
        dest="data_dir",
        nargs="+",
        metavar="DIR",
        help="pbc synth folder(s) (not used by views, which renders its own turntables)",
    )
    parser.add_argument("--out", dest="run_dir", required=True, metavar="RUN_DIR")
    parser.add_argument("--config", metavar="YAML", help="overrides of the default configuration")
    add_device_option(parser, "where to train")
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    parser.add_argument("--iterations", type=int, help="total steps (also extends a resumed run)")
    parser.add_argument(
        "--max-minutes", dest="max_minutes", type=float, help="stop with a checkpoint after this"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.errors import InputError
    from paintbucket.io.outputs import check_output_folder

    if args.task != "views" and not args.data_dir:
        raise InputError(None, f"pbc train {args.task} needs --data DIR")
    check_output_folder(args.run_dir)
    check_device(args.device)
    if args.task == "views":
        from paintbucket.train.views import load_views_config as load_config
        from paintbucket.train.views import train_views

        def train(_data, *rest, **options):  # noqa: ANN202 - same call as the others
            return train_views(*rest, **options)
    elif args.task == "keyframe":
        from paintbucket.train.keyframe import load_keyframe_config as load_config
        from paintbucket.train.keyframe import train_keyframe as train
    else:
        from paintbucket.train.consecutive import load_config
        from paintbucket.train.consecutive import train_consecutive as train

    conf = None if args.resume and not args.config else load_config(args.config)
    if args.iterations is not None:
        conf = {**(conf or {}), "iterations": args.iterations}
    weights = train(
        args.data_dir,
        args.run_dir,
        conf,
        device=args.device,
        resume=args.resume,
        max_minutes=args.max_minutes,
        progress=not args.quiet,
    )
    print(f"weights: {weights}")
    return 0
