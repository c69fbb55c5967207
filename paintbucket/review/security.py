"""Request guards of the review app: who may read and edit a running review.

The app rewrites result files, so a page on another site (or one reached through DNS
rebinding) must not be able to drive it. Every request passes these checks, in order:

1. ``Host`` must name the bound host or a loopback name (``127.0.0.1``, ``localhost``,
   ``::1``), any port; a review bound to a wildcard address with remote access allowed
   accepts any name and relies on the token. Otherwise 403.
2. ``/api/`` requests must be same-origin: an ``Origin`` header must equal
   ``http://<Host>``, and ``Sec-Fetch-Site`` (sent by browsers) must be ``same-origin`` or
   ``none``. Otherwise 403.
3. ``/api/`` requests must carry the session token: header ``X-PBC-Token`` (the only way
   for POST), or query parameter ``token`` for GET (``<img>`` URLs cannot set headers).
   With remote access allowed, the page ``/`` itself needs ``?token=``. Otherwise 403.
4. A POST must say ``Content-Type: application/json`` (an empty body counts as ``{}``).
   Otherwise 415.

Every response carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: no-referrer``, ``Cross-Origin-Resource-Policy: same-origin`` and a
Content-Security-Policy allowing only the app's own scripts, styles, images and API.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Collection
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

#: Names that always reach this machine's loopback interface.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
#: Bind addresses meaning "every interface".
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
#: Request header carrying the session token.
TOKEN_HEADER = "X-PBC-Token"
#: Query parameter carrying the session token (GET requests and the page URL).
TOKEN_PARAM = "token"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}
#: Browsers' Sec-Fetch-Site values that mean "this page itself" or "typed by the user".
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})


def new_token() -> str:
    """A fresh random session token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IPv4/IPv6 address) only reaches this machine."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_host_names(host: str, allow_remote: bool) -> frozenset[str] | None:
    """Host names the app accepts in ``Host`` when bound to ``host``.

    Parameters
    ----------
    host : str
        The address or name the server binds.
    allow_remote : bool
        Whether other machines may connect (``pbc review --allow-remote``).

    Returns
    -------
    names : frozenset of str or None
        Lower-case names without brackets or port; ``None`` for any name (a wildcard
        bind with remote access allowed, where the token is the guard).

    Raises
    ------
    ValueError
        ``host`` is not a loopback address and ``allow_remote`` is false.
    """
    if not is_loopback(host) and not allow_remote:
        raise ValueError(f"{host} is not a loopback address; remote access was not allowed")
    if allow_remote and host in WILDCARD_HOSTS:
        return None
    return LOOPBACK_NAMES | {host.strip("[]").lower()}


def _refuse(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def _host_name(header: str) -> str | None:
    """The lower-case host name of a ``Host`` header, or None when it is malformed."""
    try:
        parts = urlsplit(f"//{header}")
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return None
    if parts.netloc != header or "@" in header:  # a path, query or user part: not a Host
        return None
    return parts.hostname


def _token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(
        given.encode("utf-8", "replace"), token.encode("utf-8")
    )


def install_guards(
    app: Flask, token: str, hosts: Collection[str] | None, page_needs_token: bool
) -> None:
    """Register the checks of this module on ``app`` (see the module docstring).

    Parameters
    ----------
    app : Flask
        The review app.
    token : str
        The session token requests must carry.
    hosts : collection of str or None
        Lower-case host names accepted in ``Host`` (see :func:`allowed_host_names`);
        ``None`` accepts any.
    page_needs_token : bool
        Whether ``GET /`` needs ``?token=`` too (remote access allowed).
    """

    @app.before_request
    def guard():
        host = _host_name(request.headers.get("Host", ""))
        if host is None or (hosts is not None and host not in hosts):
            return _refuse(403, "Host header names neither this review's host nor loopback")
        path = request.path
        if path == "/" and page_needs_token:
            if not _token_matches(request.args.get(TOKEN_PARAM), token):
                return _refuse(403, "open the URL with ?token= that pbc review printed")
            return None
        if not path.startswith("/api/"):
            return None
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.headers['Host']}":
            return _refuse(403, "cross-origin request refused")
        if request.headers.get("Sec-Fetch-Site", "none") not in SAME_ORIGIN_FETCH_SITES:
            return _refuse(403, "cross-site request refused")
        given = request.headers.get(TOKEN_HEADER)
        if given is None and request.method in ("GET", "HEAD"):
            given = request.args.get(TOKEN_PARAM)
        if not _token_matches(given, token):
            return _refuse(403, f"missing or wrong {TOKEN_HEADER} session token")
        if request.method not in ("GET", "HEAD", "OPTIONS") and (
            request.mimetype != "application/json"
        ):
            return _refuse(415, "request body must be Content-Type: application/json")
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response
