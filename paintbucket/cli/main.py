"""Entry point of the ``pbc`` command.

Each subcommand lives in its own module of this package exposing ``add_parser(subparsers)``
and ``run(args) -> int``. Modules import their heavy dependencies inside ``run`` so that
``pbc --help`` stays fast.

Every usage error and every :class:`~paintbucket.errors.InputError` ends the same way:
one line ``pbc: error: ...`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from typing import NoReturn

from paintbucket import __version__
from paintbucket.errors import InputError, InputWarning

#: Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "colorize",
    "batch",
    "eval",
    "example",
    "keyframe",
    "sheet",
    "review",
    "synth",
    "train",
    "average",
)


#: Exit status of a usage error or bad input.
EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (``pbc: error: ...``), exit 2.

    argparse prints the whole usage block first; the command's ``--help`` has it.
    """

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("pbc").strip()
        hint = f" (see pbc {command} --help)" if command else " (see pbc --help)"
        self.exit(EXIT_BAD_INPUT, f"pbc: error: {message}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="pbc", description="Paint bucket colorization of anime line art.")
    parser.add_argument("--version", action="version", version=f"paintbucket {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"paintbucket.cli.{name}")
        sub = module.add_parser(subparsers)
        sub.set_defaults(run=module.run)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Input warnings as one line each (``pbc: warning: PATH: problem``); others as usual."""
    if issubclass(category, InputWarning):
        print(f"pbc: warning: {message}", file=sys.stderr)
    else:
        _default_show_warning(message, category, filename, lineno, file, line)


_default_show_warning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        return int(args.run(args) or 0)
    except InputError as error:
        print(f"pbc: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("pbc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except OSError as error:  # the system refused a file operation: disk full, I/O error...
        where = f"{error.filename}: " if error.filename else ""
        print(f"pbc: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
