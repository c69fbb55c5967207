"""Export reviewed results: PNG sequences and one layered PSD per frame.

Layout of the export folder::

    color/<name>.png   the colored frame (fills + black lines), as reviewed
    fill/<name>.png    fills only; black-line pixels transparent
    psd/<name>.psd     layers, bottom to top: fill, [shadow], [highlight], line

The shadow and highlight layers are written only when the clip has a shading map
``shadow/<name>.png`` (PaintBucket-Character v2: highlight 250, normal 200, shadow 100
gray): the shadow layer is the shadow area in multiply gray, the highlight layer the
highlight area in white. Without a shading map the PSD has just fill and line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from psd_tools import PSDImage
from psd_tools.api.layers import PixelLayer
from psd_tools.constants import BlendMode

from paintbucket.io.images import read_rgba, write_bytes, write_png
from paintbucket.segment.lines import ink

if TYPE_CHECKING:
    from paintbucket.review.session import ReviewSession

#: Default export folder, inside the results folder.
EXPORT_DIR = "export"
#: Gray levels of a PaintBucket-Character v2 shading map.
SHADE_HIGHLIGHT, SHADE_SHADOW = 250, 100


def line_layer(line_art: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 line art on transparent paper (alpha = ink coverage).

    Works for RGBA drawings on transparent paper and for RGB drawings on white alike.
    """
    rgba = line_art.copy()
    rgba[..., 3] = np.round(ink(line_art) * 255).astype(np.uint8)
    return rgba


def fill_layer(result: np.ndarray, segment_ids: np.ndarray) -> np.ndarray:
    """The result with black-line pixels (segment id 0) transparent."""
    fill = result.copy()
    fill[segment_ids == 0] = 0
    return fill


def shade_layers(shading: np.ndarray) -> dict[str, np.ndarray]:
    """Shadow and highlight layers from a shading map (only the non-empty ones)."""
    gray = shading[..., 0]
    layers = {}
    for name, level, rgb in (
        ("shadow", SHADE_SHADOW, (100, 100, 100)),
        ("highlight", SHADE_HIGHLIGHT, (255, 255, 255)),
    ):
        mask = (gray == level) & (shading[..., 3] > 0)
        if mask.any():
            layer = np.zeros(shading.shape[:2] + (4,), np.uint8)
            layer[mask] = (*rgb, 255)
            layers[name] = layer
    return layers


def build_psd(layers: list[tuple[str, np.ndarray]]) -> bytes:
    """Encode RGBA layers (bottom first) as a PSD file with psd-tools."""

    height, width = layers[0][1].shape[:2]
    psd = PSDImage.new("RGB", (width, height))
    for name, rgba in layers:
        layer = PixelLayer.frompil(Image.fromarray(rgba, "RGBA"), psd, name=name)
        if name == "shadow":
            layer.blend_mode = BlendMode.MULTIPLY
        psd.append(layer)
    buffer = io.BytesIO()
    psd.save(buffer)
    return buffer.getvalue()


def export_frame(
    name: str,
    line_art: np.ndarray,
    result: np.ndarray,
    segment_ids: np.ndarray,
    out_dir: Path,
    shading: np.ndarray | None = None,
) -> list[str]:
    """Write the PNGs and the PSD of one frame; return the layer names of the PSD."""
    fill = fill_layer(result, segment_ids)
    write_png(out_dir / "color" / f"{name}.png", result)
    write_png(out_dir / "fill" / f"{name}.png", fill)
    layers = [("fill", fill)]
    if shading is not None:
        layers += list(shade_layers(shading).items())
    layers.append(("line", line_layer(line_art)))
    write_bytes(out_dir / "psd" / f"{name}.psd", build_psd(layers))
    return [layer_name for layer_name, _ in layers]


def export_clip(
    session: ReviewSession,
    out_dir: str | Path | None = None,
    advance: Callable[[], None] | None = None,
) -> dict:
    """Export every frame of a :class:`~paintbucket.review.session.ReviewSession`, in the
    cut's current palette (a recolored entry is recolored in keyframes' exports too).

    Parameters
    ----------
    session : ReviewSession
    out_dir : path, optional
        Defaults to ``RESULTS_DIR/export``.
    advance : callable, optional
        Called with no argument after each frame (progress).

    Returns
    -------
    summary : dict
        ``folder`` and, per frame, the PSD's layer names.
    """
    out_dir = Path(out_dir) if out_dir is not None else session.results_dir / EXPORT_DIR
    frames = {}
    with session.lock:
        for name in session.names:
            shade_path = session.clip_dir / "shadow" / f"{name}.png"
            shading = read_rgba(shade_path) if shade_path.is_file() else None
            if shading is not None and shading.shape[:2] != session.size:
                shading = None
            result = session.mapped_result(name)
            frames[name] = export_frame(
                name,
                read_rgba(session.line_path(name)),
                read_rgba(session.result_path(name)) if result is None else result,
                session.segments(name),
                out_dir,
                shading,
            )
            if advance is not None:
                advance()
    return {"folder": str(out_dir), "frames": frames}
