"""Sending a chat back to the queue, and the Django admin's authority (``staff``)
over resolve, reopen and transfer: in-process, with the events each publishes
after commit (``bus.events._collecting`` captures what ``on_commit`` sends)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from bus import events, groups
from conversations import actions
from conversations.models import Conversation
from papo.errors import PapoError

pytestmark = pytest.mark.django_db(transaction=True)


def published(fn, *args, **kwargs):
    """Run an action; its result and [(group, frame)] of what it published."""
    result, evs = events._collecting(fn, *args, **kwargs)
    return result, [(g, json.loads(e["text"])) for g, e in evs]


def refused(fn, *args, **kwargs) -> str:
    """The code of the action's refusal; it published nothing."""
    with pytest.raises(PapoError) as err:
        published(fn, *args, **kwargs)
    assert not getattr(err.value, "papo_events", []), "a refusal published events"
    return err.value.code


def chat(visitor, body="hello") -> Conversation:
    ack = actions.do_visitor_send(visitor, f"c-{visitor.pk}-{body}", body)
    return Conversation.objects.select_related("assignee").get(pk=ack.conversation)


def staff_user(*perms: str, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=f"op{get_user_model().objects.count()}", first_name="Olga", password="x",
        is_staff=True, is_superuser=superuser)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app,
                                                         codename=codename))
    return get_user_model().objects.get(pk=user.pk)  # fresh: no permission cache


@pytest.fixture
def desk(make_site, make_agent, make_visitor):
    """Ana (online) holds Rita's chat; Bea is the site's admin (offline: gets nothing)."""
    site = make_site()
    ana = make_agent(site, "Ana")
    bea = make_agent(site, "Bea", role="admin", online=False)
    conv = chat(make_visitor(site, name="Rita"))
    assert conv.assignee == ana
    return site, ana, bea, conv


def test_a_site_admin_sends_a_chat_back_and_everyone_hears_after_commit(desk):
    site, ana, bea, conv = desk
    done, evs = published(actions.do_requeue, bea, conv.pk)
    conv.refresh_from_db()
    # nobody else is free, and it does not go straight back to Ana: it waits
    assert (conv.status, conv.assignee_id) == ("waiting", None) == (done.status, done.assignee)
    last = conv.messages.order_by("-seq").first()
    assert (last.author, last.event, last.data) == ("system", "requeued",
                                                    {"agent": "Ana", "by": "Bea"})
    site_agents, widget = groups.site_agents(site.pk), groups.visitor(conv.visitor.public_id)
    kinds = [(g, f["type"], f.get("event") or f.get("message", {}).get("event")) for g, f in evs]
    assert kinds == [(widget, "message", "requeued"), (site_agents, "message", "requeued"),
                     (site_agents, "conversation", "requeued"),
                     (widget, "conversation", "requeued"),
                     (widget, "queue", None)]  # Rita hears her place in the line
    to_console = next(f for g, f in evs if g == site_agents and f["type"] == "conversation")
    assert to_console["conversation"]["status"] == "waiting"
    assert to_console["conversation"]["assignee"] is None


def test_nothing_is_published_when_the_transaction_rolls_back(desk):
    _, _, bea, conv = desk

    def requeue_then_fail() -> None:
        with transaction.atomic():
            actions.do_requeue(bea, conv.pk)
            raise RuntimeError("the caller's transaction fails after the action")

    with pytest.raises(RuntimeError) as err:
        events._collecting(requeue_then_fail)
    assert err.value.papo_events == []
    conv.refresh_from_db()
    assert conv.status == "open" and conv.messages.filter(event="requeued").count() == 0


def test_a_chat_sent_back_goes_to_another_free_agent(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana")
    conv = chat(make_visitor(site))
    bruno = make_agent(site, "Bruno")  # comes online after: Ana has the chat
    assert conv.assignee == ana
    actions.do_requeue(ana, conv.pk)  # the assignee may give it back too
    conv.refresh_from_db()
    assert conv.assignee == bruno and conv.status == "open"
    assert [m.event for m in conv.messages.order_by("seq")] == [
        "", "assigned", "requeued", "assigned"]


def test_the_freed_agent_takes_the_next_chat_not_the_one_it_left(make_site, make_agent,
                                                                 make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana", max_concurrent=1)
    boss = make_agent(site, "Boss", role="admin", online=False)
    first = chat(make_visitor(site), "first")
    second = chat(make_visitor(site), "second")
    assert (first.assignee, second.status) == (ana, "waiting")
    actions.do_requeue(boss, first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "waiting" and first.assignee is None
    assert second.status == "open" and second.assignee == ana


def test_who_may_send_a_chat_back(desk, make_site, make_agent):
    site, ana, bea, conv = desk
    carl = make_agent(site, "Carl", online=False)  # an agent, not the assignee
    outsider = make_agent(make_site("Other"), "Eve", role="admin")
    assert refused(actions.do_requeue, carl, conv.pk) == "forbidden"
    assert refused(actions.do_requeue, outsider, conv.pk) == "not_found"
    assert refused(actions.do_requeue, outsider, conv.pk, staff=True) == "forbidden"
    assert refused(actions.do_requeue, staff_user(), conv.pk, staff=True) == "forbidden"
    assert refused(actions.do_requeue, bea, 10**9) == "not_found"
    conv.refresh_from_db()
    assert (conv.status, conv.assignee) == ("open", ana)
    # staff with the admin's permission need no membership
    olga = staff_user("conversations.change_conversation")
    actions.do_requeue(olga, conv.pk, staff=True)
    conv.refresh_from_db()
    assert conv.status == "waiting"
    assert conv.messages.order_by("-seq").first().data == {"agent": "Ana", "by": "Olga"}
    # only an open chat goes back
    assert refused(actions.do_requeue, bea, conv.pk) == "invalid_state"
    actions.do_resolve(bea, conv.pk)
    assert refused(actions.do_requeue, bea, conv.pk) == "invalid_state"


def test_staff_resolve_transfer_and_reopen_into_the_queue(desk, make_agent, make_visitor):
    site, ana, bea, conv = desk
    olga = staff_user(superuser=True)
    bruno = make_agent(site, "Bruno")
    assert refused(actions.do_transfer, olga, conv.pk, ana.pk, staff=True) == "invalid_state"
    assert refused(actions.do_transfer, olga, conv.pk, bea.pk, staff=True) == "agent_unavailable"
    actions.do_transfer(olga, conv.pk, bruno.pk, staff=True)
    conv.refresh_from_db()
    assert conv.assignee == bruno
    _, evs = published(actions.do_resolve, olga, conv.pk, staff=True)
    conv.refresh_from_db()
    assert conv.status == "resolved"
    assert "resolved" in {f.get("event") for _, f in evs}
    # reopened by staff: into the queue, then routed like any waiting chat
    _, evs = published(actions.do_reopen, olga, conv.pk, staff=True)
    conv.refresh_from_db()
    assert conv.status == "open" and conv.assignee in (ana, bruno)
    assert [m.event for m in conv.messages.order_by("seq")][-2:] == ["reopened", "assigned"]
    assert conv.messages.get(event="reopened").data == {"agent": "Olga"}
    assert [f["event"] for g, f in evs if f["type"] == "conversation"
            and g == groups.site_agents(site.pk)] == ["reopened", "assigned"]
    # a staff reopen refuses what an agent's would
    actions.do_resolve(olga, conv.pk, staff=True)
    chat(conv.visitor, "a new question")
    assert refused(actions.do_reopen, olga, conv.pk, staff=True) == "invalid_state"
