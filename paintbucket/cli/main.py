"""Entry point of the ``pbc`` command.

Each subcommand lives in its own module of this package exposing ``add_parser(subparsers)``
and ``run(args) -> int``. Modules import their heavy dependencies inside ``run`` so that
``pbc --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from paintbucket import __version__
from paintbucket.errors import InputError

#: Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "colorize",
    "eval",
    "example",
    "keyframe",
    "review",
    "synth",
    "train",
    "average",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pbc", description="Paint bucket colorization of anime line art."
    )
    parser.add_argument("--version", action="version", version=f"paintbucket {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"paintbucket.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except InputError as error:
        print(f"pbc: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pbc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
