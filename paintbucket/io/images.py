"""Reading and writing images as NumPy arrays.

All readers return ``uint8`` arrays in RGBA order, whatever the file's mode, so the
rest of the package deals with one layout. Readers check the image size from the file
header before decoding (:data:`DEFAULT_MAX_PIXELS`), so an oversized or forged file is
refused before it takes memory. Writers are atomic (:mod:`paintbucket.io.atomic`): an
interrupted run never leaves a half-written image behind.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from natsort import natsort_keygen
from PIL import Image, UnidentifiedImageError

from paintbucket.choices import DEFAULT_MAX_PIXELS
from paintbucket.errors import InputError

# TEMP_NAME and remove_temp_files are re-exported: the review code imports them from here.
from paintbucket.io.atomic import TEMP_NAME as TEMP_NAME
from paintbucket.io.atomic import atomic_write
from paintbucket.io.atomic import remove_temp_files as remove_temp_files

PathLike = str | os.PathLike[str]

#: Every fully transparent pixel is treated as this one "background" color.
TRANSPARENT = (0, 0, 0, 0)
#: Color of black-line pixels in colored frames.
LINE_COLOR = (0, 0, 0, 255)


def normalize_transparent(rgba: np.ndarray) -> np.ndarray:
    """Return a copy of an (H, W, 4) uint8 image with every alpha-0 pixel set to
    :data:`TRANSPARENT`, so the background is one color whatever RGB it hides."""
    rgba = np.array(rgba, dtype=np.uint8, copy=True)
    rgba[rgba[..., 3] == 0] = TRANSPARENT
    return rgba


def image_size(path: PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """Width and height of an image file, read from its header without decoding the pixels.

    Parameters
    ----------
    path : path-like
    max_pixels : int or None
        Refuse images with more pixels than this; None: only PIL's decompression-bomb
        limit (twice ``PIL.Image.MAX_IMAGE_PIXELS``) applies.

    Returns
    -------
    width, height : int

    Raises
    ------
    InputError
        If the file is missing, not an image, or larger than ``max_pixels``.
    """
    with _open_image(path, max_pixels) as image:
        return image.size


def _open_image(path: PathLike, max_pixels: int | None) -> Image.Image:
    """``Image.open`` (header only) with every failure, size limits included, as InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        with warnings.catch_warnings():
            # PIL warns above MAX_IMAGE_PIXELS; max_pixels below decides instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as error:
        raise InputError(path, f"image too large to decode safely: {error}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InputError(path, f"cannot read image ({error.__class__.__name__}: {error})") from None
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        image.close()
        raise InputError(
            path,
            f"image is {width}x{height} = {width * height} pixels, over the limit of "
            f"{max_pixels} (--max-pixels)",
        )
    return image


def read_rgba(path: PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read any image file as RGBA.

    Grayscale and RGB files get an opaque alpha channel; palette images are expanded.

    Parameters
    ----------
    path : path-like
        Image file (PNG, JPEG, ...).
    max_pixels : int or None
        Refuse, before decoding, images with more pixels than this (see
        :func:`image_size`).

    Returns
    -------
    rgba : (H, W, 4) uint8
        Red, green, blue, alpha.

    Raises
    ------
    InputError
        If the file is missing, cannot be decoded or is larger than ``max_pixels``.
    """
    path = Path(path)
    with _open_image(path, max_pixels) as image:
        try:
            image.load()
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):
                array = np.asarray(image, dtype=np.float64)
                gray = np.clip(array / max(float(array.max()), 1.0) * 255.0, 0, 255)
                image = Image.fromarray(gray.astype(np.uint8), mode="L")
            rgba = np.array(image.convert("RGBA"), dtype=np.uint8)
        except (OSError, SyntaxError, ValueError) as error:
            message = f"cannot read image ({error.__class__.__name__}: {error})"
            raise InputError(path, message) from None
    return rgba


def list_pngs(folder: PathLike) -> list[Path]:
    """The PNG frames of a folder in natural order (``2.png`` before ``10.png``).

    Files whose name starts with a dot (hidden files, editors' and our own temporary
    files) are ignored; the suffix may be in any letter case.

    Parameters
    ----------
    folder : path-like
        An existing folder.

    Returns
    -------
    paths : list of Path

    Raises
    ------
    InputError
        If two files have the same name apart from letter case (``0001.png`` beside
        ``0001.PNG``): they would be one frame on a case-insensitive file system and
        write the same output file.
    """
    paths = [
        path
        for path in Path(folder).iterdir()
        if not path.name.startswith(".") and path.suffix.lower() == ".png" and path.is_file()
    ]
    natural = natsort_keygen()
    paths.sort(key=lambda path: (natural(path.stem), path.name))
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.stem.casefold(), path)
        if other is not path:
            raise InputError(
                path, f"same frame name as {other.name} apart from letter case; keep one"
            )
    return paths


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
    return atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))


def write_text(path: PathLike, text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: PathLike, data: bytes) -> Path:
    """Write raw bytes (an already encoded file) to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))
