"""Atomic file writes, and recognising the temporary files they leave when killed.

A file is written under a temporary name in its destination folder, flushed to disk and
renamed over the destination, so a reader sees either the old file or the complete new
one, never a half-written one. The temporary file is created like any other file (mode
``0o666`` less the process umask: 0644 under umask 022, 0664 under 002), so results are
readable by whoever may read the folder.

Temporary names are ``.<name>.<pid>_<8 hex digits>.tmp``: hidden, next to the file they
replace, matching :data:`TEMP_NAME`, and carrying the writer's process id. A writer
killed by SIGKILL cannot remove its temporary file; :func:`remove_temp_files` deletes
such leftovers on the next run, sparing only those of another writer still running.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from paintbucket.errors import InputError

#: Suffix of the temporary file the atomic writers rename onto the destination.
TEMP_SUFFIX = ".tmp"
#: Name of such a temporary file: ``.`` + destination name + ``.`` + a part of lowercase
#: letters, digits and ``_`` + :data:`TEMP_SUFFIX`; ours is ``<pid>_<8 hex digits>``
#: (earlier versions used :func:`tempfile.mkstemp`'s random letters, also matched).
TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]+" + re.escape(TEMP_SUFFIX))
_WRITER_PID = re.compile(r"\.(\d+)_[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")
#: A temporary file older than this is left over even if its writer's process id is in
#: use again (process ids are reused; no single write takes this long).
STALE_AFTER_S = 24 * 3600


def temp_path(path: str | os.PathLike[str]) -> Path:
    """A fresh temporary name for writing ``path``, in the same folder (see :data:`TEMP_NAME`)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}_{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _process_running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there; rely on age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def _written_by_another_running_process(path: Path) -> bool:
    match = _WRITER_PID.search(path.name)
    if match is None or int(match[1]) == os.getpid():
        return False
    try:
        age = time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age < STALE_AFTER_S and _process_running(int(match[1]))


def remove_temp_files(folder: str | os.PathLike[str], recursive: bool = False) -> list[Path]:
    """Delete the temporary files that interrupted atomic writes left in ``folder``.

    A process killed between creating its temporary file and renaming it (SIGKILL,
    power loss) leaves a file named like :data:`TEMP_NAME` behind; nothing else ever
    renames or removes it. Files whose name carries the process id of another process
    still running on this machine (a concurrent writer) are kept, unless older than
    :data:`STALE_AFTER_S`; this process's own are deleted, so call this only when none
    of its own writes into ``folder`` is in progress.

    Parameters
    ----------
    folder : path-like
        Folder to clean; a missing folder is fine.
    recursive : bool
        Also clean every subfolder.

    Returns
    -------
    removed : list of Path
        The deleted files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = f"*{TEMP_SUFFIX}"
    candidates = folder.rglob(pattern) if recursive else folder.glob(pattern)
    removed = [
        path
        for path in candidates
        if TEMP_NAME.fullmatch(path.name)
        and path.is_file()
        and not _written_by_another_running_process(path)
    ]
    for path in removed:
        path.unlink(missing_ok=True)
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
