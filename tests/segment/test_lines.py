import cv2
import numpy as np
import pytest

from paintbucket.io import read_rgba
from paintbucket.segment import (
    BLACK_LINE,
    BLUE_LINE,
    GREEN_LINE,
    PAPER,
    RED_LINE,
    auto_line_threshold,
    classify_lines,
    ink,
    is_binary,
    line_coverage_warning,
    line_ink,
    line_width,
    segment_line_art,
    solid_lines,
    widen_lines,
)
from tests.conftest import real_data


def _pixels(*rgba):
    return np.array([list(rgba)], dtype=np.uint8)


def test_kinds_of_pure_pixels():
    art = _pixels(
        (255, 255, 255, 0), (255, 255, 255, 255), (0, 0, 0, 255),
        (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255),
    )  # fmt: skip
    assert classify_lines(art).tolist() == [
        [PAPER, PAPER, BLACK_LINE, RED_LINE, GREEN_LINE, BLUE_LINE]
    ]


def test_threshold_on_antialiased_pixels():
    # Gray 128 opaque: ink 0.498; black at alpha 130: ink 0.51.
    art = _pixels((128, 128, 128, 255), (0, 0, 0, 130), (0, 0, 0, 120))
    assert np.allclose(ink(art), [[1 - 128 / 255, 130 / 255, 120 / 255]])
    assert classify_lines(art, line_threshold=0.5).tolist() == [[PAPER, BLACK_LINE, PAPER]]
    assert classify_lines(art, line_threshold=0.4).tolist() == [[BLACK_LINE] * 3]


def test_binary_detection():
    assert is_binary(_pixels((0, 0, 0, 255), (255, 255, 255, 0), (255, 0, 0, 255)))
    assert not is_binary(_pixels((0, 0, 0, 255), (100, 100, 100, 255)))


def test_bad_input_raises():
    with pytest.raises(ValueError):
        classify_lines(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError):
        classify_lines(np.zeros((2, 2, 4), np.uint8), line_threshold=0)


def test_empty_image():
    assert classify_lines(np.zeros((0, 5, 4), np.uint8)).shape == (0, 5)


def test_line_width_exact_values():
    canvas = np.zeros((12, 12), np.float32)
    canvas[2:10, 5] = 1.0  # 1 x 8 stroke: 8 pixels, 2 * 8 + 2 outline edges
    assert line_width(canvas) == pytest.approx(16 / 18)
    canvas[2:10, 6] = 1.0  # 2 x 8 stroke: 16 pixels, 2 * 8 + 2 * 2 edges
    assert line_width(canvas) == pytest.approx(32 / 20)
    assert line_width(np.full((4, 4), 0.4, np.float32)) == 0.0  # below the threshold
    assert line_width(np.zeros((0, 5), np.float32)) == 0.0


def test_widen_lines_only_thickens_strokes_too_thin_for_the_scale():
    canvas = np.zeros((12, 12), np.float32)
    canvas[2:10, 5] = 1.0
    # at half size a 1-px stroke is 0.5 px; 1 px wanted -> dilate by one pixel
    wide = widen_lines(canvas, 0.5, 1.0)
    assert wide.shape == canvas.shape and wide.dtype == np.float32
    assert line_width(wide) == pytest.approx(2 * 18 / 22)  # 2 x 9 stroke
    assert (wide[canvas > 0] == 1).all()
    assert widen_lines(canvas, 1.0, 1.0) is canvas  # wide enough already
    assert widen_lines(canvas, 0.5, 0.0) is canvas  # disabled
    empty = np.zeros((0, 0), np.float32)
    assert widen_lines(empty, 0.5, 1.0).shape == (0, 0)


def _pencil_drawing(gray: int = 180, thickness: int = 1) -> np.ndarray:
    """Light pencil on white (anti-aliased ``cv2.LINE_AA``): a circle, and a rectangle
    split by a vertical stroke. Enclosed: the outside, the disc, the two halves."""
    canvas = np.full((120, 160), 255, np.uint8)
    cv2.circle(canvas, (40, 60), 28, gray, thickness, cv2.LINE_AA)
    cv2.rectangle(canvas, (85, 20), (145, 100), gray, thickness, cv2.LINE_AA)
    cv2.line(canvas, (115, 20), (115, 100), gray, thickness, cv2.LINE_AA)
    return np.dstack([canvas, canvas, canvas, np.full_like(canvas, 255)])


@pytest.mark.parametrize("thickness", [1, 2])
def test_auto_threshold_finds_light_pencil_lines(thickness):
    art = _pencil_drawing(thickness=thickness)
    threshold = auto_line_threshold(art)
    assert 0 < threshold < 1 - 180 / 255  # below the pencil's own ink, 0.29
    segment_ids = segment_line_art(art)  # "auto" by default
    assert segment_ids.max() == 4
    # Each enclosed region is one segment: the disc centre, the two halves, the outside.
    centres = [segment_ids[60, 40], segment_ids[60, 100], segment_ids[60, 130], segment_ids[5, 5]]
    assert sorted(centres) == [1, 2, 3, 4]
    disc = segment_ids == segment_ids[60, 40]
    assert disc[60, 15:66].all() and not disc[60, 70] and not disc[25, 40]
    assert segment_line_art(art, line_threshold=0.5).max() == 1  # one big segment


def test_auto_threshold_ignores_saturated_color_lines_beside_pencil():
    # Saturated red and blue color lines (full ink) next to light grey pencil: the split
    # between paper and pencil must not be lost to the one between pencil and color.
    art = _pencil_drawing(thickness=2)
    art[55:57, 15:66, :3] = (255, 0, 0)  # a red shading line across the disc
    art[30:32, 90:110, :3] = (0, 0, 255)
    threshold = auto_line_threshold(art)
    assert 0 < threshold < 1 - 180 / 255
    kinds = classify_lines(art, threshold)
    assert (kinds[60, 12:14] == BLACK_LINE).any()  # the pencil circle is found
    assert (kinds[55:57, 20:60] == RED_LINE).all()
    assert segment_line_art(art).max() >= 4


def test_line_ink_lifts_pencil_strokes_to_half_coverage():
    art = _pencil_drawing(thickness=2)
    lifted = line_ink(art)
    assert np.array_equal(lifted >= 0.5, ink(art) >= auto_line_threshold(art))
    assert lifted.max() <= 1.0 and lifted.min() == 0.0
    with pytest.raises(ValueError):
        line_ink(art, line_threshold=0.0)


def test_line_ink_leaves_crisp_drawings_unchanged():
    binary = np.full((8, 8, 4), 255, np.uint8)
    binary[3, :, :3] = 0
    binary[5, :, :3] = (255, 0, 0)
    assert np.array_equal(line_ink(binary), ink(binary))
    assert line_ink(np.zeros((0, 0, 4), np.uint8)).shape == (0, 0)


def test_auto_threshold_keeps_crisp_drawings_at_half_coverage():
    binary = np.zeros((20, 20, 4), np.uint8)
    binary[5:15, 10] = (0, 0, 0, 255)
    assert auto_line_threshold(binary) == 0.5
    thick = _pencil_drawing(gray=0, thickness=3)  # anti-aliased, but 2.9 px wide at 0.5
    assert line_width(ink(thick)) > 1.5
    assert auto_line_threshold(thick) == 0.5
    assert np.array_equal(classify_lines(thick), classify_lines(thick, line_threshold=0.5))
    assert auto_line_threshold(np.zeros((4, 4, 4), np.uint8)) == 0.5  # blank
    # Blurred wide strokes: Otsu alone would cut at 0.34 and fatten them; they are
    # about 3 px wide at 0.5 already, so 0.5 stays.
    blurred = _pencil_drawing(gray=0, thickness=2)
    blurred[..., :3] = cv2.GaussianBlur(blurred[..., :3], (0, 0), 0.9)
    rounded_ink = np.round(ink(blurred) * 255).astype(np.uint8)
    otsu, _ = cv2.threshold(rounded_ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    assert otsu / 255 < 0.4 and line_width(ink(blurred)) > 2.5
    assert auto_line_threshold(blurred) == 0.5


def test_auto_threshold_of_a_clip_is_the_median_of_its_frames():
    soft = [_pencil_drawing(gray) for gray in (150, 180, 210)]
    each = [auto_line_threshold(frame) for frame in soft]
    assert each[0] > each[1] > each[2]
    assert auto_line_threshold(soft) == each[1]
    assert auto_line_threshold(soft[:1] + [_pencil_drawing(0, 3)] * 2) == 0.5
    with pytest.raises(ValueError, match="at least one"):
        auto_line_threshold([])


def test_line_threshold_must_be_a_number_or_auto():
    with pytest.raises(ValueError, match="'auto'"):
        classify_lines(np.zeros((2, 2, 4), np.uint8), line_threshold="otsu")


def test_faint_color_line_pixels_keep_their_color():
    # Under a lowered threshold, a red stroke's faded edge (ink 0.29, chroma 75) is red,
    # grey is black; at half coverage and above the chroma rule is unchanged.
    art = _pixels((255, 180, 180, 255), (180, 180, 180, 255), (180, 60, 60, 255))
    assert classify_lines(art, line_threshold=0.2).tolist() == [[RED_LINE, BLACK_LINE, BLACK_LINE]]
    assert classify_lines(art, line_threshold=0.5).tolist() == [[PAPER, PAPER, BLACK_LINE]]


def test_coverage_warning_names_faint_and_blank_drawings():
    pencil = _pencil_drawing()
    message = line_coverage_warning(pencil, line_threshold=0.5)
    assert message is not None and message.startswith("almost no line found: 0.00%")
    assert "threshold 0.50" in message
    assert line_coverage_warning(pencil) is None  # auto finds the strokes
    assert "blank" in line_coverage_warning(np.zeros((8, 8, 4), np.uint8))
    sparse = np.zeros((100, 100, 4), np.uint8)
    sparse[50, 50:55] = (0, 0, 0, 255)  # 0.05% line, all of its ink: a small crisp drawing
    assert line_coverage_warning(sparse) is None


def test_linefiller_sketch_gets_more_segments_under_auto():
    art = read_rgba(real_data("linefiller_sketch", "sketch.png"))
    threshold = auto_line_threshold(art)
    assert 0.3 < threshold < 0.45
    fixed, auto = segment_line_art(art, line_threshold=0.5).max(), segment_line_art(art).max()
    assert auto >= 1.5 * fixed


def test_real_crisp_drawings_keep_threshold_half():
    folder = real_data()
    drawings = sorted(folder.glob("*/line/*0.png")) + sorted(folder.glob("morevna/*_lineart.png"))
    assert drawings
    for path in drawings:
        assert auto_line_threshold(read_rgba(path)) == 0.5, path.name


def _stroke_row(gray: int, alphas: list[int]) -> np.ndarray:
    """One row of pixels of one ink color, with these alphas."""
    art = np.zeros((1, len(alphas), 4), np.uint8)
    art[..., :3] = gray
    art[..., 3] = alphas
    return art


def test_solid_lines_drop_the_faint_fringe_of_black_strokes():
    art = _stroke_row(0, [255, 255, 200, 120, 60, 0])
    mask = np.array([[True, True, True, True, True, False]])
    # Darkness: the 95th percentile of 255, 255, 200, 120, 60 (x255) is 255; half is 127.5.
    assert solid_lines(art, mask).tolist() == [[True, True, True, False, False, False]]


def test_solid_lines_keep_a_gray_pencil_stroke():
    # Gray 180 at full alpha is ink 0.29 everywhere: all of it is the stroke's core.
    art = _stroke_row(180, [255, 255, 255, 90])
    mask = np.array([[True, True, True, True]])
    assert solid_lines(art, mask).tolist() == [[True, True, True, False]]


def test_solid_lines_measure_pencil_apart_from_color_lines():
    # Light pencil (gray 240, ink 15/255 at full alpha) beside a saturated red stroke and
    # its faint fringe (alpha 60: chroma 60, ink 60 once over white). Measured together,
    # red's full ink would make every pencil pixel fringe.
    art = np.concatenate(
        [_stroke_row(240, [255, 255, 100]), _stroke_row(0, [255, 255, 255, 60])], axis=1
    )
    art[0, 3:, :3] = (255, 0, 0)
    mask = np.ones((1, 7), bool)
    assert solid_lines(art, mask).tolist() == [[True, True, False, True, True, True, False]]


def test_solid_lines_of_a_binary_drawing_are_its_line_mask():
    art = _stroke_row(0, [255, 0, 255, 0])
    mask = art[..., 3] > 0
    assert np.array_equal(solid_lines(art, mask), mask)


def test_solid_lines_of_an_empty_mask_are_empty_and_a_wrong_mask_raises():
    art = _stroke_row(0, [255, 0])
    assert solid_lines(art, np.zeros((1, 2), bool)).tolist() == [[False, False]]
    assert solid_lines(np.zeros((0, 0, 4), np.uint8), np.zeros((0, 0), bool)).shape == (0, 0)
    with pytest.raises(ValueError, match="does not match"):
        solid_lines(art, np.zeros((2, 2), bool))
