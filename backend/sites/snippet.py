"""The embed snippet: the one text a site owner pastes into their pages.

Every place that shows it renders it here (the console's install page, the
Django admin's site page) or holds this function's output verbatim (README.md,
widget/README.md, embed_snippet.html: ``sites/tests/test_snippet.py`` checks
them), so what an owner copies is the same wherever they copy it from.

Two tags: a stub that queues ``Papo.open()`` and friends called before the
widget arrives, then the loader. Consent-free mode lives on the loader's tag:
it must know before it may ask Papo anything (docs/privacy.md).
"""

from __future__ import annotations

from html import escape

from .models import Site

STUB = ('<script>window.Papo=window.Papo||{q:[]};["open","close","identify","on","shutdown"]'
        '.forEach(function(m){Papo[m]=Papo[m]||function(){Papo.q.push([m,arguments])}});'
        '</script>')


def render(papo_url: str, site_key: str, *, consent_free: bool = False) -> str:
    """The snippet for ``site_key`` on the Papo at ``papo_url`` (``https://papo.example``)."""
    src = escape(papo_url.rstrip("/") + "/static/papo/widget.js")
    free = " data-consent-free" if consent_free else ""
    return (f"{STUB}\n"
            f'<script async src="{src}" data-site-key="{escape(site_key)}"{free}></script>')


def for_site(site: Site, papo_url: str) -> str:
    return render(papo_url, site.key, consent_free=site.consent_free)
