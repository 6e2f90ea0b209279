"""The unsubscribe link of every mail: a page to confirm (GET), and RFC 8058's
one-click POST that mail clients send for their own "unsubscribe" button."""

from __future__ import annotations

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from sites.models import Site

from . import links
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
