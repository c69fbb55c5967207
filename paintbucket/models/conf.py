"""The one configuration style of models and training runs.

A configuration is a plain dict of defaults with a comment on every key (a model's
``default_conf``, a trainer's ``DEFAULT_CONF``); a section is a key whose default is
itself such a dict (a training run's ``model`` and ``pairs``). Overrides come from YAML
files, checkpoints and weights metadata, and :func:`merge_conf` is the only way they are
applied, so a misspelled key fails at any depth, naming where it came from.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from os import PathLike

from paintbucket.errors import InputError


def merge_conf(
    default: Mapping, override: Mapping | None, source: str | PathLike[str] | None
) -> dict:
    """A new configuration: ``override`` merged over a deep copy of ``default``.

    Parameters
    ----------
    default : mapping
        Every allowed key with its default; a value that is a mapping is a section,
        merged the same way (its keys are checked too). Never modified.
    override : mapping or None
        Keys to change; None (as YAML reads an empty section) changes nothing.
    source : str, path or None
        Where ``override`` comes from (a config file, a checkpoint, a model class name),
        named at the start of every error.

    Returns
    -------
    conf : dict
        Every key of ``default``, values from ``override`` where given; shares no
        mutable value with either argument.

    Raises
    ------
    InputError
        Naming ``source``: a key not in ``default`` (``"pairs: unknown configuration key
        'crpo'"`` in a section), or a section or the whole override not a mapping.
    """

    def merge(default: Mapping, override: object, section: str) -> dict:
        where = f"{section}: " if section else ""
        if override is None:
            override = {}
        if not isinstance(override, Mapping):
            raise InputError(source, f"{where}expected a mapping of configuration keys")
        merged = copy.deepcopy(dict(default))
        for key, value in override.items():
            if key not in default:
                raise InputError(source, f"{where}unknown configuration key {key!r}")
            if isinstance(default[key], Mapping):
                merged[key] = merge(default[key], value, f"{section}.{key}" if section else key)
            else:
                merged[key] = copy.deepcopy(value)
        return merged

    return merge(default, override, "")
