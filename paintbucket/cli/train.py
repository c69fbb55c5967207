"""``pbc train consecutive --data DIR --out RUN_DIR``: train the inclusion matcher."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train a model on pbc synth data",
        description="Train the consecutive-frame inclusion matcher on clips made by pbc synth. "
        "RUN_DIR receives config.yaml, log.jsonl, checkpoint.pt and model.safetensors.",
    )
    parser.add_argument("task", choices=("consecutive",), help="which model to train")
    parser.add_argument("--data", dest="data_dir", required=True, metavar="DIR")
    parser.add_argument("--out", dest="run_dir", required=True, metavar="RUN_DIR")
    parser.add_argument("--config", metavar="YAML", help="overrides of the default configuration")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt")
    parser.add_argument("--iterations", type=int, help="total steps (also extends a resumed run)")
    parser.add_argument(
        "--max-minutes", dest="max_minutes", type=float, help="stop with a checkpoint after this"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.train.consecutive import load_config, train_consecutive

    conf = None if args.resume and not args.config else load_config(args.config)
    if args.iterations is not None:
        conf = {**(conf or {}), "iterations": args.iterations}
    weights = train_consecutive(
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
