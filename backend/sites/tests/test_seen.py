"""Where a site's widget was seen loading from (sites.seen), for the install check."""

import pytest
from django.core.cache import cache

from realtime import handshake
from sites import seen
from sites.models import SeenOrigin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    seen._recent.clear()
    yield
    cache.clear()


def forget_the_minute() -> None:
    """As if a minute had passed: the throttle's memo and cache entries gone."""
    cache.clear()
    seen._recent.clear()


def test_config_requests_record_each_origin_allowed_or_refused(client, make_site):
    site = make_site(origins="https://shop.example")
    client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://shop.example")
    client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://Staging.Shop.Example")
    client.get(f"/api/widget/{site.key}/config")  # no Origin: no page to name
    sightings = {s.origin: s for s in seen.seen_origins(site)}
    assert set(sightings) == {"https://shop.example", "https://staging.shop.example"}
    assert sightings["https://shop.example"].allowed is True
    assert sightings["https://staging.shop.example"].allowed is False
    assert sightings["https://staging.shop.example"].allowed_now is False

    # The owner adds it: what was seen stays as seen, and says it is allowed now.
    site.allowed_origins += "\nhttps://staging.shop.example"
    site.save()
    staging = next(s for s in seen.seen_origins(site) if s.origin.startswith("https://staging"))
    assert (staging.allowed, staging.allowed_now) == (False, True)


def test_at_most_one_write_a_minute_per_origin(client, make_site, django_assert_num_queries):
    site = make_site(origins="https://shop.example")
    client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://shop.example")
    first = SeenOrigin.objects.get(site=site)
    for _ in range(5):
        client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://shop.example")
    assert SeenOrigin.objects.get(site=site).last_seen_at == first.last_seen_at
    with django_assert_num_queries(0):
        seen.record(site, "https://shop.example", True)  # this process's memo: not even the cache
    seen._recent.clear()
    with django_assert_num_queries(0):
        seen.record(site, "https://shop.example", True)  # another process: the shared cache says no
    forget_the_minute()
    seen.record(site, "https://shop.example", True)
    later = SeenOrigin.objects.get(site=site)
    assert later.last_seen_at > first.last_seen_at
    assert later.first_seen_at == first.first_seen_at


def test_made_up_origins_cannot_fill_the_table(make_site):
    """Any client can send any Origin: a site keeps MAX_PER_SITE origins, its
    allowed ones always, and the refused ones seen most recently."""
    site = make_site(origins="https://shop.example")
    seen.record(site, "https://shop.example", True)
    for i in range(seen.MAX_PER_SITE + 20):
        forget_the_minute()
        seen.record(site, f"https://bot{i}.example", False)
    origins = [s.origin for s in seen.seen_origins(site)]
    assert len(origins) == seen.MAX_PER_SITE
    assert "https://shop.example" in origins
    assert f"https://bot{seen.MAX_PER_SITE + 19}.example" in origins
    assert "https://bot0.example" not in origins


def test_socket_handshakes_record_too(make_site):
    site = make_site(origins="https://shop.example")
    ip = "198.51.100.7"
    assert handshake.check_widget(site.key, "https://evil.example", ip).accepted is False
    assert handshake.check_widget(site.key, "https://shop.example", ip).accepted
    assert {(s.origin, s.allowed) for s in seen.seen_origins(site)} == {
        ("https://evil.example", False), ("https://shop.example", True)}



def test_the_operator_sees_them_on_the_sites_admin_page(admin_client, make_site):
    site = make_site(origins="https://shop.example")
    seen.record(site, "https://staging.shop.example", False)
    page = admin_client.get(f"/admin/papo_sites/site/{site.pk}/change/")
    assert page.status_code == 200
    assert "https://staging.shop.example" in page.content.decode()
