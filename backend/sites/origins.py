"""The origin rule: which web pages may open a site's widget socket.

A site lists exact origins (``scheme://host[:port]``). The WebSocket handshake,
the HTTP CORS hook and the admin form all go through these functions, so there
is one definition of "allowed".
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """Return the canonical form of an origin, or raise ValueError.

    Lower-cases scheme and host and drops a default port, so
    ``HTTPS://Shop.Example:443`` and ``https://shop.example`` are one origin.
    Paths, queries, credentials and wildcards are refused: an origin is exact.
    """
    value = (value or "").strip()
    if not value or value == "null":
        raise ValueError("empty or null origin")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("origin scheme must be http or https")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("an origin has no path, query or fragment")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError("an origin has no credentials")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:  # bad port
        raise ValueError(str(exc)) from exc
    if not host or "*" in host or any(c.isspace() for c in host):
        raise ValueError("an origin needs an exact host")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origin_list(text: str) -> list[str]:
    """Parse one origin per line (commas and spaces also separate)."""
    items = [item for item in text.replace(",", "\n").split() if item]
    origins: list[str] = []
    for item in items:
        canonical = normalize_origin(item)
        if canonical not in origins:
            origins.append(canonical)
    return origins


@lru_cache(maxsize=4096)
def allowed_set(text: str) -> frozenset[str]:
    """``parse_origin_list`` as a set, memoised: handshakes check it every time."""
    return frozenset(parse_origin_list(text))


def validate_origin_list(text: str) -> None:
    """Model-field validator: every entry must be an exact origin."""
    for item in [i for i in text.replace(",", "\n").split() if i]:
        try:
            normalize_origin(item)
        except ValueError as exc:
            raise ValidationError(f"{item!r} is not an exact origin: {exc}") from exc


def origin_allowed(origin: str | None, allowed: Collection[str]) -> bool:
    """True when ``origin`` (a request header value) is exactly one of ``allowed``."""
    if not origin:
        return False
    try:
        return normalize_origin(origin) in allowed
    except ValueError:
        return False


def origin_of_address(address: str) -> str:
    """The origin of a site's address as a person types it: ``shop.example``,
    ``https://shop.example/about``, ``HTTP://Shop.Example:8080/`` (no scheme:
    https). Raises ValueError when there is no exact origin in it."""
    address = (address or "").strip()
    if not address:
        raise ValueError("empty address")
    if "://" not in address:
        address = "https://" + address
    parts = urlsplit(address)
    if "@" in parts.netloc:
        raise ValueError("an origin has no credentials")
    return normalize_origin(f"{parts.scheme}://{parts.netloc}")
