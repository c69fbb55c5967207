"""Procedural characters: body, hair, face, clothes and accessories as 3D shapes.

A character is a list of :class:`Primitive` ellipsoids and :class:`Sheet` surfaces
attached to skeleton bones and a list of :class:`Material` entries (one colorbook line
each). Every primitive belongs to a
*piece* (a group of primitives drawn as one shape, e.g. upper + lower left sleeve) and
every piece to one material. Line art is drawn between pieces, so several pieces may
share a material (left and right shoe) and still be outlined separately.

:func:`build_character` runs the part builders of :data:`PARTS` in order on one random
generator: first the ones that choose materials and traits, then the ones that add the
ellipsoids of each body part. The table order is the order of the random draws, of the
colorbook entries and of the pieces, so reordering it changes every generated dataset.

Body shapes: ``"ellipsoid"`` (the original look: every part an ellipsoid) or
``"varied"``: limbs and neck become tapered capsules (chains of overlapping spheres
whose radius shrinks along the bone), the skirt a flared cloth sheet with a wavy hem,
bangs and side locks curved tapering hair sheets, and the parts marked ``varied_only``
in :data:`PARTS` add a cape or coat tails (thin curved sheets). The ``varied_only``
parts are skipped for ``"ellipsoid"`` characters and every varied shape draws the same
random numbers as the ellipsoid it replaces, so those characters are what they always
were.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from paintbucket.choices import BODY_SHAPES
from paintbucket.synth.skeleton import Proportions, random_proportions, rotation

RGB = tuple[int, int, int]
HSV = tuple[float, float, float]
Vec3 = tuple[float, float, float] | np.ndarray


@dataclass(frozen=True)
class Material:
    """One colorbook entry: a region description, its category and three colors."""

    description: str
    category: str
    colors: tuple[RGB, RGB, RGB]  # highlight, normal, shadow


@dataclass(frozen=True)
class Primitive:
    """An ellipsoid attached to a bone.

    Attributes
    ----------
    bone : str
        Skeleton bone the ellipsoid moves with.
    center : (3,) float64
        Center in the bone's frame.
    axes : (3, 3) float64
        Columns are the ellipsoid's semi-axes in the bone's frame (rotation @ diag(radii)).
    piece : int
        Outline group; pixels of different pieces are separated by a line.
    material : int
        Index into :attr:`Character.materials`.
    tube : TubeSlice or None
        Set on the spheres of a capsule (:meth:`CharacterBuilder.tube`): the renderer
        then shades the smooth capsule, not the chain of spheres.
    """

    bone: str
    center: np.ndarray
    axes: np.ndarray
    piece: int
    material: int
    tube: TubeSlice | None = None


class TubeSlice(NamedTuple):
    """Where one sphere of a capsule sits in it.

    Attributes
    ----------
    axis : (3,) float64
        Unit direction of the capsule at the sphere, in the bone frame.
    slope : float
        Radius lost per unit length along ``axis`` (> 0 for a tapering capsule).
    cap : int
        -1 for the first sphere, 1 for the last, 0 between: the rounded ends keep the
        sphere's own normals on their outer half.
    """

    axis: np.ndarray
    slope: float
    cap: int


@dataclass(frozen=True)
class Sheet:
    """A thin two-sided surface attached to a bone (cloth panel, hair lock).

    Attributes
    ----------
    bone : str
        Skeleton bone the sheet moves with.
    vertices : (U, V, 3) float64
        Grid of surface points in the bone's frame; each grid cell is drawn as two
        triangles.
    piece, material : int
        As for :class:`Primitive`.
    """

    bone: str
    vertices: np.ndarray
    piece: int
    material: int


@dataclass
class Character:
    """A generated character: proportions, materials and primitives."""

    seed: int | tuple[int, ...]
    props: Proportions
    materials: list[Material] = field(default_factory=list)
    primitives: list[Primitive | Sheet] = field(default_factory=list)
    piece_material: list[int] = field(default_factory=list)
    traits: dict[str, object] = field(default_factory=dict)


def _frame_from_normal(normal: np.ndarray, spin: float = 0.0) -> np.ndarray:
    """Rotation whose third column is ``normal`` (tangent frame of a surface decal)."""
    n = normal / np.linalg.norm(normal)
    up = np.array([0.0, 1.0, 0.0]) if abs(n[1]) < 0.95 else np.array([0.0, 0.0, 1.0])
    t1 = np.cross(up, n)
    t1 /= np.linalg.norm(t1)
    t2 = np.cross(n, t1)
    c, s = np.cos(spin), np.sin(spin)
    return np.stack([c * t1 + s * t2, -s * t1 + c * t2, n], axis=1)


class CharacterBuilder:
    """Accumulates materials, pieces and primitives while a character is designed.

    Part builders (:data:`PARTS`) call :meth:`material` to add a colorbook entry,
    :meth:`piece` to open an outline group of one material and :meth:`ellipsoid`,
    :meth:`limb`, :meth:`decal`, :meth:`tube` or :meth:`sheet` to add primitives to a
    piece; :meth:`finish` turns the base colors into shades and returns the
    :class:`Character`.

    Parameters
    ----------
    varied : bool
        :meth:`limb` draws tapered capsules instead of ellipsoids.
    """

    def __init__(self, varied: bool = False) -> None:
        self.varied = varied
        self.materials: list[tuple[str, str, HSV]] = []
        self.primitives: list[Primitive | Sheet] = []
        self.piece_material: list[int] = []

    def material(self, description: str, category: str, hsv: HSV) -> int:
        """Add a colorbook entry with base color ``hsv``; returns its material index."""
        self.materials.append((description, category, hsv))
        return len(self.materials) - 1

    def piece(self, material: int) -> int:
        """Open a new outline group of ``material``; returns its piece index."""
        self.piece_material.append(material)
        return len(self.piece_material) - 1

    def ellipsoid(
        self,
        bone: str,
        center: Vec3,
        radii: Vec3,
        piece: int,
        rot: np.ndarray | None = None,
        tube: TubeSlice | None = None,
    ) -> None:
        """An ellipsoid with semi-axes ``rot @ diag(radii)`` at ``center`` in the bone frame."""
        axes = (np.eye(3) if rot is None else rot) @ np.diag(np.asarray(radii, dtype=np.float64))
        center = np.asarray(center, dtype=np.float64)
        self.primitives.append(
            Primitive(bone, center, axes, piece, self.piece_material[piece], tube)
        )

    def limb(self, bone: str, length: float, r0: float, piece: int, offset: float = 0.0) -> None:
        """An ellipsoid along the bone's ``-y`` axis from its joint to the next one; when
        :attr:`varied`, a capsule tapering from radius ``r0`` to ``0.8 r0``."""
        if self.varied:
            ends = np.array([[0.0, -offset, 0.0], [0.0, -offset - length, 0.0]])
            self.tube(bone, ends, np.array([r0, r0 * 0.8]), piece)
            return
        self.ellipsoid(bone, (0.0, -length / 2 - offset, 0.0), (r0, length / 2 * 1.12, r0), piece)

    def tube(self, bone: str, points: np.ndarray, radii: np.ndarray, piece: int) -> None:
        """A capsule swept along a polyline: spheres every 0.35 of the smallest radius.

        Parameters
        ----------
        points : (K, 3) float
            Polyline in the bone frame, K >= 2.
        radii : (K,) float
            Radius at each point, linearly interpolated along the polyline.
        """
        points = np.asarray(points, dtype=np.float64)
        radii = np.asarray(radii, dtype=np.float64)
        arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
        count = max(2, int(np.ceil(arc[-1] / (0.35 * radii.min()))) + 1)
        at = np.linspace(0.0, arc[-1], count)
        centers = np.stack([np.interp(at, arc, points[:, k]) for k in range(3)], axis=1)
        directions = np.gradient(centers, axis=0)
        directions /= np.maximum(np.linalg.norm(directions, axis=1, keepdims=True), 1e-12)
        slopes = -np.gradient(np.interp(at, arc, radii), at)
        for k, (center, radius) in enumerate(zip(centers, np.interp(at, arc, radii))):
            cap = -1 if k == 0 else (1 if k == count - 1 else 0)
            slice_ = TubeSlice(directions[k], float(slopes[k]), cap)
            self.ellipsoid(bone, center, (radius, radius, radius), piece, tube=slice_)

    def sheet(self, bone: str, vertices: np.ndarray, piece: int) -> None:
        """A thin surface: a (U, V, 3) grid of points in the bone frame."""
        self.primitives.append(
            Sheet(bone, np.asarray(vertices, dtype=np.float64), piece, self.piece_material[piece])
        )

    def decal(
        self,
        bone: str,
        host_center: np.ndarray,
        host_radii: np.ndarray,
        yaw: float,
        pitch: float,
        size: tuple[float, float],
        thick: float,
        lift: float,
        piece: int,
        spin: float = 0.0,
    ) -> None:
        """A flat ellipsoid lying on the surface of an axis-aligned host ellipsoid.

        ``yaw``/``pitch`` locate the point on the host (0, 0 = front, ``+z``); ``lift``
        pushes the decal outwards along the normal so stacked decals stay ordered.
        """
        d = np.array([np.sin(yaw) * np.cos(pitch), np.sin(pitch), np.cos(yaw) * np.cos(pitch)])
        point = host_center + host_radii * d
        normal = d / host_radii
        rot = _frame_from_normal(normal, spin)
        center = point + rot[:, 2] * (lift - 0.5 * thick)
        self.ellipsoid(bone, center, (size[0], size[1], thick), piece, rot)

    def finish(
        self, seed: int | tuple[int, ...], context: PartContext, avoid: frozenset[RGB] = frozenset()
    ) -> Character:
        """The designed character, with unique highlight/normal/shadow colors that are
        not in ``avoid`` either."""
        shades = _unique_colors([_shades(hsv) for _, _, hsv in self.materials], avoid)
        materials = [
            Material(desc, cat, col) for (desc, cat, _), col in zip(self.materials, shades)
        ]
        return Character(
            seed, context.props, materials, self.primitives, self.piece_material, context.traits
        )


def _hsv(rng: np.random.Generator, h: float | None = None, s=(0.3, 0.8), v=(0.4, 0.95)):
    hue = float(rng.uniform(0, 1)) if h is None else h % 1.0
    return (hue, float(rng.uniform(*s)), float(rng.uniform(*v)))


def _shades(hsv: tuple[float, float, float]) -> tuple[RGB, RGB, RGB]:
    """Highlight, normal and shadow colors of a base HSV color."""
    h, s, v = hsv

    def rgb(hh: float, ss: float, vv: float) -> RGB:
        r, g, b = colorsys.hsv_to_rgb(hh % 1.0, min(max(ss, 0.0), 1.0), min(max(vv, 0.0), 1.0))
        return (round(r * 255), round(g * 255), round(b * 255))

    highlight = rgb(h, s * 0.6, v * 0.35 + 0.65)
    normal = rgb(h, s, v)
    shadow = rgb(h + 0.03, min(1.0, s * 1.1 + 0.1), v * 0.68)
    return highlight, normal, shadow


def _unique_colors(
    raw: list[tuple[RGB, RGB, RGB]], avoid: frozenset[RGB] = frozenset()
) -> list[tuple[RGB, RGB, RGB]]:
    """Nudge colors so that every color is used once and none is pure black or in
    ``avoid`` (the colors of another character of the same clip)."""
    used: set[RGB] = {(0, 0, 0), *avoid}
    result = []
    for triple in raw:
        fixed = []
        for color in triple:
            c = list(color)
            step = 0
            while tuple(c) in used:
                channel = step % 3
                c[channel] = c[channel] + 1 if c[channel] < 255 else c[channel] - 7
                step += 1
            used.add(tuple(c))  # type: ignore[arg-type]
            fixed.append(tuple(c))
        result.append(tuple(fixed))  # type: ignore[arg-type]
    return result  # type: ignore[return-value]


@dataclass(frozen=True)
class EyeLayout:
    """Where the eyes sit on the head ellipsoid; the glasses are placed over them.

    Attributes
    ----------
    pitch : float
        Latitude of the eye centers on the head (radians, 0 = level with its center).
    yaw : float
        Longitude of the left eye (radians); the right eye is at ``-yaw``.
    width, height : float
        Half extents of the eye white in world units.
    """

    pitch: float
    yaw: float
    width: float
    height: float


@dataclass
class PartContext:
    """What the part builders share while one character is designed.

    Attributes
    ----------
    props : Proportions
        Body measurements; the ellipsoids are sized from them.
    traits : dict str -> object
        ``"bottom"`` (skirt / pants / shorts) and one bool per optional feature
        (jacket, socks, ...); written to ``character.json``.
    material : dict str -> int
        Material index of every chosen material, by a short name (``"skin"``, ``"iris"``).
    eyes : EyeLayout or None
        Set by the eyes part, read by the glasses part.
    varied : bool
        Body shapes ``"varied"`` (see the module docstring).
    """

    props: Proportions
    traits: dict[str, object] = field(default_factory=dict)
    material: dict[str, int] = field(default_factory=dict)
    eyes: EyeLayout | None = None
    varied: bool = False

    def has(self, trait: str) -> bool:
        """Whether an optional feature (``"jacket"``, ``"glasses"``...) was chosen."""
        return bool(self.traits.get(trait, False))

    @property
    def head(self) -> tuple[np.ndarray, np.ndarray]:
        """(3,) float64 center and radii of the head ellipsoid in the head bone's frame."""
        hr = self.props.head
        return np.array([0.0, hr * 0.95, 0.0]), np.array([hr * 0.92, hr * 1.02, hr * 0.95])

    @property
    def chest(self) -> tuple[np.ndarray, np.ndarray]:
        """(3,) float64 center and radii of the chest ellipsoid in the chest bone's frame."""
        p = self.props
        return (
            np.array([0, p.torso_up * 0.45, 0]),
            np.array([p.shoulder * 1.05, p.torso_up * 0.62, p.chest_depth]),
        )

    @property
    def waist(self) -> tuple[np.ndarray, np.ndarray]:
        """(3,) float64 center and radii of the waist ellipsoid in the spine bone's frame."""
        p = self.props
        return (
            np.array([0, p.torso_low * 0.55, 0]),
            np.array([p.shoulder * 0.85, p.torso_low * 0.62, p.chest_depth * 0.9]),
        )


# --- part builders: materials and traits ---------------------------------------------

#: Base HSV of the skin tones, light to dark.
SKIN_TONES = ((0.07, 0.25, 0.98), (0.06, 0.35, 0.9), (0.07, 0.45, 0.75), (0.05, 0.5, 0.55))

#: Optional features and how often each is chosen.
TRAIT_PROBABILITY = (
    ("jacket", 0.5), ("socks", 0.7), ("belt", 0.5), ("bag", 0.4),
    ("glasses", 0.3), ("hat", 0.3), ("ponytail", 0.4), ("bun", 0.25),
    ("long_sleeves", 0.6), ("long_hair", 0.5), ("pocket", 0.6),
)  # fmt: skip


def _face_materials(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Materials of skin, hair (outer, inner, eyebrows), eyes (white, iris, pupil,
    highlight, lashes) and mouth; hair, brows and lashes share one hue."""
    m = ctx.material
    tone = SKIN_TONES[int(rng.integers(len(SKIN_TONES)))]
    m["skin"] = b.material("skin", "skin", (tone[0], tone[1] + rng.uniform(-0.04, 0.04), tone[2]))
    hair_hue = float(rng.uniform(0, 1))
    m["hair"] = b.material("hair", "hair", _hsv(rng, hair_hue, (0.2, 0.8), (0.25, 0.95)))
    m["hair_inner"] = b.material(
        "hair inner", "hair", _hsv(rng, hair_hue + 0.02, (0.3, 0.9), (0.15, 0.4))
    )
    m["eyebrow"] = b.material("eyebrow", "hair", _hsv(rng, hair_hue, (0.3, 0.7), (0.15, 0.35)))
    m["eye_white"] = b.material("eye white", "eyes", (0.6, 0.03, 0.98))
    m["iris"] = b.material("iris", "eyes", _hsv(rng, None, (0.5, 0.9), (0.45, 0.85)))
    m["pupil"] = b.material("pupil", "eyes", _hsv(rng, None, (0.3, 0.6), (0.1, 0.2)))
    m["eye_highlight"] = b.material("eye highlight", "eyes", (0.15, 0.05, 1.0))
    m["eyelash"] = b.material("eyelash", "eyes", _hsv(rng, hair_hue, (0.2, 0.5), (0.08, 0.18)))
    m["mouth"] = b.material("mouth", "mouth", (0.98, rng.uniform(0.5, 0.7), rng.uniform(0.5, 0.7)))


def _clothes_materials(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Materials of shirt, collar (opposite hue), buttons, the bottom (trait ``"bottom"``:
    skirt, pants or shorts), shoes and soles."""
    m = ctx.material
    shirt_hue = float(rng.uniform(0, 1))
    m["shirt"] = b.material("shirt", "clothes", _hsv(rng, shirt_hue, (0.05, 0.5), (0.7, 0.98)))
    m["collar"] = b.material(
        "collar", "clothes", _hsv(rng, shirt_hue + 0.5, (0.3, 0.8), (0.4, 0.9))
    )
    m["button"] = b.material("button", "clothes", _hsv(rng, None, (0.3, 0.9), (0.3, 0.9)))
    bottom_kind = str(rng.choice(["skirt", "pants", "shorts"]))
    ctx.traits["bottom"] = bottom_kind
    m["bottom"] = b.material(bottom_kind, "clothes", _hsv(rng, None, (0.3, 0.8), (0.25, 0.75)))
    m["shoe"] = b.material("shoe", "shoes", _hsv(rng, None, (0.2, 0.8), (0.15, 0.6)))
    m["shoe_sole"] = b.material("shoe sole", "shoes", _hsv(rng, None, (0.0, 0.2), (0.75, 0.95)))


def _optional_materials(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """The optional features (:data:`TRAIT_PROBABILITY`) and the materials they need:
    jacket and lining, cuffs (long sleeves or jacket), socks, belt and buckle, bag and
    strap, glasses frame and lens, hat and band, pocket, hair tie (ponytail or bun)."""
    ctx.traits.update({k: bool(rng.random() < prob) for k, prob in TRAIT_PROBABILITY})
    m, has = ctx.material, ctx.has
    if has("jacket"):
        m["jacket"] = b.material("jacket", "clothes", _hsv(rng, None, (0.3, 0.8), (0.2, 0.7)))
        m["jacket_lining"] = b.material(
            "jacket lining", "clothes", _hsv(rng, None, (0.2, 0.6), (0.5, 0.9))
        )
    if has("long_sleeves") or has("jacket"):
        m["cuff"] = b.material("cuff", "clothes", _hsv(rng, None, (0.2, 0.7), (0.5, 0.95)))
    if has("socks"):
        m["sock"] = b.material("sock", "socks", _hsv(rng, None, (0.0, 0.6), (0.3, 0.98)))
    if has("belt"):
        m["belt"] = b.material("belt", "belt", _hsv(rng, 0.07, (0.4, 0.7), (0.2, 0.45)))
        m["belt_buckle"] = b.material("belt buckle", "belt", (0.13, 0.5, 0.85))
    if has("bag"):
        m["bag"] = b.material("bag", "bag", _hsv(rng, None, (0.3, 0.8), (0.3, 0.8)))
        m["bag_strap"] = b.material("bag strap", "bag", _hsv(rng, None, (0.3, 0.8), (0.2, 0.5)))
    if has("glasses"):
        m["glasses_frame"] = b.material(
            "glasses frame", "glasses", _hsv(rng, None, (0.3, 0.9), (0.15, 0.5))
        )
        m["glasses_lens"] = b.material(
            "glasses lens", "glasses", _hsv(rng, 0.55, (0.05, 0.2), (0.85, 0.98))
        )
    if has("hat"):
        m["hat"] = b.material("hat", "hat", _hsv(rng, None, (0.3, 0.9), (0.3, 0.9)))
        m["hat_band"] = b.material("hat band", "hat", _hsv(rng, None, (0.3, 0.9), (0.2, 0.6)))
    if has("pocket"):
        m["pocket"] = b.material("pocket", "clothes", _hsv(rng, None, (0.2, 0.7), (0.3, 0.8)))
    if has("ponytail") or has("bun"):
        m["hair_tie"] = b.material("hair tie", "hair", _hsv(rng, None, (0.6, 0.9), (0.6, 0.95)))


# --- sheet shapes -----------------------------------------------------------------------


def _flared_ring(
    rx: float,
    rz: float,
    length: float,
    wave: tuple[float, int],
    arc: float = np.pi,
    middle: float = 0.0,
) -> np.ndarray:
    """A skirt-like sheet hanging from an elliptic ring of radii ``rx``, ``rz``.

    The ring spans the angles ``middle + [-arc, arc]`` from ``-z`` towards ``+x``
    (``arc = pi``: closed),
    widens by 55 % towards the hem ``length`` below and waves with amplitude
    ``wave[0]`` and ``wave[1]`` periods per turn.

    Returns
    -------
    vertices : (U, 5, 3) float64
        ``U`` points around, 5 rows from the top edge (``y = 0.03``) to the hem.
    """
    around = max(int(np.ceil(arc / np.pi * 24)), 4) + 1
    theta = middle + np.linspace(-arc, arc, around)[:, None]
    v = np.linspace(0.0, 1.0, 5)[None, :]
    spread = (1.0 + 0.55 * v) * (1.0 + wave[0] * v * np.sin(wave[1] * theta))
    x = rx * spread * np.sin(theta)
    z = -rz * spread * np.cos(theta)
    y = np.broadcast_to(0.03 - length * v, x.shape)
    return np.stack([x, y, z], axis=-1)


def _hair_lock(
    ctx: PartContext, yaw: float, pitches: tuple[float, float], drift: float, width: float
) -> np.ndarray:
    """A curved hair lock over the head: a strip from latitude ``pitches[0]`` to
    ``pitches[1]`` at longitude ``yaw`` (turning by ``drift`` towards its tip), lifting
    off the skull towards the tip, ``width`` wide at the root and pointed at the tip,
    its middle bulging outwards.

    Returns
    -------
    vertices : (8, 3, 3) float64
        Head-frame grid: 8 points along the lock, 3 across it.
    """
    head_c, head_r = ctx.head
    s = np.linspace(0.0, 1.0, 8)[:, None]
    pitch = pitches[0] + (pitches[1] - pitches[0]) * s
    yaws = yaw + drift * s
    out = np.concatenate(
        [np.sin(yaws) * np.cos(pitch), np.sin(pitch), np.cos(yaws) * np.cos(pitch)], axis=1
    )
    center = head_c + head_r * (1.06 + 0.06 * s) * out
    across = np.cross(out, np.gradient(center, axis=0))
    across /= np.maximum(np.linalg.norm(across, axis=1, keepdims=True), 1e-12)
    half = width / 2 * (1.0 - s) ** 0.8 + ctx.props.head * 0.01
    bulge = out * ctx.props.head * 0.05 * (1.0 - s)
    return np.stack([center - across * half, center + bulge, center + across * half], axis=1)


# --- part builders: body ---------------------------------------------------------------


def _head(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Skin of the head (skull and jaw as one piece), both ears and the neck."""
    p, skin = ctx.props, ctx.material["skin"]
    hr = p.head
    head_c, head_r = ctx.head
    face = b.piece(skin)
    b.ellipsoid("head", head_c, tuple(head_r), face)
    b.ellipsoid("head", head_c + [0, -hr * 0.45, hr * 0.22], (hr * 0.55, hr * 0.5, hr * 0.6), face)
    for side in (1, -1):
        b.ellipsoid(
            "head",
            head_c + [side * hr * 0.9, -hr * 0.1, 0],
            (hr * 0.12, hr * 0.2, hr * 0.1),
            b.piece(skin),
        )
    b.limb("neck", p.neck * 1.6, hr * 0.32, b.piece(skin), offset=-p.neck * 1.3)


def _torso(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """The shirt over chest and waist, two collar flaps at the neck and 3 to 5 buttons
    down the front."""
    hr, m = ctx.props.head, ctx.material
    chest_c, chest_r = ctx.chest
    torso_piece = b.piece(m["shirt"])
    b.ellipsoid("chest", chest_c, chest_r, torso_piece)
    b.ellipsoid("spine", *ctx.waist, torso_piece)
    flaps = [b.piece(m["collar"]), b.piece(m["collar"])]
    size, thick, lift = (hr * 0.4, hr * 0.25), hr * 0.06, hr * 0.05
    for flap, side in zip(flaps, (1, -1)):
        b.decal("chest", chest_c, chest_r, side * 0.35, 0.85, size, thick, lift, flap, side * 0.5)
    size, thick, lift = (hr * 0.05, hr * 0.05), hr * 0.03, hr * 0.025
    for k in range(int(rng.integers(3, 6))):
        button = b.piece(m["button"])
        b.decal("chest", chest_c, chest_r, 0.0, 0.55 - k * 0.22, size, thick, lift, button)


def _legs(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Hips in the bottom's material (a flared skirt, pants or shorts), both legs in
    skin, pants or socks, sock cuffs above the shoes under pants, shoes and soles."""
    p, m, has = ctx.props, ctx.material, ctx.has
    bottom_kind, d = ctx.traits["bottom"], p.chest_depth
    bottom, skin = m["bottom"], m["skin"]
    hips_piece = b.piece(bottom)
    b.ellipsoid("pelvis", (0, -0.01, 0), (p.hip * 1.9, 0.1, d * 0.95), hips_piece)
    if bottom_kind == "skirt":
        skirt_len = float(rng.uniform(0.2, 0.35))
        if ctx.varied:
            wave = (float(rng.uniform(0.03, 0.08)), int(rng.integers(4, 9)))
            b.sheet("pelvis", _flared_ring(p.hip * 2.0, d * 1.05, skirt_len, wave), hips_piece)
        else:
            b.ellipsoid(
                "pelvis",
                (0, -skirt_len * 0.45, 0),
                (p.hip * 2.6, skirt_len * 0.7, d * 1.7),
                hips_piece,
            )
    for tag in ("l", "r"):
        leg_mat = bottom if bottom_kind == "pants" else skin
        thigh_piece = b.piece(leg_mat)
        b.limb(f"hip_{tag}", p.thigh, p.limb * 1.45, thigh_piece)
        if bottom_kind == "shorts":
            b.limb(f"hip_{tag}", p.thigh * 0.45, p.limb * 1.6, b.piece(bottom))
        shin_mat = bottom if bottom_kind == "pants" else (m["sock"] if has("socks") else skin)
        shin_piece = thigh_piece if shin_mat == leg_mat else b.piece(shin_mat)
        b.limb(f"knee_{tag}", p.shin, p.limb * 1.1, shin_piece)
        if has("socks") and bottom_kind == "pants":
            b.limb(
                f"knee_{tag}", p.shin * 0.15, p.limb * 1.1, b.piece(m["sock"]), offset=p.shin * 0.9
            )
        shoe_piece = b.piece(m["shoe"])
        b.ellipsoid(
            f"ankle_{tag}", (0, -0.03, 0.05), (p.limb * 1.3, p.limb * 1.0, 0.11), shoe_piece
        )
        b.ellipsoid(
            f"ankle_{tag}",
            (0, -0.065, 0.05),
            (p.limb * 1.4, p.limb * 0.45, 0.12),
            b.piece(m["shoe_sole"]),
        )


def _arms(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Both arms: shoulder and sleeve in shirt or jacket material; long sleeves end in a
    cuff, short ones leave a skin arm; a skin hand at each wrist."""
    p, m = ctx.props, ctx.material
    long_sleeves = ctx.has("long_sleeves") or ctx.has("jacket")
    for tag in ("l", "r"):
        sleeve = b.piece(m["jacket"] if ctx.has("jacket") else m["shirt"])
        b.ellipsoid(
            f"shoulder_{tag}", (0, -0.01, 0), (p.limb * 1.5, p.limb * 1.5, p.limb * 1.5), sleeve
        )
        if long_sleeves:
            b.limb(f"shoulder_{tag}", p.upper_arm, p.limb * 1.15, sleeve)
            b.limb(f"elbow_{tag}", p.forearm * 0.92, p.limb * 1.0, sleeve)
            cuff = b.piece(m["cuff"])
            b.limb(f"elbow_{tag}", p.forearm * 0.1, p.limb * 1.15, cuff, offset=p.forearm * 0.82)
        else:
            b.limb(f"shoulder_{tag}", p.upper_arm * 0.45, p.limb * 1.3, sleeve)
            arm = b.piece(m["skin"])
            b.limb(f"shoulder_{tag}", p.upper_arm, p.limb * 0.95, arm)
            b.limb(f"elbow_{tag}", p.forearm, p.limb * 0.85, arm)
        b.ellipsoid(
            f"wrist_{tag}", (0, -0.05, 0), (p.limb * 0.9, 0.065, p.limb * 0.55), b.piece(m["skin"])
        )


def _jacket(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """An open jacket: a left and a right front panel over chest and waist, each with a
    strip of lining along its opening."""
    p, hr, m = ctx.props, ctx.props.head, ctx.material
    d = p.chest_depth
    chest_c, chest_r = ctx.chest
    for side in (1, -1):
        panel = b.piece(m["jacket"])
        b.ellipsoid(
            "chest",
            (side * p.shoulder * 0.45, p.torso_up * 0.4, d * 0.25),
            (p.shoulder * 0.72, p.torso_up * 0.68, d * 0.9),
            panel,
        )
        b.ellipsoid(
            "spine",
            (side * p.shoulder * 0.42, p.torso_low * 0.4, d * 0.22),
            (p.shoulder * 0.55, p.torso_low * 0.75, d * 0.85),
            panel,
        )
        lining = b.piece(m["jacket_lining"])
        size, thick, lift = (hr * 0.12, hr * 0.5), hr * 0.04, d * 0.3
        b.decal("chest", chest_c, chest_r, side * 0.32, 0.3, size, thick, lift, lining, side * 0.25)


def _pocket(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A patch pocket on the right of the waist, on the jacket when there is one."""
    hr = ctx.props.head
    lift = ctx.props.chest_depth * 0.32 if ctx.has("jacket") else hr * 0.02
    size = (hr * 0.22, hr * 0.2)
    pocket = b.piece(ctx.material["pocket"])
    b.decal("spine", *ctx.waist, -0.7, -0.1, size, hr * 0.05, lift, pocket)


def _belt(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A thin belt band around the top of the hips with a buckle at the front."""
    p, m = ctx.props, ctx.material
    center = np.array([0, 0.06, 0])
    radii = np.array([p.hip * 1.98, 0.025, p.chest_depth * 1.03])
    b.ellipsoid("pelvis", center, radii, b.piece(m["belt"]))
    buckle = b.piece(m["belt_buckle"])
    b.decal("pelvis", center, radii, 0.0, 0.0, (0.03, 0.022), 0.01, 0.01, buckle)


def _bag(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A shoulder bag at the left hip and its strap diagonally across the chest."""
    p, m = ctx.props, ctx.material
    d = p.chest_depth
    b.ellipsoid("pelvis", (p.hip * 2.3, 0.0, 0.02), (0.04, 0.09, 0.12), b.piece(m["bag"]))
    b.ellipsoid(
        "chest",
        (0.0, p.torso_up * 0.2, d * 0.28),
        (0.018, p.torso_up * 1.5, d * 0.8),
        b.piece(m["bag_strap"]),
        rotation(0.0, 0.0, 0.62),
    )


# --- part builders: face and head wear -------------------------------------------------


def _face_decal(
    b: CharacterBuilder,
    ctx: PartContext,
    yaw: float,
    pitch: float,
    size: tuple[float, float],
    lift: float,
    piece: int,
    spin: float = 0.0,
) -> None:
    """A decal on the head ellipsoid, ``0.03`` head radii thick, lifted ``lift``
    thicknesses off the skin (higher lifts cover lower ones)."""
    thick = ctx.props.head * 0.03
    head_c, head_r = ctx.head
    b.decal("head", head_c, head_r, yaw, pitch, size, thick, lift * thick, piece, spin)


def _eyes(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Both eyes as stacked decals (white, iris, pupil, highlight, lash line) and an
    eyebrow above each; the random eye placement is kept in ``ctx.eyes``."""
    hr, m = ctx.props.head, ctx.material
    pitch = float(rng.uniform(-0.22, -0.08))
    eye_x = float(rng.uniform(0.3, 0.4))
    w, h = hr * rng.uniform(0.17, 0.22), hr * rng.uniform(0.22, 0.3)
    ctx.eyes = EyeLayout(pitch, eye_x, w, h)

    def layer(name: str, at_yaw: float, at_pitch: float, size, lift: float, spin=0.0) -> None:
        _face_decal(b, ctx, at_yaw, at_pitch, size, lift, b.piece(m[name]), spin)

    for side in (1, -1):
        yaw = side * eye_x
        layer("eye_white", yaw, pitch, (w, h), 0.3)
        layer("iris", yaw, pitch - 0.02, (w * 0.72, h * 0.75), 0.9)
        layer("pupil", yaw, pitch - 0.03, (w * 0.33, h * 0.38), 1.5)
        layer("eye_highlight", yaw + side * 0.05, pitch + 0.06, (w * 0.2, w * 0.2), 2.1)
        layer("eyelash", yaw, pitch + 0.2, (w * 1.25, h * 0.2), 1.0, spin=-side * 0.15)
        layer("eyebrow", yaw, pitch + 0.42, (w * 1.0, h * 0.13), 0.6, spin=side * 0.1)


def _mouth(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A small mouth decal of random width and height below the eyes."""
    hr = ctx.props.head
    size = (hr * rng.uniform(0.08, 0.16), hr * rng.uniform(0.03, 0.07))
    _face_decal(b, ctx, 0.0, -0.5, size, 0.6, b.piece(ctx.material["mouth"]))


def _hair(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """The hair cap over the skull, 3 to 6 bangs of random length and tilt over the
    forehead and a side lock in front of each ear."""
    hr, hair = ctx.props.head, ctx.material["hair"]
    head_c, _ = ctx.head
    cap = b.piece(hair)
    b.ellipsoid("head", head_c + [0, hr * 0.14, -hr * 0.2], (hr * 1.0, hr * 1.0, hr * 1.0), cap)
    n_bangs = int(rng.integers(3, 7))
    for k in range(n_bangs):
        yaw = (k - (n_bangs - 1) / 2) * (1.3 / n_bangs)
        length = hr * rng.uniform(0.35, 0.6)
        tilt = float(rng.uniform(-0.25, 0.25))
        if ctx.varied:  # a curved lock from the crown down over the forehead
            end_pitch = 0.62 - length / hr * 0.7
            lock = _hair_lock(ctx, yaw, (1.1, end_pitch), -tilt * 0.8, hr * 1.4 / n_bangs + 0.02)
            b.sheet("head", lock, b.piece(hair))
            continue
        center = head_c + np.array([np.sin(yaw) * hr * 0.82, hr * 0.45, np.cos(yaw) * hr * 0.8])
        rot = rotation(yaw, -0.25, tilt)
        b.ellipsoid("head", center, (hr * 0.2, length, hr * 0.1), b.piece(hair), rot)
    for side in (1, -1):
        length = hr * rng.uniform(0.5, 0.8)
        if ctx.varied:  # from the temple down past the ear, curling forward
            lock = _hair_lock(ctx, side * 1.25, (0.6, -0.35 - length / hr), -side * 0.3, hr * 0.26)
            b.sheet("head", lock, b.piece(hair))
            continue
        center = head_c + np.array([side * hr * 0.88, -hr * 0.3, hr * 0.25])
        b.ellipsoid(
            "head",
            center,
            (hr * 0.12, length, hr * 0.18),
            b.piece(hair),
            rotation(0, 0, side * 0.1),
        )


def _long_hair(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Long hair down the back: a darker inner layer under the outer one, 1.2 to 2.6
    head radii long."""
    hr, m = ctx.props.head, ctx.material
    head_c, _ = ctx.head
    length = float(rng.uniform(1.2, 2.6)) * hr
    b.ellipsoid(
        "head",
        head_c + [0, hr * 0.2 - length * 0.55, -hr * 0.45],
        (hr * 1.0, length, hr * 0.55),
        b.piece(m["hair_inner"]),
    )
    b.ellipsoid(
        "head",
        head_c + [0, hr * 0.2 - length * 0.5, -hr * 0.55],
        (hr * 1.05, length, hr * 0.5),
        b.piece(m["hair"]),
    )


def _ponytail(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A hair tie at the back of the head and the ponytail hanging from it."""
    hr, m = ctx.props.head, ctx.material
    head_c, _ = ctx.head
    tie_center = head_c + [0, hr * 0.3, -hr * 1.0]
    b.ellipsoid("head", tie_center, (hr * 0.14, hr * 0.14, hr * 0.14), b.piece(m["hair_tie"]))
    b.ellipsoid(
        "head",
        head_c + [0, -hr * 0.4, -hr * 1.25],
        (hr * 0.3, hr * 0.8, hr * 0.25),
        b.piece(m["hair"]),
        rotation(0, 0.3, 0),
    )


def _bun(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A bun on top of the head held by a flat hair tie."""
    hr, m = ctx.props.head, ctx.material
    head_c, _ = ctx.head
    bun_center = head_c + [0, hr * 1.0, -hr * 0.3]
    b.ellipsoid("head", bun_center, (hr * 0.38, hr * 0.35, hr * 0.38), b.piece(m["hair"]))
    tie_center = head_c + [0, hr * 0.85, -hr * 0.2]
    b.ellipsoid("head", tie_center, (hr * 0.3, hr * 0.08, hr * 0.3), b.piece(m["hair_tie"]))


def _glasses(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Glasses over the eyes of ``ctx.eyes``: a frame and a lens per eye and a bridge."""
    hr, m, eyes = ctx.props.head, ctx.material, ctx.eyes
    if eyes is None:
        raise ValueError("the glasses part needs the eyes part before it")
    w, h = eyes.width, eyes.height
    for side in (1, -1):
        yaw = side * eyes.yaw
        frame = b.piece(m["glasses_frame"])
        _face_decal(b, ctx, yaw, eyes.pitch, (w * 1.7, h * 1.35), 3.0, frame)
        lens = b.piece(m["glasses_lens"])
        _face_decal(b, ctx, yaw, eyes.pitch, (w * 1.45, h * 1.12), 3.3, lens)
    bridge = b.piece(m["glasses_frame"])
    _face_decal(b, ctx, 0.0, eyes.pitch + 0.05, (hr * 0.15, hr * 0.03), 2.8, bridge)


def _hat(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A hat: crown over the hair, a brim (its own piece) and a band around the crown."""
    hr, m = ctx.props.head, ctx.material
    head_c, _ = ctx.head
    crown = b.piece(m["hat"])
    b.ellipsoid(
        "head", head_c + [0, hr * 0.45, -hr * 0.05], (hr * 1.08, hr * 0.75, hr * 1.08), crown
    )
    brim = b.piece(m["hat"])
    b.ellipsoid("head", head_c + [0, hr * 0.42, hr * 0.15], (hr * 1.3, hr * 0.06, hr * 1.35), brim)
    band = b.piece(m["hat_band"])
    b.ellipsoid("head", head_c + [0, hr * 0.55, -hr * 0.05], (hr * 1.1, hr * 0.12, hr * 1.1), band)


# --- part builders: cloth sheets (body shapes "varied" only) ----------------------------

#: Cloth sheets of body shapes "varied" and how often each is chosen.
CLOTH_PROBABILITY = (("cape", 0.35), ("coat_tails", 0.6))


def _cloth_materials(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Whether the character wears a cape and (with a jacket) coat tails; the cape's
    material."""
    ctx.traits.update({k: bool(rng.random() < prob) for k, prob in CLOTH_PROBABILITY})
    ctx.traits["coat_tails"] = ctx.has("coat_tails") and ctx.has("jacket")
    if ctx.has("cape"):
        ctx.material["cape"] = b.material(
            "cape", "clothes", _hsv(rng, None, (0.4, 0.9), (0.3, 0.8))
        )


def _cape(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """A cape hanging from the shoulders around the back, down to the thighs or knees."""
    p = ctx.props
    length = p.torso_up * 0.9 + p.torso_low + p.thigh * float(rng.uniform(0.3, 0.9))
    wave = (float(rng.uniform(0.02, 0.07)), int(rng.integers(5, 10)))
    ring = _flared_ring(p.shoulder * 1.15, p.chest_depth * 1.2, length, wave, arc=1.35)
    ring[..., 1] += p.torso_up * 0.9 - 0.03
    b.sheet("chest", ring, b.piece(ctx.material["cape"]))


def _coat_tails(b: CharacterBuilder, rng: np.random.Generator, ctx: PartContext) -> None:
    """Two jacket tails hanging from the back of the waist over the hips."""
    p = ctx.props
    length = p.torso_low * 0.3 + p.thigh * float(rng.uniform(0.4, 0.75))
    for side in (1, -1):
        tail = _flared_ring(
            p.hip * 2.3, p.chest_depth * 1.15, length, (0.03, 6), arc=0.6, middle=side * 0.75
        )
        tail[..., 1] += p.torso_low * 0.3
        b.sheet("spine", tail, b.piece(ctx.material["jacket"]))


# --- the table ---------------------------------------------------------------------------

PartBuild = Callable[[CharacterBuilder, np.random.Generator, PartContext], None]


class Part(NamedTuple):
    """One row of :data:`PARTS`.

    Attributes
    ----------
    name : str
        Unique name of the part.
    build : callable (CharacterBuilder, numpy.random.Generator, PartContext) -> None
        Adds the part's materials or primitives, drawing from the generator.
    trait : str or None
        Optional feature the part depends on; the part is skipped (and draws nothing)
        when :meth:`PartContext.has` says the character does not have it.
    varied_only : bool
        Runs only for body shapes ``"varied"``.
    """

    name: str
    build: PartBuild
    trait: str | None = None
    varied_only: bool = False


#: The part builders in the order :func:`build_character` runs them.
PARTS: tuple[Part, ...] = (
    Part("face materials", _face_materials),
    Part("clothes materials", _clothes_materials),
    Part("optional materials", _optional_materials),
    Part("cloth materials", _cloth_materials, varied_only=True),
    Part("head", _head),
    Part("torso", _torso),
    Part("legs", _legs),
    Part("arms", _arms),
    Part("jacket", _jacket, "jacket"),
    Part("pocket", _pocket, "pocket"),
    Part("belt", _belt, "belt"),
    Part("bag", _bag, "bag"),
    Part("eyes", _eyes),
    Part("mouth", _mouth),
    Part("hair", _hair),
    Part("long hair", _long_hair, "long_hair"),
    Part("ponytail", _ponytail, "ponytail"),
    Part("bun", _bun, "bun"),
    Part("glasses", _glasses, "glasses"),
    Part("hat", _hat, "hat"),
    Part("cape", _cape, "cape", varied_only=True),
    Part("coat tails", _coat_tails, "coat_tails", varied_only=True),
)


def build_character(
    seed: int | tuple[int, ...],
    body_shapes: str = "ellipsoid",
    avoid_colors: frozenset[tuple[int, int, int]] = frozenset(),
) -> Character:
    """Design a character from a seed by running the part builders of :data:`PARTS`.

    Parameters
    ----------
    seed : int or tuple of int
        Any non-negative integer (or a tuple of them: the entropy of
        :func:`numpy.random.default_rng`); the same seed always gives the same character.
    body_shapes : {"ellipsoid", "varied"}
        See the module docstring.
    avoid_colors : frozenset of (R, G, B)
        Colors the character must not use (those of another character in its clips).

    Returns
    -------
    character : Character

    Raises
    ------
    ValueError
        If ``body_shapes`` is not one of :data:`BODY_SHAPES`.

    Examples
    --------
    >>> a, b = build_character(3), build_character(3)
    >>> a.materials == b.materials and a.traits == b.traits
    True
    >>> a.materials[0].description, a.traits["bottom"] in ("skirt", "pants", "shorts")
    ('skin', True)
    """
    if body_shapes not in BODY_SHAPES:
        raise ValueError(f"body_shapes must be one of {BODY_SHAPES}, got {body_shapes!r}")
    varied = body_shapes == "varied"
    rng = np.random.default_rng(seed)
    context = PartContext(random_proportions(rng), varied=varied)
    builder = CharacterBuilder(varied)
    for part in PARTS:
        if part.varied_only and not varied:
            continue
        if part.trait is None or context.has(part.trait):
            part.build(builder, rng, context)
    return builder.finish(seed, context, avoid_colors)
