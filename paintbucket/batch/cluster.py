"""Ray, the distributed engine the batch runs on: an embedded local instance by default,
an existing cluster when given its address; and an ordered parallel map over it.

Ray is an extra (``pip install "paintbucket[cluster]"``), imported only here, only
when a batch starts.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType

from paintbucket.errors import InputError
from paintbucket.models.runtime import limit_threads

#: Times Ray runs a task again after its worker process died (killed, out of memory).
MAX_RETRIES = 3
#: Object store of an embedded instance: tasks exchange only file names and small
#: records, so Ray need not reserve its default 30% of the memory.
LOCAL_OBJECT_STORE_BYTES = 128 * 2**20
#: Seconds to wait for a cluster's address to answer before giving up.
CONNECT_TIMEOUT_S = 5.0
#: Share of a GPU one task asks for with ``device="cuda"``: the networks are small, so
#: four tasks share a GPU. Ray hides GPUs from tasks that ask for none.
GPU_SHARE = 0.25


def import_ray(command: str = "pbc batch") -> ModuleType:
    """The ``ray`` module, or a one-line :class:`~paintbucket.errors.InputError` saying
    how to install it."""
    try:
        import ray  # lazy: an optional extra, and 0.5 s to import
    except ImportError:
        raise InputError(None, f'{command} needs Ray: pip install "paintbucket[cluster]"') from None
    return ray


def cluster_address(address: str | None) -> str | None:
    """``address``, else ``RAY_ADDRESS`` from the environment, else None (local)."""
    return address or os.environ.get("RAY_ADDRESS") or None


@contextmanager
def ray_session(
    workers: int | None = None, address: str | None = None, command: str = "pbc batch"
) -> Iterator[ModuleType]:
    """Ray, started for the duration of the ``with`` block.

    Parameters
    ----------
    workers : int, optional
        Local instance: the CPUs it offers, one task on each (default: every core).
    address : str, optional
        Join the Ray cluster at this address (``host:port`` or ``auto``; default
        ``RAY_ADDRESS``) instead of starting a local instance. Every node must have this
        package installed and see the input and output folders at the same paths.
    command : str
        Named in the error when Ray is not installed.

    Yields
    ------
    ray : module
        Initialised; shut down (the local instance stopped) on leaving. When Ray is
        already initialised in this process (a test, a notebook) it is used as it is
        and left running.

    Raises
    ------
    InputError
        When Ray is missing or the cluster cannot be reached.
    """
    ray = import_ray(command)
    if ray.is_initialized():
        yield ray
        return
    origin = "--address" if address else "RAY_ADDRESS"
    address = cluster_address(address)
    where = f"{origin} {address}" if address else "local Ray"
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address:
        check_reachable(address, where)
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            # "local": a new instance even where another one runs (Ray would join it)
            ray.init("local", num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                     object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet)  # fmt: skip
    except (ConnectionError, RuntimeError, ValueError) as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise InputError(None, f"{where}: cannot start Ray ({first_line})") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def check_reachable(
    address: str, where: str | None = None, timeout_s: float = CONNECT_TIMEOUT_S
) -> None:
    """Refuse a ``host:port`` address where nothing answers within ``timeout_s`` (Ray
    itself would retry for minutes); other forms (``auto``, ``ray://...``) are left to
    Ray.

    Raises
    ------
    InputError
        One line starting with ``where`` (the option or variable that gave the
        address; default ``--address ADDRESS``).
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        where = where or f"--address {address}"
        raise InputError(None, f"{where}: no Ray cluster answers ({reason})") from None


def call_single_threaded(function: Callable, *args: object) -> object:
    """``function(*args)`` after :func:`~paintbucket.models.runtime.limit_threads` (1): a
    task's body, so that the workers of one machine do not each start a thread per
    core."""
    limit_threads(1)
    return function(*args)


def ray_map(
    function: Callable,
    items: Iterable,
    workers: int | None = None,
    address: str | None = None,
    command: str = "pbc batch",
) -> Iterator:
    """``function(item)`` for every item, each a Ray task (single-threaded, retried when
    its worker dies), the results yielded in the order of ``items``.

    ``function`` and the items are pickled to the workers: a module-level function or a
    :func:`functools.partial` of one. Ray runs while the iterator is consumed; see
    :func:`ray_session` for ``workers``, ``address`` and ``command``.
    """
    with ray_session(workers, address, command) as ray:
        task = ray.remote(max_retries=MAX_RETRIES)(call_single_threaded)
        pending = [task.remote(function, item) for item in items]
        for ref in pending:
            yield ray.get(ref)
