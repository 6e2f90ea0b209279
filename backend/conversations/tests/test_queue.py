"""The queue and business hours in routing, in-process: nothing is routed while a
site is closed (agents may still claim), the queue is routed when it opens, each
waiting visitor hears their place when the line moves (capped), the wait is
estimated from the site's own first replies, and a visitor gone past the site's
hold leaves the line. Events are what ``bus.events._collecting`` captures after
commit, checked against the outbound schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from agents import availability, presence
from bus import events, groups
from conversations import actions, queue
from conversations.models import Conversation
from realtime import outbound
from visitors import actions as visitor_actions
from visitors.tokens import make_token

pytestmark = pytest.mark.django_db(transaction=True)

ALL_WEEK = "mon-sun 00:00-24:00"


def published(fn, *args, **kwargs):
    """Run ``fn``; its result and [(group, frame)] of what it published, each frame
    checked against realtime/outbound.py."""
    result, evs = events._collecting(fn, *args, **kwargs)
    frames = [(g, json.loads(e["text"])) for g, e in evs]
    for group, frame in frames:
        endpoint = "widget" if group.startswith(("papo.v.", "papo.sw.")) else "console"
        assert outbound.problems(endpoint, json.dumps(frame)) == [], frame
    return result, frames


def places(frames) -> dict[str, tuple[int, bool, int | None]]:
    """{visitor public id: (position, beyond, wait)} of the queue frames published."""
    return {g.removeprefix("papo.v."): (f["position"], f["beyond"], f["wait"])
            for g, f in frames if f["type"] == "queue"}


def chat(visitor, body="hello") -> Conversation:
    ack = actions.do_visitor_send(visitor, f"c-{visitor.public_id}-{body}", body)
    return Conversation.objects.get(pk=ack.conversation)


def closed_today(site) -> None:
    """Open round the clock, except that today (UTC) is a holiday."""
    site.time_zone = "UTC"
    site.opening_hours = ALL_WEEK
    site.holidays = timezone.now().date().isoformat()
    site.save()


def tomorrow_midnight() -> datetime:
    today = timezone.now().date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)


def test_while_closed_nothing_is_routed_but_an_agent_may_claim(make_site, make_agent,
                                                                make_visitor):
    site = make_site()
    closed_today(site)
    ana = make_agent(site, "Ana")
    conv = chat(make_visitor(site, name="Rita"))
    assert (conv.status, conv.assignee_id, conv.left_message) == ("waiting", None, True)
    # widgets are told nobody is there, and when the team is back
    told = availability.for_widgets(site)
    assert (told.agents_online, told.opens_at) == (False, tomorrow_midnight())
    config = site.widget_config(told.agents_online, told.opens_at)
    assert config["agents_online"] is False
    assert config["opens_at"] == tomorrow_midnight().isoformat()
    assert outbound.problems("widget", json.dumps({
        "type": "availability", **told.fields()})) == []
    # an agent coming online routes nothing either
    make_agent(site, "Bea")
    conv.refresh_from_db()
    assert conv.status == "waiting"
    # but one may take it by hand
    actions.do_claim(ana, conv.pk)
    conv.refresh_from_db()
    assert (conv.status, conv.assignee_id) == ("open", ana.pk)


def test_at_opening_the_queue_is_routed_and_the_widgets_told(make_site, make_agent,
                                                              make_visitor):
    site = make_site()
    closed_today(site)
    make_agent(site, "Ana")
    first, second = chat(make_visitor(site)), chat(make_visitor(site))
    assert {first.status, second.status} == {"waiting"}
    # the sweep looks at sites whose next change has come (a saved site's is at once);
    # closed, it routes nothing, and notes the next: tomorrow
    assert presence.sweep()["hours_turned"] == 1
    assert {c.status for c in Conversation.objects.filter(site=site)} == {"waiting"}
    site.refresh_from_db()
    assert site.hours_next_change == tomorrow_midnight()
    assert presence.sweep()["hours_turned"] == 0
    # the opening comes (here: the holiday is taken off, which the next sweep notices
    # as it notices the clock passing ``hours_next_change``)
    site.holidays = ""
    site.save()
    result, frames = published(presence.sweep)
    assert result["hours_turned"] == 1
    assert ({c.status for c in Conversation.objects.filter(site=site)} == {"open"})
    widgets = [f for g, f in frames if g == groups.site_widgets(site.pk)]
    assert widgets == [{"type": "availability", "agents_online": True, "opens_at": None}]
    site.refresh_from_db()
    assert site.hours_next_change == site.hours_at().until
    # once turned, a site waits for its next change
    assert presence.sweep()["hours_turned"] == 0
    # the clock passing it is the same: due again, told again
    type(site).objects.filter(pk=site.pk).update(
        hours_next_change=timezone.now() - timedelta(seconds=1))
    assert presence.sweep()["hours_turned"] == 1


def test_at_closing_the_widgets_hear_when_the_team_is_back(make_site, make_agent,
                                                            make_visitor):
    site = make_site(opening_hours=ALL_WEEK)
    make_agent(site, "Ana", max_concurrent=1)
    chat(make_visitor(site))
    waiting = chat(make_visitor(site))
    assert (waiting.status, waiting.left_message) == ("waiting", False)
    site.holidays = timezone.now().date().isoformat()
    site.save()
    _, frames = published(availability.hours_tick)
    widgets = [f for g, f in frames if g == groups.site_widgets(site.pk)]
    assert widgets == [{"type": "availability", "agents_online": False,
                        "opens_at": tomorrow_midnight().isoformat()}]
    # nobody can answer now: what waits is a message left for the team
    waiting.refresh_from_db()
    assert waiting.left_message


def test_each_visitor_hears_their_place_when_the_line_moves(make_site, make_agent,
                                                             make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    first = chat(make_visitor(site))
    assert first.assignee == ana
    visitors = [make_visitor(site) for _ in range(3)]
    waiting = []
    for i, v in enumerate(visitors, 1):
        conv, frames = published(chat, v)
        waiting.append(conv)
        # the newcomer hears their own place, and nobody else hears anything
        assert places(frames) == {v.public_id: (i, False, None)}
    # one more behind changes nothing for those ahead
    late = make_visitor(site)
    last, frames = published(chat, late)
    assert places(frames) == {late.public_id: (4, False, None)}
    # the chat ahead is resolved: Ana takes the next, everyone behind moves up once
    _, frames = published(actions.do_resolve, ana, first.pk)
    assert places(frames) == {visitors[1].public_id: (1, False, None),
                              visitors[2].public_id: (2, False, None),
                              late.public_id: (3, False, None)}
    # a waiting chat resolved from the queue: those behind it move up
    _, frames = published(actions.do_resolve, ana, waiting[1].pk)
    assert places(frames) == {visitors[2].public_id: (1, False, None),
                              late.public_id: (2, False, None)}
    # a hello while waiting brings the place along
    welcome = visitor_actions.do_visitor_hello(site, {"token": make_token(site.pk,
                                                                          late.public_id)})
    assert welcome.queue == {"type": "queue", "conversation": last.pk, "position": 2,
                             "beyond": False, "wait": None}


def test_a_long_line_tells_only_its_first_fifty_and_one(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    first = chat(make_visitor(site))
    line = [make_visitor(site) for _ in range(queue.CAP + 5)]
    for v in line:
        chat(v)
    _, frames = published(actions.do_resolve, ana, first.pk)
    told = places(frames)
    assert len(told) == queue.CAP + 1  # 55 waiting, one assigned, 51 told
    assert told[line[1].public_id] == (1, False, None)
    assert told[line[queue.CAP].public_id] == (queue.CAP, False, None)
    assert told[line[queue.CAP + 1].public_id] == (queue.CAP, True, None)  # "50+"
    assert line[queue.CAP + 2].public_id not in told
    # and the place of a newcomer far back reads the same
    late = make_visitor(site)
    _, frames = published(chat, late)
    assert places(frames) == {late.public_id: (queue.CAP, True, None)}


def test_the_wait_is_estimated_from_the_sites_recent_first_replies(make_site, make_agent,
                                                                   make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    now = timezone.now()

    def answered(wait_seconds: float, **fields) -> None:
        conv = chat(make_visitor(site))
        Conversation.objects.filter(pk=conv.pk).update(
            status="resolved", queued_at=now - timedelta(hours=1),
            first_agent_reply_at=now - timedelta(hours=1) + timedelta(seconds=wait_seconds),
            **fields)

    assert queue.typical_wait(site.pk) is None  # no history, no estimate
    for seconds in (100, 200, 400):
        answered(seconds)
    answered(3 * 3600, left_message=True)  # a message left overnight is no queue wait
    queue._typical.clear()
    assert queue.typical_wait(site.pk) == 200
    busy = chat(make_visitor(site))
    assert busy.assignee == ana
    v1, v2 = make_visitor(site), make_visitor(site)
    _, frames = published(chat, v1)
    assert places(frames) == {v1.public_id: (1, False, 4)}  # 200 s: "a few minutes"
    _, frames = published(chat, v2)
    assert places(frames) == {v2.public_id: (2, False, 5)}  # 400 s with one agent
    # two agents serve the line twice as fast
    assert queue.wait_minutes(site.pk, 2, agents=2) == 4
    assert queue.wait_minutes(site.pk, 30, agents=1) == 60  # 100 minutes: "an hour or more"


@pytest.mark.parametrize(("seconds", "minutes"), [
    (0, 0), (59, 0), (60, 1), (61, 2), (299, 5), (300, 5), (301, 5), (449, 5), (451, 10),
    (1700, 30), (3449, 55), (3451, 60), (50_000, 60),
])
def test_waits_are_worded_without_false_precision(seconds, minutes):
    assert queue.worded_minutes(seconds) == minutes


def test_a_visitor_gone_past_the_hold_leaves_the_line(make_site, make_agent, make_visitor):
    site = make_site(queue_hold_minutes=30)
    ana = make_agent(site, "Ana", max_concurrent=1)
    chat(make_visitor(site))  # Ana's
    stayed, gone, behind = (make_visitor(site) for _ in range(3))
    kept, left, last = chat(stayed), chat(gone), chat(behind)
    assert {kept.status, left.status, last.status} == {"waiting"}
    now = timezone.now()
    type(gone).objects.filter(pk=gone.pk).update(last_seen_at=now - timedelta(minutes=31))
    type(stayed).objects.filter(pk=stayed.pk).update(last_seen_at=now - timedelta(minutes=29))
    result, frames = published(presence.sweep)
    assert result["abandoned"] == 1
    left.refresh_from_db()
    assert left.status == "resolved" and left.assignee is None
    note = left.messages.order_by("-seq").first()
    assert (note.author, note.event, note.data) == ("system", "abandoned", {"minutes": "30"})
    # the agents see it leave the queue; those behind it move up
    assert (groups.site_agents(site.pk), "resolved") in [
        (g, f.get("event")) for g, f in frames if f["type"] == "conversation"]
    assert places(frames) == {stayed.public_id: (1, False, None),
                              behind.public_id: (2, False, None)}
    # nobody is handed it: Ana frees up and takes the next one still there
    actions.do_resolve(ana, ana.assigned_conversations.get(status="open").pk)
    assert ana.assigned_conversations.get(status="open") == kept


def test_left_messages_and_a_zero_hold_are_never_abandoned(make_site, make_agent,
                                                            make_visitor):
    quiet = make_site("Quiet")  # nobody online: a message left for the team
    letter = chat(make_visitor(quiet))
    assert letter.left_message
    patient = make_site("Patient", queue_hold_minutes=0)
    make_agent(patient, "Ana", max_concurrent=1)
    chat(make_visitor(patient))
    line = chat(make_visitor(patient))
    assert (line.status, line.left_message) == ("waiting", False)
    long_ago = timezone.now() - timedelta(days=2)
    type(letter.visitor).objects.update(last_seen_at=long_ago)
    assert presence.sweep()["abandoned"] == 0
    assert set(Conversation.objects.filter(pk__in=[letter.pk, line.pk])
               .values_list("status", flat=True)) == {"waiting"}


def test_when_the_last_agent_goes_the_line_becomes_left_messages(make_site, make_agent,
                                                                  make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    chat(make_visitor(site))
    waiting = chat(make_visitor(site))
    assert not waiting.left_message
    _, frames = published(presence.do_agent_disconnect, ana, f"test.channel.{ana.pk}")
    assert [f for g, f in frames if f["type"] == "availability"] == [
        {"type": "availability", "agents_online": False, "opens_at": None}]
    waiting.refresh_from_db()
    assert waiting.left_message
    # back online: the line is told its places again
    _, frames = published(presence.do_agent_connect, ana, "chan.back")
    assert [f["type"] for g, f in frames if g == groups.visitor(waiting.visitor.public_id)
            ] == ["queue"]
