"""``pbc sheet init IMAGE... --out SHEET_DIR`` and ``pbc sheet check SHEET_DIR``: make a
color design sheet from colored views, and list what is wrong with one."""

from __future__ import annotations

import argparse

from paintbucket.cli.options import add_max_pixels_option, add_seg_option

#: Exit status of ``pbc sheet check`` when it finds errors.
EXIT_PROBLEMS = 1


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "sheet",
        help="make a color design sheet from colored views, or check one",
        description="init: write SHEET_DIR (ref/ + colorbook.yml) from colored sheet views; "
        "check: list every problem of a sheet folder.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="extract the palette of colored views and write a first colorbook",
        description="Read colored views (NAME.png with black lines, NAME_fill.png with "
        "NAME_lineart.png or NAME_line.png beside it or named too, or a layered NAME.psd), "
        "group the tones of each material into one colorbook entry (normal, highlight, "
        "shadows), propose a category per entry from its place on the body and the text "
        "encoder, and write SHEET_DIR/ref/ (the views, copied) and SHEET_DIR/colorbook.yml. "
        "Then edit the descriptions and run pbc sheet check.",
    )
    init.add_argument("images", nargs="+", metavar="IMAGE", help="colored views (and line art)")
    init.add_argument("--out", required=True, metavar="SHEET_DIR", help="sheet folder to write")
    init.add_argument(
        "--force", action="store_true", help="overwrite colorbook.yml and same-named ref/ files"
    )
    check = actions.add_parser(
        "check",
        help="list everything wrong with a design sheet",
        description="Check SHEET_DIR as pbc keyframe would read it, but report every problem "
        "(errors: what pbc keyframe refuses; warnings: unused entries, categories the text "
        f"encoder has to guess, off-palette pixels, open line art), one a line. Exit status "
        f"{EXIT_PROBLEMS} "
        "when there is an error.",
    )
    check.add_argument("sheet", metavar="SHEET_DIR", help="design sheet folder")
    for sub in (init, check):
        add_seg_option(sub)
        add_max_pixels_option(sub)
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.action == "init":
        from paintbucket.io.outputs import check_output_folder
        from paintbucket.keyframe.sheet_init import init_sheet

        out = check_output_folder(args.out)
        sheet, entries = init_sheet(
            [Path(p) for p in args.images], out, args.force, args.seg_method, args.max_pixels
        )
        colors = sum(c is not None for e in entries for c in e.colors)
        print(
            f"wrote {out / 'colorbook.yml'}: {len(entries)} entries, {colors} colors, "
            f"from {len(sheet.references)} view(s) in {out / 'ref'}"
        )
        for entry in entries:
            print(f"  {entry.entry.key}  ({entry.pixels} px)")
        print(f"edit the descriptions, then run: pbc sheet check {out}")
        return 0

    from paintbucket.keyframe.sheet_check import check_sheet

    problems, references = check_sheet(args.sheet, args.seg_method, args.max_pixels)
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors:
        print(f"{args.sheet}: {errors} error(s), {warnings} warning(s)")
        return EXIT_PROBLEMS
    print(f"{args.sheet}: sheet OK ({len(references)} view(s), {warnings} warning(s))")
    return 0
