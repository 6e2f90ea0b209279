"""Who may open a socket: the origin rules and address limits, checked before accept.

Channels' ``AllowedHostsOriginValidator`` checks *our* hosts; the widget route
needs the customer's, per site, so it is checked here against the site the
URL names. The console must come from the backend's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from agents.models import Membership
from bus import metrics
from papo.net import proxy_header
from sites import seen
from sites.lookup import site_by_key
from sites.models import Site
from sites.origins import normalize_origin, origin_allowed

from . import limits


@dataclass
class Verdict:
    """``site``/``user`` when accepted; ``retry_after`` when over a limit; else refused."""

    accepted: bool
    retry_after: float | None = None
    site: Site | None = None


REFUSED = Verdict(False)


def check_widget(site_key: str, origin: str | None, ip: str) -> Verdict:
    """The site and its origins first (from this process's site cache), then the
    address's handshake rate and open connections, counted in one round trip.
    A refused handshake is counted too, so a flood of made-up keys or origins
    still meets the rate limit."""
    site = site_by_key(site_key)
    if site is None:
        limits.allow_handshake(ip)
        metrics.refuse("refused.site", "unknown site key %r from %s (origin %r)",
                       site_key[:80], ip, origin)
        return REFUSED
    allowed = origin_allowed(origin, site.origin_list)
    seen.record(site, origin, allowed)  # at most once a minute per origin
    if not allowed:
        limits.allow_handshake(ip)
        metrics.refuse("refused.origin", "origin %r not allowed for site %s, from %s",
                       origin, site.pk, ip)
        return REFUSED
    refused = limits.admit_connection(ip)
    if refused is not None:
        which, retry = refused
        if which == "handshake_rate":
            metrics.refuse("refused.handshake_rate", "widget handshake flood from %s", ip)
        else:
            metrics.refuse("refused.connections", "too many connections from %s", ip)
        return Verdict(False, retry_after=retry)
    return Verdict(True, site=site)


def scope_is_secure(scope: dict) -> bool:
    """Did the socket come in over TLS? Django's ``request.is_secure()`` rule:
    ``wss``, or the ``SECURE_PROXY_SSL_HEADER`` a TLS-terminating proxy sets,
    believed only from a trusted proxy (``papo.net.proxy_header``)."""
    ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if ssl_header:
        name, secure_value = ssl_header  # e.g. ("HTTP_X_FORWARDED_PROTO", "https")
        value = proxy_header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") == "wss"


def console_origin_ok(origin: str | None, host: str | None, secure: bool = False) -> bool:
    """The console socket must come from a page of this backend: scheme and host.

    The scheme counts (as in Django's CSRF check): over TLS, a page served on
    plain ``http://`` of the same host name, which anyone on the network path
    can forge, must not open an agent's socket with the agent's cookie.
    """
    if not origin or not host:
        return False
    try:
        canonical = normalize_origin(origin)
    except ValueError:
        return False
    trusted = {normalize_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    if canonical in trusted:
        return True
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if secure else "http"
    return canonical == f"{scheme}://{_default_port_folded(host, scheme)}"


def _default_port_folded(host: str, scheme: str) -> str:
    default = {"http": ":80", "https": ":443"}[scheme]
    host = host.lower()
    return host[: -len(default)] if host.endswith(default) else host


def check_console(user, origin: str | None, host: str | None, ip: str,
                  secure: bool = False) -> Verdict:
    retry = limits.allow_handshake(ip)
    if retry is not None:
        metrics.refuse("refused.handshake_rate", "console handshake flood from %s", ip)
        return Verdict(False, retry_after=retry)
    if not console_origin_ok(origin, host, secure):
        metrics.refuse("refused.origin", "console origin %r (host %r) from %s", origin, host, ip)
        return REFUSED
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        metrics.refuse("refused.auth", "console without a session from %s", ip)
        return REFUSED
    if not Membership.objects.filter(user=user).exists():
        metrics.refuse("refused.auth", "user %s is not a member of any site", user.pk)
        return REFUSED
    return Verdict(True)
