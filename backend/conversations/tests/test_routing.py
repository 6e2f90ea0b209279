"""Routing: least busy first, capacity, the queue, and requeue after the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents import presence
from agents.models import AgentConnection, Presence
from conversations import actions, routing
from conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)


def start_chat(visitor, body="hello"):
    ack = actions.do_visitor_send(visitor, f"c-{visitor.pk}-{body}", body)
    return Conversation.objects.get(pk=ack.conversation)


def test_new_chat_goes_to_the_least_busy_online_agent(make_site, make_agent, make_visitor):
    site = make_site()
    busy = make_agent(site, "busy")
    free = make_agent(site, "free")
    start_chat(make_visitor(site))  # goes to one of them (idle tie)
    first = Conversation.objects.get()
    loaded = first.assignee
    other = free if loaded == busy else busy
    second = start_chat(make_visitor(site))
    assert second.assignee == other
    assert second.status == "open"
    assert [m.event for m in second.messages.order_by("seq")] == ["", "assigned"]


def test_ties_go_to_the_agent_idle_longest(make_site, make_agent, make_visitor):
    site = make_site()
    recent = make_agent(site, "recent")
    idle = make_agent(site, "idle")
    now = timezone.now()
    Presence.objects.filter(user=recent).update(last_assigned_at=now)
    Presence.objects.filter(user=idle).update(last_assigned_at=now - timedelta(hours=1))
    assert start_chat(make_visitor(site)).assignee == idle


def test_away_offline_and_other_site_agents_get_nothing(make_site, make_agent, make_visitor):
    site, other = make_site(), make_site("Other")
    away = make_agent(site, "away")
    presence.do_set_presence(away, "away")
    make_agent(site, "offline", online=False)
    make_agent(other, "elsewhere")
    conv = start_chat(make_visitor(site))
    assert conv.status == "waiting" and conv.assignee is None


def test_full_agents_leave_chats_queued_until_one_frees_up(make_site, make_agent,
                                                           make_visitor):
    site = make_site()
    ana = make_agent(site, "ana", max_concurrent=1)
    first = start_chat(make_visitor(site))
    assert first.assignee == ana
    queued = [start_chat(make_visitor(site), f"q{i}") for i in range(2)]
    assert all(c.status == "waiting" for c in queued)
    actions.do_resolve(ana, first.pk)
    oldest, newest = (Conversation.objects.get(pk=c.pk) for c in queued)
    assert oldest.assignee == ana and oldest.status == "open"  # oldest first
    assert newest.status == "waiting"


def test_queued_chats_go_to_an_agent_who_comes_online(make_site, make_agent, make_visitor):
    site = make_site()
    bruno = make_agent(site, "bruno", online=False)
    conv = start_chat(make_visitor(site))
    assert conv.status == "waiting"
    presence.do_agent_connect(bruno, "chan.bruno")
    conv.refresh_from_db()
    assert conv.assignee == bruno and conv.status == "open"


def test_a_queue_is_shared_out_in_order_when_agents_come_back(make_site, make_agent,
                                                              make_visitor):
    """One pass over the queue (agents read once under the site lock) decides as
    a pick per chat would: oldest chat first, to the fewest open, then to whoever
    has been idle longest; nobody past their capacity; the rest stay queued."""
    site = make_site()
    ana = make_agent(site, "ana", max_concurrent=3)
    bruno = make_agent(site, "bruno", max_concurrent=1)
    carla = make_agent(site, "carla", max_concurrent=2)
    busy = start_chat(make_visitor(site))
    assert busy.assignee == ana  # a tie of never-assigned: the lowest user id
    for agent in (ana, bruno, carla):
        presence.do_set_presence(agent, "away")
    queued = [start_chat(make_visitor(site), f"q{i}") for i in range(7)]
    assert all(c.status == "waiting" for c in queued)
    now = timezone.now()
    for agent, idle in ((ana, 3), (bruno, 2), (carla, 1)):
        Presence.objects.filter(user=agent).update(
            status="online", last_assigned_at=now - timedelta(hours=idle))
    Presence.objects.filter(user=ana).update(last_assigned_at=now)  # she took ``busy``

    assert routing.assign_waiting(site.pk) == 5  # room: 3 + 1 + 2 - the one open

    got = [Conversation.objects.get(pk=c.pk).assignee for c in queued]
    # bruno and carla had none (bruno idle longer); then ana (1 open, assigned before
    # carla's first), carla, ana; bruno is full after one, carla after two
    assert got == [bruno, carla, ana, carla, ana, None, None]
    for agent in (ana, bruno, carla):
        held = Conversation.objects.filter(assignee=agent, status="open").count()
        assert held == agent.memberships.get().max_concurrent


def test_away_agent_coming_back_online_takes_the_queue(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "ana")
    presence.do_set_presence(ana, "away")
    conv = start_chat(make_visitor(site))
    assert conv.status == "waiting"
    presence.do_set_presence(ana, "online")
    conv.refresh_from_db()
    assert conv.assignee == ana


def test_a_dead_process_leaves_no_ghost_agent(make_site, make_agent, make_visitor, settings):
    site = make_site()
    ghost = make_agent(site, "ghost")
    # the process died: no disconnect ran, heartbeats simply stopped
    stale = timezone.now() - timedelta(seconds=settings.PAPO["PRESENCE_TTL"] + 1)
    AgentConnection.objects.filter(user=ghost).update(seen_at=stale)
    assert presence.status_of(ghost) == "offline"
    conv = start_chat(make_visitor(site))
    assert conv.status == "waiting"
    presence.sweep()
    assert not AgentConnection.objects.filter(user=ghost).exists()


def test_chats_of_an_agent_gone_past_grace_return_to_the_queue(make_site, make_agent,
                                                               make_visitor, settings):
    site = make_site()
    gone = make_agent(site, "gone")
    conv = start_chat(make_visitor(site))
    assert conv.assignee == gone
    presence.do_agent_disconnect(gone, f"test.channel.{gone.pk}")
    # within the grace period nothing moves
    presence.sweep()
    conv.refresh_from_db()
    assert conv.assignee == gone
    # past it, the chat goes back to the queue, then to whoever is online
    past = timezone.now() - timedelta(seconds=settings.PAPO["AGENT_GRACE_SECONDS"] + 1)
    Presence.objects.filter(user=gone).update(last_seen_at=past)
    helper = make_agent(site, "helper", online=False)
    presence.sweep()
    conv.refresh_from_db()
    assert conv.status == "waiting" and conv.assignee is None
    assert conv.messages.filter(event="requeued").exists()
    presence.do_agent_connect(helper, "chan.helper")
    conv.refresh_from_db()
    assert conv.assignee == helper


def test_chats_of_an_agent_who_lost_access_go_to_someone_who_has_it(make_site, make_agent,
                                                                   make_visitor):
    from agents.models import Membership

    site, other_site = make_site(), make_site("Other", "https://other.example")
    removed = make_agent(site, "removed")
    Membership.objects.create(user=removed, site=other_site)
    here = start_chat(make_visitor(site))
    there = start_chat(make_visitor(other_site))
    assert here.assignee == there.assignee == removed
    stays = make_agent(site, "stays", online=False)
    presence.do_agent_connect(stays, "chan.stays")  # the queue is empty: nothing moves yet
    Membership.objects.get(user=removed, site=site).delete()  # as the admin does
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.assignee == stays and here.messages.filter(event="requeued").exists()
    assert there.assignee == removed  # still a member there
    removed.is_active = False
    removed.save()
    there.refresh_from_db()
    assert there.status == "waiting" and there.assignee is None  # nobody else is on that site


def test_transfer_frees_capacity_for_the_queue(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "ana", max_concurrent=1)
    first = start_chat(make_visitor(site))
    waiting = start_chat(make_visitor(site), "second")
    assert waiting.status == "waiting"
    bruno = make_agent(site, "bruno", max_concurrent=1)  # takes the waiting chat at once
    waiting.refresh_from_db()
    assert waiting.assignee == bruno
    carla = make_agent(site, "carla", max_concurrent=2)
    third = start_chat(make_visitor(site), "third")
    assert third.assignee == carla
    actions.do_transfer(ana, first.pk, carla.pk)
    first.refresh_from_db()
    assert first.assignee == carla
    assert first.messages.filter(event="transferred", data__to=carla.first_name).exists()


def test_one_unresolved_conversation_per_visitor_is_a_database_rule(make_site, make_visitor):
    from django.db import IntegrityError, transaction

    site = make_site()
    visitor = make_visitor(site)
    Conversation.objects.create(site=site, visitor=visitor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(site=site, visitor=visitor, status="open")
    Conversation.objects.filter(visitor=visitor).update(status="resolved")
    Conversation.objects.create(site=site, visitor=visitor)  # a new one after resolving


def test_a_first_message_is_routed_without_reading_back_what_it_wrote(make_site, make_agent):
    """A burst of new chats queues on the site row's lock (``assign_waiting``), so
    the statements of a new chat are few and none reads back what the same
    transaction wrote: its tags (none yet), its last message (just appended), the
    visitor's earlier messages (a visitor stored just now has none)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from visitors.models import Visitor

    site = make_site()
    ana = make_agent(site, "ana")
    visitor = Visitor(site=site)  # as a widget's first message has it: not stored yet
    with CaptureQueriesContext(connection) as sql:
        ack = actions.do_visitor_send(visitor, "first", "hello")
    conv = Conversation.objects.get(pk=ack.conversation)
    assert conv.assignee == ana and conv.status == "open"
    assert [(m.seq, m.event) for m in conv.messages.order_by("seq")] == [(1, ""), (2, "assigned")]
    statements = [q["sql"] for q in sql.captured_queries]
    reads_back = [s for s in statements if s.startswith("SELECT") and (
        "conversations_conversationtag" in s
        or ('FROM "conversations_message"' in s and "client_id" in s.split("WHERE")[-1])
        or ('FROM "conversations_message"' in s and "ORDER BY" in s))]
    assert reads_back == []
    updates = [s for s in statements if s.startswith('UPDATE "conversations_conversation"')]
    assert len(updates) == 2  # one per message appended; the assignment rides on the second
    # savepoints only around the two inserts a racing tab can collide with, none in routing
    assert len([s for s in statements if s.startswith("SAVEPOINT")]) == 2
