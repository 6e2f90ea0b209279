"""Downloads: ``GET /files/<signed link>``, for the widget's and the console's links alike.

One view for both readers, in this app rather than in ``widget_api`` and
``console``, because the rule is one: the link (``attachments.links``) says
which file, conversation and reader, and this view checks the row against it,
then the reader (a console link needs the session of a member of the site; a
widget link needs nothing more, and never opens a note's file). A deployment
with a files origin of its own routes only ``/files/`` there.

What is served can do nothing in a browser:

- an image is served inline, but only ever the re-encoded copy (``images``), with
  its own type;
- anything else is ``application/octet-stream`` with ``Content-Disposition:
  attachment``, whatever its bytes or name (HTML, SVG, XML, PDF, a script...);
- always ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy:
  default-src 'none'; sandbox`` (a document opened from here runs no script and
  has an origin of its own), ``Referrer-Policy: no-referrer``.

Refusals look alike: a link that is not ours, a file of another conversation, a
note's file on a widget link, a console link without a member's session are all
404 ``not_found``; only an expired link says so (410 ``link_expired``).
Files are streamed from the store in chunks, read in a worker thread.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from agents.models import Membership
from papo.errors import PapoError

from . import links, storage
from .models import Attachment

CHUNK = 64 * 1024
POLICY = "default-src 'none'; sandbox"
STATUS = {"not_found": 404, "link_expired": 410}


def _find(request: HttpRequest, link: links.Link) -> tuple[Attachment, str]:
    """The row a valid link names, if its reader may have it now; and the stored key."""
    row = (Attachment.objects.select_related("message")
           .filter(public_id=link.public_id, conversation_id=link.conversation_id,
                   ready=True, message__isnull=False).first())
    if row is None:
        raise PapoError("not_found", "no such file")
    if link.audience == "widget":
        if row.message.internal:  # a note's file never reaches a visitor, whatever link
            raise PapoError("not_found", "no such file")
    else:
        user = request.user
        if not (user.is_authenticated and user.is_active and Membership.objects.filter(
                user=user, site_id=row.site_id).exists()):
            raise PapoError("not_found", "no such file")
    key = row.thumb_key if link.variant == "thumb" else row.file_key
    if not key:
        raise PapoError("not_found", "no such file")
    return row, key


async def _chunks(file):
    read = sync_to_async(file.read, thread_sensitive=False)
    try:
        while chunk := await read(CHUNK):
            yield chunk
    finally:
        await sync_to_async(file.close, thread_sensitive=False)()


@require_safe
async def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.read(token)
        row, key = await database_sync_to_async(_find, thread_sensitive=False)(request, link)
        file = await sync_to_async(storage.store().open, thread_sensitive=False)(key, "rb")
    except PapoError as exc:
        response: HttpResponse = JsonResponse({"error": exc.code, "message": exc.message},
                                              status=STATUS.get(exc.code, 404))
        response["Cache-Control"] = "no-store"
        return _harmless(response, link=None)
    except FileNotFoundError:
        return _harmless(JsonResponse({"error": "not_found", "message": "no such file"},
                                      status=404), link=None)
    inline = row.is_image
    response = StreamingHttpResponse(
        _chunks(file), content_type=row.content_type if inline else "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(not inline, row.name)
    if link.variant == "file":
        response["Content-Length"] = str(row.size)
    response["Cache-Control"] = "private, max-age=300"
    return _harmless(response, link=link)


def _harmless(response: HttpResponse, link: links.Link | None) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = POLICY
    response["Referrer-Policy"] = "no-referrer"
    # The widget shows its images in the customer's page (another origin).
    response["Cross-Origin-Resource-Policy"] = (
        "cross-origin" if link is not None and link.audience == "widget" else "same-origin")
    return response
