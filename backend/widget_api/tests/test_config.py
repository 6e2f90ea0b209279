"""The widget's HTTP config: CORS only for the site's own origins, rate limited."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_config_has_what_the_widget_draws_and_no_secrets(client, make_site):
    site = make_site(greeting="Olá!", color="#aa3300")
    r = client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://shop.example")
    assert r.status_code == 200
    body = r.json()
    assert body["greeting"] == "Olá!" and body["color"] == "#aa3300"
    assert body["agents_online"] is False
    assert site.identity_secret not in r.content.decode()
    assert r["Access-Control-Allow-Origin"] == "https://shop.example"


SITE_DATA = ("name", "greeting", "color", "offline_message", "locale", "agents_online")


def test_another_origin_is_told_why_and_gets_nothing_of_the_site(client, make_site):
    """The socket refuses a foreign page with a bare 403 it cannot read; the config
    tells it why (readable: CORS for that answer alone), and nothing else."""
    site = make_site(greeting="Olá!", color="#aa3300")
    make_site("Other", origins="https://other.example")
    for origin in ("https://evil.example", "https://other.example", "HTTPS://Evil.Example:443"):
        r = client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN=origin)
        assert r.status_code == 403, origin
        body = r.json()
        assert body["error"] == "origin_not_allowed"
        assert body["origin"] == origin.lower().replace(":443", "")
        assert r["Access-Control-Allow-Origin"] == origin
        assert not set(SITE_DATA) & set(body)
        for secret in (site.name, "Olá!", "#aa3300", site.identity_secret):
            assert secret not in r.content.decode()
    r = client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="null")  # sandboxed, file://
    assert r.status_code == 403 and r.json()["origin"] == "null"
    # Nothing else crosses: a preflight (what any other request would need) is refused.
    preflight = client.options(f"/api/widget/{site.key}/config",
                               HTTP_ORIGIN="https://evil.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "Access-Control-Allow-Origin" not in preflight


def test_refusals_are_counted_like_the_sockets(client, make_site):
    from bus import metrics

    site = make_site()
    before = metrics.snapshot()
    client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://evil.example")
    client.get("/api/widget/pk_nope/config", HTTP_ORIGIN="https://evil.example")
    after = metrics.snapshot()
    assert after["refused.origin"] == before["refused.origin"] + 1
    assert after["refused.site"] == before["refused.site"] + 1


def test_unknown_site_is_a_404_the_page_can_read(client):
    r = client.get("/api/widget/pk_nope/config", HTTP_ORIGIN="https://shop.example")
    assert r.status_code == 404
    assert r.json() == {"error": "unknown_site", "message": "no site has this key",
                        "origin": "https://shop.example"}
    assert r["Access-Control-Allow-Origin"] == "https://shop.example"


def test_without_an_origin_the_settings_are_served_as_before(client, make_site):
    """Not a browser's cross-origin request (curl, a same-origin page): the public
    settings, with no CORS, as any client could have them anyway."""
    site = make_site()
    r = client.get(f"/api/widget/{site.key}/config")
    assert r.status_code == 200 and r.json()["site"] == site.key
    assert r.json()["consent_free"] is False
    assert "Access-Control-Allow-Origin" not in r


def test_config_is_rate_limited_with_a_clear_429(client, make_site, settings,
                                                 one_rate_window):
    settings.PAPO = {**settings.PAPO, "HTTP_RATE": "3/m"}
    site = make_site()
    codes = [client.get(f"/api/widget/{site.key}/config").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = client.get(f"/api/widget/{site.key}/config")
    assert r.json()["error"] == "rate_limited" and r["Retry-After"] == "60"
