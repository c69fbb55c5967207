"""Reading a layered PSD drawing as fill and line images (psd-tools).

A layer is a *line layer* when its name, or the name of a group it sits in, holds one
of :data:`LINE_LAYER_WORDS` as a word (``Line art``, ``lines``, ``ink``, ``outline``;
``skin`` is not ``ink``). The visible line layers composite into the line art, every
other visible layer into the fills — the layout ``pbc review`` exports (``fill``,
``shadow``, ``highlight``, ``line``) and the usual one of a paint program.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from paintbucket.choices import DEFAULT_MAX_PIXELS
from paintbucket.errors import InputError
from paintbucket.io.images import PathLike

#: Words of a layer (or group) name that make it line art.
LINE_LAYER_WORDS = frozenset(
    {"line", "lines", "lineart", "linework", "ink", "inks", "inking", "outline", "outlines"}
)


def is_line_name(name: str) -> bool:
    """Whether a layer name marks line art.

    >>> is_line_name("Line art"), is_line_name("skin"), is_line_name("outline 2")
    (True, False, True)
    """
    return bool(LINE_LAYER_WORDS.intersection(re.findall(r"[a-z]+", name.lower())))


def _is_line_layer(layer) -> bool:  # noqa: ANN001 - a psd_tools layer
    while layer is not None and getattr(layer, "name", None) is not None:
        if is_line_name(layer.name):
            return True
        layer = layer.parent
    return False


def _has_line_layer(layer) -> bool:  # noqa: ANN001
    if _is_line_layer(layer):
        return True
    return layer.is_group() and any(_is_line_layer(child) for child in layer.descendants())


def read_psd_layers(
    path: PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> tuple[np.ndarray, np.ndarray | None]:
    """Composite a layered PSD into its fills and its line art.

    Parameters
    ----------
    path : path-like
    max_pixels : int or None
        Refuse files with more pixels than this, before compositing.

    Returns
    -------
    fills : (H, W, 4) uint8
        Every visible layer that is not line art, composited; transparent where none.
    line_art : (H, W, 4) uint8 or None
        The visible line layers composited, None when the file has none.

    Raises
    ------
    InputError
        If the file is missing, not a PSD, too large, or has no visible pixel layer.
    """
    from psd_tools import PSDImage  # lazy: only .psd views need psd-tools (0.2 s to import)

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        psd = PSDImage.open(path)
    except Exception as error:  # psd-tools raises many kinds on a corrupt file
        raise InputError(path, f"cannot read PSD ({error.__class__.__name__}: {error})") from None
    width, height = psd.width, psd.height
    if max_pixels is not None and width * height > max_pixels:
        raise InputError(
            path,
            f"image is {width}x{height} = {width * height} pixels, over the limit of "
            f"{max_pixels} (--max-pixels)",
        )
    layers = [layer for layer in psd.descendants() if not layer.is_group()]
    visible = [layer for layer in layers if layer.is_visible()]
    if not visible:
        raise InputError(path, "PSD has no visible layer")
    has_lines = any(_is_line_layer(layer) for layer in visible)

    def composite(keep) -> np.ndarray:  # noqa: ANN001
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # psd-tools warns about effects it cannot draw
            image = psd.composite(layer_filter=lambda layer: layer.is_visible() and keep(layer),
                                  ignore_preview=True)  # fmt: skip
        rgba = np.array(image.convert("RGBA"), dtype=np.uint8)
        if rgba.shape[:2] != (height, width):  # nothing passed the filter
            return np.zeros((height, width, 4), np.uint8)
        return rgba

    if not has_lines:
        return composite(lambda layer: True), None
    fills = composite(lambda layer: not _is_line_layer(layer))
    line_art = composite(_has_line_layer)
    return fills, line_art
