"""``pbc colorize CLIP_DIR --out OUT_DIR``: color every frame of a clip from its keyframes."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import add_colorize_options, colorize_settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "colorize",
        help="colorize a clip folder (line/ + gt/ keyframes)",
        description="Fill every segment of every line frame of CLIP_DIR with a keyframe color. "
        "Writes OUT_DIR/<name>.png (RGBA) and OUT_DIR/<name>.json (colors, confidence, "
        "candidates per segment). OUT_DIR must lie outside line/, gt/ and line_anno/.",
    )
    parser.add_argument("clip_dir", metavar="CLIP_DIR", help="folder with line/ and gt/")
    parser.add_argument("--out", dest="out_dir", required=True, metavar="OUT_DIR")
    add_colorize_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run(args: argparse.Namespace) -> int:
    from paintbucket.consecutive import make_engine
    from paintbucket.pipeline.clip import colorize_clip

    settings = colorize_settings(args)
    colorizer = None
    if args.sheet is not None:
        from paintbucket.keyframe.colorize import SheetColorizer
        from paintbucket.keyframe.sheet import load_sheet
        from paintbucket.keyframe.sheet_check import warn_open_line_art

        sheet = load_sheet(args.sheet, args.seg_method, max_pixels=args.max_pixels)
        warn_open_line_art(sheet, args.seg_method)
        colorizer = SheetColorizer(sheet, device=args.device)

    written = colorize_clip(
        args.clip_dir,
        args.out_dir,
        mode=settings["mode"],
        engine=make_engine(settings["engine"], **settings["engine_options"]),
        keep_line=settings["keep_line"],
        seg_method=settings["seg_method"],
        progress=not args.quiet,
        first_keyframe=colorizer.first_keyframe if colorizer else None,
        sheet_opinion=colorizer.opinion if colorizer else None,
        protected=[args.sheet] if args.sheet else [],
        max_pixels=settings["max_pixels"],
        line_threshold=settings["line_threshold"],
    )
    print(f"wrote {len(written)} frames to {args.out_dir}")
    return 0
