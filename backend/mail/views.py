"""The unsubscribe link of every mail: a page to confirm (GET), and RFC 8058's
one-click POST that mail clients send for their own "unsubscribe" button; and
the endpoint the mail server posts replies to (mail/inbound.py)."""

from __future__ import annotations

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bus import metrics
from sites.models import Site

from . import inbound, links
from .models import OptOut


@csrf_exempt  # a mail client posts it, with no session; the signed token is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        site_id, email = links.read_unsubscribe(token)
    except signing.BadSignature:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status=404)
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            with transaction.atomic():
                OptOut.objects.create(site=site, email=email)
        except IntegrityError:
            pass  # already out
        return render(request, "mail/unsubscribe.html", {"done": True, "site": site,
                                                         "email": email})
    return render(request, "mail/unsubscribe.html", {"site": site, "email": email,
                                                     "token": token})


@csrf_exempt  # posted by the mail server; the HMAC of the body is the proof
@require_POST
def inbound_mail(request: HttpRequest) -> JsonResponse:
    """One reply, as raw MIME, signed ``X-Papo-Signature: sha256=<hex>``."""
    body = request.body
    if not inbound.signature_ok(body, request.headers.get("X-Papo-Signature")):
        metrics.refuse("refused.auth", "inbound mail with a missing or wrong signature")
        return JsonResponse({"error": "forbidden"}, status=403)
    taken = inbound.take(body)
    # 200 either way: the mail server must not retry a reply Papo chose not to take.
    return JsonResponse({"stored": taken.stored, "reason": taken.reason})
