"""Procedural characters: body, hair, face, clothes and accessories as 3D ellipsoids.

A character is a list of :class:`Primitive` ellipsoids attached to skeleton bones and a
list of :class:`Material` entries (one colorbook line each). Every primitive belongs to a
*piece* (a group of primitives drawn as one shape, e.g. upper + lower left sleeve) and
every piece to one material. Line art is drawn between pieces, so several pieces may
share a material (left and right shoe) and still be outlined separately.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

import numpy as np

from paintbucket.synth.skeleton import Proportions, random_proportions, rotation

RGB = tuple[int, int, int]


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
    """

    bone: str
    center: np.ndarray
    axes: np.ndarray
    piece: int
    material: int


@dataclass
class Character:
    """A generated character: proportions, materials and primitives."""

    seed: int
    props: Proportions
    materials: list[Material] = field(default_factory=list)
    primitives: list[Primitive] = field(default_factory=list)
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


class _Builder:
    """Accumulates materials, pieces and primitives while a character is designed."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.materials: list[tuple[str, str, tuple[float, float, float]]] = []
        self.primitives: list[Primitive] = []
        self.piece_material: list[int] = []

    def material(self, description: str, category: str, hsv: tuple[float, float, float]) -> int:
        self.materials.append((description, category, hsv))
        return len(self.materials) - 1

    def piece(self, material: int) -> int:
        self.piece_material.append(material)
        return len(self.piece_material) - 1

    def ellipsoid(
        self,
        bone: str,
        center: tuple[float, float, float] | np.ndarray,
        radii: tuple[float, float, float],
        piece: int,
        rot: np.ndarray | None = None,
    ) -> None:
        axes = (np.eye(3) if rot is None else rot) @ np.diag(np.asarray(radii, dtype=np.float64))
        self.primitives.append(
            Primitive(
                bone, np.asarray(center, dtype=np.float64), axes, piece, self.piece_material[piece]
            )
        )

    def limb(self, bone: str, length: float, r0: float, piece: int, offset: float = 0.0) -> None:
        """An ellipsoid along the bone's ``-y`` axis from its joint to the next one."""
        self.ellipsoid(bone, (0.0, -length / 2 - offset, 0.0), (r0, length / 2 * 1.12, r0), piece)

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


def _unique_colors(raw: list[tuple[RGB, RGB, RGB]]) -> list[tuple[RGB, RGB, RGB]]:
    """Nudge colors so that every color is used once and none is pure black."""
    used: set[RGB] = {(0, 0, 0)}
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


def build_character(seed: int) -> Character:
    """Design a character from a seed.

    Parameters
    ----------
    seed : int
        Any non-negative integer; the same seed always gives the same character.

    Returns
    -------
    character : Character
    """
    rng = np.random.default_rng(seed)
    p = random_proportions(rng)
    b = _Builder(rng)
    traits: dict[str, object] = {}

    # --- materials -------------------------------------------------------------
    skin_tone = [(0.07, 0.25, 0.98), (0.06, 0.35, 0.9), (0.07, 0.45, 0.75), (0.05, 0.5, 0.55)]
    tone = skin_tone[int(rng.integers(len(skin_tone)))]
    skin = b.material("skin", "skin", (tone[0], tone[1] + rng.uniform(-0.04, 0.04), tone[2]))
    hair_hue = float(rng.uniform(0, 1))
    hair = b.material("hair", "hair", _hsv(rng, hair_hue, (0.2, 0.8), (0.25, 0.95)))
    hair_inner = b.material(
        "hair inner", "hair", _hsv(rng, hair_hue + 0.02, (0.3, 0.9), (0.15, 0.4))
    )
    brow = b.material("eyebrow", "hair", _hsv(rng, hair_hue, (0.3, 0.7), (0.15, 0.35)))
    eye_white = b.material("eye white", "eyes", (0.6, 0.03, 0.98))
    iris = b.material("iris", "eyes", _hsv(rng, None, (0.5, 0.9), (0.45, 0.85)))
    pupil = b.material("pupil", "eyes", _hsv(rng, None, (0.3, 0.6), (0.1, 0.2)))
    eye_hl = b.material("eye highlight", "eyes", (0.15, 0.05, 1.0))
    lash = b.material("eyelash", "eyes", _hsv(rng, hair_hue, (0.2, 0.5), (0.08, 0.18)))
    mouth = b.material("mouth", "mouth", (0.98, rng.uniform(0.5, 0.7), rng.uniform(0.5, 0.7)))
    shirt_hue = float(rng.uniform(0, 1))
    shirt = b.material("shirt", "clothes", _hsv(rng, shirt_hue, (0.05, 0.5), (0.7, 0.98)))
    collar = b.material("collar", "clothes", _hsv(rng, shirt_hue + 0.5, (0.3, 0.8), (0.4, 0.9)))
    button = b.material("button", "clothes", _hsv(rng, None, (0.3, 0.9), (0.3, 0.9)))
    bottom_kind = str(rng.choice(["skirt", "pants", "shorts"]))
    traits["bottom"] = bottom_kind
    bottom = b.material(bottom_kind, "clothes", _hsv(rng, None, (0.3, 0.8), (0.25, 0.75)))
    shoe = b.material("shoe", "shoes", _hsv(rng, None, (0.2, 0.8), (0.15, 0.6)))
    sole = b.material("shoe sole", "shoes", _hsv(rng, None, (0.0, 0.2), (0.75, 0.95)))
    has = {
        k: bool(rng.random() < prob)
        for k, prob in [
            ("jacket", 0.5), ("socks", 0.7), ("belt", 0.5), ("bag", 0.4),
            ("glasses", 0.3), ("hat", 0.3), ("ponytail", 0.4), ("bun", 0.25),
            ("long_sleeves", 0.6), ("long_hair", 0.5), ("pocket", 0.6),
        ]
    }  # fmt: skip
    traits.update(has)
    jacket = jacket_lining = cuff = -1
    if has["jacket"]:
        jacket = b.material("jacket", "clothes", _hsv(rng, None, (0.3, 0.8), (0.2, 0.7)))
        jacket_lining = b.material(
            "jacket lining", "clothes", _hsv(rng, None, (0.2, 0.6), (0.5, 0.9))
        )
    if has["long_sleeves"] or has["jacket"]:
        cuff = b.material("cuff", "clothes", _hsv(rng, None, (0.2, 0.7), (0.5, 0.95)))
    sock = (
        b.material("sock", "socks", _hsv(rng, None, (0.0, 0.6), (0.3, 0.98)))
        if has["socks"]
        else -1
    )
    belt = buckle = -1
    if has["belt"]:
        belt = b.material("belt", "belt", _hsv(rng, 0.07, (0.4, 0.7), (0.2, 0.45)))
        buckle = b.material("belt buckle", "belt", (0.13, 0.5, 0.85))
    bag = strap = -1
    if has["bag"]:
        bag = b.material("bag", "bag", _hsv(rng, None, (0.3, 0.8), (0.3, 0.8)))
        strap = b.material("bag strap", "bag", _hsv(rng, None, (0.3, 0.8), (0.2, 0.5)))
    frame = lens = -1
    if has["glasses"]:
        frame = b.material("glasses frame", "glasses", _hsv(rng, None, (0.3, 0.9), (0.15, 0.5)))
        lens = b.material("glasses lens", "glasses", _hsv(rng, 0.55, (0.05, 0.2), (0.85, 0.98)))
    hat = hat_band = -1
    if has["hat"]:
        hat = b.material("hat", "hat", _hsv(rng, None, (0.3, 0.9), (0.3, 0.9)))
        hat_band = b.material("hat band", "hat", _hsv(rng, None, (0.3, 0.9), (0.2, 0.6)))
    pocket = (
        b.material("pocket", "clothes", _hsv(rng, None, (0.2, 0.7), (0.3, 0.8)))
        if has["pocket"]
        else -1
    )
    tie = (
        b.material("hair tie", "hair", _hsv(rng, None, (0.6, 0.9), (0.6, 0.95)))
        if (has["ponytail"] or has["bun"])
        else -1
    )

    # --- body -------------------------------------------------------------------
    hr = p.head
    head_c = np.array([0.0, hr * 0.95, 0.0])
    head_r = np.array([hr * 0.92, hr * 1.02, hr * 0.95])
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

    torso_piece = b.piece(shirt)
    d = p.chest_depth
    b.ellipsoid(
        "chest", (0, p.torso_up * 0.45, 0), (p.shoulder * 1.05, p.torso_up * 0.62, d), torso_piece
    )
    b.ellipsoid(
        "spine",
        (0, p.torso_low * 0.55, 0),
        (p.shoulder * 0.85, p.torso_low * 0.62, d * 0.9),
        torso_piece,
    )
    # collar: two flaps at the neck base
    collar_piece = [b.piece(collar), b.piece(collar)]
    chest_c = np.array([0, p.torso_up * 0.45, 0])
    chest_r = np.array([p.shoulder * 1.05, p.torso_up * 0.62, d])
    for i, side in enumerate((1, -1)):
        b.decal(
            "chest",
            chest_c,
            chest_r,
            side * 0.35,
            0.85,
            (hr * 0.4, hr * 0.25),
            hr * 0.06,
            hr * 0.05,
            collar_piece[i],
            spin=side * 0.5,
        )
    # buttons down the front
    n_buttons = int(rng.integers(3, 6))
    for k in range(n_buttons):
        pitch = 0.55 - k * 0.22
        b.decal(
            "chest",
            chest_c,
            chest_r,
            0.0,
            pitch,
            (hr * 0.05, hr * 0.05),
            hr * 0.03,
            hr * 0.025,
            b.piece(button),
        )

    # hips and legs
    hips_piece = b.piece(bottom)
    b.ellipsoid("pelvis", (0, -0.01, 0), (p.hip * 1.9, 0.1, d * 0.95), hips_piece)
    if bottom_kind == "skirt":
        skirt_len = float(rng.uniform(0.2, 0.35))
        b.ellipsoid(
            "pelvis", (0, -skirt_len * 0.45, 0), (p.hip * 2.6, skirt_len * 0.7, d * 1.7), hips_piece
        )
    for tag in ("l", "r"):
        leg_mat = bottom if bottom_kind == "pants" else skin
        thigh_piece = b.piece(leg_mat)
        b.limb(f"hip_{tag}", p.thigh, p.limb * 1.45, thigh_piece)
        if bottom_kind == "shorts":
            b.limb(f"hip_{tag}", p.thigh * 0.45, p.limb * 1.6, b.piece(bottom))
        shin_mat = bottom if bottom_kind == "pants" else (sock if has["socks"] else skin)
        shin_piece = thigh_piece if shin_mat == leg_mat else b.piece(shin_mat)
        b.limb(f"knee_{tag}", p.shin, p.limb * 1.1, shin_piece)
        if has["socks"] and bottom_kind == "pants":
            b.limb(f"knee_{tag}", p.shin * 0.15, p.limb * 1.1, b.piece(sock), offset=p.shin * 0.9)
        shoe_piece = b.piece(shoe)
        b.ellipsoid(
            f"ankle_{tag}", (0, -0.03, 0.05), (p.limb * 1.3, p.limb * 1.0, 0.11), shoe_piece
        )
        b.ellipsoid(
            f"ankle_{tag}", (0, -0.065, 0.05), (p.limb * 1.4, p.limb * 0.45, 0.12), b.piece(sole)
        )

    # arms
    for tag in ("l", "r"):
        sleeve_mat = jacket if has["jacket"] else shirt
        sleeve = b.piece(sleeve_mat)
        b.ellipsoid(
            f"shoulder_{tag}", (0, -0.01, 0), (p.limb * 1.5, p.limb * 1.5, p.limb * 1.5), sleeve
        )
        if has["long_sleeves"] or has["jacket"]:
            b.limb(f"shoulder_{tag}", p.upper_arm, p.limb * 1.15, sleeve)
            b.limb(f"elbow_{tag}", p.forearm * 0.92, p.limb * 1.0, sleeve)
            b.limb(
                f"elbow_{tag}",
                p.forearm * 0.1,
                p.limb * 1.15,
                b.piece(cuff),
                offset=p.forearm * 0.82,
            )
        else:
            b.limb(f"shoulder_{tag}", p.upper_arm * 0.45, p.limb * 1.3, sleeve)
            arm = b.piece(skin)
            b.limb(f"shoulder_{tag}", p.upper_arm, p.limb * 0.95, arm)
            b.limb(f"elbow_{tag}", p.forearm, p.limb * 0.85, arm)
        b.ellipsoid(
            f"wrist_{tag}", (0, -0.05, 0), (p.limb * 0.9, 0.065, p.limb * 0.55), b.piece(skin)
        )

    if has["jacket"]:
        for side in (1, -1):
            panel = b.piece(jacket)
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
            lining = b.piece(jacket_lining)
            b.decal(
                "chest",
                chest_c,
                chest_r,
                side * 0.32,
                0.3,
                (hr * 0.12, hr * 0.5),
                hr * 0.04,
                d * 0.3,
                lining,
                spin=side * 0.25,
            )
    if has["pocket"]:
        host_c = np.array([0, p.torso_low * 0.55, 0])
        host_r = np.array([p.shoulder * 0.85, p.torso_low * 0.62, d * 0.9])
        lift = d * 0.32 if has["jacket"] else hr * 0.02
        b.decal(
            "spine",
            host_c,
            host_r,
            -0.7,
            -0.1,
            (hr * 0.22, hr * 0.2),
            hr * 0.05,
            lift,
            b.piece(pocket),
        )
    if has["belt"]:
        b.ellipsoid("pelvis", (0, 0.06, 0), (p.hip * 1.98, 0.025, d * 1.03), b.piece(belt))
        b.decal(
            "pelvis",
            np.array([0, 0.06, 0]),
            np.array([p.hip * 1.98, 0.025, d * 1.03]),
            0.0,
            0.0,
            (0.03, 0.022),
            0.01,
            0.01,
            b.piece(buckle),
        )
    if has["bag"]:
        b.ellipsoid("pelvis", (p.hip * 2.3, 0.0, 0.02), (0.04, 0.09, 0.12), b.piece(bag))
        rot = rotation(0.0, 0.0, 0.62)
        b.ellipsoid(
            "chest",
            (0.0, p.torso_up * 0.2, d * 0.28),
            (0.018, p.torso_up * 1.5, d * 0.8),
            b.piece(strap),
            rot,
        )

    # --- face -------------------------------------------------------------------
    eye_y = float(rng.uniform(-0.22, -0.08))
    eye_x = float(rng.uniform(0.3, 0.4))
    eye_w, eye_h = hr * rng.uniform(0.17, 0.22), hr * rng.uniform(0.22, 0.3)
    t = hr * 0.03
    for side in (1, -1):
        yaw = side * eye_x
        b.decal("head", head_c, head_r, yaw, eye_y, (eye_w, eye_h), t, 0.3 * t, b.piece(eye_white))
        b.decal(
            "head",
            head_c,
            head_r,
            yaw,
            eye_y - 0.02,
            (eye_w * 0.72, eye_h * 0.75),
            t,
            0.9 * t,
            b.piece(iris),
        )
        b.decal(
            "head",
            head_c,
            head_r,
            yaw,
            eye_y - 0.03,
            (eye_w * 0.33, eye_h * 0.38),
            t,
            1.5 * t,
            b.piece(pupil),
        )
        b.decal(
            "head",
            head_c,
            head_r,
            yaw + side * 0.05,
            eye_y + 0.06,
            (eye_w * 0.2, eye_w * 0.2),
            t,
            2.1 * t,
            b.piece(eye_hl),
        )
        b.decal(
            "head",
            head_c,
            head_r,
            yaw,
            eye_y + 0.2,
            (eye_w * 1.25, eye_h * 0.2),
            t,
            1.0 * t,
            b.piece(lash),
            spin=-side * 0.15,
        )
        b.decal(
            "head",
            head_c,
            head_r,
            yaw,
            eye_y + 0.42,
            (eye_w * 1.0, eye_h * 0.13),
            t,
            0.6 * t,
            b.piece(brow),
            spin=side * 0.1,
        )
    b.decal(
        "head",
        head_c,
        head_r,
        0.0,
        -0.5,
        (hr * rng.uniform(0.08, 0.16), hr * rng.uniform(0.03, 0.07)),
        t,
        0.6 * t,
        b.piece(mouth),
    )

    # --- hair -------------------------------------------------------------------
    cap = b.piece(hair)
    b.ellipsoid("head", head_c + [0, hr * 0.14, -hr * 0.2], (hr * 1.0, hr * 1.0, hr * 1.0), cap)
    n_bangs = int(rng.integers(3, 7))
    for k in range(n_bangs):
        yaw = (k - (n_bangs - 1) / 2) * (1.3 / n_bangs)
        length = hr * rng.uniform(0.35, 0.6)
        center = head_c + np.array([np.sin(yaw) * hr * 0.82, hr * 0.45, np.cos(yaw) * hr * 0.8])
        rot = rotation(yaw, -0.25, float(rng.uniform(-0.25, 0.25)))
        b.ellipsoid("head", center, (hr * 0.2, length, hr * 0.1), b.piece(hair), rot)
    for side in (1, -1):
        center = head_c + np.array([side * hr * 0.88, -hr * 0.3, hr * 0.25])
        b.ellipsoid(
            "head",
            center,
            (hr * 0.12, hr * rng.uniform(0.5, 0.8), hr * 0.18),
            b.piece(hair),
            rotation(0, 0, side * 0.1),
        )
    if has["long_hair"]:
        length = float(rng.uniform(1.2, 2.6)) * hr
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.2 - length * 0.55, -hr * 0.45],
            (hr * 1.0, length, hr * 0.55),
            b.piece(hair_inner),
        )
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.2 - length * 0.5, -hr * 0.55],
            (hr * 1.05, length, hr * 0.5),
            b.piece(hair),
        )
    if has["ponytail"]:
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.3, -hr * 1.0],
            (hr * 0.14, hr * 0.14, hr * 0.14),
            b.piece(tie),
        )
        b.ellipsoid(
            "head",
            head_c + [0, -hr * 0.4, -hr * 1.25],
            (hr * 0.3, hr * 0.8, hr * 0.25),
            b.piece(hair),
            rotation(0, 0.3, 0),
        )
    if has["bun"]:
        b.ellipsoid(
            "head",
            head_c + [0, hr * 1.0, -hr * 0.3],
            (hr * 0.38, hr * 0.35, hr * 0.38),
            b.piece(hair),
        )
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.85, -hr * 0.2],
            (hr * 0.3, hr * 0.08, hr * 0.3),
            b.piece(tie),
        )

    if has["glasses"]:
        for side in (1, -1):
            yaw = side * eye_x
            b.decal(
                "head",
                head_c,
                head_r,
                yaw,
                eye_y,
                (eye_w * 1.7, eye_h * 1.35),
                t,
                3.0 * t,
                b.piece(frame),
            )
            b.decal(
                "head",
                head_c,
                head_r,
                yaw,
                eye_y,
                (eye_w * 1.45, eye_h * 1.12),
                t,
                3.3 * t,
                b.piece(lens),
            )
        b.decal(
            "head",
            head_c,
            head_r,
            0.0,
            eye_y + 0.05,
            (hr * 0.15, hr * 0.03),
            t,
            2.8 * t,
            b.piece(frame),
        )
    if has["hat"]:
        hat_piece = b.piece(hat)
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.45, -hr * 0.05],
            (hr * 1.08, hr * 0.75, hr * 1.08),
            hat_piece,
        )
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.42, hr * 0.15],
            (hr * 1.3, hr * 0.06, hr * 1.35),
            b.piece(hat),
        )
        b.ellipsoid(
            "head",
            head_c + [0, hr * 0.55, -hr * 0.05],
            (hr * 1.1, hr * 0.12, hr * 1.1),
            b.piece(hat_band),
        )

    # --- colors -----------------------------------------------------------------
    shades = _unique_colors([_shades(hsv) for _, _, hsv in b.materials])
    materials = [Material(desc, cat, col) for (desc, cat, _), col in zip(b.materials, shades)]
    return Character(seed, p, materials, b.primitives, b.piece_material, traits)
