"""The search index follows the rows, and snippets are text with marked parts.

In-process, on SQLite (pytest-django's database); the live tests
(realtime/tests/test_live_inbox_views.py) search on both stacks.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from conversations import search, snippets
from conversations.models import Conversation, Message


@pytest.fixture
def agent_and_chat(make_site, make_agent, make_visitor):
    site = make_site()
    agent = make_agent(site, online=False)
    conv = Conversation.objects.create(site=site, visitor=make_visitor(site, name="Zoë"))
    return agent, conv


def found(agent, q: str) -> list[int]:
    return [h["seq"] for h in search.search(agent, {"q": q})["hits"]]


def test_edits_and_deletes_reach_the_index(agent_and_chat):
    agent, conv = agent_and_chat
    msg = Message.objects.create(conversation=conv, seq=1, author="visitor", body="boleto vencido")
    assert found(agent, "boleto") == [1]
    Message.objects.filter(pk=msg.pk).update(body="pix recusado")
    assert found(agent, "boleto") == [] and found(agent, "recusado") == [1]
    msg.delete()
    assert found(agent, "pix") == []
    assert search.search(agent, {"q": "zoe"})["visitors"][0]["field"] == "name"


@pytest.mark.django_db(transaction=True)
def test_a_table_rebuild_loses_the_triggers_and_migrate_puts_them_back(agent_and_chat):
    """SQLite alters a table by rebuilding it, which drops its triggers: any later
    migration of Message would stop the index from following. ``migrate`` heals it."""
    agent, conv = agent_and_chat
    Message.objects.create(conversation=conv, seq=1, author="visitor", body="antes")
    with connection.schema_editor() as editor:
        editor._remake_table(Message)  # what an AlterField of Message does on SQLite
    Message.objects.create(conversation=conv, seq=2, author="visitor", body="depois")
    assert found(agent, "depois") == []  # the proof that the rebuild took the triggers
    call_command("migrate", verbosity=0)
    assert found(agent, "depois") == [2] and found(agent, "antes") == [1]
    Message.objects.create(conversation=conv, seq=3, author="visitor", body="depois de novo")
    assert found(agent, "depois") == [3, 2]


def test_snippets_are_parts_around_the_first_match():
    wanted = snippets.terms("ACAO")
    assert wanted == ["acao"]
    text = ("Bom dia. " * 20) + "A ação 👍🏽 foi feita.\n\nObrigada " + ("e até logo " * 20)
    parts = snippets.parts(text, wanted)
    assert [p["text"] for p in parts if p["match"]] == ["ação"]
    joined = "".join(p["text"] for p in parts)
    assert joined.startswith("… ") and joined.endswith(" …")
    assert "👍🏽 foi feita. Obrigada" in joined  # whitespace runs are one space
    assert len(joined) <= snippets.BEFORE + snippets.AFTER + 4
    # A one-letter term is a whole word; longer ones are prefixes; nothing found: the start.
    assert [p["text"] for p in snippets.parts("a ana e a anabela", ["a"]) if p["match"]] == [
        "a", "a"]
    assert [p["text"] for p in snippets.parts("ana e anabela", ["ana"]) if p["match"]] == [
        "ana", "anabela"]
    assert snippets.parts("<b>example.com</b>", ["zzz"]) == [
        {"text": "<b>example.com</b>", "match": False}]


def test_the_window_and_the_index_give_the_same_pages(agent_and_chat, monkeypatch):
    """Hits come from the newest messages first (a wider stretch of them when the word
    is common), then from the index for the rest: pages across those seams are the
    plain newest-first order, nothing twice or lost."""
    agent, conv = agent_and_chat
    bodies = ["frete grátis", "nada", "frete caro", "oi", "sem frete", "tchau", "frete já"] * 3
    for seq, body in enumerate(bodies, 1):
        Message.objects.create(conversation=conv, seq=seq, author="visitor", body=body)
    newest_first = [s for s in range(len(bodies), 0, -1) if "frete" in bodies[s - 1]]

    def pages() -> list[int]:
        seqs, cursor = [], None
        while True:
            page = search.search(agent, {"q": "fret", "limit": 3, "cursor": cursor})
            seqs += [h["seq"] for h in page["hits"]]
            cursor = page["cursor"]
            if cursor is None:
                return seqs

    assert pages() == newest_first  # all in the window
    for window, wide, common in ((1, 0, 99), (2, 0, 99), (5, 0, 99), (2, 3, 1), (1, 5, 1)):
        monkeypatch.setattr(search, "WINDOW", window)
        monkeypatch.setattr(search, "WIDE_WINDOW", wide)
        monkeypatch.setattr(search, "COMMON", common)
        assert pages() == newest_first, (window, wide, common)
