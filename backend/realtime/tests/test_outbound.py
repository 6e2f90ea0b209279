"""The schema of what the server sends (realtime/outbound.py) and the clients' types made from it.

The live suites check every frame a real server sends against the schema
(``PAPO_CHECK_FRAMES``, failed by the root conftest); these tests show that
the check has teeth, that the frames the actions and queries build fit it,
and that the clients' generated TypeScript is current.
"""

from __future__ import annotations

import json

import pytest

from bus import events
from console import queries as console_queries
from conversations import actions, queries, serializers
from realtime import outbound, typegen
from visitors import actions as visitor_actions
from visitors.tokens import make_token


def wrong(endpoint: str, frame: dict) -> list[str]:
    return outbound.problems(endpoint, json.dumps(frame))


def test_the_check_refuses_what_the_schema_does_not_say():
    ok = {"type": "typing", "conversation": 4, "author": "agent", "name": "Ana", "state": "start"}
    assert wrong("widget", ok) == []
    assert wrong("widget", {**ok, "state": "typing"}) == [
        "typing.state: expected one of ['start', 'stop'], got 'typing'"]
    assert wrong("widget", {k: v for k, v in ok.items() if k != "name"}) == [
        "typing: name is missing"]
    assert wrong("widget", {**ok, "secret": 1}) == ["typing: secret is not in the schema"]
    assert wrong("widget", {**ok, "conversation": True}) != []  # a bool is not an integer
    assert wrong("widget", {"type": "presence", "agent": {}}) == [
        "'presence' is not a frame the widget endpoint sends"]
    assert outbound.problems("console", "not json") == ["not JSON"]


def endpoint_of(group: str) -> str:
    return "widget" if group.startswith(("papo.v.", "papo.sw.")) else "console"


def test_frames_built_by_the_actions_fit_the_schema(make_site, make_agent, make_visitor,
                                                    django_capture_on_commit_callbacks):
    site = make_site()
    ana = make_agent(site, "Ana", role="admin")
    make_agent(site, "Bruno")
    visitor = make_visitor(site, name="Rita")
    frames = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ack = actions.do_visitor_send(visitor, "c-1", "hello")
        actions.do_agent_send(ana, ack.conversation, "c-2", "hi Rita")
        actions.do_agent_send(ana, ack.conversation, "c-3", "a note", True)
        actions.do_agent_read(ana, ack.conversation, 2)
        actions.do_resolve(ana, ack.conversation)
    while callbacks:
        callback = callbacks.pop(0)
        if callback.func is not events._dispatch:  # e.g. publish_soon: reads now, publishes
            with django_capture_on_commit_callbacks(execute=False) as more:
                callback()
            callbacks.extend(more)
            continue
        group, event = callback.args
        frames.append((endpoint_of(group), event["text"]))
    frames.append(("widget", json.dumps(ack.frame("r1"))))
    assert {json.loads(t)["type"] for _, t in frames} >= {"message", "conversation", "read", "ack"}
    for endpoint, text in frames:
        assert outbound.problems(endpoint, text) == [], text


def test_welcomes_lists_and_pages_fit_the_schema(make_site, make_agent, make_visitor):
    site = make_site()
    ana = make_agent(site, "Ana")
    visitor = make_visitor(site, name="Rita")
    ack = actions.do_visitor_send(visitor, "c-1", "hello")
    token = make_token(site.pk, visitor.public_id)
    for version in (1, 2):
        for hello in ({"token": token}, {"token": token,
                                         "resume": {"conversation": ack.conversation,
                                                    "last_seq": 0}}):
            welcome = visitor_actions.do_visitor_hello(site, hello)
            frame = welcome.frame(version, {"limits": {"max_body": 4000, "ping_seconds": 25}})
            assert wrong("widget", frame) == []
    conv, rows, more = visitor_actions.visitor_history(visitor, None, 0, None)
    page = {"type": "history", "ref": "r", "conversation": conv.pk, "has_more": more,
            "messages": [serializers.message(m, for_console=False) for m in rows]}
    assert wrong("widget", page) == []
    welcome = {"type": "welcome", "v": 2, **console_queries.console_welcome(ana),
               "live_from": {str(ack.conversation): 2},
               "limits": {"max_body": 4000, "ping_seconds": 25}}
    assert wrong("console", welcome) == []
    rows, more = queries.list_conversations(ana, "open")
    assert wrong("console", {"type": "list", "ref": 1, "box": "open", "q": "",
                             "conversations": rows, "has_more": more}) == []


def test_the_clients_types_are_generated_from_the_schema():
    """`./papo test` runs the same check; regenerate with `python -m realtime.typegen`."""
    assert typegen.main(["--check"]) == 0
    widget = typegen.render("widget")
    assert "export type ServerFrame =" in widget and "more_after?: boolean;" in widget
    assert "internal: boolean;" not in widget  # a widget never sees notes
    assert "internal: boolean;" in typegen.render("console")


@pytest.mark.parametrize("endpoint", ["widget", "console"])
def test_every_frame_type_has_a_unique_name(endpoint):
    names = [shape.name for shape in outbound.ENDPOINTS[endpoint].values()]
    assert len(names) == len(set(names))
