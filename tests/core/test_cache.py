import gc

from paintbucket.core.cache import IdentityCache


class Owner:
    """A stand-in for a frame or a sheet view (weakly referenceable, unhashable)."""

    __hash__ = None


def test_a_value_is_found_again_only_for_the_same_objects_and_key():
    cache, first, twin = IdentityCache(4), Owner(), Owner()
    computed = []

    def compute(value):
        computed.append(value)
        return value

    assert cache.get((first,), "a", lambda: compute(1)) == 1
    assert cache.get((first,), "a", lambda: compute(2)) == 1
    assert cache.get((twin,), "a", lambda: compute(3)) == 3  # another object
    assert cache.get((first,), "b", lambda: compute(4)) == 4  # another key
    assert cache.get((first, twin), "b", lambda: compute(5)) == 5  # other owners
    assert computed == [1, 3, 4, 5]


def test_entries_of_objects_that_are_gone_are_dropped():
    cache, kept, gone = IdentityCache(4), Owner(), Owner()
    cache.get((gone,), None, lambda: 1)
    cache.get((kept, gone), None, lambda: 2)
    del gone
    gc.collect()
    cache.get((kept,), None, lambda: 3)
    assert len(cache) == 1 and kept in cache


def test_the_least_recently_used_entry_goes_first():
    cache = IdentityCache(2)
    owners = [Owner() for _ in range(3)]
    cache.get((owners[0],), None, lambda: 0)
    cache.get((owners[1],), None, lambda: 1)
    cache.get((owners[0],), None, lambda: -1)  # a hit: now the most recently used
    cache.get((owners[2],), None, lambda: 2)
    assert owners[0] in cache and owners[2] in cache and owners[1] not in cache
    assert len(IdentityCache(0)) == 0
