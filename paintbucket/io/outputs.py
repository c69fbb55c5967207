"""Checking an output path before any work: writable, and not on top of the inputs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from paintbucket.errors import InputError

PathLike = str | os.PathLike[str]


def check_output_folder(
    out: PathLike, not_inside: Iterable[PathLike] = (), not_at: Iterable[PathLike] = ()
) -> Path:
    """Check that results can be written into the folder ``out`` (created later if missing).

    Parameters
    ----------
    out : path-like
        The output folder.
    not_inside : paths
        Input folders ``out`` must be neither equal to nor inside (results would
        overwrite inputs or be read back as inputs on the next run).
    not_at : paths
        Input files or folders ``out`` must not be (it may lie inside them).

    Returns
    -------
    out : Path

    Raises
    ------
    InputError
        Naming ``out`` or the blocking path when ``out`` is an existing file, a parent
        is a file, the nearest existing folder is not writable, or ``out`` is one of the
        inputs.
    """
    return _check_output(Path(out), True, not_inside, not_at)


def check_output_file(
    out: PathLike, not_inside: Iterable[PathLike] = (), not_at: Iterable[PathLike] = ()
) -> Path:
    """Check that the file ``out`` can be written (atomically, so its folder must be
    writable); the arguments and errors are those of :func:`check_output_folder`, with
    ``out`` an existing folder as an error."""
    return _check_output(Path(out), False, not_inside, not_at)


def _check_output(
    out: Path, folder: bool, not_inside: Iterable[PathLike], not_at: Iterable[PathLike]
) -> Path:
    resolved = out.resolve()
    elsewhere = "write the results somewhere else"
    for path in [*not_at, *not_inside]:
        if resolved == Path(path).resolve():
            raise InputError(out, f"is one of the inputs; {elsewhere}")
    for path in not_inside:
        if resolved.is_relative_to(Path(path).resolve()):
            raise InputError(out, f"is inside the input folder {path}; {elsewhere}")
    if out.exists():
        if folder and not out.is_dir():
            raise InputError(out, "exists and is not a folder")
        if not folder and out.is_dir():
            raise InputError(out, "is a folder, not a file")
    nearest = out if out.is_dir() else next(p for p in out.parents if p.exists())
    if not nearest.is_dir():
        raise InputError(nearest, f"is a file, not a folder; cannot write {out}")
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise InputError(nearest, "folder is not writable")
    return out
