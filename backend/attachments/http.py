"""What the two upload endpoints share (``widget_api`` for visitors, ``console`` for
agents): the request's announced size and headers, at most ``PAPO_UPLOADS_AT_ONCE``
uploads worked on at once per process, the work itself in a worker thread (never
on the event loop, never in Django's one thread for sync views: decoding an image
or scanning a file takes a while), and refusals as JSON with a status of their own.

An upload is the raw file as the request body (not a form): ``Content-Length``
required, ``X-Papo-Name`` its name (percent-encoded UTF-8), ``X-Papo-Upload-Id``
optional, the client's own id for it, so a retry after a lost answer is answered
with the stored upload (``"duplicate": true``) instead of a second copy. The
browser's ``Content-Type`` is not read.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from urllib.parse import unquote

from channels.db import database_sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse

from papo.errors import PapoError

from .actions import Uploader, check_client_id, do_upload

STATUS = {
    "invalid": 400, "file_empty": 400, "token_invalid": 401, "token_expired": 401,
    "session_ended": 401, "forbidden": 403, "uploads_disabled": 403, "not_found": 404,
    "upload_in_progress": 409, "length_required": 411, "file_too_large": 413,
    "type_not_allowed": 415, "image_too_large": 422, "image_invalid": 422,
    "file_infected": 422, "rate_limited": 429, "upload_rate_limited": 429,
    "scan_unavailable": 503,
}

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary())


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(max(1, settings.PAPO["UPLOADS_AT_ONCE"]))
    return gate


def refusal(exc: PapoError) -> JsonResponse:
    body: dict = {"error": exc.code, "message": exc.message}
    response = JsonResponse(body, status=STATUS.get(exc.code, 400))
    if exc.retry_after is not None:
        body["retry_after"] = round(exc.retry_after, 2)
        response = JsonResponse(body, status=response.status_code)
        response["Retry-After"] = str(max(1, round(exc.retry_after)))
    response["Cache-Control"] = "no-store"
    return response


def announced_length(request: HttpRequest) -> int:
    value = request.META.get("CONTENT_LENGTH") or ""
    if not value.isdigit():
        raise PapoError("length_required", "send the file as the body, with its Content-Length")
    return int(value)


async def take_in(request: HttpRequest,
                  who: Callable[[HttpRequest, int, str | None], Uploader]) -> JsonResponse:
    """Run one upload: ``who(request, length, client_id)`` authorises it (in the worker
    thread, so it may use the database) and names the uploader."""
    try:
        length = announced_length(request)
        client_id = check_client_id(request.headers.get("X-Papo-Upload-Id"))
        name = unquote(request.headers.get("X-Papo-Name") or "", errors="replace")
        async with _gate():
            row, duplicate = await database_sync_to_async(_run, thread_sensitive=False)(
                request, who, length, name, client_id)
    except PapoError as exc:
        return refusal(exc)
    response = JsonResponse(row.as_upload(duplicate), status=200 if duplicate else 201)
    response["Cache-Control"] = "no-store"
    return response


def _run(request: HttpRequest, who, length: int, name: str, client_id: str | None):
    uploader = who(request, length, client_id)
    return do_upload(uploader, request, length, name, client_id)
