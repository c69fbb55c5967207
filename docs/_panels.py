"""Panel helpers shared by the scripts that draw the README's figures."""

from __future__ import annotations

import cv2
import numpy as np


def on_white(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 RGBA composited over white paper -> (H, W, 3) uint8 RGB."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    return (rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)


def labelled(rgb: np.ndarray, text: str, height: int | None = None) -> np.ndarray:
    """``rgb`` (resized to ``height`` rows, if given) with ``text`` written above it."""
    if height is not None:
        scale = height / rgb.shape[0]
        size = (round(rgb.shape[1] * scale), height)
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    panel = np.pad(rgb, ((36, 4), (4, 4), (0, 0)), constant_values=255)
    cv2.putText(panel, text, (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    return panel
