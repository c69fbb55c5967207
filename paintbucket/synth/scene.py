"""Clip content beyond one character: a second character, props, effects, entering.

A *scene* is what one clip frame shows: characters and props (each a
:class:`~paintbucket.synth.character.Character` posed by a
:class:`~paintbucket.synth.skeleton.Motion`) drawn into one z-buffer, and optionally an
effect layer (smoke / explosion blobs) in front of everything. Materials are numbered
across the scene: the main character's first (so its label ids are those of its own
design sheet), then the second character's, the props' and the effect's. Colors are
unique across the whole scene, so a clip colorbook listing every material is valid.

Props (a table, a pole, a potted plant, a rock) are characters whose shapes all hang on
the ``pelvis`` bone, placed in front of the main character. Effects are metaballs in
screen space, thresholded into 2 or 3 tones, whose blobs drift apart and together so
their segments split and merge from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paintbucket.synth.character import Character, CharacterBuilder, PartContext
from paintbucket.synth.render import HIGHLIGHT, NORMAL, SHADOW, Camera, pixel_transform
from paintbucket.synth.skeleton import Motion, Proportions, forward_kinematics

PROP_KINDS = ("table", "pole", "plant", "rock")
EFFECT_KINDS = ("smoke", "explosion")

RGB = tuple[int, int, int]


def scene_colors(characters: list[Character]) -> frozenset[RGB]:
    """Every color used by the materials of ``characters``."""
    return frozenset(c for ch in characters for m in ch.materials for c in m.colors)


def merge_tables(objects: list[Character]) -> tuple[Character, list[int]]:
    """One character holding the materials and pieces of all ``objects`` (for compose).

    Returns
    -------
    merged : Character
        Materials and ``piece_material`` of all objects in order, no primitives.
    piece_offsets : list of int
        First piece id of each object in the merged numbering.
    """
    materials, piece_material, offsets = [], [], []
    for obj in objects:
        offsets.append(len(piece_material))
        piece_material += [m + len(materials) for m in obj.piece_material]
        materials += obj.materials
    first = objects[0]
    return Character(first.seed, first.props, materials, [], piece_material), offsets


def pelvis_offset(props: Proportions) -> np.ndarray:
    """(3,) world position of the pelvis bone of a character at rest at the origin."""
    return props.offsets()["pelvis"]


def place(prop: Character, position: np.ndarray, yaw: float) -> Motion:
    """The motion that puts a prop's origin (its pelvis bone) at ``position``."""
    return Motion({}, np.asarray(position, dtype=np.float64) - pelvis_offset(prop.props), yaw)


# --- props ---------------------------------------------------------------------------------


def build_prop(
    kind: str, rng: np.random.Generator, scale: float, props: Proportions, avoid: frozenset[RGB]
) -> Character:
    """A prop of ``kind`` about ``scale`` world units tall, with its own materials.

    Parameters
    ----------
    kind : str
        One of :data:`PROP_KINDS`.
    rng : numpy.random.Generator
    scale : float
        Size unit (the view height of the clip's camera, so a prop fills a similar part
        of a long shot and of a close-up).
    props : Proportions
        Any proportions (only the pelvis bone is used).
    avoid : frozenset of (R, G, B)
        Colors already used in the scene.

    Returns
    -------
    prop : Character
        Its origin (the pelvis bone) is its point on the ground, or its middle for a pole.
    """
    b = CharacterBuilder(varied=True)
    hsv = lambda s, v, h=None: (float(rng.uniform(0, 1)) if h is None else h,  # noqa: E731
                                float(rng.uniform(*s)), float(rng.uniform(*v)))  # fmt: skip
    s = scale
    if kind == "table":
        top = b.piece(b.material("table top", "prop", hsv((0.3, 0.6), (0.4, 0.8), 0.08)))
        height, width = s * rng.uniform(0.25, 0.4), s * rng.uniform(0.3, 0.5)
        b.ellipsoid("pelvis", (0, height, 0), (width, s * 0.025, s * 0.18), top)
        apron = b.piece(b.material("table apron", "prop", hsv((0.3, 0.7), (0.2, 0.5), 0.07)))
        u, v = np.meshgrid(np.linspace(-0.92, 0.92, 4), np.linspace(0.0, 1.0, 2), indexing="ij")
        apron_grid = np.stack(
            [u * width, height - s * 0.02 - v * s * 0.07, np.full_like(u, s * 0.15)], axis=-1
        )
        b.sheet("pelvis", apron_grid, apron)
        leg_mat = b.material("table leg", "prop", hsv((0.2, 0.6), (0.2, 0.5), 0.07))
        for x in (-0.8, 0.8):
            ends = np.array([[x * width, height, s * 0.1], [x * width, 0.0, s * 0.1]])
            b.tube("pelvis", ends, np.array([s * 0.02, s * 0.015]), b.piece(leg_mat))
    elif kind == "pole":
        pole = b.piece(b.material("pole", "prop", hsv((0.0, 0.3), (0.4, 0.8))))
        radius = s * rng.uniform(0.02, 0.04)
        b.tube("pelvis", np.array([[0, -s, 0], [0, s, 0]]), np.array([radius, radius]), pole)
        band = b.piece(b.material("pole band", "prop", hsv((0.5, 0.9), (0.5, 0.9))))
        y = s * rng.uniform(-0.3, 0.3)
        ends = np.array([[0, y, 0], [0, y + s * 0.08, 0]])
        b.tube("pelvis", ends, np.array([radius * 1.3, radius * 1.3]), band)
    elif kind == "plant":
        pot = b.piece(b.material("flower pot", "prop", hsv((0.4, 0.8), (0.4, 0.8), 0.05)))
        b.tube(
            "pelvis", np.array([[0, s * 0.12, 0], [0, 0, 0]]), np.array([s * 0.08, s * 0.06]), pot
        )
        leaf = b.material(
            "leaf", "prop", hsv((0.4, 0.8), (0.3, 0.7), float(rng.uniform(0.22, 0.4)))
        )
        for angle in np.linspace(0, 2 * np.pi, int(rng.integers(5, 9)), endpoint=False):
            angle += rng.uniform(-0.3, 0.3)
            t = np.linspace(0.0, 1.0, 6)[:, None]
            reach, rise = s * rng.uniform(0.12, 0.22), s * rng.uniform(0.15, 0.3)
            out = np.array([np.sin(angle), 0.0, np.cos(angle)])
            spine = out * reach * t + np.array([0, 1.0, 0]) * (s * 0.12 + rise * (2 * t - t * t))
            across = np.cross(out, [0.0, 1.0, 0.0]) * s * 0.04 * np.sin(np.pi * t**0.7)
            b.sheet(
                "pelvis", np.stack([spine - across, spine, spine + across], axis=1), b.piece(leaf)
            )
    elif kind == "rock":
        rock = b.material("rock", "prop", hsv((0.0, 0.25), (0.35, 0.7)))
        piece = b.piece(rock)
        for _ in range(int(rng.integers(2, 4))):
            radii = s * rng.uniform([0.06, 0.04, 0.05], [0.14, 0.09, 0.1])
            center = (s * rng.uniform(-0.08, 0.08), radii[1] * 0.6, s * rng.uniform(-0.03, 0.03))
            b.ellipsoid("pelvis", center, radii, piece)
        moss = b.material("moss", "prop", hsv((0.4, 0.7), (0.3, 0.6), 0.3))
        b.ellipsoid("pelvis", (0, s * 0.09, 0), (s * 0.07, s * 0.025, s * 0.06), b.piece(moss))
    else:
        raise ValueError(f"unknown prop {kind!r}")
    return b.finish(0, PartContext(props), avoid)


def prop_position(kind: str, rng: np.random.Generator, camera: Camera) -> tuple[np.ndarray, float]:
    """Where a prop stands: in front of the subject, towards the camera, somewhere
    across the frame (a table or plant low in it, a pole anywhere).

    Returns
    -------
    position : (3,) float64
        World position of the prop's origin.
    yaw : float
        The prop faces the camera.
    """
    rot = camera.rotation()
    right, up, toward = rot[:, 0], rot[:, 1], rot[:, 2]
    side = float(rng.choice([-1.0, 1.0]))
    x = {"table": (0.0, 0.3), "pole": (0.1, 0.4), "plant": (0.2, 0.42), "rock": (0.2, 0.42)}[kind]
    y = {"table": (-0.45, -0.25), "pole": (-0.1, 0.1), "plant": (-0.5, -0.4), "rock": (-0.5, -0.4)}
    view = camera.view
    position = (
        camera.target
        + right * side * rng.uniform(*x) * view
        + up * rng.uniform(*y[kind]) * view
        + toward * (0.5 + rng.uniform(0.0, 0.3))
    )
    return position, camera.yaw


# --- effects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """Metaball blobs in screen space whose thresholded field gives 2 or 3 tones.

    Attributes
    ----------
    character : Character
        Holds the effect's one material (highlight, normal, shadow = the tones).
    centers, velocities, wobble, phase, frequency : (K, 2) float64
        Blob motion in frame units (0..1 across the image): ``center + velocity * t +
        wobble * sin(frequency * t + phase)``.
    radii : (K,) float64
        Blob radii in frame units; ``growth`` scales them by ``1 + growth * t``.
    growth : float
    levels : (L,) float64
        Field thresholds, low to high (L = 2 or 3 tones).
    """

    character: Character
    centers: np.ndarray
    velocities: np.ndarray
    wobble: np.ndarray
    phase: np.ndarray
    frequency: np.ndarray
    radii: np.ndarray
    growth: float
    levels: np.ndarray

    def tones(self, t: float, size: int) -> np.ndarray:
        """(size, size) uint8 shade code + 1 per pixel (0 = no effect) at time ``t`` s.

        The outer tone is :data:`SHADOW` (3 tones) or :data:`NORMAL` (2 tones), the core
        :data:`HIGHLIGHT`.
        """
        centers = self.centers + self.velocities * t
        centers = centers + self.wobble * np.sin(self.frequency * t + self.phase)
        radii = self.radii * (1.0 + self.growth * t)
        coords = (np.arange(size, dtype=np.float32) + 0.5) / size
        field = np.zeros((size, size), dtype=np.float32)
        for (cx, cy), r in zip(centers.astype(np.float32), radii.astype(np.float32)):
            d2 = (coords[None, :] - cx) ** 2 + (coords[:, None] - cy) ** 2
            field += r * r / (d2 + np.float32(1e-6))
        codes = (HIGHLIGHT, NORMAL, SHADOW)[: len(self.levels)][::-1]
        out = np.zeros((size, size), dtype=np.uint8)
        for level, code in zip(self.levels, codes):
            out[field >= level] = code + 1
        return out


def build_effect(
    kind: str, rng: np.random.Generator, props: Proportions, avoid: frozenset[RGB]
) -> Effect:
    """Blobs of smoke (rising, grey-blue) or an explosion (bursting, warm), several of
    them (4 to 8) starting close together so they merge first and split later."""
    b = CharacterBuilder()
    if kind == "smoke":
        hsv = (float(rng.uniform(0.5, 0.7)), float(rng.uniform(0.05, 0.25)), 0.75)
        drift = np.array([0.0, -0.25])
    elif kind == "explosion":
        hsv = (float(rng.uniform(0.02, 0.12)), float(rng.uniform(0.6, 0.9)), 0.95)
        drift = np.array([0.0, 0.0])
    else:
        raise ValueError(f"unknown effect {kind!r}")
    b.piece(b.material(kind, "effect", hsv))
    count = int(rng.integers(4, 9))
    origin = rng.uniform(0.3, 0.7, 2)
    centers = origin + rng.normal(0.0, 0.04, (count, 2))
    angles = rng.uniform(0, 2 * np.pi, count)
    speed = rng.uniform(0.2, 0.5, (count, 1))
    velocities = speed * np.stack([np.cos(angles), np.sin(angles)], axis=1) + drift
    levels = np.array([1.0, 2.2, 4.5]) if rng.random() < 0.6 else np.array([1.0, 2.6])
    return Effect(
        character=b.finish(0, PartContext(props), avoid),
        centers=centers,
        velocities=velocities,
        wobble=rng.uniform(0.03, 0.1, (count, 2)),
        phase=rng.uniform(0, 2 * np.pi, (count, 2)),
        frequency=rng.uniform(3.0, 8.0, (count, 2)),
        radii=rng.uniform(0.04, 0.08, count),
        growth=float(rng.uniform(0.0, 0.8)),
        levels=levels,
    )


# --- entering and leaving the frame ---------------------------------------------------------


def screen_span(
    character: Character, motion: Motion, camera: Camera, size: int
) -> tuple[float, float]:
    """Conservative horizontal pixel range ``(lo, hi)`` covered by a posed object: every
    ellipsoid's bounding box and every sheet vertex lie inside it."""
    frames = forward_kinematics(character.props, motion.pose, motion.root, motion.root_yaw)
    to_pix, shift = pixel_transform(camera, size)
    lo, hi = np.inf, -np.inf
    for prim in character.primitives:
        bpos, brot = frames[prim.bone]
        if hasattr(prim, "vertices"):
            xs = (prim.vertices.reshape(-1, 3) @ brot.T + bpos - camera.target) @ to_pix[0]
            lo, hi = min(lo, xs.min() + shift[0]), max(hi, xs.max() + shift[0])
            continue
        x = to_pix[0] @ (bpos + brot @ prim.center - camera.target) + shift[0]
        extent = np.linalg.norm(to_pix[0] @ brot @ prim.axes)
        lo, hi = min(lo, x - extent), max(hi, x + extent)
    return float(lo), float(hi)


def entering_schedule(frames: int, leaving: bool) -> np.ndarray:
    """(frames,) float64 in [0, 1]: 1 = fully outside, 0 = at its place.

    Entering: outside at the first frame, in place from 60 % of the clip on; leaving:
    the reverse (in place until 40 %, outside at the last frame).
    """
    i = np.arange(frames, dtype=np.float64)
    span = max(0.6 * (frames - 1), 1e-9)
    u = np.clip(1.0 - i / span, 0.0, 1.0)
    return u[::-1].copy() if leaving else u


def entering_offsets(
    spans: list[tuple[float, float]],
    scales: list[float],
    size: int,
    side: float,
    schedule: np.ndarray,
) -> np.ndarray:
    """(frames,) world offsets along each frame's camera right axis that slide an object
    in or out of the frame.

    Parameters
    ----------
    spans : list of (lo, hi)
        :func:`screen_span` of the object in place, per frame.
    scales : list of float
        Pixels per world unit of each frame's camera.
    size : int
    side : {1.0, -1.0}
        The object comes from / goes to the right (+1) or left (-1) edge.
    schedule : (frames,) float64
        :func:`entering_schedule`.
    """
    if side > 0:
        need = [(size + 1 - lo) / scale for (lo, _), scale in zip(spans, scales)]
    else:
        need = [(hi + 1) / scale for (_, hi), scale in zip(spans, scales)]
    return side * schedule * (max(need) + 1e-3)
