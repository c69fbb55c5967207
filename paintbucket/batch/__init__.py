"""Many cuts at once: an episode colored on Ray (a local instance or a cluster), finished
cuts remembered in a manifest, and Ray's ordered parallel map for data generation."""

from paintbucket.batch.cluster import import_ray, ray_map, ray_session
from paintbucket.batch.cuts import Cut, find_cuts
from paintbucket.batch.manifest import Manifest
from paintbucket.batch.run import run_batch

__all__ = ["Cut", "Manifest", "find_cuts", "import_ray", "ray_map", "ray_session", "run_batch"]
