"""``pbc synth OUT_DIR``: generate synthetic PaintBucket-Character clips and design sheets."""

from __future__ import annotations

import argparse

from paintbucket.choices import (
    BODY_SHAPES,
    LINE_WIDTHS,
    SPLITS,
    SYNTH_LINE_FEATURES,
    SYNTH_PRESETS,
    SYNTH_STYLES,
)
from paintbucket.cli.options import (
    add_cluster_options,
    add_max_pixels_option,
    finite_float,
    int_at_least,
    share,
)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "synth",
        help="generate a synthetic PaintBucket-Character-style dataset",
        description="Render procedural 3D characters into clip folders (gt/ line/ line_anno/ "
        "shadow/ label/ seg/ and segment JSON) plus one color design sheet per character "
        "(ref/ and colorbook.yml). Same arguments, same bytes.",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", help="destination folder")
    parser.add_argument(
        "--preset",
        choices=SYNTH_PRESETS,
        default=None,
        help="named settings; explicit options override them",
    )
    parser.add_argument(
        "--characters", type=int_at_least(1), default=None, help="characters (default 1)"
    )
    parser.add_argument(
        "--clips-per-character",
        dest="clips_per_character",
        type=int_at_least(1),
        default=None,
        help="clips per character (default 15 = 5 actions x 3 cameras)",
    )
    parser.add_argument(
        "--frames", type=int_at_least(1), default=None, help="frames per clip (default 10)"
    )
    parser.add_argument(
        "--size",
        type=int_at_least(32),
        default=None,
        help="frame size in pixels (default 1024; size x size at most --max-pixels)",
    )
    parser.add_argument("--seed", type=int, default=None, help="run seed (default 0)")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="train: json_color/ + json_index/; test: seg/*.json (default train)",
    )
    parser.add_argument(
        "--fps",
        type=finite_float(0, inclusive=False),
        default=None,
        help="action sampling rate (default 10)",
    )
    parser.add_argument(
        "--motion-scale",
        dest="motion_scale",
        type=finite_float(0),
        default=None,
        help="multiplies joint amplitudes and time step (default 1)",
    )
    parser.add_argument(
        "--camera-motion",
        dest="camera_motion",
        type=finite_float(0),
        default=None,
        help="multiplies camera pan/zoom/orbit per frame (default 1)",
    )
    parser.add_argument(
        "--line-width",
        dest="line_width",
        type=int,
        choices=LINE_WIDTHS,
        default=None,
        help="line width in pixels: 2 outlines both sides of every boundary, 1 draws thin "
        "pen lines (default 2)",
    )
    add_drawing_options(parser)
    parser.add_argument(
        "--contact-sheet",
        dest="contact_sheet",
        default=None,
        metavar="PATH",
        help="also write a PNG overview of the first character (its sheet, its first clips "
        "and one clip per content feature it has)",
    )
    add_max_pixels_option(parser)
    add_cluster_options(parser, "characters rendered (in parallel on Ray, same bytes)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def add_drawing_options(parser: argparse.ArgumentParser) -> None:
    """How lines are drawn (--style, --no-FEATURE) and what clips show (content)."""
    parser.add_argument(
        "--style",
        choices=SYNTH_STYLES,
        default=None,
        help="how lines are drawn: clean binary black lines on every boundary (default, the "
        "bytes of earlier versions) or studio: color lines, floating color strokes, "
        "anti-aliasing, varying width, pencil, gaps, jitter and detail lines "
        "(paintbucket/synth/linestyle.py)",
    )
    for feature in SYNTH_LINE_FEATURES:
        flag = feature.replace("_", "-")
        parser.add_argument(
            f"--no-{flag}",
            dest=feature,
            action="store_const",
            const=False,
            default=None,
            help=f"--style studio without {feature.replace('_', ' ')}",
        )
    parser.add_argument(
        "--body-shapes",
        dest="body_shapes",
        choices=BODY_SHAPES,
        default=None,
        help="ellipsoid: every body part an ellipsoid; varied: tapered capsule limbs, cloth "
        "sheets (skirt, cape, coat tails) and curved hair locks (default ellipsoid)",
    )
    for flag, what in (
        ("second-character", "a second character (its own design sheet <char>_guest_sheet)"),
        ("props", "props (table, pole, plant, rock) in front of the characters"),
        ("entering", "a character or prop entering or leaving the frame (3+ frames)"),
        ("effects", "a smoke or explosion effect whose blobs split and merge"),
    ):
        parser.add_argument(
            f"--{flag}-share",
            dest=f"{flag.replace('-', '_')}_share",
            type=share,
            default=None,
            metavar="0..1",
            help=f"share of clips with {what} (default 0)",
        )


def config_from_args(args: argparse.Namespace):
    """The :class:`~paintbucket.synth.dataset.SynthConfig` of parsed arguments."""
    from dataclasses import fields, replace

    from paintbucket.synth.dataset import PRESETS, SynthConfig

    config = SynthConfig()
    if args.preset is not None:
        config = replace(config, **PRESETS[args.preset])
    explicit = {
        f.name: getattr(args, f.name)
        for f in fields(SynthConfig)
        if getattr(args, f.name, None) is not None
    }
    return replace(config, **explicit)


def run(args: argparse.Namespace) -> int:
    import math
    from functools import partial

    from paintbucket.batch.cluster import cluster_address, import_ray, ray_map
    from paintbucket.errors import InputError
    from paintbucket.io.outputs import check_output_file, check_output_folder
    from paintbucket.synth.contact import contact_sheet
    from paintbucket.synth.dataset import generate

    config = config_from_args(args)
    if config.style != "studio":
        for feature in SYNTH_LINE_FEATURES:
            if getattr(args, feature, None) is False:
                raise InputError(
                    None, f"--no-{feature.replace('_', '-')} only applies to --style studio"
                )
    if config.size**2 > args.max_pixels:
        raise InputError(
            None,
            f"--size {config.size}: frames of {config.size**2} pixels exceed --max-pixels "
            f"{args.max_pixels}; use at most --size {math.isqrt(args.max_pixels)}",
        )
    check_output_folder(args.out_dir)
    if args.contact_sheet:
        check_output_file(args.contact_sheet)
    map_characters = None
    if args.workers is not None or cluster_address(args.address) is not None:
        import_ray("pbc synth --workers/--address")  # before OUT is created
        map_characters = partial(
            ray_map, workers=args.workers, address=args.address, command="pbc synth"
        )
    clips = generate(args.out_dir, config, progress=not args.quiet, map_characters=map_characters)
    print(f"wrote {len(clips)} clips of {config.frames} frames to {args.out_dir}")
    if args.contact_sheet:
        contact_sheet(args.out_dir, args.contact_sheet)
        print(f"wrote contact sheet {args.contact_sheet}")
    return 0
