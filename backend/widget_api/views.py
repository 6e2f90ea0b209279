"""HTTP endpoints the widget calls before (or instead of) its socket."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from agents.availability import for_widgets
from bus import metrics
from papo.net import ratelimit_ip
from sites.lookup import site_by_key


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


@require_GET
@ratelimit(key="ip", rate=lambda group, request: settings.PAPO["HTTP_RATE"], block=True)
def widget_config(request: HttpRequest, site_key: str) -> JsonResponse:
    site = site_by_key(site_key)
    if site is None:
        return JsonResponse({"error": "not_found", "message": "unknown site key"}, status=404)
    now = for_widgets(site)
    response = JsonResponse(site.widget_config(now.agents_online, now.opens_at))
    response["Cache-Control"] = "no-store"
    return response
