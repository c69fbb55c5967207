"""A small humanoid skeleton, forward kinematics and actions as joint angles over time.

World frame: ``y`` up, the character faces ``+z`` at rest, its left hand side is ``+x``.
Every limb bone hangs along its local ``-y`` axis at zero angles; a joint's local
rotation is ``Ry(yaw) @ Rx(pitch) @ Rz(roll)``. Sign conventions used by the actions:

* ``Rx(-a)`` swings a hanging limb forward (towards ``+z``), ``Rx(+a)`` backward;
  a knee bends with ``+pitch``, an elbow with ``-pitch``.
* ``Rz(+a)`` raises the left arm sideways (``+90`` degrees = T-pose), ``Rz(-a)`` the right.
* the spine and head bend forward with ``+pitch``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Bone names in parent-before-child order.
BONES = (
    "pelvis", "spine", "chest", "neck", "head",
    "shoulder_l", "elbow_l", "wrist_l", "shoulder_r", "elbow_r", "wrist_r",
    "hip_l", "knee_l", "ankle_l", "hip_r", "knee_r", "ankle_r",
)  # fmt: skip

PARENT = {
    "pelvis": None, "spine": "pelvis", "chest": "spine", "neck": "chest", "head": "neck",
    "shoulder_l": "chest", "elbow_l": "shoulder_l", "wrist_l": "elbow_l",
    "shoulder_r": "chest", "elbow_r": "shoulder_r", "wrist_r": "elbow_r",
    "hip_l": "pelvis", "knee_l": "hip_l", "ankle_l": "knee_l",
    "hip_r": "pelvis", "knee_r": "hip_r", "ankle_r": "knee_r",
}  # fmt: skip

#: Euler angles (yaw, pitch, roll) in radians per bone; missing bones are at rest.
Pose = dict[str, tuple[float, float, float]]


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Rotation matrix ``Ry(yaw) @ Rx(pitch) @ Rz(roll)``.

    Returns
    -------
    matrix : (3, 3) float64
    """
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    cr, sr = np.cos(roll), np.sin(roll)
    ry = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]])
    rz = np.array([[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]])
    return ry @ rx @ rz


@dataclass(frozen=True)
class Proportions:
    """Body measurements in world units (about 1.6 for a whole character)."""

    head: float  # head radius
    neck: float  # neck length
    torso_low: float  # pelvis to chest joint
    torso_up: float  # chest joint to neck joint
    shoulder: float  # half shoulder width
    hip: float  # half hip width
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    limb: float  # limb thickness (radius of the upper arm)
    chest_depth: float

    def offsets(self) -> dict[str, np.ndarray]:
        """Rest offset of every bone in its parent's frame, (3,) float64 each."""
        up = self.torso_up
        return {
            "pelvis": np.array([0.0, self.thigh + self.shin + 0.07, 0.0]),
            "spine": np.zeros(3),
            "chest": np.array([0.0, self.torso_low, 0.0]),
            "neck": np.array([0.0, up, 0.0]),
            "head": np.array([0.0, self.neck, 0.0]),
            "shoulder_l": np.array([self.shoulder, 0.82 * up, 0.0]),
            "elbow_l": np.array([0.0, -self.upper_arm, 0.0]),
            "wrist_l": np.array([0.0, -self.forearm, 0.0]),
            "shoulder_r": np.array([-self.shoulder, 0.82 * up, 0.0]),
            "elbow_r": np.array([0.0, -self.upper_arm, 0.0]),
            "wrist_r": np.array([0.0, -self.forearm, 0.0]),
            "hip_l": np.array([self.hip, -0.03, 0.0]),
            "knee_l": np.array([0.0, -self.thigh, 0.0]),
            "ankle_l": np.array([0.0, -self.shin, 0.0]),
            "hip_r": np.array([-self.hip, -0.03, 0.0]),
            "knee_r": np.array([0.0, -self.thigh, 0.0]),
            "ankle_r": np.array([0.0, -self.shin, 0.0]),
        }


def random_proportions(rng: np.random.Generator) -> Proportions:
    """Draw anime-like body proportions (big head, slim limbs)."""
    scale = rng.uniform(0.9, 1.05)
    u = lambda lo, hi: float(rng.uniform(lo, hi) * scale)  # noqa: E731
    return Proportions(
        head=u(0.105, 0.13),
        neck=u(0.05, 0.07),
        torso_low=u(0.2, 0.25),
        torso_up=u(0.2, 0.24),
        shoulder=u(0.13, 0.17),
        hip=u(0.07, 0.09),
        upper_arm=u(0.23, 0.27),
        forearm=u(0.21, 0.25),
        thigh=u(0.36, 0.42),
        shin=u(0.36, 0.42),
        limb=u(0.033, 0.045),
        chest_depth=u(0.085, 0.11),
    )


def forward_kinematics(
    props: Proportions, pose: Pose, root: np.ndarray, root_yaw: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """World position and orientation of every bone.

    Parameters
    ----------
    props : Proportions
    pose : Pose
        Local joint angles.
    root : (3,) float
        Translation added to the pelvis.
    root_yaw : float
        Turn of the whole body about the vertical axis, radians.

    Returns
    -------
    frames : dict name -> ((3,) position, (3, 3) rotation), float64
    """
    offsets = props.offsets()
    frames: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in BONES:
        local = rotation(*pose.get(name, (0.0, 0.0, 0.0)))
        parent = PARENT[name]
        if parent is None:
            base = rotation(root_yaw, 0.0, 0.0)
            frames[name] = (base @ offsets[name] + root, base @ local)
        else:
            ppos, prot = frames[parent]
            frames[name] = (ppos + prot @ offsets[name], prot @ local)
    return frames


@dataclass(frozen=True)
class Motion:
    """Pose of the body at one instant: joint angles, root translation and yaw."""

    pose: Pose
    root: np.ndarray
    root_yaw: float


def _rest_arms(pose: Pose, spread: float = 0.2) -> None:
    pose.setdefault("shoulder_l", (0.0, 0.0, spread))
    pose.setdefault("shoulder_r", (0.0, 0.0, -spread))


def t_pose(t: float = 0.0, amp: float = 1.0) -> Motion:
    """Arms stretched sideways: the pose of color design sheets."""
    half = np.pi / 2
    return Motion({"shoulder_l": (0.0, 0.0, half), "shoulder_r": (0.0, 0.0, -half)}, np.zeros(3), 0)


def walk(t: float, amp: float = 1.0, speed: float = 1.0, lean: float = 0.05) -> Motion:
    """Walk cycle of about one second per stride pair, moving along the facing direction."""
    phase = 2 * np.pi * 0.9 * speed * t
    s = np.sin(phase)
    swing = 0.5 * amp * speed
    bend = 0.5 * amp * speed
    pose: Pose = {
        "hip_l": (0.0, -swing * s, 0.0),
        "hip_r": (0.0, swing * s, 0.0),
        "knee_l": (0.0, bend * max(0.0, float(np.sin(phase + 1.2))), 0.0),
        "knee_r": (0.0, bend * max(0.0, float(np.sin(phase + 1.2 + np.pi))), 0.0),
        "shoulder_l": (0.0, swing * 0.8 * s, 0.15),
        "shoulder_r": (0.0, -swing * 0.8 * s, -0.15),
        "elbow_l": (0.0, -0.3 * speed * amp, 0.0),
        "elbow_r": (0.0, -0.3 * speed * amp, 0.0),
        "spine": (0.15 * amp * s, lean * speed, 0.0),
        "head": (-0.1 * amp * s, 0.0, 0.0),
    }
    bob = 0.02 * amp * abs(np.cos(phase))
    return Motion(pose, np.array([0.0, bob, 0.35 * speed * t]), 0.0)


def run(t: float, amp: float = 1.0) -> Motion:
    """Run cycle: larger strides, bent elbows, forward lean."""
    motion = walk(t, amp, speed=1.8, lean=0.12)
    pose = dict(motion.pose)
    pose["elbow_l"] = (0.0, -1.4, 0.0)
    pose["elbow_r"] = (0.0, -1.4, 0.0)
    return Motion(pose, motion.root, 0.0)


def wave(t: float, amp: float = 1.0) -> Motion:
    """Raise the left arm and wave the forearm, swaying a little."""
    raise_arm = min(1.0, t / 0.4)
    w = np.sin(2 * np.pi * 1.3 * t)
    pose: Pose = {
        "shoulder_l": (0.0, -0.3 * raise_arm, 2.3 * raise_arm),
        "elbow_l": (0.0, 0.0, (0.5 + 0.5 * amp * w) * raise_arm),
        "spine": (0.0, 0.0, -0.08 * amp * w),
        "head": (0.3 * amp * np.sin(np.pi * t), 0.1, 0.1 * raise_arm),
    }
    _rest_arms(pose)
    return Motion(pose, np.zeros(3), 0.0)


def turn_around(t: float, amp: float = 1.0) -> Motion:
    """Turn half a circle on the spot, head leading the body."""
    turn = np.pi * min(1.0, t / 1.6) * amp
    head = 0.4 * np.sin(min(1.0, t / 1.6) * np.pi) * amp
    step = 0.25 * np.sin(2 * np.pi * 1.2 * t) * amp
    pose: Pose = {
        "head": (head, 0.0, 0.0),
        "hip_l": (0.0, -step, 0.0),
        "hip_r": (0.0, step, 0.0),
        "knee_l": (0.0, abs(step), 0.0),
        "knee_r": (0.0, abs(step), 0.0),
    }
    _rest_arms(pose, 0.25)
    return Motion(pose, np.zeros(3), float(turn))


def jump(t: float, amp: float = 1.0) -> Motion:
    """Crouch, jump with arms up, land; a 1.2 second cycle."""
    c = (t % 1.2) / 1.2
    crouch = float(np.exp(-(((c - 0.15) / 0.1) ** 2)) + np.exp(-(((c - 0.9) / 0.08) ** 2)))
    air = float(max(0.0, np.sin(np.pi * (c - 0.25) / 0.55))) if 0.25 < c < 0.8 else 0.0
    pose: Pose = {
        "hip_l": (0.0, -0.9 * crouch * amp, -0.05),
        "hip_r": (0.0, -0.9 * crouch * amp, 0.05),
        "knee_l": (0.0, (1.6 * crouch + 0.5 * air) * amp, 0.0),
        "knee_r": (0.0, (1.6 * crouch + 0.5 * air) * amp, 0.0),
        "spine": (0.0, 0.4 * crouch * amp, 0.0),
        "shoulder_l": (0.0, (0.8 * crouch - 2.6 * air) * amp, 0.3),
        "shoulder_r": (0.0, (0.8 * crouch - 2.6 * air) * amp, -0.3),
        "elbow_l": (0.0, -0.3, 0.0),
        "elbow_r": (0.0, -0.3, 0.0),
        "head": (0.0, -0.3 * air, 0.0),
    }
    root = np.array([0.0, (-0.25 * crouch + 0.45 * air) * amp, 0.0])
    return Motion(pose, root, 0.0)


def bend(t: float, amp: float = 1.0) -> Motion:
    """Bow forward from the hips and come back up."""
    b = float(np.sin(np.pi * min(1.0, t / 1.5))) * amp
    pose: Pose = {
        "spine": (0.0, 0.9 * b, 0.0),
        "chest": (0.0, 0.3 * b, 0.0),
        "head": (0.0, -0.3 * b, 0.0),
        "shoulder_l": (0.0, -0.9 * b, 0.15),
        "shoulder_r": (0.0, -0.9 * b, -0.15),
        "hip_l": (0.0, 0.2 * b, 0.0),
        "hip_r": (0.0, 0.2 * b, 0.0),
    }
    return Motion(pose, np.array([0.0, 0.0, -0.1 * b]), 0.0)


def sit(t: float, amp: float = 1.0) -> Motion:
    """Sit down on an invisible chair, then lean back and gesture."""
    s = float(min(1.0, t / 0.8)) * amp
    g = float(np.sin(2 * np.pi * 0.8 * t)) * s
    pose: Pose = {
        "hip_l": (0.0, -1.5 * s, 0.1 * s),
        "hip_r": (0.0, -1.5 * s, -0.1 * s),
        "knee_l": (0.0, 1.5 * s, 0.0),
        "knee_r": (0.0, 1.5 * s, 0.0),
        "spine": (0.0, -0.1 * s, 0.0),
        "shoulder_r": (0.0, -0.6 * s - 0.4 * g, -0.2),
        "elbow_r": (0.0, -1.0 * s, 0.0),
        "head": (0.3 * g, 0.15 * s, 0.0),
    }
    _rest_arms(pose, 0.25)
    drop = 0.4 * s
    return Motion(pose, np.array([0.0, -drop, -0.3 * s]), 0.0)


#: Action name -> function ``(t seconds, amplitude) -> Motion``.
ACTIONS: dict[str, Callable[[float, float], Motion]] = {
    "walk": walk,
    "run": run,
    "wave": wave,
    "turn": turn_around,
    "jump": jump,
    "bend": bend,
    "sit": sit,
}
