"""Consecutive-frame colorizers by name.

Every engine is a callable ``engine(reference, target) -> SegmentColoring`` (the
:data:`~paintbucket.core.frames.Engine` type); the clip pipeline only knows this
interface, so the learned matcher and the flow baseline plug in side by side.
"""

from __future__ import annotations

from paintbucket.choices import ENGINE_NAMES
from paintbucket.consecutive.flow import FlowEngine
from paintbucket.consecutive.learned import LearnedEngine
from paintbucket.core.frames import Engine

#: Engine classes by name (:data:`~paintbucket.choices.ENGINE_NAMES`); the first is the
#: default of :func:`make_engine` and the CLI.
ENGINES: dict[str, type] = dict(zip(ENGINE_NAMES, (LearnedEngine, FlowEngine), strict=True))
DEFAULT_ENGINE = ENGINE_NAMES[0]


def make_engine(name: str = DEFAULT_ENGINE, **options: object) -> Engine:
    """Build an engine by name: ``inclusion`` (the learned matcher, shipped weights) or
    ``flow`` (optical-flow warping baseline). ``options`` go to its constructor.

    >>> make_engine("flow").name
    'flow'
    """
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; use one of {ENGINE_NAMES}")
    return ENGINES[name](**options)
