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


def test_mirrored_flips_every_array_and_keeps_the_colors():
    line_art = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    segment_ids = np.array([[1, 0, 2], [1, 3, 2]], np.int32)
    line_mask = segment_ids == 0
    frame = ColoredFrame(line_art, segment_ids, line_mask,
                         np.array([[9, 9, 9, 255], [5, 5, 5, 255]], np.uint8),
                         np.array([-1, 0, 1, 1], np.int32))  # fmt: skip
    mirrored = frame.mirrored()
    assert isinstance(mirrored, ColoredFrame)
    assert mirrored.segment_ids.tolist() == [[2, 0, 1], [2, 3, 1]]
    np.testing.assert_array_equal(mirrored.line_art, line_art[:, ::-1])
    np.testing.assert_array_equal(mirrored.line_mask, line_mask[:, ::-1])
    np.testing.assert_array_equal(mirrored.palette, frame.palette)
    np.testing.assert_array_equal(mirrored.segment_palette_index, frame.segment_palette_index)
    plain = Frame(line_art, segment_ids, line_mask).mirrored()
    assert type(plain) is Frame and plain.segment_ids.flags.c_contiguous
    empty = Frame(np.zeros((0, 0, 4), np.uint8), np.zeros((0, 0), np.int32),
                  np.zeros((0, 0), bool)).mirrored()  # fmt: skip
    assert empty.segment_ids.shape == (0, 0)


def test_per_segment_tables_are_computed_once_and_follow_the_frame():
    art = np.full((10, 14, 4), 255, np.uint8)
    art[[1, 8], 1:13] = art[1:9, [1, 12]] = (0, 0, 0, 255)  # a black box
    art[3:7, 5] = (255, 0, 0, 255)  # a red tick inside: a stroke segment of its own
    frame = Frame.from_line_art(art)
    assert frame.areas().tolist() == [36, 44, 56, 4]
    assert frame.areas() is frame.areas()
    assert frame.stroke_segments().tolist() == [False, False, False, True]
    assert frame.stroke_segments() is frame.stroke_segments()
    mask = frame.solid_line_mask()
    mirrored = frame.mirrored()
    # the mirror and colored copies reuse the tables instead of counting again
    assert mirrored.areas() is frame.areas()
    assert mirrored.stroke_segments() is frame.stroke_segments()
    np.testing.assert_array_equal(mirrored.solid_line_mask(), mask[:, ::-1])
    colored = ColoredFrame.from_keyframe(frame, np.where(art[..., :1] > 0, 200, 0).astype(np.uint8)
                                         .repeat(4, axis=2), min_flatness=0)  # fmt: skip
    assert colored.areas() is frame.areas() and colored.solid_line_mask() is mask
    assert colored.mirrored().areas() is frame.areas()
    # a frame whose tables were not computed yet counts its own
    fresh = Frame(art, frame.segment_ids, frame.line_mask).mirrored()
    assert fresh.areas().tolist() == [36, 44, 56, 4] and fresh.areas() is not frame.areas()
