"""Consecutive-frame colorization: color a target frame from a colored reference frame."""

from paintbucket.consecutive.engines import DEFAULT_ENGINE, ENGINE_NAMES, make_engine
from paintbucket.consecutive.flow import FlowEngine
from paintbucket.consecutive.learned import LearnedEngine

__all__ = ["DEFAULT_ENGINE", "ENGINE_NAMES", "FlowEngine", "LearnedEngine", "make_engine"]
