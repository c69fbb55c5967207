"""``pbc colorize CLIP_DIR --out OUT_DIR``: color every frame of a clip from its keyframes."""

from __future__ import annotations

import argparse

from paintbucket.choices import DEFAULT_MODE, MODES
from paintbucket.cli.options import (
    add_device_option,
    add_engine_option,
    add_line_threshold_option,
    add_max_pixels_option,
    add_seg_option,
    check_device,
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "colorize",
        help="colorize a clip folder (line/ + gt/ keyframes)",
        description="Fill every segment of every line frame of CLIP_DIR with a keyframe color. "
        "Writes OUT_DIR/<name>.png (RGBA) and OUT_DIR/<name>.json (colors, confidence, "
        "candidates per segment). OUT_DIR must lie outside line/, gt/ and line_anno/.",
    )
    parser.add_argument("clip_dir", metavar="CLIP_DIR", help="folder with line/ and gt/")
    parser.add_argument(
        "--sheet",
        metavar="SHEET_DIR",
        help="color design sheet: the first frame (unless gt/ has it) is colorized from it "
        "with the keyframe matcher (shading from CLIP_DIR/line_anno/ when present); gt/ may "
        "then be absent",
    )
    parser.add_argument("--out", dest="out_dir", required=True, metavar="OUT_DIR")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help="anchored: each frame from its neighbour and from the cut's keyframes, fused; "
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
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.consecutive import make_engine
    from paintbucket.errors import InputError
    from paintbucket.pipeline.clip import colorize_clip

    first_keyframe = None
    if args.sheet is not None:
        from paintbucket.keyframe.colorize import SheetColorizer
        from paintbucket.keyframe.sheet import load_sheet

        sheet = load_sheet(args.sheet, args.seg_method, max_pixels=args.max_pixels)
        first_keyframe = SheetColorizer(sheet, device=args.device).first_keyframe

    if args.weights and args.engine != "inclusion":
        raise InputError(None, "--weights only applies to --engine inclusion")
    check_device(args.device)
    options = {"weights": args.weights, "device": args.device} if args.engine == "inclusion" else {}
    written = colorize_clip(
        args.clip_dir,
        args.out_dir,
        mode=args.mode,
        engine=make_engine(args.engine, **options),
        keep_line=args.keep_line,
        seg_method=args.seg_method,
        progress=not args.quiet,
        first_keyframe=first_keyframe,
        protected=[args.sheet] if args.sheet else [],
        max_pixels=args.max_pixels,
        line_threshold=args.line_threshold,
    )
    print(f"wrote {len(written)} frames to {args.out_dir}")
    return 0
