"""JSON side files of PaintBucket-Character.

* ``seg/NNNN.json`` and ``json_color/NNNN.json``: segment id (string) -> ``[R, G, B, A]``.
* ``json_index/NNNN.json``: segment id (string) -> ``[pixel count, label index]``.
"""

from __future__ import annotations

import json

from paintbucket.errors import InputError
from paintbucket.io.images import PathLike, write_text


def _load_json_object(path: PathLike) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"invalid JSON ({error})") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object mapping segment id to values")
    return data


def _int_key(path: PathLike, key: str) -> int:
    try:
        return int(key)
    except ValueError:
        raise InputError(path, f"segment id {key!r} is not an integer") from None


def read_color_json(path: PathLike) -> dict[int, tuple[int, int, int, int]]:
    """Read a segment-color JSON: ``{segment id: (R, G, B, A)}``."""
    colors = {}
    for key, value in _load_json_object(path).items():
        if (
            not isinstance(value, list)
            or len(value) != 4
            or not all(isinstance(v, int) and 0 <= v <= 255 for v in value)
        ):
            raise InputError(path, f"segment {key}: expected [R, G, B, A] in 0..255, got {value}")
        colors[_int_key(path, key)] = tuple(value)
    return colors


def write_color_json(path: PathLike, colors: dict[int, tuple[int, ...]]) -> None:
    """Write ``{segment id: (R, G, B, A)}`` as JSON, ids in ascending order, atomically."""
    data = {str(k): [int(c) for c in colors[k]] for k in sorted(colors)}
    write_text(path, json.dumps(data))


def read_index_json(path: PathLike) -> dict[int, tuple[int, int]]:
    """Read a ``json_index`` file: ``{segment id: (pixel count, label index)}``."""
    entries = {}
    for key, value in _load_json_object(path).items():
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) for v in value)
        ):
            raise InputError(path, f"segment {key}: expected [pixel count, label], got {value}")
        entries[_int_key(path, key)] = (value[0], value[1])
    return entries


def write_index_json(path: PathLike, entries: dict[int, tuple[int, int]]) -> None:
    """Write ``{segment id: (pixel count, label index)}`` as JSON, atomically."""
    data = {str(k): [int(v) for v in entries[k]] for k in sorted(entries)}
    write_text(path, json.dumps(data))
