"""The Reports page of a site, its figures as JSON, and the same as CSV.

Who: the site's owners and admins (``access.member(manage=True)``). An agent is
refused: the page compares colleagues (each one's speed, misses and ratings) and
shows the team's misses, which is their managers' business; an agent's own
average rating is in their console already (``conversations.ratings.agent_ratings``).
Another site's reports, or a site the user is no member of, look missing (404).

The page is a shell (``reports.html``): its script (``console/reports.js``, a bundle
of its own, so the inbox never loads the chart library) asks ``data`` for the
figures of the range in its address (``?from=2025-03-01&to=2025-03-31``).

``data`` and ``csv`` do all their database work (the session and the user too) on
the database thread pool (``bus.db.in_db``), each thread with its one persistent
connection. A plain sync view runs in a thread of its own per request under ASGI,
and with ``CONN_MAX_AGE`` that thread's connection outlives it: on PostgreSQL every
such request left one open (100 requests filled the server's connections in
bench/reports.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agents.models import Membership
from bus.db import in_db
from papo.errors import PapoError

from .. import access
from . import export, figures, period


def _period(request: HttpRequest, member: Membership) -> period.Period:
    return period.parse(member.site.time_zone, request.GET.get("from") or None,
                        request.GET.get("to") or None)


def _refusal(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _member(request: HttpRequest, key: str) -> Membership | JsonResponse:
    """The user's managing membership of ``key``, or the JSON refusal to send."""
    if not (request.user.is_authenticated and request.user.is_active):
        return _refusal("session_ended", "log in to the console first", 403)
    try:
        return access.member(request, key, manage=True)
    except Http404:
        return _refusal("not_found", "no such site", 404)
    except access.Refused:
        return _refusal("forbidden", "only the site's owners and admins see its reports", 403)


@login_required
@require_GET
@access.site_page(manage=True)
def page(request: HttpRequest, member: Membership) -> HttpResponse:
    try:
        shown = _period(request, member)
    except PapoError:
        shown = period.parse(member.site.time_zone, None, None)  # the script says what was wrong
    return render(request, "console/site_reports.html", {
        "site": member.site, "member": member, "tab": "reports", "period": shown,
        "max_days": period.MAX_DAYS, "presets": period.presets(member.site.time_zone)})


@require_GET
@never_cache
async def data(request: HttpRequest, key: str) -> HttpResponse:
    return await in_db(_data)(request, key)


@require_GET
@never_cache
async def csv(request: HttpRequest, key: str) -> HttpResponse:
    return await in_db(_csv)(request, key)


def _data(request: HttpRequest, key: str) -> HttpResponse:
    member = _member(request, key)
    if isinstance(member, JsonResponse):
        return member
    try:
        shown = _period(request, member)
    except PapoError as exc:
        return _refusal(exc.code, exc.message, 400)
    return JsonResponse(figures.report(member.site, shown))


def _csv(request: HttpRequest, key: str) -> HttpResponse:
    member = _member(request, key)
    if isinstance(member, JsonResponse):
        return member
    try:
        shown = _period(request, member)
    except PapoError as exc:
        return _refusal(exc.code, exc.message, 400)
    report = figures.report(member.site, shown)
    response = HttpResponse(export.render(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(report)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
