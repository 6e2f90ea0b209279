"""Ending a chat (the visitor's ``end``) and rating it, in-process.

What each action stores, what it publishes and to whom, and that every refusal
changes nothing and publishes nothing. The live suite (realtime/tests/
test_live_rating.py) proves the same over real sockets on both stacks.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agents import presence
from bus import events, groups
from conversations import actions, ratings
from conversations.models import Conversation, Message
from papo.errors import PapoError
from visitors import actions as visitor_actions
from visitors.tokens import make_token

pytestmark = pytest.mark.django_db(transaction=True)


def published(fn, *args, **kwargs):
    """Run an action; return (result, [(group, frame)]) it published after commit."""
    result, evs = events._collecting(fn, *args, **kwargs)
    return result, [(g, json.loads(e["text"])) for g, e in evs]


def refused(code: str, fn, *args) -> None:
    """``fn`` raises ``code``, and publishes nothing."""
    with pytest.raises(PapoError) as exc:
        events._collecting(fn, *args)
    assert exc.value.code == code, exc.value.message
    assert getattr(exc.value, "papo_events", []) == []


def snapshot(conv: Conversation) -> tuple:
    conv = Conversation.objects.get(pk=conv.pk)
    return (conv.status, conv.ended_by, conv.resolved_at, conv.rating_score,
            conv.rating_comment, conv.rated_at, conv.last_seq)


@pytest.fixture
def chat(make_site, make_agent, make_visitor):
    site = make_site()
    agent = make_agent(site, "Ana", max_concurrent=1)
    visitor = make_visitor(site, name="Rita")
    ack = actions.do_visitor_send(visitor, "c-1", "hello")
    conv = Conversation.objects.get(pk=ack.conversation)
    assert conv.status == "open" and conv.assignee_id == agent.pk
    return site, agent, visitor, conv


# --- ending ------------------------------------------------------------------------------------
def test_the_visitor_ends_their_chat_and_the_agent_takes_the_next(chat, make_visitor):
    site, agent, visitor, conv = chat
    other = make_visitor(site, name="Bea")
    waiting = Conversation.objects.get(pk=actions.do_visitor_send(other, "c-2", "hi").conversation)
    assert waiting.status == "waiting"  # Ana is full (1 of 1)

    _, evs = published(actions.do_visitor_end, visitor, conv.pk)
    conv.refresh_from_db()
    assert (conv.status, conv.ended_by) == ("resolved", "visitor") and conv.resolved_at
    last = Message.objects.get(conversation=conv, seq=conv.last_seq)
    assert (last.author, last.event, last.data) == ("system", "ended", {"by": "Rita"})
    frames = [(g, f["type"], f.get("event") or f.get("message", {}).get("event")) for g, f in evs]
    assert (groups.visitor(visitor.public_id), "message", "ended") in frames
    assert (groups.visitor(visitor.public_id), "conversation", "resolved") in frames
    assert (groups.site_agents(site.pk), "conversation", "resolved") in frames
    # Ana has room again: the waiting chat is hers now.
    waiting.refresh_from_db()
    assert (waiting.status, waiting.assignee_id) == ("open", agent.pk)
    console_view = next(f["conversation"] for g, f in evs if g == groups.site_agents(site.pk)
                        and f["type"] == "conversation" and f["conversation"]["id"] == conv.pk)
    assert console_view["ended_by"] == "visitor" and console_view["rating"] is None


def test_events_of_an_end_go_out_only_after_commit(chat):
    _, _, visitor, conv = chat
    token = events._collector.set([])
    try:
        with transaction.atomic():
            actions.do_visitor_end(visitor, conv.pk)
            assert events._collector.get() == []  # stored, not yet committed: nothing heard
        assert events._collector.get(), "published once committed"
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.do_visitor_send(visitor, "c-9", "again")
            raise RuntimeError("rolled back")
        assert all(e["conv"] == conv.pk for _, e in events._collector.get())
    finally:
        events._collector.reset(token)
    assert not Conversation.objects.filter(visitor=visitor).exclude(pk=conv.pk).exists()


def test_ending_is_refused_without_changing_anything(chat, make_visitor, make_site):
    site, agent, visitor, conv = chat
    stranger = make_visitor(site, name="Eve")
    elsewhere = make_visitor(make_site("Other", "https://other.example"), name="Rita")
    before = snapshot(conv)
    refused("not_found", actions.do_visitor_end, stranger, conv.pk)  # another visitor's
    refused("not_found", actions.do_visitor_end, elsewhere, conv.pk)  # another site's
    refused("not_found", actions.do_visitor_end, visitor, conv.pk + 1000)
    refused("invalid", actions.do_visitor_end, visitor, "41")
    assert snapshot(conv) == before
    actions.do_visitor_end(visitor, conv.pk)
    after = snapshot(conv)
    refused("invalid_state", actions.do_visitor_end, visitor, conv.pk)  # twice
    refused("invalid_state", actions.do_resolve, agent, conv.pk)
    assert snapshot(conv) == after


def test_an_agent_resolve_says_agent_and_a_reopen_clears_it(chat):
    _, agent, visitor, conv = chat
    actions.do_resolve(agent, conv.pk)
    conv.refresh_from_db()
    assert conv.ended_by == "agent"
    ratings.do_rate(visitor, conv.pk, 4)
    actions.do_reopen(agent, conv.pk)
    conv.refresh_from_db()
    # Open again, nobody ended it; the rating stays (one per conversation).
    assert (conv.status, conv.ended_by, conv.rating_score) == ("open", "", 4)


def test_writing_after_an_end_opens_a_new_conversation(chat):
    site, _, visitor, conv = chat
    actions.do_visitor_end(visitor, conv.pk)
    ack = actions.do_visitor_send(visitor, "c-new", "one more thing")
    assert ack.conversation != conv.pk
    welcome = visitor_actions.do_visitor_hello(site, {"token": make_token(site.pk,
                                                                          visitor.public_id)})
    assert welcome.conversation.pk == ack.conversation
    assert welcome.frame(2, {})["conversation"]["rating"] is None


# --- rating ------------------------------------------------------------------------------------
def test_a_rating_is_stored_once_and_told_to_both_sides(chat):
    site, agent, visitor, conv = chat
    actions.do_visitor_end(visitor, conv.pk)
    _, evs = published(ratings.do_rate, visitor, conv.pk, 4, "  Quick and kind  ")
    conv.refresh_from_db()
    assert (conv.rating_score, conv.rating_comment) == (4, "Quick and kind") and conv.rated_at
    msg = Message.objects.get(conversation=conv, seq=conv.last_seq)
    assert (msg.event, msg.data) == ("rated", {"score": "4", "comment": "Quick and kind"})

    to_visitor = [f for g, f in evs if g == groups.visitor(visitor.public_id)]
    to_console = [f for g, f in evs if g != groups.visitor(visitor.public_id)]
    shown = next(f["message"] for f in to_visitor if f["type"] == "message")
    assert shown["data"] == {"score": "4"}  # the comment is for the team
    assert next(f for f in to_visitor if f["type"] == "conversation")["conversation"][
        "rating"] == 4
    message = next(f["message"] for f in to_console if f["type"] == "message")
    assert message["data"] == {"score": "4", "comment": "Quick and kind"}
    event = next(f for f in to_console if f["type"] == "conversation")
    assert event["event"] == "rated"
    assert event["conversation"]["rating"]["score"] == 4
    assert event["conversation"]["rating"]["comment"] == "Quick and kind"
    # The widget's replay leaves the comment out too.
    welcome = visitor_actions.do_visitor_hello(site, {"token": make_token(site.pk,
                                                                          visitor.public_id)})
    frame = welcome.frame(2, {})
    assert frame["conversation"]["rating"] == 4
    assert "Quick and kind" not in events.dumps(frame)


def test_ratings_that_are_refused_change_nothing(chat, make_visitor):
    site, agent, visitor, conv = chat
    before = snapshot(conv)
    refused("invalid_state", ratings.do_rate, visitor, conv.pk, 5)  # still open
    assert snapshot(conv) == before
    actions.do_resolve(agent, conv.pk)
    stranger = make_visitor(site, name="Eve")
    before = snapshot(conv)
    refused("not_found", ratings.do_rate, stranger, conv.pk, 1)  # not theirs
    for score in (0, 6, "5", True, None, 4.5):
        refused("invalid", ratings.do_rate, visitor, conv.pk, score)
    refused("invalid", ratings.do_rate, visitor, conv.pk, 3, "x" * 1001)
    refused("invalid", ratings.do_rate, visitor, conv.pk, 3, 42)
    assert snapshot(conv) == before
    ratings.do_rate(visitor, conv.pk, 2, "slow")
    before = snapshot(conv)
    refused("invalid_state", ratings.do_rate, visitor, conv.pk, 5, "changed my mind")  # twice
    assert snapshot(conv) == before
    assert Message.objects.filter(conversation=conv, event="rated").count() == 1


def test_agent_ratings_sum_the_last_30_days_per_agent(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=10)
    other_site = make_site("Other", "https://other.example")
    make_agent(other_site, "Zed")

    def rated_chat(score: int, visitor_name: str, site=site, days_ago: int = 0):
        visitor = make_visitor(site, name=visitor_name)
        conv = Conversation.objects.get(
            pk=actions.do_visitor_send(visitor, "c-" + visitor_name, "hi").conversation)
        actions.do_visitor_end(visitor, conv.pk)
        ratings.do_rate(visitor, conv.pk, score)
        Conversation.objects.filter(pk=conv.pk).update(
            rated_at=timezone.now() - timedelta(days=days_ago))
        return conv

    rated_chat(5, "a")
    rated_chat(4, "b")
    rated_chat(1, "c", days_ago=31)  # outside the window
    assert ratings.agent_ratings([site.pk]) == {ana.pk: {"average": 4.5, "count": 2}}
    assert ratings.summary(ratings.rated([site.pk])) == {"average": 3.33, "count": 3}
    assert ratings.summary(ratings.rated([other_site.pk])) == {"average": None, "count": 0}

    # The console's directory of agents carries each one's sum.
    directory = {a["name"]: a for a in presence.agents_of(ana)}
    assert directory["Ana"]["rating"] == {"average": 4.5, "count": 2}
    # Ana's ratings on this site are not another tenant's business.
    both = make_agent(other_site, "Bo")
    from agents.models import Membership
    Membership.objects.create(user=ana, site=other_site)
    seen_from_other = {a["name"]: a for a in presence.agents_of(both)}
    assert seen_from_other["Ana"]["rating"] is None
