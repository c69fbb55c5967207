"""Vectorised z-buffer ray casting of ellipsoids and sheets, and toon shading, without
anti-aliasing.

The camera is orthographic. Each ellipsoid ``{p : |Q (p - c)| <= 1}`` is intersected
analytically with the viewing ray of every pixel of its screen bounding box (one NumPy
pass per primitive, no per-pixel Python loop); the nearest hit wins the z-buffer and
leaves its piece id and surface normal. A :class:`~paintbucket.synth.character.Sheet`
(a thin curved surface: cloth panel, hair lock) is a grid of vertices drawn as
triangles, one NumPy pass per triangle, with normals interpolated from the grid and
turned towards the viewer (sheets are two-sided). Toon shading thresholds
``n . light`` into shadow / normal / highlight.

Lines (see :func:`line_mask`) are drawn wherever two 4-adjacent pixels have a different
*key* ``piece * 3 + shade`` (background = -1): the outline of every piece and also the
boundaries of its shadow and highlight areas. Making shading boundaries black lines is a
choice: it guarantees that every line-enclosed segment carries exactly one ground-truth
color, the property the paint bucket task and the metrics rely on (the real dataset's
``line/`` is binary black too). The shading is still available as ``shadow/`` and
``line_anno/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paintbucket.synth.character import Character, Sheet, TubeSlice
from paintbucket.synth.skeleton import Motion, forward_kinematics, rotation

#: Shade codes of the shading map.
SHADOW, NORMAL, HIGHLIGHT = 0, 1, 2


@dataclass(frozen=True)
class Camera:
    """Orthographic camera.

    Attributes
    ----------
    target : (3,) float
        World point at the image center.
    yaw, pitch : float
        Viewing direction, radians: yaw 0 looks at the character's front (camera on
        ``+z``), ``pi/2`` at its left side; positive pitch looks down from above.
    view : float
        World height covered by the image.
    roll : float
        Rotation of the image plane, radians.
    """

    target: np.ndarray
    yaw: float
    pitch: float
    view: float
    roll: float = 0.0

    def rotation(self) -> np.ndarray:
        """Camera-to-world rotation, (3, 3) float64 (columns: right, up, towards viewer)."""
        return rotation(self.yaw, -self.pitch, self.roll)


@dataclass
class Raster:
    """Per-pixel output of :func:`rasterize`.

    Attributes
    ----------
    piece : (H, W) int32
        Piece id of the visible surface, -1 on background.
    normal : (H, W, 3) float32
        Unit surface normal in pixel space (x right, y down, z towards the viewer).
    depth : (H, W) float32 or None
        Pixel-space ``z`` of the visible surface (larger is nearer), ``-inf`` on
        background; lets :func:`rasterize` draw several objects into one raster.
    """

    piece: np.ndarray
    normal: np.ndarray
    depth: np.ndarray | None = None


def empty_raster(size: int) -> Raster:
    """A ``size`` x ``size`` raster with nothing drawn (all background)."""
    return Raster(
        np.full((size, size), -1, dtype=np.int32),
        np.zeros((size, size, 3), dtype=np.float32),
        np.full((size, size), -np.inf, dtype=np.float32),
    )


def pixel_transform(camera: Camera, size: int) -> tuple[np.ndarray, np.ndarray]:
    """World to pixel coordinates: ``p_pix = matrix @ (p - camera.target) + shift``.

    Parameters
    ----------
    camera : Camera
    size : int
        Image width and height in pixels.

    Returns
    -------
    matrix : (3, 3) float64
        Rotation into the camera frame scaled to pixels, y flipped (x right, y down,
        z towards the viewer).
    shift : (3,) float64
        Pixel position of the image center (pixel centers at integer coordinates).
    """
    scale = size / camera.view
    matrix = np.diag([scale, -scale, scale]) @ camera.rotation().T
    return matrix, np.array([size / 2 - 0.5, size / 2 - 0.5, 0.0])


def rasterize(
    character: Character,
    motion: Motion,
    camera: Camera,
    size: int,
    into: Raster | None = None,
    piece_offset: int = 0,
) -> Raster:
    """Ray-cast all primitives of a posed character.

    Parameters
    ----------
    character : Character
    motion : Motion
        Pose of the skeleton.
    camera : Camera
    size : int
        Image width and height in pixels.
    into : Raster, optional
        Draw into this raster (from :func:`empty_raster` or an earlier call), so that
        several characters and props share one z-buffer; a new one by default.
    piece_offset : int
        Added to the piece ids written (the pieces of earlier objects come first).

    Returns
    -------
    raster : Raster
        ``into`` when given.
    """
    frames = forward_kinematics(character.props, motion.pose, motion.root, motion.root_yaw)
    to_pix, shift = pixel_transform(camera, size)
    raster = empty_raster(size) if into is None else into
    depth, piece, normal = raster.depth, raster.piece, raster.normal
    for prim in character.primitives:
        if isinstance(prim, Sheet):
            bpos, brot = frames[prim.bone]
            world = prim.vertices @ brot.T + (bpos - camera.target)
            _draw_sheet(raster, world @ to_pix.T + shift, prim.piece + piece_offset)
            continue
        bpos, brot = frames[prim.bone]
        center = to_pix @ (bpos + brot @ prim.center - camera.target) + shift
        axes = to_pix @ brot @ prim.axes
        extent = np.sqrt((axes**2).sum(axis=1))
        x0 = max(int(np.floor(center[0] - extent[0])), 0)
        x1 = min(int(np.ceil(center[0] + extent[0])) + 1, size)
        y0 = max(int(np.floor(center[1] - extent[1])), 0)
        y1 = min(int(np.ceil(center[1] + extent[1])) + 1, size)
        if x0 >= x1 or y0 >= y1:
            continue
        inv = np.linalg.inv(axes).astype(np.float32)
        dx = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(center[0])
        dy = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(center[1])
        q = inv[:, 2]
        qq = float(q @ q)
        w0 = inv[0, 0] * dx + inv[0, 1] * dy
        w1 = inv[1, 0] * dx + inv[1, 1] * dy
        w2 = inv[2, 0] * dx + inv[2, 1] * dy
        qw = q[0] * w0 + q[1] * w1 + q[2] * w2
        disc = qw * qw - qq * (w0 * w0 + w1 * w1 + w2 * w2 - 1.0)
        hit = disc >= 0
        if not hit.any():
            continue
        ys, xs = np.nonzero(hit)
        root = np.sqrt(disc[ys, xs])
        t = (root - qw[ys, xs]) / qq
        z = t + np.float32(center[2])
        win = z > depth[ys + y0, xs + x0]
        ys, xs, t, z = ys[win], xs[win], t[win], z[win]
        gy, gx = ys + y0, xs + x0
        depth[gy, gx] = z
        piece[gy, gx] = prim.piece + piece_offset
        u = np.stack([w0[ys, xs] + q[0] * t, w1[ys, xs] + q[1] * t, w2[ys, xs] + q[2] * t])
        n = inv.T @ u
        n /= np.maximum(np.sqrt((n * n).sum(axis=0)), 1e-12)
        if prim.tube is not None:
            n = _capsule_normal(n, to_pix @ brot @ prim.tube.axis, prim.tube)
        normal[gy, gx] = n.T
    return raster


def _capsule_normal(n: np.ndarray, axis: np.ndarray, tube: TubeSlice) -> np.ndarray:
    """Normals (3, N) of a capsule's sphere turned into those of the smooth capsule:
    the component along the capsule's pixel-space ``axis`` is replaced by the taper's,
    except on the outer half of an end sphere."""
    axis = axis / np.linalg.norm(axis)
    along = axis @ n
    smooth = n - axis[:, None] * along
    smooth /= np.maximum(np.sqrt((smooth * smooth).sum(axis=0)), 1e-12)
    smooth += axis[:, None] * tube.slope
    smooth /= np.sqrt(1.0 + tube.slope**2)
    keep = along * tube.cap > 0  # beyond the first or the last sphere's center
    return np.where(keep, n, smooth).astype(n.dtype)


def _draw_sheet(raster: Raster, grid: np.ndarray, piece_id: int) -> None:
    """Z-buffer the two triangles of every cell of a (U, V, 3) pixel-space vertex grid."""
    size = raster.piece.shape[0]
    du = np.gradient(grid, axis=0)
    dv = np.gradient(grid, axis=1)
    vertex_normal = np.cross(du, dv)
    vertex_normal /= np.maximum(np.linalg.norm(vertex_normal, axis=-1, keepdims=True), 1e-12)
    a, b, c, d = grid[:-1, :-1], grid[1:, :-1], grid[1:, 1:], grid[:-1, 1:]
    na, nb, nc, nd = (
        vertex_normal[:-1, :-1], vertex_normal[1:, :-1], vertex_normal[1:, 1:],
        vertex_normal[:-1, 1:],
    )  # fmt: skip
    corners = np.concatenate([np.stack([a, b, c], -2), np.stack([a, c, d], -2)]).reshape(-1, 3, 3)
    normals = np.concatenate([np.stack([na, nb, nc], -2), np.stack([na, nc, nd], -2)])
    normals = normals.reshape(-1, 3, 3)
    lo = np.maximum(np.floor(corners[:, :, :2].min(axis=1)).astype(int), 0)
    hi = np.minimum(np.ceil(corners[:, :, :2].max(axis=1)).astype(int) + 1, size)
    for tri, tri_normals, (x0, y0), (x1, y1) in zip(corners, normals, lo, hi):
        if x0 >= x1 or y0 >= y1:
            continue
        (ax, ay, _), (bx, by, _), (cx, cy, _) = tri
        area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        if abs(area) < 1e-9:
            continue
        px = np.arange(x0, x1, dtype=np.float64)[None, :]
        py = np.arange(y0, y1, dtype=np.float64)[:, None]
        # barycentric weights of a, b, c from signed edge functions
        wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area
        wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area
        wc = 1.0 - wa - wb
        ys, xs = np.nonzero((wa >= 0) & (wb >= 0) & (wc >= 0))
        if ys.size == 0:
            continue
        weights = np.stack([wa[ys, xs], wb[ys, xs], wc[ys, xs]], axis=1)
        z = (weights @ tri[:, 2]).astype(np.float32)
        gy, gx = ys + y0, xs + x0
        win = z > raster.depth[gy, gx]
        gy, gx, weights, z = gy[win], gx[win], weights[win], z[win]
        n = weights @ tri_normals
        n *= np.where(n[:, 2:] < 0, -1.0, 1.0)  # two-sided: the side facing the viewer
        n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
        raster.depth[gy, gx] = z
        raster.piece[gy, gx] = piece_id
        raster.normal[gy, gx] = n


def shade(
    raster: Raster, light: np.ndarray, shadow_below: float, highlight_above: float
) -> np.ndarray:
    """Toon shading of a raster.

    Parameters
    ----------
    raster : Raster
    light : (3,) float
        Direction towards the light in pixel space (x right, y down, z to the viewer).
    shadow_below, highlight_above : float
        Thresholds on ``normal . light``.

    Returns
    -------
    shading : (H, W) uint8
        :data:`SHADOW`, :data:`NORMAL` or :data:`HIGHLIGHT` (NORMAL on background).
    """
    light = np.asarray(light, dtype=np.float32)
    light = light / np.linalg.norm(light)
    lit = raster.normal @ light
    shading = np.full(lit.shape, NORMAL, dtype=np.uint8)
    shading[lit < shadow_below] = SHADOW
    shading[lit > highlight_above] = HIGHLIGHT
    shading[raster.piece < 0] = NORMAL
    return shading


def line_mask(key: np.ndarray, width: int = 2) -> np.ndarray:
    """Pixels along the boundaries between regions of different key.

    Parameters
    ----------
    key : (H, W) int
        Region key per pixel.
    width : {1, 2}
        2 marks both sides of every boundary (the region minus its erosion); 1 marks only
        the left or upper pixel of each differing pair, as thin pen lines are.

    Returns
    -------
    line : (H, W) bool
        Closed lines ``width`` pixels wide: no two 4-adjacent non-line pixels have
        different keys.
    """
    if width not in (1, 2):
        raise ValueError(f"line width must be 1 or 2 pixels, got {width!r}")
    line = np.zeros(key.shape, dtype=bool)
    horizontal = key[:, 1:] != key[:, :-1]
    vertical = key[1:, :] != key[:-1, :]
    line[:, :-1] |= horizontal
    line[:-1, :] |= vertical
    if width == 2:
        line[:, 1:] |= horizontal
        line[1:, :] |= vertical
    return line
