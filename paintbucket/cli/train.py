"""``pbc train KIND --data DIR --out RUN_DIR``: train a model."""

from __future__ import annotations

import argparse

from paintbucket.choices import MODEL_KINDS
from paintbucket.cli.options import add_device_option, check_device, require_torch


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train a model on pbc synth data",
        description="Train the consecutive-frame inclusion matcher (on clips), the keyframe "
        "matcher (on design sheets + labelled clips) made by pbc synth, or the reference "
        "selector (views, on turntables it renders). RUN_DIR receives config.yaml, "
        "log.jsonl, checkpoint.pt and model.safetensors.",
    )
    parser.add_argument(
        "kind",
        choices=MODEL_KINDS,
        help="consecutive-frame matcher, keyframe matcher, or reference selector (views)",
    )
    parser.add_argument(
        "--data",
        dest="data_dir",
        nargs="+",
        metavar="DIR",
        help="pbc synth folder(s) (refused for views, which renders its own turntables)",
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
    require_torch("pbc train")
    from paintbucket.errors import InputError
    from paintbucket.io.outputs import check_output_folder
    from paintbucket.train.loop import read_conf
    from paintbucket.train.registry import TRAINERS

    trainer = TRAINERS[args.kind]
    if trainer.needs_data and not args.data_dir:
        raise InputError(None, f"pbc train {args.kind} needs --data DIR")
    if not trainer.needs_data and args.data_dir:
        raise InputError(None, f"pbc train {args.kind} renders its own data: drop --data")
    check_output_folder(args.run_dir)
    check_device(args.device, args.kind, backend="torch")  # training runs PyTorch
    conf = None if args.resume and not args.config else read_conf(args.config, trainer.default_conf)
    if args.iterations is not None:
        conf = {**(conf or {}), "iterations": args.iterations}
    weights = trainer(
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
