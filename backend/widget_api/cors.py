"""CORS for the widget's HTTP API, granted per request to the named site's origins.

django-cors-headers asks ``check_request_enabled`` for every request under
``CORS_URLS_REGEX``; we answer yes only when the Origin is one the site in
the URL allows. There is no allow-all anywhere.
"""

from __future__ import annotations

import re

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver

from sites.lookup import site_by_key
from sites.origins import origin_allowed

SITE_PATH = re.compile(r"^/api/widget/(?P<key>[A-Za-z0-9_-]{1,64})/")


@receiver(check_request_enabled)
def cors_allow_site_origin(sender, request, **kwargs) -> bool:
    match = SITE_PATH.match(request.path)
    if not match:
        return False
    site = site_by_key(match["key"])
    return site is not None and origin_allowed(request.headers.get("Origin"), site.origin_list)
