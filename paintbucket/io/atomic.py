"""Atomic file writes, and recognising the temporary files they leave when killed.

A file is written under a temporary name in its destination folder, flushed to disk and
renamed over the destination, so a reader sees either the old file or the complete new
one, never a half-written one. The temporary file is created like any other file (mode
``0o666`` less the process umask: 0644 under umask 022, 0664 under 002), so results are
readable by whoever may read the folder.

Temporary names are ``.<name>.<pid>-<8 hex digits>.tmp``: hidden, next to the file they
replace, and carrying the writer's process id. A writer killed by SIGKILL cannot remove
its temporary file; :func:`remove_stale_temps` recognises such files by their name and a
writer that is no longer running, so the next run can clean up.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from paintbucket.errors import InputError

#: Temporary files of :func:`atomic_write`: ``.<name>.<pid>-<token>.tmp``.
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-(?P<token>[0-9a-f]{8})\.tmp$")
#: A temporary file older than this is stale even if its writer's process id is in use
#: (process ids are reused; no single write takes this long).
STALE_AFTER_S = 24 * 3600


def temp_path(path: str | os.PathLike[str]) -> Path:
    """A fresh temporary name for writing ``path``, in the same folder (see :data:`TEMP_NAME`)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _process_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there; rely on age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def is_stale_temp(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a temporary file of :func:`atomic_write` whose writer is gone.

    True when its name matches :data:`TEMP_NAME` and the process that created it is no
    longer running on this machine, or the file is older than :data:`STALE_AFTER_S`.
    """
    path = Path(path)
    match = TEMP_NAME.match(path.name)
    if match is None:
        return False
    try:
        age = time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > STALE_AFTER_S or not _process_running(int(match["pid"]))


def remove_stale_temps(folder: str | os.PathLike[str], recursive: bool = False) -> list[Path]:
    """Delete the stale temporary files (:func:`is_stale_temp`) in ``folder``.

    Parameters
    ----------
    folder : path
        A missing folder has none.
    recursive : bool
        Also look in subfolders.

    Returns
    -------
    removed : list of Path
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    candidates = folder.rglob(".*.tmp") if recursive else folder.glob(".*.tmp")
    removed = []
    for path in candidates:
        if path.is_file() and is_stale_temp(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _create_temp(path: Path) -> Path:
    """Create an empty temporary file for ``path`` (mode 0o666 less the umask)."""
    while True:
        tmp = temp_path(path)
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Write a file through a temporary name: ``write(tmp)``, fsync, rename onto ``path``.

    Parameters
    ----------
    path : path
        Destination; missing parent folders are created.
    write : callable
        ``write(tmp)`` fills the (existing, empty) temporary file ``tmp``.

    Returns
    -------
    path : Path

    Raises
    ------
    InputError
        Naming ``path`` (or the folder that blocks it) when the operating system refuses
        the write: a parent that is a file, a read-only folder, a full disk, ``path``
        being a folder. The temporary file is removed.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _create_temp(path)
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _write_error(path, error) from None
        raise
    return path


def _write_error(path: Path, error: OSError) -> InputError:
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return InputError(blocker, "is a file, not a folder; cannot write " + str(path))
    if path.is_dir():
        return InputError(path, "is a folder; cannot write a file there")
    return InputError(path, f"cannot write ({error.strerror or error})")
