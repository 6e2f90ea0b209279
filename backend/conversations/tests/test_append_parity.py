"""The two ways a message is stored agree: same rows, same events, same errors (issue #19).

``actions.do_send_many`` stores a message into an open conversation on the hot
path (``sql_append.append_many``: plain SQL, one statement on PostgreSQL, three
on SQLite) and every other send on the ORM path (``messages.append``). Hypothesis
writes a scenario: a site with one to three agents (online or not, agents or
admins, of different capacities), an agent of another site, one to three
visitors (stored or not yet), and operations: visitor sends and agent sends
(replies by the assignee, by a colleague, by the other site's agent; notes;
repeated client ids; invalid bodies, client ids and flags), batches of sends
stored together as ``realtime.sending`` stores them, claims, resolves, reopens
and read markers. The scenario is played twice, each time on a fresh database:
once with the hot path switched off (every send on the ORM path) and once as in
production. Every conversation and message row, every event published (group,
frame, and the metadata delivery decides by), every ack and every error must be
the same, once database ids and timestamps are normalised.

On SQLite it runs in-process on pytest-django's database. On PostgreSQL the
actions use the default connection, so it runs in a subprocess whose default
connection is a fresh database of the scaled stack (``papo.testing.parity``).
``PAPO_PARITY_EXAMPLES`` sets the examples per stack for a longer run,
``PAPO_PARITY_SEED`` other scenarios than the fixed ones of CI, and
``PAPO_PARITY_SHRINK=1`` shrinks a failing one to a minimal scenario.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st

from agents import presence
from agents.models import Membership
from bus import events
from conversations import actions, sql_append
from conversations.models import Conversation
from papo.errors import PapoError
from papo.testing.live import require_services
from papo.testing.parity_record import MISSING, Normalised, first_difference
from papo.testing.server import BACKEND, Stack
from sites.models import Site
from visitors.models import Visitor

EXAMPLES = {"sqlite": 150, "postgresql": 60}  # about 15 s and 20 s on two shared cores
# Shrinking plays a scenario twice per attempt and can take minutes: a failure names
# its first differing step already; PAPO_PARITY_SHRINK=1 shrinks it to a minimal one.
PHASES = ((Phase.explicit, Phase.generate, Phase.shrink)
          if os.environ.get("PAPO_PARITY_SHRINK") == "1" else (Phase.explicit, Phase.generate))
OTHER = 5  # the agent pick that is the other site's agent
MISSING_PICK = 5  # the conversation pick that is a missing one


# --- scenarios ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgentSend:
    agent: int  # one of the site's agents; OTHER: the other site's agent
    conv: int  # one of the conversations so far; MISSING_PICK: a missing one
    client_id: object
    body: object
    internal: object = False


@dataclass(frozen=True)
class VisitorSend:
    visitor: int
    client_id: object
    body: object


@dataclass(frozen=True)
class Batch:
    sends: tuple


@dataclass(frozen=True)
class Act:
    action: str  # claim, resolve, reopen, read
    who: int  # an agent; for a visitor's read, a visitor
    conv: int
    seq: int = 0
    side: str = "agent"


# Mostly valid sends; a client id is one of a few per sender (so they repeat: a
# resend), and now and then an invalid one, as is a body or an internal flag.
client_ids = st.sampled_from(["1", "2", "3", "4"] * 8 + ["", "x" * 65, "tab\tbed", 7, None])
bodies = st.sampled_from(["hello", "  spaced out  ", "olá ☕ مرحبا"] * 10
                         + ["", "   ", "TOO LONG", "nul\x00", 42])
agent_sends = st.builds(AgentSend, st.integers(0, OTHER), st.integers(0, MISSING_PICK),
                        client_ids, bodies, st.sampled_from([False] * 6 + [True] * 3 + ["yes"]))
visitor_sends = st.builds(VisitorSend, st.integers(0, 2), client_ids, bodies)
sends = st.one_of(visitor_sends, agent_sends)
acts = st.one_of(
    st.builds(Act, st.sampled_from(["claim", "resolve", "reopen"]), st.integers(0, OTHER),
              st.integers(0, MISSING_PICK)),
    st.builds(Act, st.just("read"), st.integers(0, OTHER), st.integers(0, MISSING_PICK),
              st.integers(0, 9),
              st.sampled_from(["agent", "visitor"])))
operations = st.one_of(visitor_sends, agent_sends, visitor_sends, agent_sends,
                       st.builds(Batch, st.lists(sends, min_size=2, max_size=5).map(tuple)),
                       acts)
scenarios = st.fixed_dictionaries({
    "agents": st.lists(st.fixed_dictionaries({
        "online": st.booleans(), "capacity": st.integers(1, 3), "admin": st.booleans()}),
        min_size=1, max_size=3),
    "visitors": st.lists(st.booleans(), min_size=1, max_size=3),  # stored yet?
    "ops": st.lists(operations, min_size=3, max_size=20),
})

# One day at the desk, played first on each stack, so that every case is met
# whatever hypothesis draws: agent 0 takes the first chat and agent 1 (capacity
# 1) the second; the third waits, and agent 2 (offline, an admin) claims it by
# replying in a batch that also carries its visitor's next message.
STORY = {
    "agents": [{"online": True, "capacity": 1, "admin": False},
               {"online": True, "capacity": 1, "admin": False},
               {"online": False, "capacity": 1, "admin": True}],
    "visitors": [True, True, False],
    "ops": [
        VisitorSend(0, "1", "hello"), VisitorSend(1, "1", "hi there"),
        VisitorSend(2, "1", "anyone?"),
        AgentSend(1, 0, "1", "a colleague's chat"),  # forbidden
        AgentSend(0, 0, "1", "  how can I help?  "), AgentSend(OTHER, 0, "1", "not mine"),
        Batch((VisitorSend(0, "2", "my order"), AgentSend(0, 0, "2", "let me look"),
               AgentSend(1, 0, "2", "VIP customer", True), VisitorSend(1, "1", "hi there"),
               AgentSend(2, 2, "1", "I'll take it"), VisitorSend(2, "2", "still there?"))),
        Batch((VisitorSend(0, "3", "again"), VisitorSend(0, "3", "again"),
               AgentSend(1, 1, "3", "dup", True), AgentSend(1, 1, "3", "dup", True))),
        VisitorSend(0, "3", "again"), AgentSend(0, 0, "2", "let me look"),
        Act("resolve", 1, 0), Act("resolve", 0, 0), AgentSend(0, 0, "3", "too late"),
        AgentSend(0, 0, "4", "follow up by email", True), VisitorSend(0, "4", "back again"),
        Act("reopen", 0, 0), Act("claim", 1, 2), Act("read", 0, 3, 9),
        Act("read", 0, 0, 9, "visitor"),
        VisitorSend(1, "2", "TOO LONG"), VisitorSend(1, "", "hi"), VisitorSend(1, "2", "   "),
        AgentSend(1, 1, "4", "note", "yes"),
    ],
}


# --- playing one ----------------------------------------------------------------------------
def fresh_database() -> None:
    """Empty every table and restart its ids: a fresh database, short of the content
    types and permissions that migrations made (kept for whatever runs next)."""
    tables = [t for t in connection.introspection.django_table_names(only_existing=True)
              if t not in ("django_content_type", "auth_permission")]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True))


@contextmanager
def hot_path(on: bool, seen: Counter):
    """The hot path as in production (counting what it stores), or switched off:
    every send then takes the ORM path, as a send the hot path leaves does."""
    real = sql_append.append_many

    def counted(fast_sends):
        done = real(fast_sends)
        seen.update(("hot path duplicate" if d[1] else "hot path stored") for d in done if d)
        return done

    sql_append.append_many = counted if on else (lambda fast_sends: [None] * len(fast_sends))
    try:
        yield
    finally:
        sql_append.append_many = real


class Player:
    """One scenario on the current database, recorded raw (ids and times as stored)."""

    def __init__(self, scenario: dict, seen: Counter) -> None:
        self.seen = seen
        self.steps: list[dict] = []
        User = get_user_model()
        with collected():  # the setting up is not under test
            self.site = Site.objects.create(name="Shop", key="pk_parity_a",
                                            allowed_origins="https://shop.example")
            self.other = Site.objects.create(name="Other", key="pk_parity_b",
                                             allowed_origins="https://other.example")
            self.agents = []
            for i, spec in enumerate([*scenario["agents"], {"online": True, "capacity": 1,
                                                            "admin": False, "other": True}]):
                user = User.objects.create_user(f"a{i}", first_name=f"Agent {i}", password=None)
                Membership.objects.create(user=user, site=self.other if "other" in spec
                                          else self.site, max_concurrent=spec["capacity"],
                                          role="admin" if spec["admin"] else "agent")
                if spec["online"]:
                    presence.do_agent_connect(user, f"parity.{i}")
                self.agents.append(user)
            self.visitors = [Visitor(site=self.site, public_id=f"{i + 1:032x}")
                             for i in range(len(scenario["visitors"]))]
            for visitor, stored in zip(self.visitors, scenario["visitors"], strict=True):
                if stored:
                    visitor.save()

    def play(self, op) -> None:
        if isinstance(op, Batch):
            batch = self.batch([self.send(s) for s in op.sends])
            self.record([who for who, _ in batch], actions.do_send_many,
                        [send for _, send in batch])
        elif isinstance(op, Act):
            self.act(op)
        else:
            who, send = self.send(op)
            self.record(who, actions.do_send_many, [send])

    def record(self, what, fn, *args) -> None:
        try:
            result, evs = events._collecting(fn, *args)
        except PapoError as exc:
            result, evs = exc, exc.papo_events  # type: ignore[attr-defined]
        if isinstance(result, list):
            result = [self.outcome(r) for r in result]
        else:
            result = self.outcome(result)
        self.steps.append({"op": what, "result": result, "events": evs,
                           "batch": fn is actions.do_send_many and len(args[0]) > 1})

    def outcome(self, result) -> object:
        if isinstance(result, actions.Ack):
            self.seen["duplicate" if result.duplicate else "stored"] += 1
            return {"ack": asdict(result)}
        if isinstance(result, PapoError):
            self.seen[result.code] += 1
            return {"error": result.code, "message": result.message}
        if isinstance(result, Exception):  # a crash is a bug on either path
            raise AssertionError(f"crashed: {result!r}") from result
        if isinstance(result, Conversation):
            return {"conversation": result.pk}
        return result  # a read marker

    def conversation(self, pick: int) -> int:
        pks = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
        return MISSING if pick == MISSING_PICK or not pks else pks[pick % len(pks)]

    def agent(self, pick: int) -> int:
        """An index into ``agents``: the other site's is the last."""
        return len(self.agents) - 1 if pick == OTHER else pick % (len(self.agents) - 1)

    def send(self, op) -> tuple[dict, actions.Send]:
        """The :class:`actions.Send` a socket would make of ``op``, and who sent it."""
        if isinstance(op, VisitorSend):
            i = op.visitor % len(self.visitors)
            visitor = self.visitors[i]
            current = actions.current_conversation(visitor)  # what the widget knows of
            who = {"visitor": i, "client_id": self.client_id(f"v{i}", op.client_id),
                   "body": op.body}
            return who, actions.Send(who["client_id"], self.body(op.body), visitor=visitor,
                                     conversation_id=current.pk if current else None)
        i = self.agent(op.agent)
        who = {"agent": self.agents[i].pk, "conversation": self.conversation(op.conv),
               "client_id": self.client_id(f"a{i}", op.client_id), "body": op.body,
               "internal": op.internal}
        return who, actions.Send(who["client_id"], self.body(op.body), agent=self.agents[i],
                                 conversation_id=who["conversation"], internal=op.internal)

    @staticmethod
    def client_id(sender: str, token: object) -> object:
        return f"{sender}-{token}" if token in ("1", "2", "3", "4") else token

    @staticmethod
    def body(token: object) -> object:
        return "x" * (django_settings.PAPO["MAX_BODY_CHARS"] + 1) if token == "TOO LONG" else token

    def batch(self, sends: list[tuple[dict, actions.Send]]) -> list[tuple[dict, actions.Send]]:
        """The sends of different sockets that arrive together, in the one order both
        paths agree on (sends arriving together have no order of their own).

        The server stores a batch's hot-path sends first and the rest after, one by
        one: a visible reply to a waiting chat (which claims it) waits for the
        visitor's messages and the notes to that chat in the same batch. Played in
        arrival order by the ORM path, they would get other seqs; so that reply
        is moved after them here. A client id is one message of one client, so a
        repeat of one in the same batch is a resend of the same message (a
        different message under the same id would be answered by whichever came
        first); other sends under a client id already in the batch are left out.
        """
        firsts: dict[tuple, dict] = {}
        kept = []
        for who, send in sends:
            key = (who.get("visitor"), who.get("agent"), repr(send.client_id))
            if firsts.setdefault(key, who) == who:
                kept.append((who, send))
        waiting = set(Conversation.objects.filter(status=Conversation.Status.WAITING)
                      .values_list("pk", flat=True))
        return sorted(kept, key=lambda s: s[1].agent is not None and s[1].internal is False
                      and s[1].conversation_id in waiting)

    def act(self, op: Act) -> None:
        agent = self.agents[self.agent(op.who)]
        conv = self.conversation(op.conv)
        if op.action == "read" and op.side == "visitor":
            i = op.who % len(self.visitors)
            self.record({"visitor": i, "read": op.seq}, actions.do_visitor_read,
                        self.visitors[i], op.seq)
            return
        what = {"agent": agent.pk, "action": op.action, "conversation": conv}
        if op.action == "read":
            self.record({**what, "seq": op.seq}, actions.do_agent_read, agent, conv, op.seq)
        else:
            self.record(what, getattr(actions, f"do_{op.action}"), agent, conv)


@contextmanager
def collected():
    """Events published meanwhile go nowhere (they are collected and dropped)."""
    token = events._collector.set([])
    try:
        yield
    finally:
        events._collector.reset(token)


def run(scenario: dict, hot: bool, seen: Counter) -> dict:
    fresh_database()
    with hot_path(hot, seen):
        player = Player(scenario, seen)
        for op in scenario["ops"]:
            player.play(op)
    return Normalised(player.steps, player.agents,
                      {player.site.pk: "A", player.other.pk: "B"}).as_dict()


def check_parity(examples: int | None = None) -> Counter:
    """Play scenarios on both paths on the default database; returns what was seen."""
    stack = connection.vendor
    seen: Counter = Counter()

    chosen = os.environ.get("PAPO_PARITY_SEED")

    @settings(max_examples=int(os.environ.get("PAPO_PARITY_EXAMPLES", "0"))
              or examples or EXAMPLES[stack], deadline=None, database=None,
              derandomize=chosen is None, phases=PHASES,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(scenarios)
    @example(STORY)
    def both_paths_agree(scenario: dict) -> None:
        orm, hot = run(scenario, False, Counter()), run(scenario, True, seen)
        assert orm == hot, first_difference(orm, hot)

    (seed(int(chosen))(both_paths_agree) if chosen else both_paths_agree)()
    # Scenarios that never reach a case would pass whatever the paths did there.
    expected = {"hot path stored", "stored", "duplicate", "forbidden", "not_found",
                "invalid_state", "invalid", "body_empty", "body_too_long"}
    if stack == "postgresql":  # SQLite leaves duplicates to the ORM path
        expected.add("hot path duplicate")
    assert expected <= seen.keys(), f"never seen: {expected - seen.keys()} (seen: {seen})"
    return seen


# --- on both stacks -------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)  # the hot path runs only outside a transaction
def test_both_paths_agree_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the test database is not SQLite; the PostgreSQL run is the next test")
    print(f"parity held on sqlite: {dict(sorted(check_parity().items()))}")


@pytest.mark.services
def test_both_paths_agree_on_postgresql():
    require_services()
    stack = Stack.scaled()
    try:
        done = subprocess.run([sys.executable, "-m", "papo.testing.parity"], cwd=BACKEND,
                              env=stack.environ(), capture_output=True, text=True)
    finally:
        stack.close()
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-8000:]
    assert "parity held on postgresql" in done.stdout, done.stdout
    print(done.stdout)
