"""Values computed from long-lived objects, held while those objects live."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any


class IdentityCache:
    """What was computed from some objects (a reference frame, a sheet view and its
    sheet), told apart by identity, held while every one of them lives.

    Frames and sheets are mutable dataclasses of arrays: they cannot be hashed, and equal
    content in another object is not worth comparing. An entry is found again only for
    the very same objects (weak references, so the cache keeps none of them alive) and an
    equal ``key`` (what else the value depends on); entries of objects that are gone are
    dropped at the next computation, and beyond ``size`` the least recently used go.
    The colorizers' passes may share one cache from two threads: a race at worst computes
    a value twice.

    Parameters
    ----------
    size : int
        Most entries held.

    Examples
    --------
    >>> class View: pass
    >>> cache, view = IdentityCache(2), View()
    >>> cache.get((view,), "a", lambda: 1), cache.get((view,), "a", lambda: 2)
    (1, 1)
    >>> cache.get((view,), "b", lambda: 3), view in cache, len(cache)
    (3, True, 1)
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[tuple[int, ...], tuple[tuple[weakref.ref, ...], Hashable, Any]] = {}

    def get(self, owners: tuple[object, ...], key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value held for ``owners`` (the same objects) and ``key``, else
        ``compute()``, which is held from now on."""
        ids = tuple(id(owner) for owner in owners)
        held = self._entries.pop(ids, None)
        if (
            held is not None
            and all(ref() is owner for ref, owner in zip(held[0], owners))
            and held[1] == key
        ):
            self._entries[ids] = held  # now the most recently used
            return held[2]
        value = compute()
        for entry_ids, (refs, _, _) in list(self._entries.items()):
            if any(ref() is None for ref in refs):
                self._entries.pop(entry_ids, None)
        self._entries[ids] = (tuple(weakref.ref(owner) for owner in owners), key, value)
        while len(self._entries) > self.size:
            self._entries.pop(next(iter(self._entries)), None)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, owner: object) -> bool:
        """Whether some entry was computed from ``owner`` (first of its owners)."""
        return any(refs[0]() is owner for refs, _, _ in list(self._entries.values()))
