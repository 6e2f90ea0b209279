"""Both admin screens that edit memberships (the membership list and the site's
inline rows), over HTTP with Django's test client: each add, change and removal
goes through ``agents.actions`` and publishes; a refusal is shown and changes
nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agents.actions import MAX_CAPACITY
from agents.models import Membership
from bus import events, groups
from conversations import actions as conv_actions
from conversations.models import Conversation
from papo.testing.web import form_fields

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERSHIPS = "/admin/agents/membership/"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "", "x"))
    return client


def submit(client, url: str, changes: dict):
    """Load the form, change some fields, post it as a browser would; the page
    landed on and (group, kind) of what was published after commit."""
    data = {**form_fields(client.get(url).content.decode()), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    response, evs = events._collecting(client.post, url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode(), [(g, e.get("kind") or e["type"]) for g, e in evs]


def test_the_membership_screen_adds_changes_and_removes_through_the_actions(
        admin_client, make_site, make_agent, make_visitor):
    desk, lab = make_site("Desk"), make_site("Lab")
    ana = make_agent(desk, "Ana", max_concurrent=1)
    waiting = Conversation.objects.get(pk=conv_actions.do_visitor_send(
        make_visitor(lab), "c-1", "hello").conversation)
    assert waiting.status == "waiting"
    # add: Ana joins Lab, is told to reconnect, Lab hears her, the waiting chat is hers
    page, evs = submit(admin_client, MEMBERSHIPS + "add/", {
        "user": str(ana.pk), "site": str(lab.pk), "role": "agent", "max_concurrent": "1",
        "_save": "Save"})
    member = Membership.objects.get(user=ana, site=lab)
    assert "was added successfully" in page
    assert (groups.agent(ana.pk), "papo.access") in evs
    assert (groups.site_agents(lab.pk), "presence") in evs
    waiting.refresh_from_db()
    assert waiting.assignee == ana
    # change: user and site are fixed; a capacity raised routes the next waiting chat
    change = f"{MEMBERSHIPS}{member.pk}/change/"
    assert 'name="user"' not in admin_client.get(change).content.decode()
    second = Conversation.objects.get(pk=conv_actions.do_visitor_send(
        make_visitor(lab), "c-2", "me too").conversation)
    assert second.status == "waiting"
    page, evs = submit(admin_client, change, {"max_concurrent": "2", "_save": "Save"})
    assert "was changed successfully" in page
    second.refresh_from_db()
    assert second.assignee == ana
    assert (groups.agent(ana.pk), "papo.access") in evs
    # remove: Lab hears her leave, her chats there go back to the queue
    page, evs = submit(admin_client, f"{MEMBERSHIPS}{member.pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert (groups.agent(ana.pk), "papo.access") in evs
    assert (groups.site_agents(lab.pk), "presence") in evs
    assert Conversation.objects.filter(site=lab, status="waiting").count() == 2


def test_a_refusal_is_shown_and_changes_nothing(admin_client, make_site, make_agent):
    desk = make_site("Desk")
    ana = make_agent(desk, "Ana")
    member = Membership.objects.get(user=ana)
    # past what the column holds on PostgreSQL: the form lets it through on SQLite,
    # the action refuses it (and PostgreSQL's form would)
    page, evs = submit(admin_client, f"{MEMBERSHIPS}{member.pk}/change/",
                       {"max_concurrent": str(MAX_CAPACITY + 1), "_save": "Save"})
    assert str(MAX_CAPACITY) in page and "was changed successfully" not in page
    assert evs == []
    assert Membership.objects.get(pk=member.pk).max_concurrent == 5


def test_the_sites_inline_rows_go_through_the_actions(admin_client, make_site, make_agent):
    desk = make_site("Desk")
    ana = make_agent(desk, "Ana")
    bruno, carl = (get_user_model().objects.create_user(name, first_name=name, password="x")
                   for name in ("Bruno", "Carl"))
    url = f"/admin/papo_sites/site/{desk.pk}/change/"
    fields = form_fields(admin_client.get(url).content.decode())
    assert fields["members-TOTAL_FORMS"] == "1" and "members-0-user" not in fields  # fixed
    page, evs = submit(admin_client, url, {
        "members-0-max_concurrent": "3",  # Ana's capacity
        "members-0-user": str(carl.pk),  # a row's user never changes, whatever is posted
        "members-TOTAL_FORMS": "2", "members-1-user": str(bruno.pk),  # Bruno joins
        "members-1-role": "admin", "members-1-max_concurrent": "4", "_save": "Save"})
    assert "was changed successfully" in page
    assert Membership.objects.get(user=ana).max_concurrent == 3
    assert not Membership.objects.filter(user=carl).exists()
    assert Membership.objects.get(user=bruno, site=desk).role == "admin"
    assert {(groups.agent(ana.pk), "papo.access"), (groups.agent(bruno.pk), "papo.access"),
            (groups.site_agents(desk.pk), "presence")} <= set(evs)
    # and a row deleted there is removed through the action
    page, evs = submit(admin_client, url, {"members-0-DELETE": "on", "_save": "Save"})
    assert not Membership.objects.filter(user=ana).exists()
    assert (groups.agent(ana.pk), "papo.access") in evs
