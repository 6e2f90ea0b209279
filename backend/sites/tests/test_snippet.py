"""One embed snippet, byte-identical wherever an owner may copy it: the console's
install and settings pages and the admin's site page render it with
``sites.snippet``; README.md, widget/README.md and embed_snippet.html hold its
output for their example Papo and key."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from sites import snippet

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = snippet.render("https://papo.example.com", "pk_…")
DEMO = snippet.render("http://127.0.0.1:8000", "pk_demo_papo_site")


def test_the_readmes_hold_the_snippet_verbatim():
    for readme in ("README.md", "widget/README.md"):
        assert f"```html\n{EXAMPLE}\n```" in (REPO / readme).read_text(), readme


def test_the_demo_page_runs_and_shows_the_snippet_verbatim():
    page = (REPO / "embed_snippet.html").read_text()
    start = page.index("<!-- ===== Papo: copy from here ===== -->\n")
    end = page.index("  <!-- ===== Papo: copy to here ===== -->")
    pasted = page[start:end].split("\n", 1)[1]
    assert pasted == "".join(f"  {line}\n" for line in DEMO.split("\n"))
    assert f"<pre>{html.escape(DEMO, quote=False)}</pre>" in page


def test_consent_free_mode_is_on_the_loaders_tag():
    free = snippet.render("https://p.example/", "pk_x", consent_free=True)
    assert free.endswith('<script async src="https://p.example/static/papo/widget.js" '
                         'data-site-key="pk_x" data-consent-free></script>')
    assert free.startswith(snippet.STUB + "\n")


@pytest.mark.django_db
def test_the_console_and_the_admin_show_the_same_snippet(client, make_site, make_agent):
    site = make_site("Shop", "https://shop.example", consent_free=True)
    owner = make_agent(site, "Olga", online=False, role="owner")
    expected = html.escape(snippet.for_site(site, "http://testserver"))
    client.force_login(owner)
    pages = [client.get(f"/console/sites/{site.key}/"),
             client.get(f"/console/sites/{site.key}/settings/")]
    client.force_login(get_user_model().objects.create_superuser("root", "", "x"))
    pages.append(client.get(f"/admin/papo_sites/site/{site.pk}/change/"))
    for page in pages:
        assert page.status_code == 200
        shown = page.content.decode()
        assert (f'<code id="embed-snippet">{expected}</code>' in shown
                or f"<code>{expected}</code>" in shown), page.request["PATH_INFO"]
