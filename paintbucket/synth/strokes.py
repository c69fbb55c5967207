"""Strokes drawn on a character's surface: floating color strokes and open detail lines.

A :class:`SurfaceStroke` is a path on one primitive's ellipsoid, given as unit-sphere
angles, so it moves with its bone from frame to frame like the rest of the drawing;
:func:`project_strokes` turns it into a screen :class:`~paintbucket.synth.linestyle.Stroke`
for one camera, hiding the parts that face away.

- *Floating strokes* (:func:`floating_strokes`): blush hatching on both cheeks, a sweat
  drop at a temple, shine ticks on the hair cap. Each kind is a new material (colorbook
  entry) of the character, appended after the existing ones, so the colorbook, the
  design sheet and the labels include it; its colors are made unique like the others.
- *Detail lines* (:func:`detail_lines`): hair strands and cloth folds on the larger hair
  and clothes primitives, black, ending inside their piece.

All random draws come from the generator passed in; the existing materials and
primitives are not changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from paintbucket.synth.character import (
    Character,
    Material,
    Primitive,
    _shades,
    _unique_colors,
)
from paintbucket.synth.linestyle import BLACK, BLUE, GREEN, RED, Stroke
from paintbucket.synth.render import Camera, pixel_transform
from paintbucket.synth.skeleton import Motion, forward_kinematics

#: Floating stroke kinds: (description, category, base HSV, line kind, probability).
FLOATING_KINDS = (
    ("blush", "skin", (0.98, 0.45, 0.95), RED, 0.6),
    ("sweat drop", "skin", (0.55, 0.35, 0.98), BLUE, 0.3),
    ("hair shine", "hair", (0.15, 0.25, 1.0), GREEN, 0.5),
)
#: A surface normal must face the camera this much (cosine) for a stroke part to show.
MIN_FACING = 0.15
#: Stroke widths in pixels at the middle of a stroke.
FLOATING_WIDTH = (1.5, 2.5)
DETAIL_WIDTH = (1.5, 3.0)


@dataclass(frozen=True)
class SurfaceStroke:
    """A stroke path on the ellipsoid of one primitive.

    Attributes
    ----------
    bone : str
        Bone the ellipsoid moves with.
    center : (3,) float64
    axes : (3, 3) float64
        The ellipsoid, as :class:`~paintbucket.synth.character.Primitive`.
    yaw, pitch : (N,) float64
        Path in unit-sphere angles (yaw 0, pitch 0: the ``+z`` front).
    width : float
        Width in pixels at the middle of the stroke.
    kind : int
        Line kind (:data:`~paintbucket.synth.linestyle.BLACK` for detail lines).
    piece : int
        Piece the stroke lies on.
    material : int
        Material of a floating stroke, -1 for a detail line.
    """

    bone: str
    center: np.ndarray
    axes: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    width: float
    kind: int
    piece: int
    material: int = -1


def _host(character: Character, bone: str, description: str):
    """The first ellipsoid on ``bone`` whose material has ``description``, or None."""
    for prim in character.primitives:
        material = character.materials[prim.material]
        if isinstance(prim, Primitive) and (prim.bone, material.description) == (bone, description):
            return prim
    return None


def floating_strokes(
    character: Character, rng: np.random.Generator
) -> tuple[Character, list[SurfaceStroke]]:
    """Give a character some floating color strokes and their colorbook entries.

    Parameters
    ----------
    character : Character
    rng : numpy.random.Generator

    Returns
    -------
    character : Character
        A copy with one new material per chosen kind of :data:`FLOATING_KINDS`.
    strokes : list of SurfaceStroke
    """
    face, cap = _host(character, "head", "skin"), _host(character, "head", "hair")
    chosen = [kind for kind in FLOATING_KINDS if rng.random() < kind[4]]
    hosts = {"skin": face, "hair": cap}
    chosen = [kind for kind in chosen if hosts[kind[1]] is not None]
    if not chosen:
        return character, []
    raw = [m.colors for m in character.materials] + [_shades(kind[2]) for kind in chosen]
    colors = _unique_colors(raw)
    materials = list(character.materials) + [
        Material(kind[0], kind[1], colors[len(character.materials) + i])
        for i, kind in enumerate(chosen)
    ]
    strokes = []
    for i, (description, category, _, line_kind, _) in enumerate(chosen):
        material = len(character.materials) + i
        host = hosts[category]
        width = float(rng.uniform(*FLOATING_WIDTH))
        paths = []
        if description == "blush":
            for side in (1, -1):
                yaw, pitch = side * rng.uniform(0.5, 0.6), rng.uniform(-0.4, -0.3)
                for k in range(int(rng.integers(2, 5))):
                    at = yaw + side * (k - 1) * 0.075
                    paths.append(((at - 0.035, at + 0.035), (pitch - 0.06, pitch + 0.06)))
        elif description == "sweat drop":
            side = 1 if rng.random() < 0.5 else -1
            theta = np.linspace(0.0, 2 * np.pi, 13)
            r = rng.uniform(0.06, 0.09)
            yaw = side * rng.uniform(0.7, 0.85) + r * np.sin(theta) * np.sin(theta / 2)
            pitch = rng.uniform(0.0, 0.15) + r * 1.4 * np.cos(theta)
            paths.append((yaw, pitch))
        else:
            for _ in range(int(rng.integers(2, 4))):
                yaw, pitch = rng.uniform(-0.6, 0.6), rng.uniform(0.5, 0.8)
                paths.append(((yaw, yaw + rng.uniform(-0.05, 0.05)), (pitch, pitch - 0.12)))
        for yaw_path, pitch_path in paths:
            yaw_path, pitch_path = np.asarray(yaw_path, float), np.asarray(pitch_path, float)
            if len(yaw_path) == 2:  # straight ticks: sample them for the projection
                yaw_path = np.linspace(*yaw_path, 6)
                pitch_path = np.linspace(*pitch_path, 6)
            strokes.append(
                SurfaceStroke(
                    host.bone, host.center, host.axes, yaw_path, pitch_path,
                    width, line_kind, host.piece, material,
                )
            )  # fmt: skip
    return replace(character, materials=materials), strokes


def detail_lines(character: Character, rng: np.random.Generator) -> list[SurfaceStroke]:
    """Hair strands and cloth folds: open black strokes on hair and clothes primitives.

    Parameters
    ----------
    character : Character
    rng : numpy.random.Generator

    Returns
    -------
    strokes : list of SurfaceStroke
        4 to 10 strokes on primitives whose two larger radii are at least a third of the
        head radius; strands run down the hair, folds in any direction.
    """
    hosts = []
    for prim in character.primitives:
        if not isinstance(prim, Primitive):  # strokes are drawn on ellipsoids, not sheets
            continue
        category = character.materials[prim.material].category
        radii = np.sort(np.sqrt((prim.axes**2).sum(axis=0)))
        if category in ("hair", "clothes") and radii[1] >= character.props.head / 3:
            hosts.append((prim, category))
    if not hosts:
        return []
    strokes = []
    for _ in range(int(rng.integers(4, 11))):
        prim, category = hosts[int(rng.integers(len(hosts)))]
        yaw0, pitch0 = rng.uniform(-np.pi, np.pi), rng.uniform(-0.6, 0.7)
        if category == "hair":
            direction, length = -np.pi / 2 + rng.uniform(-0.4, 0.4), rng.uniform(0.4, 0.9)
        else:
            direction, length = rng.uniform(-np.pi, np.pi), rng.uniform(0.25, 0.6)
        t = np.linspace(0.0, 1.0, 12)
        bend = rng.uniform(-0.15, 0.15) * np.sin(np.pi * t)
        yaw = yaw0 + length * t * np.cos(direction) - bend * np.sin(direction)
        pitch = pitch0 + length * t * np.sin(direction) + bend * np.cos(direction)
        width = float(rng.uniform(*DETAIL_WIDTH))
        strokes.append(
            SurfaceStroke(prim.bone, prim.center, prim.axes, yaw, pitch, width, BLACK, prim.piece)
        )
    return strokes


def project_strokes(
    strokes: list[SurfaceStroke],
    character: Character,
    motion: Motion,
    camera: Camera,
    size: int,
) -> list[Stroke]:
    """Screen strokes of surface strokes for one pose and camera.

    Parameters
    ----------
    strokes : list of SurfaceStroke
    character : Character
    motion : Motion
    camera : Camera
    size : int
        Image size in pixels.

    Returns
    -------
    strokes : list of Stroke
        One per surface stroke with a visible part; a polyline segment is visible when
        the surface normal at both its ends faces the camera (cosine >= :data:`MIN_FACING`).
    """
    if not strokes:
        return []
    frames = forward_kinematics(character.props, motion.pose, motion.root, motion.root_yaw)
    to_pix, shift = pixel_transform(camera, size)
    result = []
    for stroke in strokes:
        bpos, brot = frames[stroke.bone]
        d = np.stack(
            [
                np.sin(stroke.yaw) * np.cos(stroke.pitch),
                np.sin(stroke.pitch),
                np.cos(stroke.yaw) * np.cos(stroke.pitch),
            ]
        )
        local = stroke.center[:, None] + stroke.axes @ d
        pixels = to_pix @ (bpos[:, None] + brot @ local - camera.target[:, None]) + shift[:, None]
        normal = to_pix @ brot @ np.linalg.inv(stroke.axes).T @ d
        facing = normal[2] / np.maximum(np.sqrt((normal**2).sum(axis=0)), 1e-12) >= MIN_FACING
        visible = facing[:-1] & facing[1:]
        if visible.any():
            result.append(
                Stroke(
                    pixels[:2].T.copy(), visible, stroke.width, stroke.kind, stroke.piece,
                    stroke.material,
                )
            )  # fmt: skip
    return result
