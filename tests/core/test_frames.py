import cv2
import numpy as np
import pytest

from paintbucket.core import ColoredFrame, Frame
from paintbucket.errors import InputError


def _pencil_clip_frame() -> tuple[np.ndarray, np.ndarray]:
    """A light pencil drawing (grey 180, anti-aliased) of three boxes, and its keyframe:
    each box flat-painted, the paper transparent, the strokes left grey."""
    canvas = np.full((90, 150), 255, np.uint8)
    for left in (10, 55, 100):
        cv2.rectangle(canvas, (left, 20), (left + 38, 70), 180, 1, cv2.LINE_AA)
    line_art = np.dstack([canvas, canvas, canvas, np.full_like(canvas, 255)])
    keyframe = np.zeros_like(line_art)
    for left, color in zip((10, 55, 100), ((230, 60, 60), (60, 200, 90), (70, 90, 230))):
        keyframe[20:71, left : left + 39] = (*color, 255)  # the bucket fills up to the strokes
    stroke = canvas <= 255 - 75 // 2  # and the strokes, from half their darkness, stay grey
    keyframe[stroke] = line_art[stroke]
    return line_art, keyframe


def test_soft_keyframe_is_flat_under_the_auto_threshold():
    line_art, keyframe = _pencil_clip_frame()
    frame = Frame.from_line_art(line_art)
    assert frame.segment_ids.max() == 4  # paper + three boxes
    colored = ColoredFrame.from_keyframe(frame, keyframe)
    assert len(colored.palette) == 4
    fixed = Frame.from_line_art(line_art, line_threshold=0.5)
    assert fixed.segment_ids.max() == 1 and not fixed.line_mask.any()
    with pytest.raises(InputError, match="not flat"):
        ColoredFrame.from_keyframe(fixed, keyframe)
