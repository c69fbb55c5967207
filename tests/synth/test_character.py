"""Procedural characters: the part builder table, its contributions and determinism."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from paintbucket.synth import character as character_module
from paintbucket.synth.character import (
    BODY_SHAPES,
    CLOTH_PROBABILITY,
    PARTS,
    TRAIT_PROBABILITY,
    Character,
    Part,
    build_character,
)
from paintbucket.synth.dataset import render_frame, shot_camera
from paintbucket.synth.skeleton import t_pose

SEEDS = range(120)


class Added(NamedTuple):
    """What one part builder added to the builder and context in one run."""

    materials: int
    primitives: int
    traits: int


def _record_parts(monkeypatch) -> list[dict[str, Added]]:
    """Make build_character log, per call, what each part that ran added (by name)."""
    calls: list[dict[str, Added]] = []

    def recording(part: Part) -> Part:
        def build(b, rng, ctx) -> None:
            if part is PARTS[0]:
                calls.append({})
            before = Added(len(b.materials), len(b.primitives), len(ctx.traits))
            part.build(b, rng, ctx)
            after = Added(len(b.materials), len(b.primitives), len(ctx.traits))
            calls[-1][part.name] = Added(*(a - b for a, b in zip(after, before)))

        return Part(part.name, build, part.trait, part.varied_only)

    monkeypatch.setattr(character_module, "PARTS", tuple(recording(p) for p in PARTS))
    return calls


def test_part_table_names_unique_and_documented():
    names = [part.name for part in PARTS]
    assert len(names) == len(set(names))
    assert len(PARTS) >= 15
    traits = {name for name, _ in TRAIT_PROBABILITY + CLOTH_PROBABILITY}
    for part in PARTS:
        assert part.build.__doc__ and part.build.__doc__.strip(), part.name
        assert part.trait is None or part.trait in traits, part.name


@pytest.mark.parametrize("body_shapes", BODY_SHAPES)
def test_every_part_adds_something_whenever_it_runs(monkeypatch, body_shapes):
    calls = _record_parts(monkeypatch)
    characters = [build_character(seed, body_shapes) for seed in SEEDS]
    assert len(calls) == len(characters)
    varied = body_shapes == "varied"
    for part in PARTS:
        runs = [call[part.name] for call in calls if part.name in call]
        # a part runs exactly when its trait is set (all runs for parts without one)
        expected = sum(
            (varied or not part.varied_only) and (part.trait is None or bool(c.traits[part.trait]))
            for c in characters
        )
        assert len(runs) == expected, part.name
        assert expected > 0 or (part.varied_only and not varied), part.name
        assert all(sum(added) > 0 for added in runs), part.name


@pytest.mark.parametrize("body_shapes", BODY_SHAPES)
def test_material_parts_come_before_primitive_parts(monkeypatch, body_shapes):
    calls = _record_parts(monkeypatch)
    for seed in range(5):
        build_character(seed, body_shapes)
    for call in calls:
        adds = list(call.values())
        first = next(i for i, added in enumerate(adds) if added.primitives)
        assert not any(added.primitives for added in adds[:first])
        assert not any(added.materials or added.traits for added in adds[first:])


def test_pieces_and_materials_consistent():
    for seed in SEEDS:
        character = build_character(seed)
        pieces = {p.piece for p in character.primitives}
        assert pieces == set(range(len(character.piece_material)))
        for primitive in character.primitives:
            assert primitive.material == character.piece_material[primitive.piece]
            assert primitive.center.shape == (3,) and primitive.axes.shape == (3, 3)
        assert max(character.piece_material) < len(character.materials)
        descriptions = [m.description for m in character.materials]
        assert len(descriptions) == len(set(descriptions))


def _arrays(character: Character) -> list[np.ndarray]:
    return [a for p in character.primitives for a in (p.center, p.axes)]


def test_same_seed_same_character_different_seeds_differ():
    a, b, c = build_character(11), build_character(11), build_character(12)
    assert a.materials == b.materials and a.traits == b.traits
    assert a.piece_material == b.piece_material
    assert [p.bone for p in a.primitives] == [p.bone for p in b.primitives]
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.materials != c.materials
    assert len(a.primitives) != len(c.primitives) or any(
        not np.array_equal(x, y) for x, y in zip(_arrays(a), _arrays(c))
    )


def test_rendered_frames_deterministic():
    light = np.array([-0.4, -0.6, 0.7])

    def render(seed: int):
        character = build_character(seed)
        camera = shot_camera(character, "long", 0.3)
        return render_frame(character, t_pose(), camera, 64, light)

    first, second, other = render(5), render(5), render(6)
    for name in ("gt", "line", "line_anno", "shadow", "label", "seg"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.colors == second.colors and first.entries == second.entries
    assert not np.array_equal(first.gt, other.gt)


def test_shot_camera_frames_the_head():
    character = build_character(4)
    light = np.array([0.0, 0.0, 1.0])
    views = {kind: shot_camera(character, kind, 0.0).view for kind in ("long", "face", "closeup")}
    assert views["closeup"] < views["face"] < views["long"]
    closeup = render_frame(character, t_pose(), shot_camera(character, "closeup", 0.0), 64, light)
    # the close-up is centered on the head: the middle pixels are face skin, not background
    skin = 1 + next(i for i, m in enumerate(character.materials) if m.category == "skin")
    middle = closeup.label[28:36, 28:36]
    assert (middle >= 0).all() and (middle == skin).any()
    with pytest.raises(ValueError, match="unknown camera"):
        shot_camera(character, "wide", 0.0)
