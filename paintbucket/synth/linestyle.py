"""How the lines of a synthetic frame are drawn: clean binary lines or a studio style.

Two styles (:data:`paintbucket.choices.SYNTH_STYLES`):

``clean``
    Binary black lines on every boundary of ``key = piece * 3 + shade``
    (:func:`~paintbucket.synth.render.line_mask`), shading boundaries included.

``studio``
    Lines as production line art draws them; each feature can be turned off
    (:class:`LineStyle`):

    - *color lines*: a boundary between two shades of one piece is drawn in color, blue
      around shadow, red around highlight, green where shadow meets highlight
      (SPEC section 1, paper section 2: "shadow areas are enclosed with blue lines, while
      highlight regions are surrounded by red lines"); boundaries between pieces stay
      black. In the gt a color-line pixel has the color of the shade region the line
      encloses (shadow for blue, highlight for red and green), the region
      :func:`~paintbucket.segment.assign_color_lines` gives the stroke to (the smaller
      one); so the color lines disappear in the gt.
    - *floating strokes*: colored strokes that separate nothing (blush hatching, sweat
      drops, hair shine ticks, :mod:`paintbucket.synth.strokes`); each 8-connected stroke
      of one material is a segment of its own with its own colorbook entry.
    - *anti-aliasing*: ink coverage in [0, 1] (the alpha of ``line/``) instead of 0/1.
    - *width variation*: stroke width 1-4 px from a smooth random field around the
      boundary core, tapered to nothing at the ends of open strokes (gaps, detail lines,
      floating strokes); without it the boundaries are their ``line_width`` core.
    - *pencil*: in some clips black lines are drawn light grey (150-240).
    - *gaps*: 1-3 px openings in a share of the black outlines.
    - *jitter*: the drawing wobbles by up to about a pixel, and parts of it are doubled
      by a second, offset stroke.
    - *detail lines*: open black strokes inside one piece (hair strands, cloth folds).

What a segment is (the rule ``seg/``, ``label/`` and the gt follow)
-----------------------------------------------------------------
Every drawn stroke has a 1-px *centre line*: the boundary pixels of ``key`` (those of
:func:`~paintbucket.synth.render.line_mask`, 1 or 2 px as ``line_width`` says) and the
rasterised polylines of detail lines and floating strokes. Each pixel takes its ink
from the nearest centre pixel (``cv2.distanceTransformWithLabels``), so it inherits that
stroke's kind and gt color. A pixel is a *line pixel* when its coverage is at least 0.5
(alpha >= 128 in ``line/``; for black ink this is the segmenter's crisp threshold,
:mod:`paintbucket.segment.lines`). Segments are the 4-connected components of the
other pixels (numbered like :func:`~paintbucket.segment.label_paper`), followed by the
8-connected components of floating-stroke line pixels, one material at a time.

Why every segment keeps one gt color: boundary centre pixels are always line pixels
(*forced*), whatever the jitter, width or anti-aliasing do, except inside a gap, and a
gap is only opened where the pixels on both sides of the boundary have the same gt color
(two pieces of one material and shade, e.g. a bang over the hair cap). Everything else a
style adds (width, doubled strokes, detail lines) only adds line pixels, which can split
a segment but never join two. Pixels under half coverage are paper and are painted like
their region in the gt; the faint ink they carry in ``line/`` is anti-aliasing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import cv2
import numpy as np

from paintbucket.synth.render import HIGHLIGHT, NORMAL, SHADOW, line_mask

#: Kinds of drawn strokes; a higher color kind wins where a pixel borders several shades.
BLACK, RED, BLUE, GREEN = 0, 1, 2, 3
#: RGB of each kind in ``line/``.
KIND_RGB = np.array([(0, 0, 0), (255, 0, 0), (0, 0, 255), (0, 255, 0)], dtype=np.uint8)
#: The shade whose color a color line takes in the gt, by kind.
KIND_SHADE = {RED: HIGHLIGHT, BLUE: SHADOW, GREEN: HIGHLIGHT}

#: Stroke widths in pixels under width variation.
MIN_WIDTH, MAX_WIDTH = 1.0, 4.0
#: Pencil grey levels (inclusive) and the share of clips drawn in pencil.
PENCIL_GRAYS = (150, 240)
PENCIL_SHARE = 0.4
#: Gap radii in pixels (openings 1-3 px long), one gap per this many allowed boundary
#: pixels, and how far the stroke tapers around a gap.
GAP_RADII = (0.5, 1.5)
GAP_SPACING = 120
GAP_TAPER = 4.0
#: Jitter: displacement amplitude, and the doubled stroke's offset and share of the area.
JITTER_AMPLITUDE = 0.6
DOUBLE_OFFSET = (1.2, 2.2)
DOUBLE_SHARE = 0.25
DOUBLE_INK = 0.85
#: Smooth random fields vary over this many pixels.
NOISE_CELL = 24


@dataclass(frozen=True)
class LineStyle:
    """Which studio line features are on (all by default).

    Attributes
    ----------
    color_lines, floating_strokes, antialias, width_variation, pencil, gaps, jitter,
    detail_lines : bool
        See the module docstring.
    """

    color_lines: bool = True
    floating_strokes: bool = True
    antialias: bool = True
    width_variation: bool = True
    pencil: bool = True
    gaps: bool = True
    jitter: bool = True
    detail_lines: bool = True


#: Names of the :class:`LineStyle` switches, in order.
LINE_FEATURES = tuple(f.name for f in fields(LineStyle))


@dataclass
class Stroke:
    """An open stroke drawn over the regions: a detail line or a floating stroke.

    Attributes
    ----------
    points : (N, 2) float64
        Polyline in pixel coordinates (x, y), N >= 2.
    visible : (N - 1,) bool
        Which segments of the polyline are drawn (hidden ones face away).
    width : float
        Width in pixels at the middle; the ends taper to nothing.
    kind : int
        :data:`BLACK` for a detail line, a color kind for a floating stroke.
    piece : int
        The piece the stroke lies on; its ink is confined to that piece's pixels.
    material : int
        Floating strokes: the material (colorbook entry) of the stroke; -1 for detail
        lines.
    """

    points: np.ndarray
    visible: np.ndarray
    width: float
    kind: int
    piece: int
    material: int = -1


@dataclass
class DrawnLines:
    """The drawn lines of one frame and what they mean for the gt, label and seg.

    Attributes
    ----------
    coverage : (H, W) float32
        Ink coverage in [0, 1], the alpha of ``line/``.
    ink_rgb : (H, W, 3) uint8
        Ink color where ``coverage > 0``.
    line : (H, W) bool
        Line pixels: ``coverage >= 0.5``.
    gt : (H, W, 4) uint8
        GT color of line pixels: black, or the region color for color lines and
        floating strokes.
    floating : (H, W) int32
        0, or 1 + the material of the floating stroke a line pixel belongs to (the
        pixel's label).
    """

    coverage: np.ndarray
    ink_rgb: np.ndarray
    line: np.ndarray
    gt: np.ndarray
    floating: np.ndarray


def clean_lines(key: np.ndarray, line_width: int) -> DrawnLines:
    """Binary black lines on every boundary of ``key`` (the ``clean`` style).

    Parameters
    ----------
    key : (H, W) int
        Region key per pixel.
    line_width : {1, 2}

    Returns
    -------
    lines : DrawnLines
    """
    line = line_mask(key, line_width)
    gt = np.zeros(key.shape + (4,), dtype=np.uint8)
    gt[line, 3] = 255
    return DrawnLines(
        line.astype(np.float32),
        np.zeros(key.shape + (3,), np.uint8),
        line,
        gt,
        np.zeros(key.shape, dtype=np.int32),
    )


def boundary_kinds(
    piece: np.ndarray, shading: np.ndarray, line_width: int, color_lines: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Boundary pixels of ``piece * 3 + shade`` and the kind of line drawn on each.

    Parameters
    ----------
    piece : (H, W) int
        Piece id, -1 on background.
    shading : (H, W) uint8
        Shade code (:data:`~paintbucket.synth.render.SHADOW` ...).
    line_width : {1, 2}
        As :func:`~paintbucket.synth.render.line_mask`: the boundary pixels are exactly
        ``line_mask(piece * 3 + shade, line_width)`` (background as one key).
    color_lines : bool
        False: every boundary is :data:`BLACK`.

    Returns
    -------
    boundary : (H, W) bool
    kind : (H, W) int8
        :data:`BLACK` where a 4-neighbour across the boundary is another piece (or the
        background); otherwise the color of the shade pair, :data:`GREEN` over
        :data:`BLUE` over :data:`RED` where a pixel borders several.
    """
    if line_width not in (1, 2):
        raise ValueError(f"line width must be 1 or 2 pixels, got {line_width!r}")
    shading = np.where(piece >= 0, shading, NORMAL).astype(np.int8)
    pair_kind = np.full((3, 3), -1, dtype=np.int8)
    pairs = ((NORMAL, SHADOW, BLUE), (NORMAL, HIGHLIGHT, RED), (SHADOW, HIGHLIGHT, GREEN))
    for a, b, kind in pairs:
        pair_kind[a, b] = pair_kind[b, a] = kind
    height, width = piece.shape
    pad_piece = np.pad(piece, 1, mode="edge")
    pad_shade = np.pad(shading, 1, mode="edge")
    offsets = [(1, 2), (2, 1)] + ([(1, 0), (0, 1)] if line_width == 2 else [])
    other_piece = np.zeros(piece.shape, dtype=bool)
    color = np.full(piece.shape, -1, dtype=np.int8)
    for dy, dx in offsets:
        n_piece = pad_piece[dy : dy + height, dx : dx + width]
        n_shade = pad_shade[dy : dy + height, dx : dx + width]
        other_piece |= n_piece != piece
        same = (n_piece == piece) & (n_shade != shading)
        color = np.maximum(color, np.where(same, pair_kind[shading, n_shade], -1))
    boundary = other_piece | (color >= 0)
    if not color_lines:
        return boundary, np.full(piece.shape, BLACK, dtype=np.int8)
    kind = np.where(other_piece, BLACK, np.maximum(color, 0)).astype(np.int8)
    return boundary, kind


def same_color_across(color_key: np.ndarray, line_width: int) -> np.ndarray:
    """Pixels whose 4-neighbours across a boundary all have their own color.

    Parameters
    ----------
    color_key : (H, W) int
        One value per gt color (background included).
    line_width : {1, 2}
        Which neighbours count, as in :func:`boundary_kinds`.

    Returns
    -------
    same : (H, W) bool
        True where every neighbour :func:`boundary_kinds` compares has the pixel's
        color key: a gap there cannot join two colors.
    """
    height, width = color_key.shape
    padded = np.pad(color_key, 1, mode="edge")
    offsets = [(1, 2), (2, 1)] + ([(1, 0), (0, 1)] if line_width == 2 else [])
    same = np.ones(color_key.shape, dtype=bool)
    for dy, dx in offsets:
        same &= padded[dy : dy + height, dx : dx + width] == color_key
    return same


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: int) -> np.ndarray:
    """A smooth random field, about unit variance, varying over ``cell`` pixels.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : (H, W)
    cell : int
        Spacing of the random control values, in pixels.

    Returns
    -------
    field : (H, W) float32
        Bicubic interpolation of normal control values.
    """
    height, width = shape
    coarse = rng.standard_normal((height // cell + 3, width // cell + 3)).astype(np.float32)
    big = cv2.resize(
        coarse, ((width // cell + 3) * cell, (height // cell + 3) * cell), cv2.INTER_CUBIC
    )
    return np.ascontiguousarray(big[cell : cell + height, cell : cell + width])


def rasterize_strokes(
    strokes: list[Stroke], shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Centre pixels of open strokes, with their stroke number and tapered width.

    Parameters
    ----------
    strokes : list of Stroke
    shape : (H, W)

    Returns
    -------
    number : (H, W) int32
        1 + the index of the stroke a centre pixel belongs to, 0 elsewhere (a later
        stroke overwrites an earlier one).
    width : (H, W) float32
        Width at each centre pixel: ``stroke.width * sin(pi * t) ** 0.5`` at the
        fraction ``t`` of the stroke's length.
    """
    number = np.zeros(shape, dtype=np.int32)
    width = np.zeros(shape, dtype=np.float32)
    for index, stroke in enumerate(strokes):
        points = np.asarray(stroke.points, dtype=np.float64)
        steps = np.sqrt((np.diff(points, axis=0) ** 2).sum(axis=1))
        total = max(float(steps.sum()), 1e-9)
        middle = (np.cumsum(steps) - steps / 2) / total
        taper = stroke.width * np.sqrt(np.sin(np.pi * np.clip(middle, 0.0, 1.0)))
        ends = np.round(points).astype(np.int32)
        for k in np.flatnonzero(stroke.visible):
            a, b = tuple(int(v) for v in ends[k]), tuple(int(v) for v in ends[k + 1])
            cv2.line(number, a, b, index + 1, 1, cv2.LINE_8)
            cv2.line(width, a, b, float(taper[k]), 1, cv2.LINE_8)
    return number, width


def _gap_taper(allowed: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Width factor around random gap centres on ``allowed`` pixels, and the gap zones."""
    candidates = np.flatnonzero(allowed.ravel())
    count = int(rng.binomial(len(candidates), 1.0 / GAP_SPACING)) if len(candidates) else 0
    taper = np.ones(allowed.shape, dtype=np.float32)
    if count == 0:
        return taper, np.zeros(allowed.shape, dtype=bool)
    seeds = np.sort(rng.choice(candidates, size=count, replace=False))
    radii = rng.uniform(*GAP_RADII, size=count).astype(np.float32)
    not_seed = np.ones(allowed.shape, dtype=np.uint8)
    not_seed.flat[seeds] = 0
    distance, nearest = cv2.distanceTransformWithLabels(
        not_seed, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    radius = radii[nearest - 1]  # labels follow raster order, as the sorted seeds
    taper = np.clip((distance - radius) / GAP_TAPER, 0.0, 1.0).astype(np.float32)
    return taper, taper < 1.0


def draw_ink(
    centre: np.ndarray,
    width: np.ndarray,
    forced: np.ndarray,
    confine: np.ndarray,
    region: np.ndarray,
    rng: np.random.Generator | None,
    antialias: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Ink coverage of strokes around centre pixels, and where each pixel's ink comes from.

    Parameters
    ----------
    centre : (H, W) bool
        Centre-line pixels of all strokes.
    width : (H, W) float32
        Stroke width in pixels at each centre pixel; coverage at distance ``d`` is
        ``clip(w / 2 + 0.5 - d, 0, 1) * clip(w, 0, 1)`` (a width under 1 fades the ink).
    forced : (H, W) bool
        Centre pixels always fully inked (closed boundaries).
    confine : (H, W) int32
        Per centre pixel, the region its ink must stay in, or -1 (no limit).
    region : (H, W) int32
        Region of every pixel, compared with ``confine``.
    rng : numpy.random.Generator or None
        Jitter and doubled strokes when given; None draws the strokes as they are.
    antialias : bool
        False rounds the coverage to 0 or 1.

    Returns
    -------
    coverage : (H, W) float32 in [0, 1]
    source : (H, W) int64
        Flat index of the centre pixel each pixel takes its ink from (a pixel's own
        index where there is no centre pixel at all).
    """
    height, width_px = centre.shape
    flat_centre = np.flatnonzero(centre.ravel())
    own = np.arange(height * width_px, dtype=np.int64).reshape(height, width_px)
    if len(flat_centre) == 0:
        return np.zeros(centre.shape, dtype=np.float32), own
    distance, nearest = cv2.distanceTransformWithLabels(
        (~centre).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    source = flat_centre[nearest - 1]
    w = width.ravel()[source]
    coverage = np.clip(w / 2 + 0.5 - distance, 0.0, 1.0) * np.clip(w, 0.0, 1.0)
    coverage = coverage.astype(np.float32)
    if rng is not None:
        ys, xs = np.mgrid[0:height, 0:width_px].astype(np.float32)
        shape = (height, width_px)

        def displaced(dx: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            map_x, map_y = xs + dx, ys + dy
            moved = cv2.remap(coverage, map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
            yi = np.clip(np.rint(map_y), 0, height - 1).astype(np.int64)
            xi = np.clip(np.rint(map_x), 0, width_px - 1).astype(np.int64)
            return moved, source[yi, xi]

        jitter = [JITTER_AMPLITUDE * smooth_noise(rng, shape, NOISE_CELL) for _ in range(2)]
        angle = np.float32(np.pi) * smooth_noise(rng, shape, NOISE_CELL * 4)
        offset = np.float32(rng.uniform(*DOUBLE_OFFSET))
        doubled_area = smooth_noise(rng, shape, NOISE_CELL * 2) > 0.67  # ~25 % of a normal
        moved, moved_source = displaced(jitter[0], jitter[1])
        second, second_source = displaced(
            jitter[0] + offset * np.cos(angle), jitter[1] + offset * np.sin(angle)
        )
        second = np.where(doubled_area, second * np.float32(DOUBLE_INK), 0.0).astype(np.float32)
        take_second = second > moved
        coverage = np.where(take_second, second, moved)
        source = np.where(take_second, second_source, moved_source)
    limit = confine.ravel()[source]
    coverage = np.where((limit < 0) | (limit == region), coverage, 0.0).astype(np.float32)
    coverage[forced] = 1.0
    source = np.where(forced, own, source)
    if not antialias:
        coverage = (coverage >= 0.5).astype(np.float32)
    return coverage, source


def studio_lines(
    piece: np.ndarray,
    shading: np.ndarray,
    piece_material: np.ndarray,
    piece_rgb: np.ndarray,
    material_rgb: np.ndarray,
    line_width: int,
    style: LineStyle,
    seed: tuple[int, ...],
    strokes: list[Stroke],
    pencil_gray: int | None = None,
) -> DrawnLines:
    """Draw the lines of one frame in the studio style (see the module docstring).

    Parameters
    ----------
    piece : (H, W) int32
        Piece id per pixel, -1 background.
    shading : (H, W) uint8
        Shade code per pixel.
    piece_material : (P,) int
        Material of every piece.
    piece_rgb : (P, 3, 3) uint8
        RGB of every piece by shade code.
    material_rgb : (M, 3) uint8
        Normal color of every material: the gt color of a floating stroke.
    line_width : {1, 2}
        Width of the always-closed boundary core (1: one side of each boundary, 2: both).
    style : LineStyle
    seed : tuple of int
        Seed of the frame's random draws; widths, gaps and jitter each draw from their
        own generator (``seed + (0,)``, ``(1,)``, ``(2,)``), so turning one feature off
        leaves the others as they were.
    strokes : list of Stroke
        Detail lines and floating strokes (used as the style allows). A floating stroke
        whose ink would leave its piece's region of one key, or come near a boundary, is
        left out whole.
    pencil_gray : int or None
        Grey level of black ink (the pencil style); None draws black.

    Returns
    -------
    lines : DrawnLines
    """
    height, width = piece.shape
    fg = piece >= 0
    p = np.where(fg, piece, 0)
    boundary, kind = boundary_kinds(piece, shading, line_width, style.color_lines)
    key = np.where(fg, p * 3 + shading, -1)
    color_key = np.where(fg, piece_material[p] * 3 + shading, -1)

    width_rng, gap_rng, jitter_rng = (np.random.default_rng([*seed, k]) for k in range(3))
    widths = (
        MIN_WIDTH
        + (MAX_WIDTH - MIN_WIDTH)
        * (np.tanh(smooth_noise(width_rng, piece.shape, NOISE_CELL)) + 1)
        / 2
        if style.width_variation
        else np.full(piece.shape, MIN_WIDTH, dtype=np.float32)
    ).astype(np.float32)
    forced = boundary.copy()
    if style.gaps:
        allowed = boundary & (kind == BLACK) & same_color_across(color_key, line_width)
        taper, zone = _gap_taper(allowed, gap_rng)
        widths = widths * taper
        forced &= ~(allowed & zone)

    used = [
        s
        for s in strokes
        if (style.detail_lines and s.material < 0) or (style.floating_strokes and s.material >= 0)
    ]
    number, stroke_width = rasterize_strokes(used, piece.shape)
    stroke_kind = np.array([BLACK] + [s.kind for s in used], dtype=np.int8)
    stroke_piece = np.array([-1] + [s.piece for s in used], dtype=np.int32)
    stroke_material = np.array([-1] + [s.material for s in used], dtype=np.int32)
    # a floating stroke keeps clear of every boundary and stays on one key of its piece
    margin = int(np.ceil(MAX_WIDTH + DOUBLE_OFFSET[1] + JITTER_AMPLITUDE * 3 + 2))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    dropped = np.zeros(len(used) + 1, dtype=bool)
    for index in np.flatnonzero(stroke_material >= 0):
        ys, xs = np.nonzero(number == index)
        if len(ys) == 0:
            continue
        y0, x0 = max(ys.min() - margin, 0), max(xs.min() - margin, 0)
        y1, x1 = min(ys.max() + margin + 1, height), min(xs.max() + margin + 1, width)
        near = cv2.dilate((number[y0:y1, x0:x1] == index).view(np.uint8), disc) > 0
        keys = key[y0:y1, x0:x1][near]
        clipped = y0 == 0 or x0 == 0 or y1 == height or x1 == width
        dropped[index] = (
            clipped
            or bool(boundary[y0:y1, x0:x1][near].any())
            or not (keys == p[ys[0], xs[0]] * 3 + shading[ys[0], xs[0]]).all()
            or piece[ys[0], xs[0]] != stroke_piece[index]
        )
    number = np.where(dropped[number], 0, number)
    on_stroke = (number > 0) & ~boundary
    centre = boundary | on_stroke
    centre_width = np.where(on_stroke, stroke_width, widths).astype(np.float32)
    confine = np.where(on_stroke, stroke_piece[number], -1).astype(np.int32)
    coverage, source = draw_ink(
        centre,
        centre_width,
        forced,
        confine,
        piece.astype(np.int32),
        jitter_rng if style.jitter else None,
        style.antialias,
    )

    # attributes of every centre pixel, looked up through ``source``
    centre_kind = np.where(on_stroke, stroke_kind[number], kind).ravel()
    centre_material = np.where(on_stroke, stroke_material[number], -1).ravel()
    shade_of = np.full(4, NORMAL, dtype=np.int64)
    for k, s in KIND_SHADE.items():
        shade_of[k] = s
    region_rgb = piece_rgb[p.ravel(), shade_of[centre_kind]]
    stroke_rgb = material_rgb[np.maximum(centre_material, 0)]
    centre_rgb = np.where((centre_material >= 0)[:, None], stroke_rgb, region_rgb)

    ink_kind = centre_kind[source]
    ink_material = centre_material[source]
    line = coverage >= 0.5
    ink_rgb = KIND_RGB[ink_kind]
    if pencil_gray is not None:
        ink_rgb[ink_kind == BLACK] = pencil_gray
    gt = np.zeros((height, width, 4), dtype=np.uint8)
    gt[..., 3] = 255
    colored = line & (ink_kind != BLACK)
    gt[colored, :3] = centre_rgb[source[colored]]
    floating = np.where(line & (ink_material >= 0), ink_material + 1, 0).astype(np.int32)
    return DrawnLines(coverage, ink_rgb, line, gt, floating)
