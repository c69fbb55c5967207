"""``pbc keyframe --sheet SHEET_DIR --line TARGET.png --out OUT.png``: color a keyframe
from a color design sheet (learned matcher, or the non-learned baseline)."""

from __future__ import annotations

import argparse

from paintbucket.choices import KEYFRAME_BASELINE_WEIGHT, KEYFRAME_METHODS
from paintbucket.cli.options import (
    add_device_option,
    add_line_threshold_option,
    add_max_pixels_option,
    add_seg_option,
    check_device,
    finite_float,
    int_at_least,
)


def _refs(value: str) -> str | int:
    if value in ("auto", "all"):
        return value
    try:
        return int_at_least(0)(value)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"expected auto, all or an index: {error}") from None


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "keyframe",
        help="colorize a keyframe from a color design sheet",
        description="Fill every segment of TARGET.png with a colorbook color of SHEET_DIR "
        "(ref/NAME.png + ref/NAME_line.png + colorbook.yml). Writes OUT.png (flat colors, "
        "black lines, transparent background) and OUT.json (per segment: colorbook entry, "
        "category, variant, color, confidence).",
    )
    parser.add_argument("--sheet", required=True, metavar="SHEET_DIR", help="design sheet folder")
    parser.add_argument("--line", required=True, metavar="TARGET.png", help="target line art")
    shading = parser.add_mutually_exclusive_group()
    shading.add_argument(
        "--anno",
        metavar="ANNOTATED.png",
        help="the target with highlight/shadow segments filled with shading-annotation colors",
    )
    shading.add_argument(
        "--strokes",
        metavar="STROKES.png",
        help="semantic strokes marking hair/skin/other (annotation colors, or magenta hair, "
        "orange skin, cyan other); highlight/shadow from the target's red/blue lines",
    )
    parser.add_argument("--out", required=True, metavar="OUT.png", help="output image")
    parser.add_argument(
        "--refs",
        type=_refs,
        default="auto",
        metavar="auto|all|N",
        help="auto (default): the learned selector's choice (references whose viewpoint "
        "probability exceeds 0.3, else the first), or with --method baseline the best "
        "silhouette match; all: every reference, weighted by silhouette score; "
        "N: reference number N (0 = first, front when present)",
    )
    parser.add_argument(
        "--method",
        choices=KEYFRAME_METHODS,
        default=KEYFRAME_METHODS[0],
        help="model: the shipped keyframe matcher (default); baseline: aligned-reference "
        "voting without learning",
    )
    parser.add_argument("--weights", metavar="FILE", help="keyframe matcher weights (safetensors)")
    parser.add_argument(
        "--selector-weights", metavar="FILE", help="reference selector weights (safetensors)"
    )
    add_device_option(parser)
    parser.add_argument(
        "--baseline-weight",
        type=finite_float(0),
        default=KEYFRAME_BASELINE_WEIGHT,
        metavar="W",
        help="model: mix the baseline's aligned votes into the matcher's with weight W times "
        f"the aligned view's silhouette score (default {KEYFRAME_BASELINE_WEIGHT}; 0 = the "
        "matcher alone)",
    )
    parser.add_argument(
        "--no-flip",
        dest="flip_average",
        action="store_false",
        help="model: skip matching the mirrored drawing too (faster, a little less accurate)",
    )
    parser.add_argument(
        "--no-flow",
        dest="refine_flow",
        action="store_false",
        help="skip the optical-flow refinement of the baseline's global alignment",
    )
    add_seg_option(parser)
    add_line_threshold_option(parser)
    add_max_pixels_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    import json
    import warnings
    from pathlib import Path

    from paintbucket.core.frames import Frame
    from paintbucket.errors import InputError, InputWarning
    from paintbucket.io.images import image_size, read_rgba, write_png, write_text
    from paintbucket.io.outputs import check_output_file
    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.shading import shade_from_color_lines, shading_from_annotation
    from paintbucket.keyframe.sheet import load_sheet
    from paintbucket.keyframe.sheet_check import warn_open_line_art
    from paintbucket.segment.lines import line_coverage_warning

    out = Path(args.out)
    out_json = out.with_suffix(".json")
    if out_json == out:
        raise InputError(out, "--out names the PNG; OUT.json is written beside it")
    inputs = [path for path in (args.line, args.anno, args.strokes) if path is not None]
    for path in (out, out_json):
        check_output_file(path, not_inside=[args.sheet], not_at=inputs)
    check_device(args.device, "keyframe", args.weights)
    max_pixels = args.max_pixels
    line_size = image_size(args.line, max_pixels)  # headers first: cheap, before any decoding
    for option, path in (("--anno", args.anno), ("--strokes", args.strokes)):
        if path is not None and image_size(path, max_pixels) != line_size:
            raise InputError(path, f"{option} image size differs from {args.line}")
    sheet = load_sheet(args.sheet, args.seg_method, max_pixels=max_pixels)
    warn_open_line_art(sheet, args.seg_method)
    if not isinstance(args.refs, str) and args.refs >= len(sheet.references):
        raise InputError(
            Path(args.sheet) / "ref",
            f"--refs {args.refs}: the sheet has only {len(sheet.references)} references",
        )
    line_art = read_rgba(args.line, max_pixels)
    target = Frame.from_line_art(line_art, args.seg_method, args.line_threshold)
    warning = line_coverage_warning(line_art, args.line_threshold)
    if warning is not None:
        warnings.warn(f"{args.line}: {warning}", InputWarning, stacklevel=1)
    shade = group = None
    if args.anno:
        shade, group = shading_from_annotation(target.segment_ids, read_rgba(args.anno, max_pixels))
    elif args.strokes:
        from paintbucket.keyframe.shading import groups_from_strokes

        group = groups_from_strokes(target.segment_ids, read_rgba(args.strokes, max_pixels))
        shade = shade_from_color_lines(target.segment_ids, line_art)
    colorizer = SheetColorizer(
        sheet, args.method, args.refs, args.refine_flow, args.weights, args.selector_weights,
        args.device, args.baseline_weight, args.flip_average,
    )  # fmt: skip
    result = colorizer(target, shade, group)
    report = result.to_json(sheet, colorizer.categories, group, method=args.method,
                            line=str(args.line))  # fmt: skip
    # JSON first: a PNG without its JSON is an unfinished result.
    write_text(out_json, json.dumps(report, indent=1) + "\n")
    write_png(out, result.coloring.render())
    print(f"wrote {out} and {out_json}")
    return 0
