"""Internal notes: agent-only messages that share the seq counter but never the visitor.

In-process: what is stored, what each audience is published, what the widget's
replay, history and gap fill read. The live suite (console/tests) proves the
same over a real widget socket.
"""

from __future__ import annotations

import pytest

from bus import events, groups
from conversations import actions, messages, serializers
from conversations.models import Conversation, Message
from papo.errors import PapoError
from visitors import actions as visitor_actions
from visitors.tokens import make_token

pytestmark = pytest.mark.django_db(transaction=True)


def published(fn, *args, **kwargs):
    """Run an action and return (result, [(group, frame kind, event)]) it published."""
    result, evs = events._collecting(fn, *args, **kwargs)
    return result, [(g, e["kind"], e) for g, e in evs]


@pytest.fixture
def chat(make_site, make_agent, make_visitor):
    site = make_site()
    agent = make_agent(site, "Ana")
    visitor = make_visitor(site, name="Rita")
    ack = actions.do_visitor_send(visitor, "c-1", "hello")
    conv = Conversation.objects.get(pk=ack.conversation)
    assert conv.status == "open" and conv.assignee_id == agent.pk
    return site, agent, visitor, conv


def test_note_takes_a_seq_but_not_the_visitor_seq(chat):
    site, agent, visitor, conv = chat
    before = Conversation.objects.get(pk=conv.pk)
    ack, evs = published(actions.do_agent_send, agent, conv.pk, "n-1", "VIP customer", True)
    conv.refresh_from_db()
    assert ack.seq == before.last_seq + 1 == conv.last_seq
    assert conv.visible_seq == before.visible_seq
    assert conv.first_agent_reply_at is None  # a note is not a reply
    note = Message.objects.get(conversation=conv, seq=ack.seq)
    assert note.internal and note.body == "VIP customer"
    visitor_group = groups.visitor(visitor.public_id)
    assert evs, "the note is published to the console"
    assert all(g != visitor_group for g, _, _ in evs)
    assert all("VIP customer" not in e["text"] or g == groups.conversation(conv.pk)
               for g, _, e in evs)


def test_reply_after_note_carries_previous_visible_seq(chat):
    _, agent, visitor, conv = chat
    note, _ = published(actions.do_agent_send, agent, conv.pk, "n-1", "note", True)
    reply, evs = published(actions.do_agent_send, agent, conv.pk, "r-1", "hi!")
    to_visitor = [e for g, k, e in evs if g == groups.visitor(visitor.public_id)]
    assert len(to_visitor) == 1
    assert to_visitor[0]["seq"] == reply.seq == note.seq + 1
    assert to_visitor[0]["prev"] == note.seq - 1  # the widget holds it: no gap


def test_notes_are_absent_from_every_visitor_read(chat, settings):
    site, agent, visitor, conv = chat
    actions.do_agent_send(agent, conv.pk, "n-1", "secret note", True)
    actions.do_agent_send(agent, conv.pk, "r-1", "public reply")
    # welcome replay, with and without resume
    token = make_token(site.pk, visitor.public_id)
    for hello in ({"token": token}, {"token": token, "resume": {"conversation": conv.pk,
                                                                "last_seq": 0}}):
        welcome = visitor_actions.do_visitor_hello(site, hello)
        frame = welcome.frame(2, {})
        bodies = [m["body"] for m in frame["messages"]]
        assert "public reply" in bodies and "secret note" not in bodies
        assert "internal" not in frame["messages"][0]
        conv.refresh_from_db()
        assert frame["conversation"]["last_seq"] == conv.visible_seq
    # widget history
    _, rows, _ = visitor_actions.visitor_history(visitor, None, None, None)
    assert "secret note" not in [m.body for m in rows]
    # the widget consumer's gap fill reads the same way
    from realtime.consumers.widget import WidgetConsumer

    consumer = WidgetConsumer()
    consumer.visitor = visitor
    filled = consumer.load_range(conv.pk, 0, conv.last_seq + 1)
    assert "secret note" not in str(filled) and "public reply" in str(filled)
    # and the serializer refuses to put a note in a widget frame at all
    note = Message.objects.get(conversation=conv, internal=True)
    with pytest.raises(ValueError):
        serializers.message(note, for_console=False)
    # the console sees it, marked
    assert serializers.message(note, for_console=True)["internal"] is True


def test_note_on_waiting_chat_does_not_claim_and_resolved_chat_accepts_notes(
        make_site, make_agent, make_visitor):
    site = make_site()
    agent = make_agent(site, "Ana", online=False)
    visitor = make_visitor(site)
    ack = actions.do_visitor_send(visitor, "c-1", "anyone?")
    conv = Conversation.objects.get(pk=ack.conversation)
    assert conv.status == "waiting"
    _, evs = published(actions.do_agent_send, agent, conv.pk, "n-1", "checking", True)
    conv.refresh_from_db()
    assert conv.status == "waiting" and conv.assignee_id is None
    assert {g for g, _, _ in evs} == {groups.site_agents(site.pk)}
    actions.do_resolve(agent, conv.pk)
    actions.do_agent_send(agent, conv.pk, "n-2", "follow up by email", True)
    with pytest.raises(PapoError) as err:
        actions.do_agent_send(agent, conv.pk, "r-2", "a reply", False)
    assert err.value.code == "invalid_state"


def test_agent_read_marker_sent_to_visitor_stops_at_visible_seq(chat):
    _, agent, visitor, conv = chat
    note, _ = published(actions.do_agent_send, agent, conv.pk, "n-1", "note", True)
    _, evs = published(actions.do_agent_read, agent, conv.pk, note.seq)
    import json

    to_visitor = [json.loads(e["text"]) for g, _, e in evs
                  if g == groups.visitor(visitor.public_id)]
    assert to_visitor[0]["seq"] == note.seq - 1


def test_other_sites_agent_cannot_write_notes(chat, make_site, make_agent):
    _, _, _, conv = chat
    stranger = make_agent(make_site("Other", "https://other.example"), "Eve")
    with pytest.raises(PapoError) as err:
        actions.do_agent_send(stranger, conv.pk, "n-x", "peek", True)
    assert err.value.code == "not_found"


def test_internal_flag_must_be_boolean(chat):
    _, agent, _, conv = chat
    with pytest.raises(PapoError) as err:
        actions.do_agent_send(agent, conv.pk, "n-1", "x", "yes")
    assert err.value.code == "invalid"
    assert messages.check_body(" ok ") == "ok"
