"""The PostgreSQL send statement's plan: one message's cost must not grow with the table.

The statement is prepared (papo.prepared), so PostgreSQL settles on a generic
plan, made from the tables as they are when it is made, and keeps it until an
ANALYZE. Made on a young database, that plan reads the whole message table
(a sequential scan, or an index walked by (author, client_id) alone):
PostgreSQL's CPU per send doubled between 2,000 and 16,000 stored messages
with autovacuum off. papo.prepared plans again every ``REPLAN_EVERY`` calls;
this test shows why and that a plan made on grown tables, with no statistics,
goes straight to the sender's own chat.
"""

from __future__ import annotations

import re

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from conversations.models import Conversation, Message
from conversations.sql_append import PG_SEND_SQL
from papo.testing.live import require_services
from papo.testing.server import Stack
from sites.models import Site
from visitors.models import Visitor

pytestmark = [pytest.mark.services]

ALIAS = "send_plan"
CHATS = 400


@pytest.fixture
def pg(django_db_blocker):
    """A new PostgreSQL database with Papo's schema and a few hundred young chats."""
    require_services()
    stack = Stack.scaled()
    connections.settings[ALIAS] = connections.configure_settings(
        {"default": {}, ALIAS: dj_database_url.parse(stack.env["DATABASE_URL"])})[ALIAS]
    try:
        with django_db_blocker.unblock():
            call_command("migrate", database=ALIAS, verbosity=0)
            with connections[ALIAS].cursor() as cursor:  # no ANALYZE behind the test's back
                for table in ("conversations_message", "conversations_conversation",
                              "visitors_visitor"):
                    cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            site = Site.objects.using(ALIAS).create(name="Shop",
                                                    allowed_origins="https://shop.example")
            visitors = Visitor.objects.using(ALIAS).bulk_create(
                [Visitor(site=site) for _ in range(CHATS)])
            convs = Conversation.objects.using(ALIAS).bulk_create(
                [Conversation(site=site, visitor=v, status=Conversation.Status.OPEN)
                 for v in visitors])
            add_messages(convs, 2)
            yield convs
    finally:
        with django_db_blocker.unblock():
            connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        stack.close()


def add_messages(convs: list[Conversation], each: int) -> None:
    """``each`` more visitor messages in every chat."""
    rows = []
    for conv in convs:
        rows += [Message(conversation=conv, seq=conv.last_seq + n, author=Message.Author.VISITOR,
                         body="hi", client_id=f"{conv.pk}-{conv.last_seq + n}")
                 for n in range(1, each + 1)]
        conv.last_seq = conv.visible_seq = conv.last_seq + each
    Message.objects.using(ALIAS).bulk_create(rows, batch_size=5000)
    Conversation.objects.using(ALIAS).bulk_update(convs, ["last_seq", "visible_seq"])


class GenericPlan:
    """``sql`` prepared on one connection and run on its generic plan, as
    PostgreSQL runs Papo's prepared statements once it has settled on one."""

    def __init__(self, sql: str, name: str) -> None:
        self.name = name
        self.names: list[str] = []
        for param in re.findall(r"%\((\w+)\)s", sql):
            if param not in self.names:
                self.names.append(param)
        numbered = re.sub(r"%\((\w+)\)s",
                          lambda m: f"${self.names.index(m.group(1)) + 1}", sql)
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute(f"PREPARE {name} AS {numbered}")

    def explain(self, params: dict) -> dict:
        """EXPLAIN ANALYZE of one run (rolled back)."""
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("BEGIN")
            try:
                cursor.execute(
                    f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {self.name}("
                    + ", ".join(["%s"] * len(self.names)) + ")",
                    [params[n] for n in self.names])
                return cursor.fetchone()[0][0]["Plan"]
            finally:
                cursor.execute("ROLLBACK")


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def pages(plan: dict) -> int:
    return plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]


def test_a_send_planned_on_grown_tables_reads_only_its_own_chat(pg, django_db_blocker):
    convs = pg
    conv = convs[-1]
    params = {"author": "visitor", "body": "hello", "client_id": "new-one", "internal": False,
              "now": timezone.now(), "agent": None, "visitor": conv.visitor_id,
              "conversation": None}
    sql = PG_SEND_SQL[Message.Author.VISITOR]
    with django_db_blocker.unblock():
        young = GenericPlan(sql, "papo_young")
        young.explain(params)  # its plan is made now, from 800 messages, and kept
        add_messages(convs, 50)  # 20,000 more messages, none of them this visitor's
        kept = young.explain(params)
        # what papo.prepared does every REPLAN_EVERY calls: plan again, on the tables as now
        fresh = GenericPlan(sql, "papo_fresh").explain(params)
    assert kept["Actual Rows"] == fresh["Actual Rows"] == 1  # stored: (false, conv, seq, ...)
    # the fresh plan goes to the message index by the visitor's conversation...
    scans = [n for n in nodes(fresh) if n.get("Relation Name") == "conversations_message"
             and "Scan" in n["Node Type"]]
    assert scans and all("conversation_id" in n.get("Index Cond", "") for n in scans), scans
    # ...and touches a few dozen pages, where the plan made on young tables
    # reads the other chats' 20,000 messages
    assert pages(fresh) < 100 < pages(kept), (pages(fresh), pages(kept))
