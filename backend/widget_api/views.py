"""HTTP endpoints the widget calls before (or instead of) its socket."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from agents.availability import for_widgets
from attachments import actions as attachment_actions
from attachments import http as attachment_http
from attachments import limits as attachment_limits
from bus import metrics
from mail import links
from papo.errors import PapoError
from papo.net import ratelimit_ip
from sites import seen
from sites.lookup import site_by_key
from sites.origins import origin_allowed
from visitors.models import Visitor
from visitors.tokens import TokenError, read_token


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """django-ratelimit's RATELIMIT_VIEW: a 429 that says what happened (JSON for
    the widget's API, plain text for a person at a login form), counted."""
    message = "Too many requests; try again in a minute."
    metrics.refuse("limited.http", "%s %s from %s", request.method, request.path[:100],
                   ratelimit_ip(request))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": "rate_limited", "message": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response


def refused(origin: str | None, code: str, message: str, status: int) -> JsonResponse:
    """The widget's answer when this page may not have the chat: readable by that
    page (CORS for this one response, so the widget can say why and hide its
    launcher) and holding nothing about the site, which stays the site's own."""
    body = {"error": code, "message": message}
    if origin:
        body["origin"] = seen.shown(origin)
    response = JsonResponse(body, status=status)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@ratelimit(key="ip", rate=lambda group, request: settings.PAPO["HTTP_RATE"], block=True)
def widget_config(request: HttpRequest, site_key: str) -> JsonResponse:
    """The site's public widget settings, for a page of one of its origins.

    A page of another origin gets ``origin_not_allowed`` (403), and an unknown
    key ``unknown_site`` (404): the WebSocket refuses both with a bare HTTP 403
    the page cannot read, so this is where the widget learns why. Each is
    counted like the socket's refusal. A request with no ``Origin`` (not a
    browser's cross-origin one) gets the settings, as any client could."""
    origin = request.headers.get("Origin")
    site = site_by_key(site_key)
    if site is None:
        metrics.refuse("refused.site", "config for unknown site key %r (origin %r)",
                       site_key[:80], origin)
        return refused(origin, "unknown_site", "no site has this key", 404)
    allowed = origin_allowed(origin, site.origin_list)
    seen.record(site, origin, allowed)
    if origin and not allowed:
        metrics.refuse("refused.origin", "config: origin %r not allowed for site %s",
                       origin, site.pk)
        return refused(origin, "origin_not_allowed",
                       "this page's origin is not one of the site's allowed origins", 403)
    now = for_widgets(site)
    response = JsonResponse(site.widget_config(now.agents_online, now.opens_at))
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # cross-origin, no cookies: the link itself is the credential
@require_POST
@ratelimit(key="ip", rate=lambda group, request: settings.PAPO["HTTP_RATE"], block=True)
def continue_chat(request: HttpRequest, site_key: str) -> JsonResponse:
    """A "continue the chat" link from a mail, opened on one of the site's pages:
    the visitor's widget token for this browser (mail.links.redeem: once, before it
    expires, on its own site). The page's Origin must be one the site allows, as
    for its socket; CORS only lets a browser read the answer."""
    site = site_by_key(site_key)
    if site is None or not origin_allowed(request.headers.get("Origin"), site.origin_list):
        metrics.refuse("refused.origin", "continue link for site key %r from origin %r",
                       site_key[:80], request.headers.get("Origin"))
        return JsonResponse({"error": "forbidden", "message": "not from this site's pages"},
                            status=403)
    try:
        link = json.loads(request.body or b"{}").get("link")
    except (ValueError, AttributeError):
        link = None
    try:
        continued = links.redeem(site, link)
    except PapoError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message},
                            status=404 if exc.code == "link_invalid" else 410)
    return JsonResponse({"token": continued.token, "conversation": continued.conversation})


@csrf_exempt  # cross-origin, no cookies: the visitor's token is the credential
@require_POST
async def upload(request: HttpRequest, site_key: str) -> HttpResponse:
    """A visitor's file (attachments.http: the raw file as the body, its name in
    ``X-Papo-Name``). The page's Origin must be one the site allows (CORS lets only
    those read the answer), and ``Authorization: Bearer <token>`` the visitor's
    widget token for this site: never a cookie."""
    return await attachment_http.take_in(request, lambda r, length, client_id: _visitor(
        r, site_key, length, client_id))


def _visitor(request: HttpRequest, site_key: str, length: int,
             client_id: str | None) -> attachment_actions.Uploader:
    site = site_by_key(site_key)
    if site is None:
        raise PapoError("not_found", "unknown site key")
    if not origin_allowed(request.headers.get("Origin"), site.origin_list):
        metrics.refuse("refused.origin", "upload for site key %r from origin %r",
                       site_key[:80], request.headers.get("Origin"))
        raise PapoError("forbidden", "not from this site's pages")
    if is_ratelimited(request=request, group="widget-upload", key="ip",
                      rate=settings.PAPO["HTTP_RATE"], increment=True):
        metrics.refuse("limited.http", "uploads from %s", ratelimit_ip(request))
        raise PapoError("rate_limited", "too many requests; try again in a minute",
                        retry_after=60)
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise PapoError("token_invalid", "send the visitor token as Authorization: Bearer")
    try:
        public_id = read_token(token.strip(), site.pk)
    except TokenError as exc:
        metrics.refuse("refused.token", "upload: %s from %s", exc.code, ratelimit_ip(request))
        raise PapoError(exc.code, exc.message) from exc
    visitor = (Visitor.objects.filter(public_id=public_id, site=site).first()
               or Visitor(site=site, public_id=public_id))
    who = attachment_actions.Uploader(site=site, visitor=visitor)
    if visitor.pk is not None and attachment_actions.existing_upload(who, client_id):
        return who  # a retry of a stored upload: answered without counting it again
    attachment_actions.check_announced(site, length)
    wait = attachment_limits.take_upload(public_id, length)
    if wait is not None:
        metrics.refuse("limited.uploads", "visitor %s over the hourly upload allowance",
                       public_id)
        raise PapoError("upload_rate_limited", "too many files from you this hour",
                        retry_after=wait)
    visitor.persist()  # an upload is the visitor's first write, as a message would be
    return who
