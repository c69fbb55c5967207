"""Reading and writing images as NumPy arrays.

All readers return ``uint8`` arrays in RGBA order, whatever the file's mode, so the
rest of the package deals with one layout. Writers are atomic: the PNG is written to
a temporary file in the destination folder and renamed, so an interrupted run never
leaves a half-written image behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from paintbucket.errors import InputError

PathLike = str | os.PathLike[str]

#: Every fully transparent pixel is treated as this one "background" color.
TRANSPARENT = (0, 0, 0, 0)
#: Color of black-line pixels in colored frames.
LINE_COLOR = (0, 0, 0, 255)
#: Suffix of the temporary file the atomic writers rename onto the destination.
TEMP_SUFFIX = ".tmp"
#: Name of such a temporary file: ``.`` + destination name + ``.`` + random part
#: (:func:`tempfile.mkstemp` letters, digits and ``_``) + :data:`TEMP_SUFFIX`.
TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]+" + re.escape(TEMP_SUFFIX))


def normalize_transparent(rgba: np.ndarray) -> np.ndarray:
    """Return a copy of an (H, W, 4) uint8 image with every alpha-0 pixel set to
    :data:`TRANSPARENT`, so the background is one color whatever RGB it hides."""
    rgba = np.array(rgba, dtype=np.uint8, copy=True)
    rgba[rgba[..., 3] == 0] = TRANSPARENT
    return rgba


def read_rgba(path: PathLike) -> np.ndarray:
    """Read any image file as RGBA.

    Grayscale and RGB files get an opaque alpha channel; palette images are expanded.

    Parameters
    ----------
    path : path-like
        Image file (PNG, JPEG, ...).

    Returns
    -------
    rgba : (H, W, 4) uint8
        Red, green, blue, alpha.

    Raises
    ------
    InputError
        If the file is missing or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):
                array = np.asarray(image, dtype=np.float64)
                gray = np.clip(array / max(float(array.max()), 1.0) * 255.0, 0, 255)
                image = Image.fromarray(gray.astype(np.uint8), mode="L")
            rgba = np.array(image.convert("RGBA"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InputError(path, f"cannot read image ({error.__class__.__name__}: {error})") from None
    return rgba


def _atomic_write(path: PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    os.close(handle)
    tmp_path = Path(tmp_name)
    try:
        write(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def remove_temp_files(folder: PathLike, recursive: bool = False) -> list[Path]:
    """Delete the temporary files that interrupted atomic writes left in ``folder``.

    A process killed between creating its temporary file and renaming it (SIGKILL,
    power loss) leaves a file named like :data:`TEMP_NAME` behind; nothing else
    ever renames or removes it. Call this only when no write into ``folder`` is in
    progress.

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
    candidates = folder.rglob(f"*{TEMP_SUFFIX}") if recursive else folder.glob(f"*{TEMP_SUFFIX}")
    removed = [p for p in candidates if TEMP_NAME.fullmatch(p.name) and p.is_file()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def write_png(path: PathLike, array: np.ndarray) -> Path:
    """Write an image array to ``path`` as PNG, atomically.

    Parameters
    ----------
    path : path-like
        Destination file; parent folders are created.
    array : (H, W), (H, W, 3) or (H, W, 4) uint8
        Grayscale, RGB or RGBA pixels.

    Returns
    -------
    path : Path
        The written file.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"write_png expects uint8 pixels, got {array.dtype}")
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"write_png expects (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    image = Image.fromarray(np.ascontiguousarray(array))
    return _atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))


def write_text(path: PathLike, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically."""
    return _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: PathLike, data: bytes) -> Path:
    """Write raw bytes (an already encoded file) to ``path`` atomically."""
    return _atomic_write(path, lambda tmp: tmp.write_bytes(data))
