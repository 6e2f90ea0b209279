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


def test_cors_is_never_granted_to_other_origins(client, make_site):
    site = make_site()
    make_site("Other", origins="https://other.example")
    for origin in ("https://evil.example", "https://other.example", "null"):
        r = client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN=origin)
        assert "Access-Control-Allow-Origin" not in r, origin
    preflight = client.options(f"/api/widget/{site.key}/config",
                               HTTP_ORIGIN="https://evil.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "Access-Control-Allow-Origin" not in preflight


def test_unknown_site_is_a_404(client):
    r = client.get("/api/widget/pk_nope/config")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_config_is_rate_limited_with_a_clear_429(client, make_site, settings,
                                                 one_rate_window):
    settings.PAPO = {**settings.PAPO, "HTTP_RATE": "3/m"}
    site = make_site()
    codes = [client.get(f"/api/widget/{site.key}/config").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = client.get(f"/api/widget/{site.key}/config")
    assert r.json()["error"] == "rate_limited" and r["Retry-After"] == "60"
