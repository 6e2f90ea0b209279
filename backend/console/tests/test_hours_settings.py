"""Business hours and the queue's hold as a site owner edits them: in the console's
site settings and in the Django admin, over HTTP, validated (an IANA zone, well
formed ranges and dates), and told to the site's widgets at once from the console."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from bus import events, groups
from papo.testing.web import form_fields
from sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)


def submit(client, url: str, changes: dict):
    """Load the form, change some fields, post it as a browser would: (status, page,
    [(group, frame)] published after commit)."""
    data = {**form_fields(client.get(url).content.decode()), **changes}
    response, evs = events._collecting(client.post, url, data, follow=True)
    return (response.status_code, response.content.decode(),
            [(g, json.loads(e["text"])) for g, e in evs if "text" in e])


@pytest.fixture
def owner(make_site, make_agent):
    site = make_site("Shop A", "https://a.example")
    client = Client()
    client.force_login(make_agent(site, "Ana", role="admin"))
    return site, client, f"/console/sites/{site.key}/settings/"


def test_the_console_sets_the_hours_and_the_widgets_hear_at_once(owner):
    site, client, url = owner
    page = client.get(url).content.decode()
    assert '<option value="America/Sao_Paulo">America/Sao Paulo</option>' in page
    # closed today there, whatever the time
    holiday = datetime.now(ZoneInfo("America/Sao_Paulo")).date().isoformat()
    status, page, published = submit(client, url, {
        "time_zone": "America/Sao_Paulo", "opening_hours": "mon-fri 09:00-18:00\nsat 09:00-13:00",
        "holidays": f"{holiday}\n12-25", "queue_hold_minutes": "45"})
    assert status == 200 and "Settings saved." in page
    site.refresh_from_db()
    assert (site.time_zone, site.queue_hold_minutes) == ("America/Sao_Paulo", 45)
    assert site.opening_hours == "mon-fri 09:00-18:00\nsat 09:00-13:00"
    state = site.hours_at()
    assert not state.open and site.hours_next_change == state.until
    assert [f for g, f in published if g == groups.site_widgets(site.pk)] == [
        {"type": "availability", "agents_online": False, "opens_at": state.until.isoformat()}]


@pytest.mark.parametrize(("field", "value", "error"), [
    ("opening_hours", "mon-fri 9 to 5", "Line 1"),
    ("opening_hours", "mon 09:00-18:00\nfri 18:00-18:00", "Line 2"),
    ("holidays", "Christmas", "is not a date"),
    ("time_zone", "Mars/Olympus", "Select a valid choice"),
    ("queue_hold_minutes", "-5", "greater than or equal to 0"),
])
def test_the_console_refuses_hours_that_are_not_well_formed(owner, field, value, error):
    site, client, url = owner
    status, page, published = submit(client, url, {field: value})
    assert status == 200 and error in page and "Settings saved." not in page
    assert published == []
    fresh = Site.objects.get(pk=site.pk)
    assert (fresh.time_zone, fresh.opening_hours, fresh.holidays, fresh.queue_hold_minutes) == (
        "UTC", "", "", 30)


def test_the_admin_edits_the_hours_and_refuses_bad_ones(make_site):
    site = make_site("Shop B", "https://b.example")
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "", "x"))
    url = f"/admin/papo_sites/site/{site.pk}/change/"
    status, page, _ = submit(client, url, {"opening_hours": "sun 25:00-26:00", "_save": "Save"})
    assert status == 200 and "Line 1" in page
    assert Site.objects.get(pk=site.pk).opening_hours == ""
    status, page, _ = submit(client, url, {
        "time_zone": "Asia/Tokyo", "opening_hours": "fri 22:00-02:00", "holidays": "01-01",
        "queue_hold_minutes": "10", "_save": "Save"})
    assert status == 200 and "was changed successfully" in page
    site.refresh_from_db()
    assert (site.time_zone, site.opening_hours, site.holidays, site.queue_hold_minutes) == (
        "Asia/Tokyo", "fri 22:00-02:00", "01-01", 10)
    # the next sweep tells the widgets (the admin saved the change, not the action)
    assert site.hours_next_change is not None and site.hours_next_change <= timezone.now()
