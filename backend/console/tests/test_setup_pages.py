"""The site owner's pages in-process (Django's test client): first run, creating a
site, the install check and its "Allow", and who may do what, checked on the
server with raw POSTs whatever the page showed."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model

from agents.models import Membership
from sites import seen
from sites.models import SeenOrigin, Site

pytestmark = pytest.mark.django_db

User = get_user_model()


def as_user(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's words, tags dropped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_first_run_offers_to_create_a_site_and_the_creator_owns_it(client):
    boss = User.objects.create_user("boss", password="x", is_staff=True)
    res = as_user(client, boss).get("/console/")
    assert res.status_code == 302 and res["Location"] == "/console/sites/new/"
    page = client.get("/console/sites/new/")
    assert "Welcome to Papo" in text(page) and 'name="address"' in page.content.decode()
    res = client.post("/console/sites/new/", {"name": "  Acme   Shop ",
                                              "address": "Shop.Example/about?x=1"})
    site = Site.objects.get(name="Acme Shop")
    assert res.status_code == 302 and res["Location"] == f"/console/sites/{site.key}/"
    assert site.allowed_origins == "https://shop.example"
    assert Membership.objects.get(site=site).role == "owner"
    install = client.get(res["Location"])
    assert "Acme Shop is ready" in text(install)
    assert f'data-site-key="{site.key}"' in install.content.decode().replace("&quot;", '"')
    assert "Not seen yet" in text(install)
    # with a site, /console/ is the inbox; the header links the site's pages
    app = client.get("/console/")
    assert app.status_code == 200 and f'href="/console/sites/{site.key}/"' in app.content.decode()


def test_a_bad_address_is_explained_and_creates_nothing(client):
    boss = User.objects.create_user("boss", password="x", is_staff=True)
    for address in ("", "ftp://shop.example", "https://*.shop.example", "http://u:p@x.example"):
        res = as_user(client, boss).post("/console/sites/new/", {"name": "Shop",
                                                                 "address": address})
        assert res.status_code == 200 and 'class="error"' in res.content.decode(), address
    assert not Site.objects.exists()


def test_who_may_create_a_site(client, settings, make_site, make_agent):
    loner = User.objects.create_user("loner", password="x")  # neither staff nor member
    assert as_user(client, loner).get("/console/").status_code == 403
    res = client.post("/console/sites/new/", {"name": "Mine", "address": "mine.example"})
    assert res.status_code == 403 and "only its staff can create sites" in text(res)
    agent = make_agent(make_site("Desk"), "Ana", online=False)
    res = as_user(client, agent).post("/console/sites/new/", {"name": "Mine",
                                                              "address": "mine.example"})
    assert res.status_code == 302  # a member may, by default
    settings.PAPO_SITE_CREATORS = "staff"
    res = client.post("/console/sites/new/", {"name": "Another", "address": "b.example"})
    assert res.status_code == 403
    assert list(Site.objects.order_by("name").values_list("name", flat=True)) == ["Desk", "Mine"]
    inactive = User.objects.create_user("gone", password="x", is_staff=True, is_active=False)
    client.force_login(inactive)
    assert client.post("/console/sites/new/", {"name": "X", "address": "x.example"}
                       ).status_code == 302  # an inactive user has no session: to the login
    assert not Site.objects.filter(name="X").exists()


def test_the_install_check_shows_where_it_loaded_and_what_was_refused(
        client, make_site, make_agent):
    site = make_site("Shop", "https://shop.example\nhttps://www.shop.example")
    owner = make_agent(site, "Olga", online=False, role="owner")
    seen.record(site, "https://shop.example", True)
    seen.record(site, "http://shop.example", False)
    seen.record(site, "null", False)
    page = as_user(client, owner).get(f"/console/sites/{site.key}/")
    words = text(page)
    assert "Your chat is live" in words
    assert "https://shop.example ✔ widget loaded just now" in words
    assert "https://www.shop.example not seen yet" in words
    html = page.content.decode()
    refused = html[html.index('class="refused-origins"'):html.index("1. Paste the snippet")]
    assert 'role="alert"' in html[html.index('<section class="refused-origins"'):][:80]
    assert "2 pages your site does not allow tried to load the chat" in text(page)
    assert 'value="http://shop.example"' in refused and "Allow http://shop.example" in refused
    assert 'value="null"' not in refused and "sandboxed frame" in refused
    # the header warns on every page
    assert "nav-alert" in client.get("/console/").content.decode()
    # one click: allowed, the alert goes, the origin waits for its next load
    res = client.post(f"/console/sites/{site.key}/allow/", {"origin": "http://shop.example"})
    assert res.status_code == 302
    site.refresh_from_db()
    assert site.allowed_origins.split("\n") == ["https://shop.example",
                                                "https://www.shop.example", "http://shop.example"]
    after = client.get(f"/console/sites/{site.key}/")
    assert "http://shop.example is allowed" in text(after)
    assert "http://shop.example allowed now: reload a page there" in text(after)
    assert "1 page your site does not allow" not in text(after)
    assert "A page your site does not allow tried to load the chat" in text(after)  # null
    seen.record(site, "http://shop.example", True)  # the next load: written at once
    assert SeenOrigin.objects.get(site=site, origin="http://shop.example").allowed
    again = text(client.get(f"/console/sites/{site.key}/"))
    assert "http://shop.example ✔ widget loaded just now" in again


def test_the_install_page_refreshes_its_check_from_a_fragment_without_taking_a_flash(
        client, make_site, make_agent):
    """What pages.ts fetches every few seconds: the same partials as the page (each an
    id with data-refresh), never the flash message the next page load is owed."""
    host = f"poll-{uuid.uuid4().hex[:6]}.example"  # sightings are memoised per site id and origin
    site = make_site("Shop", f"https://{host}")
    owner = make_agent(site, "Olga", online=False, role="owner")
    check = f"/console/sites/{site.key}/check/"
    page = as_user(client, owner).get(f"/console/sites/{site.key}/").content.decode()
    assert f'data-poll="{check}"' in page
    waiting = client.get(check)
    assert waiting.status_code == 200 and waiting["Cache-Control"] == "no-store"
    for part in ('id="nav-sites" data-refresh', 'id="install-refused" data-refresh',
                 'id="install-check" data-refresh'):
        assert part in waiting.content.decode() and part in page
    assert "Not seen yet" in text(waiting) and "refused-origins" not in waiting.content.decode()
    seen.record(site, f"https://{host}", True)
    seen.record(site, f"http://{host}", False)
    fresh = client.get(check).content.decode()
    assert "Your chat is live" in text(client.get(check))
    assert f"Allow http://{host}" in fresh and 'class="nav-alert"' in fresh
    client.post(f"/console/sites/{site.key}/allow/", {"origin": f"http://{host}"})
    assert "is allowed" not in text(client.get(check))  # the flash is the page's
    assert f"http://{host} is allowed" in text(client.get(f"/console/sites/{site.key}/"))


@pytest.mark.security
def test_the_install_check_and_allow_are_for_owners_and_admins(client, make_site, make_agent):
    site, other = make_site("Shop", "https://shop.example"), make_site("Other")
    agent = make_agent(site, "Ana", online=False)
    admin = make_agent(site, "Adi", online=False, role="admin")
    stranger = make_agent(other, "Eve", online=False, role="owner")
    allow = f"/console/sites/{site.key}/allow/"
    assert as_user(client, agent).get(f"/console/sites/{site.key}/").status_code == 403
    assert client.get(f"/console/sites/{site.key}/check/").status_code == 403
    assert client.post(allow, {"origin": "https://evil.example"}).status_code == 403
    assert as_user(client, stranger).get(f"/console/sites/{site.key}/").status_code == 404
    assert client.get(f"/console/sites/{site.key}/check/").status_code == 404
    assert client.post(allow, {"origin": "https://evil.example"}).status_code == 404
    as_user(client, admin)
    for bad in ("javascript:alert(1)", "https://x.example/path", "null", ""):
        client.post(allow, {"origin": bad})
    client.logout()
    assert client.post(allow, {"origin": "https://evil.example"}).status_code == 302  # login
    site.refresh_from_db()
    assert site.allowed_origins == "https://shop.example"
    as_user(client, admin).post(allow, {"origin": "HTTPS://Shop.Example:443"})
    site.refresh_from_db()
    assert site.allowed_origins == "https://shop.example"  # the same origin, not twice
    # without the CSRF token a browser's POST is refused
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(allow, {"origin": "https://evil.example"}).status_code == 403
