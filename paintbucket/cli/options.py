"""Options shared by several subcommands, defined once."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable

from paintbucket.choices import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_MODE,
    DEVICES,
    ENGINE_NAMES,
    MODES,
    SEG_METHODS,
)


def add_seg_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--seg-method default|trappedball|closegaps`` (or ``--seg``) -> ``args.seg_method``."""
    parser.add_argument(
        "--seg-method",
        "--seg",
        dest="seg_method",
        choices=SEG_METHODS,
        default=SEG_METHODS[0],
        help=help
        or "segmentation: closed lines (default), trapped-ball gap closing, or stroke ends "
        "extended across gaps (closegaps)",
    )


def add_engine_option(
    parser: argparse.ArgumentParser, help: str, default: str = ENGINE_NAMES[0]
) -> None:
    """``--engine inclusion|flow`` -> ``args.engine`` (the library's default engine unless
    ``default`` says otherwise)."""
    parser.add_argument("--engine", choices=ENGINE_NAMES, default=default, help=help)


def add_device_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--device cpu|cuda`` -> ``args.device``; check it with :func:`check_device`."""
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default=DEVICES[0],
        help=help or "device of the learned models",
    )


def require_torch(command: str) -> None:
    """:class:`~paintbucket.errors.InputError` naming the ``train`` extra unless PyTorch
    imports (``pbc train`` and ``pbc average`` need it; colorizing does not)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        from paintbucket.errors import InputError

        raise InputError(
            None, f'{command} needs PyTorch: pip install "paintbucket[train]"'
        ) from None


def check_device(
    device: str, kind: str = "consecutive", weights: str | None = None, backend: str = "auto"
) -> str:
    """``device`` if the backend that will run the ``kind`` model from ``weights``
    (:func:`~paintbucket.models.weights.model_backend`) can use it: ONNX Runtime's CUDA
    provider, or PyTorch's CUDA where PyTorch runs it (``backend="torch"`` for training).
    Else :class:`~paintbucket.errors.InputError`, rather than an error deep inside the
    first model."""
    if device != "cuda":
        return device
    from paintbucket.models.weights import model_backend

    if model_backend(kind, weights, backend) == "onnx":
        from paintbucket.models.runtime import execution_providers

        execution_providers(device)
        return device
    import torch

    if not torch.cuda.is_available():
        from paintbucket.errors import InputError

        build = "built without CUDA" if torch.version.cuda is None else "finds no GPU"
        raise InputError(None, f"--device cuda: this torch {torch.__version__} {build}")
    return device


def add_max_pixels_option(parser: argparse.ArgumentParser) -> None:
    """``--max-pixels N`` -> ``args.max_pixels``: the largest image read."""
    parser.add_argument(
        "--max-pixels",
        dest="max_pixels",
        type=int_at_least(1),
        default=DEFAULT_MAX_PIXELS,
        metavar="N",
        help=f"refuse images of more than N pixels, checked before decoding "
        f"(default {DEFAULT_MAX_PIXELS} = 4096x4096); memory grows with the pixel count",
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


def finite_float(minimum: float, inclusive: bool = True) -> Callable[[str], float]:
    """An argparse ``type``: a finite number of at least (or, not ``inclusive``, above)
    ``minimum``, else a one-line usage error naming the option."""

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {value!r}")
        if number < minimum or (not inclusive and number == minimum):
            bound = "at least" if inclusive else "above"
            raise argparse.ArgumentTypeError(f"must be {bound} {minimum:g}, got {number:g}")
        return number

    return parse


def share(value: str) -> float:
    """An argparse ``type``: a finite number in 0..1 (a share of items)."""
    number = finite_float(0)(value)
    if number > 1:
        raise argparse.ArgumentTypeError(f"must be at most 1, got {number:g}")
    return number


def int_between(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer in ``minimum..maximum``."""
    at_least = int_at_least(minimum)

    def parse(value: str) -> int:
        number = at_least(value)
        if number > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {number}")
        return number

    return parse


def line_threshold(value: str) -> float | str:
    """An argparse ``type``: ``auto`` or an ink coverage in (0, 1]."""
    if value == "auto":
        return value
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected auto or a number, got {value!r}") from None
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {number}")
    return number


def add_line_threshold_option(parser: argparse.ArgumentParser) -> None:
    """``--line-threshold auto|T`` -> ``args.line_threshold``."""
    parser.add_argument(
        "--line-threshold",
        dest="line_threshold",
        type=line_threshold,
        default="auto",
        metavar="auto|T",
        help="ink coverage from which a pixel is line: auto (default) picks it from the "
        "drawings (0.5 for crisp lines, lower for soft pencil), or a number in (0, 1]",
    )


def add_colorize_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how a cut is colored, shared by ``pbc colorize`` and
    ``pbc batch``: ``--sheet``, ``--mode``, ``--engine``, ``--weights``, ``--device``,
    ``--keep-line``, ``--seg-method``, ``--line-threshold``, ``--max-pixels``; read them
    back with :func:`colorize_settings`."""
    parser.add_argument(
        "--sheet",
        metavar="SHEET_DIR",
        help="color design sheet: the first frame (unless gt/ has it) is colorized from it "
        "with the keyframe matcher (shading from CLIP_DIR/line_anno/ when present); gt/ may "
        "then be absent. In anchored mode (the default) the sheet also joins every frame's "
        "references",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help="anchored: each frame from its neighbour, that neighbour's predecessor and the "
        "cut's keyframes, fused (about 1.6x the time of forward); "
        "forward: frame to frame from the first keyframe; nearest: each frame from its "
        f"neighbour on the side of its nearest keyframe (default: {DEFAULT_MODE})",
    )
    add_engine_option(
        parser,
        "inclusion: the learned matcher with the shipped weights (default); "
        "flow: optical-flow warping baseline",
    )
    parser.add_argument(
        "--weights", metavar="FILE", help="safetensors weights for --engine inclusion"
    )
    add_device_option(parser, "device of the learned engine")
    parser.add_argument(
        "--keep-line",
        dest="keep_line",
        action="store_true",
        help="draw the original line pixels (color lines too) over the fills",
    )
    add_seg_option(parser)
    add_line_threshold_option(parser)
    add_max_pixels_option(parser)


def colorize_settings(args: argparse.Namespace) -> dict[str, object]:
    """The options of :func:`add_colorize_options`, checked, as plain data (they travel to
    batch workers and into the batch manifest).

    Returns
    -------
    settings : dict
        ``engine`` (name) and ``engine_options`` (keyword arguments of
        :func:`~paintbucket.consecutive.make_engine`: ``weights`` and ``device`` for the
        learned engine), ``device`` (also the design sheet's), and the keyword arguments
        ``mode``, ``keep_line``, ``seg_method``, ``line_threshold``, ``max_pixels`` of
        :func:`~paintbucket.pipeline.clip.colorize_clip`.

    Raises
    ------
    InputError
        For ``--weights`` with another engine than ``inclusion``, or ``--device cuda``
        where its backend has no CUDA (:func:`check_device`).
    """
    if args.weights and args.engine != "inclusion":
        from paintbucket.errors import InputError

        raise InputError(None, "--weights only applies to --engine inclusion")
    check_device(args.device, weights=args.weights)
    learned = args.engine == "inclusion"
    # absolute: batch workers do not run in this working folder
    weights = None if args.weights is None else os.path.abspath(args.weights)
    return {
        "engine": args.engine,
        "engine_options": {"weights": weights, "device": args.device} if learned else {},
        "device": args.device,
        "mode": args.mode,
        "keep_line": args.keep_line,
        "seg_method": args.seg_method,
        "line_threshold": args.line_threshold,
        "max_pixels": args.max_pixels,
    }


def add_cluster_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--workers N`` and ``--address ADDR`` (-> ``args.workers``, ``args.address``): how
    many ``what`` run at once on Ray, and which Ray cluster runs them."""
    parser.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help=f"{what} at once, one thread each: the CPUs of the local Ray instance "
        "(default: every core) or, with --address, a cap (default: the cluster's CPUs)",
    )
    parser.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="join this Ray cluster (host:port, or auto; default: the RAY_ADDRESS "
        "variable, else a local Ray instance); every node needs paintbucket and the same "
        "paths to the input and output folders",
    )
