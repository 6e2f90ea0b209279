"""Membership actions in-process: who may, what is checked, what is written, and
what is published after commit: presence to the site's agents, the routing of
waiting chats, and the access re-check that makes the agent's consoles reconnect."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agents import actions, sessions
from agents.models import Membership
from bus import events, groups
from conversations import actions as conv_actions
from conversations.models import Conversation
from papo.errors import PapoError

pytestmark = pytest.mark.django_db(transaction=True)


def published(fn, *args, **kwargs):
    """Run an action; its result and [(group, kind, frame or message)] it published."""
    result, evs = events._collecting(fn, *args, **kwargs)
    return result, [(g, e.get("kind") or e["type"], json.loads(e["text"]) if "text" in e else e)
                    for g, e in evs]


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(PapoError) as err:
        published(fn, *args, **kwargs)
    assert not getattr(err.value, "papo_events", []), "a refusal published events"
    return err.value.code


def session_of(user) -> str:
    """A real Django session logging ``user`` in, as the console's cookie holds."""
    client = Client()
    client.force_login(user)
    return client.session.session_key


def chat(visitor, body="hello") -> Conversation:
    ack = conv_actions.do_visitor_send(visitor, f"c-{visitor.pk}-{body}", body)
    return Conversation.objects.get(pk=ack.conversation)


@pytest.fixture
def root():
    return get_user_model().objects.create_superuser("root", "", "x")


def test_adding_a_site_reaches_the_agents_consoles_presence_and_queue(
        root, make_site, make_agent, make_visitor):
    desk, lab = make_site("Desk"), make_site("Lab")
    ana = make_agent(desk, "Ana")  # online, on Desk only
    waiting = chat(make_visitor(lab))
    assert waiting.status == "waiting"
    session, welcomed = session_of(ana), sessions.memberships_of(ana.pk)
    assert sessions.access_verdict(ana.pk, session, welcomed) is None

    added, evs = published(actions.do_add_membership, root, lab.pk, ana.pk, role="admin",
                           max_concurrent=3, staff=True)
    assert (added.site, added.user, added.role, added.max_concurrent) == (lab, ana, "admin", 3)
    # Lab's agents see her online; the waiting chat is hers; her consoles re-check access
    presence = [f for g, k, f in evs if g == groups.site_agents(lab.pk) and k == "presence"]
    assert presence and presence[0]["agent"]["id"] == ana.pk
    assert presence[0]["agent"]["status"] == "online"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.assignee) == ("open", ana)
    assert (groups.agent(ana.pk), "papo.access", {"type": "papo.access", "session": None}) in evs
    # ...where a socket welcomed with Desk alone must reconnect; one welcomed now stays
    assert sessions.access_verdict(ana.pk, session, welcomed) == sessions.ACCESS_CHANGED
    assert sessions.access_verdict(ana.pk, session, sessions.memberships_of(ana.pk)) is None


def test_a_capacity_raised_routes_waiting_chats_and_any_change_reconnects(
        root, make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    first, second = chat(make_visitor(site), "first"), chat(make_visitor(site), "second")
    assert (first.assignee, second.status) == (ana, "waiting")
    member = Membership.objects.get(user=ana)
    session, welcomed = session_of(ana), sessions.memberships_of(ana.pk)

    # nothing changed: nothing written, nothing published
    _, evs = published(actions.do_change_membership, root, member.pk, role="agent",
                       max_concurrent=1, staff=True)
    assert evs == []
    _, evs = published(actions.do_change_membership, root, member.pk, role="agent",
                       max_concurrent=2, staff=True)
    second.refresh_from_db()
    assert (second.status, second.assignee) == ("open", ana)
    assigned = [f for g, k, f in evs if k == "conversation"]
    assert [(f["event"], f["conversation"]["id"]) for f in assigned] == [
        ("assigned", second.pk)] * 2  # the site's agents and the visitor
    assert evs[-1] == (groups.agent(ana.pk), "papo.access", {"type": "papo.access",
                                                            "session": None})
    assert sessions.access_verdict(ana.pk, session, welcomed) == sessions.ACCESS_CHANGED
    # a role change reconnects too (the console shows the role); no routing
    welcomed = sessions.memberships_of(ana.pk)
    _, evs = published(actions.do_change_membership, root, member.pk, role="admin",
                       max_concurrent=2, staff=True)
    assert [k for _, k, _ in evs] == ["papo.access"]
    assert sessions.access_verdict(ana.pk, session, welcomed) == sessions.ACCESS_CHANGED
    assert Membership.objects.get(pk=member.pk).role == "admin"


def test_removing_a_membership_requeues_and_tells_the_site(root, make_site, make_agent,
                                                           make_visitor):
    desk, lab = make_site("Desk"), make_site("Lab")
    ana = make_agent(desk, "Ana")
    Membership.objects.create(user=ana, site=lab)
    conv = chat(make_visitor(desk))
    assert conv.assignee == ana
    session, welcomed = session_of(ana), sessions.memberships_of(ana.pk)
    member = Membership.objects.get(user=ana, site=desk)
    _, evs = published(actions.do_remove_membership, root, member.pk, staff=True)
    assert not Membership.objects.filter(pk=member.pk).exists()
    left = [f for g, k, f in evs if g == groups.site_agents(desk.pk) and k == "presence"]
    assert left[0]["agent"] == {"id": ana.pk, "name": "Ana", "status": "offline", "open": 1}
    conv.refresh_from_db()
    assert conv.status == "waiting" and conv.assignee is None
    assert sessions.access_verdict(ana.pk, session, welcomed) == sessions.ACCESS_CHANGED
    actions.do_remove_membership(root, Membership.objects.get(user=ana, site=lab).pk, staff=True)
    assert sessions.access_verdict(ana.pk, session, None) == sessions.ACCESS_REVOKED


def test_who_may_change_memberships_and_what_is_checked(make_site, make_agent):
    site, other = make_site("Desk"), make_site("Other")
    boss = make_agent(site, "Boss", role="admin", online=False)
    agent = make_agent(site, "Ana", online=False)
    outsider = make_agent(other, "Eve", role="admin", online=False)
    newbie = get_user_model().objects.create_user("newbie", password="x")
    member = Membership.objects.get(user=agent)
    before = sorted(Membership.objects.values_list("user_id", "site_id", "role",
                                                   "max_concurrent"))
    # a plain agent, another site's admin, staff without the permission
    assert refused(actions.do_add_membership, agent, site.pk, newbie.pk) == "forbidden"
    assert refused(actions.do_add_membership, outsider, site.pk, newbie.pk) == "not_found"
    assert refused(actions.do_add_membership, boss, site.pk, newbie.pk, staff=True) == "forbidden"
    assert refused(actions.do_change_membership, agent, member.pk, role="admin",
                   max_concurrent=5) == "forbidden"
    assert refused(actions.do_remove_membership, outsider, member.pk) == "not_found"
    # bad terms, missing rows, a second membership
    for role, cap in (("boss", 5), ("agent", -1), ("agent", "5"), ("agent", True),
                      ("agent", actions.MAX_CAPACITY + 1)):
        assert refused(actions.do_add_membership, boss, site.pk, newbie.pk, role=role,
                       max_concurrent=cap) == "invalid"
    assert refused(actions.do_add_membership, boss, site.pk, 10**9) == "not_found"
    assert refused(actions.do_add_membership, boss, site.pk, agent.pk) == "invalid"
    assert refused(actions.do_change_membership, boss, 10**9, role="agent",
                   max_concurrent=1) == "not_found"
    after = sorted(Membership.objects.values_list("user_id", "site_id", "role", "max_concurrent"))
    assert after == before
    # the site's own admin may (the console's way, later)
    actions.do_add_membership(boss, site.pk, newbie.pk, max_concurrent=2)
    actions.do_change_membership(boss, member.pk, role="admin", max_concurrent=7)
    assert Membership.objects.get(pk=member.pk).max_concurrent == 7
    actions.do_remove_membership(boss, member.pk)
    assert Membership.objects.filter(user=newbie, site=site).exists()
