"""The conversation admin over HTTP (Django's test client): status and assignee
change only through the actions, which publish; a refusal is shown with its
reason and changes nothing; the change form saves nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bus import events
from conversations import actions
from conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/admin/conversations/conversation/"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "", "x"))
    return client


@pytest.fixture
def desk(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana")
    ack = actions.do_visitor_send(make_visitor(site, name="Rita"), "c-1", "hello")
    conv = Conversation.objects.get(pk=ack.conversation)
    assert conv.assignee == ana
    return site, ana, conv


def run_action(client, name: str, *ids: int, **extra):
    """Pick the admin action on the list (as its form posts it); the page landed on
    and the kinds and events of what was published after commit."""
    data = {"action": name, "index": "0", "_selected_action": [str(i) for i in ids], **extra}
    response, evs = events._collecting(client.post, LIST, data, follow=True)
    assert response.status_code == 200
    return response.content.decode(), [(e["kind"], e.get("conv")) for _, e in evs]


def test_send_back_to_the_queue_then_refused_the_second_time(admin_client, desk):
    _, ana, conv = desk
    page, evs = run_action(admin_client, "requeue", conv.pk)
    assert "1 conversation(s) sent back to the queue." in page
    conv.refresh_from_db()
    assert (conv.status, conv.assignee) == ("waiting", None)
    assert ("conversation", conv.pk) in evs and ("message", conv.pk) in evs
    assert conv.messages.order_by("-seq").first().data == {"agent": "Ana", "by": "root"}
    # a waiting chat cannot be sent back: the reason is shown, nothing changes
    before = conv.last_seq
    page, evs = run_action(admin_client, "requeue", conv.pk)
    assert f"#{conv.pk}: only an open conversation can go back to the queue" in page
    assert evs == []
    conv.refresh_from_db()
    assert conv.last_seq == before


def test_resolve_reopen_and_transfer_through_the_actions(admin_client, desk, make_agent):
    site, ana, conv = desk
    bruno = make_agent(site, "Bruno")
    # transfer: first the choice of agent, then the transfer
    page, evs = run_action(admin_client, "transfer", conv.pk)
    assert evs == [] and "Bruno" in page and 'name="apply"' in page
    page, evs = run_action(admin_client, "transfer", conv.pk, to=str(bruno.pk), apply="yes")
    assert "1 conversation(s) transferred." in page
    conv.refresh_from_db()
    assert conv.assignee == bruno and ("conversation", conv.pk) in evs
    page, _ = run_action(admin_client, "transfer", conv.pk, to=str(bruno.pk), apply="yes")
    assert "that agent already has this conversation" in page
    page, evs = run_action(admin_client, "resolve", conv.pk)
    conv.refresh_from_db()
    assert conv.status == "resolved" and "1 conversation(s) resolved." in page
    page, evs = run_action(admin_client, "reopen", conv.pk)
    conv.refresh_from_db()
    assert conv.status == "open" and "1 conversation(s) reopened." in page
    assert [m.event for m in conv.messages.order_by("seq")][-2:] == ["reopened", "assigned"]


def test_the_change_form_saves_nothing(admin_client, desk):
    _, ana, conv = desk
    url = f"{LIST}{conv.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="_save"' not in page and 'name="status"' not in page
    actions.do_agent_send(ana, conv.pk, "a-1", "a reply after the form was loaded")
    before = Conversation.objects.get(pk=conv.pk)
    response, evs = events._collecting(admin_client.post, url, {
        "status": "resolved", "assignee": "", "last_seq": "0",
        "messages-TOTAL_FORMS": "0", "messages-INITIAL_FORMS": "0", "_save": "Save"})
    assert response.status_code == 302  # the form was valid and "saved"
    after = Conversation.objects.get(pk=conv.pk)
    assert (after.status, after.assignee_id, after.last_seq) == (
        before.status, before.assignee_id, before.last_seq)
    assert evs == []
