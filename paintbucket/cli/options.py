"""Options shared by several subcommands, defined once."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_seg_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--seg default|trappedball`` -> ``args.seg_method``."""
    parser.add_argument(
        "--seg",
        dest="seg_method",
        choices=("default", "trappedball"),
        default="default",
        help=help or "segmentation: closed lines (default) or trapped-ball gap closing",
    )


def add_engine_option(parser: argparse.ArgumentParser, default: str, help: str) -> None:
    """``--engine inclusion|flow`` -> ``args.engine``."""
    parser.add_argument("--engine", choices=("inclusion", "flow"), default=default, help=help)


def add_device_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--device cpu|cuda`` -> ``args.device``."""
    parser.add_argument(
        "--device",
        choices=("cpu", "cuda"),
        default="cpu",
        help=help or "device of the learned models",
    )


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer of at least ``minimum``, else a one-line usage
    error naming the option."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {number}")
        return number

    return parse
