"""Fuzzing both sockets with hypothesis, over a real daphne and real TCP, on both stacks.

Hypothesis writes frames a careless or hostile client could send: frames
shaped like each request of the schema (``realtime.protocol.WIDGET`` and
``CONSOLE``, so a new frame type or field is fuzzed without touching this
file) with fields of the wrong type or range; arbitrary JSON (deep nesting,
huge numbers, NaN, duplicate keys, lone surrogates, NUL, bidi and zero-width
characters, long strings); text that is not JSON; binary frames; frames over
the size cap. They go to the widget socket before and after ``hello`` and to
the console socket before and after ``hello``.

For every input: each reply is a JSON frame the protocol documents
(docs/protocol.md), errors carry a documented code and echo the request's
``ref``, the socket closes only with a code the input earns (1009 for an
oversized frame, 4401/4403 after a refused token or identity, 4001 after the
hello deadline) and never with 1011. Afterwards the server log holds no
traceback, the database holds only valid rows (read through the server's own
settings), and a real visitor and agent still chat.

Each socket stays open across examples: a ``ping`` with a fresh ``ref`` after
every input marks where the input's replies end (frames are handled in
order), and the socket is reopened only when the server closed it for a
reason the input earned. ``PAPO_FUZZ_EXAMPLES`` sets the examples per socket
for a longer run, ``PAPO_FUZZ_SEED`` other inputs than the fixed ones of CI
(``PAPO_FUZZ_EXAMPLES=5000 PAPO_FUZZ_SEED=7 pytest -m fuzz``), and
``PAPO_FUZZ_SHRINK=1`` lets hypothesis shrink a failure to a minimal input.
"""

from __future__ import annotations

import asyncio
import collections
import json
import math
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from papo.testing.client import Peer, client_id
from papo.testing.live import LivePapo
from realtime import protocol
from visitors.identity import user_hash

pytestmark = [pytest.mark.live, pytest.mark.fuzz, pytest.mark.security]

# The limiter is tested elsewhere (test_live_limits.py); here it must not
# answer in place of the code under test.
LIVE_ENV = {
    "PAPO_FRAME_BURST": "1000000",
    "PAPO_FRAME_RATE": "1000000",
    "PAPO_CONSOLE_FRAME_BURST": "1000000",
    "PAPO_CONSOLE_FRAME_RATE": "1000000",
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "100000",
}
FRAME_CAP = 64 * 1024
REPLY_TIMEOUT = 20.0
HELLO_TIMEOUT = 10  # the default PAPO_HELLO_TIMEOUT
TOO_DEEP = 200  # nesting past which the server may refuse a frame as bad_json

# Examples per socket; the default keeps this file well under 90 s per stack. The
# same inputs every run (derandomized) unless PAPO_FUZZ_SEED picks other ones.
EXAMPLES = int(os.environ.get("PAPO_FUZZ_EXAMPLES", "0")) or None
SEED = os.environ.get("PAPO_FUZZ_SEED")
SHARE = {"widget-before-hello": 300, "widget": 1200, "console-before-hello": 200, "console": 1200}
# Shrinking replays inputs against a server whose state moved on; opt in when debugging.
PHASES = ((Phase.explicit, Phase.generate, Phase.shrink)
          if os.environ.get("PAPO_FUZZ_SHRINK") == "1" else (Phase.explicit, Phase.generate))

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"


# --- what the server may say (docs/protocol.md) ---------------------------------------------
def documented_error_codes() -> set[str]:
    """The codes of the Errors table in docs/protocol.md: the contract, not a copy of it."""
    text = DOC.read_text()
    table = text.split("### Errors", 1)[1].split("### Close codes", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))


ERROR_CODES = documented_error_codes()
MESSAGE_KEYS = ("conversation", "seq", "author", "body", "event", "data", "client_id",
                "created_at")
SHARED_FRAMES = {
    "error": ("code", "message"),
    "pong": (),
    "ack": ("client_id", "conversation", "seq", "created_at", "duplicate"),
    "message": ("message",),
    "typing": ("conversation", "author", "state"),
    "read": ("conversation", "side", "seq"),
    "conversation": ("event", "conversation"),
    "history": ("conversation", "messages", "has_more"),
}
SERVER_FRAMES = {
    "widget": {
        **SHARED_FRAMES,
        "welcome": ("v", "token", "visitor", "conversation", "messages", "has_more",
                    "agents_online", "config", "limits"),
        "visitor": ("visitor",),
        "availability": ("agents_online",),
    },
    "console": {
        **SHARED_FRAMES,
        "welcome": ("v", "agent", "status", "sites", "agents", "counts", "limits"),
        "list": ("box", "q", "conversations", "has_more"),
        "ok": (),
        "agents": ("agents",),
        "visitor_history": ("conversation", "visitor", "conversations", "has_more"),
        "presence": ("agent",),
        "canned": ("site", "responses"),
    },
}


def strings_of(value: object) -> list[str]:
    """Every string in a JSON value, keys included."""
    out, todo = [], [value]
    while todo:
        node = todo.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, dict):
            todo.extend(node)
            todo.extend(node.values())
    return out


def _no_constant(name: str) -> object:
    raise AssertionError(f"the server sent {name}, which is not JSON")


def server_frame(raw: object, endpoint: str) -> dict:
    """Parse one frame from the server and check it is a frame the protocol documents."""
    assert isinstance(raw, str), f"the server sent a binary frame: {raw!r:.80}"
    frame = json.loads(raw, parse_constant=_no_constant)
    assert isinstance(frame, dict), f"not an object: {raw:.200}"
    kind = frame.get("type")
    known = SERVER_FRAMES[endpoint]
    assert isinstance(kind, str) and kind in known, f"undocumented {endpoint} frame: {raw:.200}"
    assert not any("\x00" in t for t in strings_of(frame)), f"the server sent a NUL: {raw:.300}"
    missing = [k for k in known[kind] if k not in frame]
    assert not missing, f"{kind} frame without {missing}: {raw:.300}"
    if kind == "error":
        assert frame["code"] in ERROR_CODES, f"undocumented error code: {raw:.300}"
        assert isinstance(frame["message"], str) and frame["message"], raw[:300]
    if "ref" in frame:
        ref = frame["ref"]
        assert ref is None or (isinstance(ref, str) and len(ref) <= 64) or (
            type(ref) is int and abs(ref) < 2**53), f"an invalid ref was echoed: {raw:.300}"
    messages = list(frame.get("messages") or [])
    if kind == "message":
        messages.append(frame["message"])
    for m in messages:
        assert all(k in m for k in MESSAGE_KEYS), f"message lacks fields: {m}"
        assert m["author"] in ("visitor", "agent", "system") and m["seq"] >= 1, m
    if kind == "ack":
        assert type(frame["seq"]) is int and frame["seq"] >= 1, raw[:300]
    return frame


# --- what the client sends ------------------------------------------------------------------
NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def as_text(s: str) -> str:
    """A string as the server reads it: NUL and lone surrogates become U+FFFD."""
    return NOT_TEXT.sub("\ufffd", s)


def echoable_ref(frame: object) -> object:
    """The ``ref`` the server must copy into its replies to ``frame`` (None: none or unsafe)."""
    if not isinstance(frame, dict):
        return None
    ref = frame.get("ref")
    if isinstance(ref, str) and len(ref) <= 64:
        return as_text(ref)
    if type(ref) is int and abs(ref) < 2**53:
        return ref
    return None


def _not_json(literal: str) -> object:
    raise ValueError(f"{literal} is not JSON")


def nesting(value: object) -> int:
    """How deep ``value`` nests (iterative: it may be deeper than Python's recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict)
                                                   else node))
    return deepest


def json_reads(text: str) -> object:
    """What ``text`` is as JSON (``NaN``/``Infinity`` are not); ``ValueError`` if nothing."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError as exc:
        raise ValueError("too deep") from exc


# Strings that pass a type check and then bite: NUL, lone surrogates, bidi
# overrides, zero-width and non-characters.
NASTY_STRINGS = ["\x00", "a\x00b", "\ud800", "\udfff", "x\udc00y", "\ud83d", "Rita\udc00",
                 "a@b\x00.example", "\u202eevil\u202c", "\u200b", "\u200d\u200d", "\ufeff",
                 "\uffff", "\U0010ffff", "e\u0301", "\u0000\u0000", "\x1b[31m"]
EDGE_STRINGS = [
    *NASTY_STRINGS, "", " ", "  \t\n ", "\ud83d\ude00", "null", "true", "0", "-1",
    "<script>alert(1)</script>", "' OR 1=1 --", "%s%n%x", "../../etc/passwd", "\\",
    "\\u0000", "%", "_", "Ana", "rita@example.com", "rita@@", "a b@c", "https://shop.example/x",
    "javascript:alert(1)", "America/Sao_Paulo", "Europe/Lisbon", "Not/AZone", "../UTC",
    "pt-BR", "🧪" * 40, "\u0627" * 50,
]
# Any code point, lone surrogates included: they can only travel as JSON escapes.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
short_text = st.one_of(st.sampled_from(EDGE_STRINGS), st.text(any_char, max_size=24))
long_text = st.builds(lambda s, n: (s * n)[:n], st.text(any_char, min_size=1, max_size=6),
                      st.sampled_from([33, 64, 65, 200, 201, 255, 513, 4000, 4001, 9000, 30000,
                                       64_000, 70_000]))
text_values = st.one_of(short_text, short_text, long_text)
HUGE_INTS = [0, 1, -1, 2, 3, 5, 200, 201, 2**31, 2**53 - 1, 2**53, 2**53 + 1, 2**63, 2**64,
             -2**70, 10**400, -10**400]
FLOATS = [0.0, -0.0, 0.5, 1.0, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf]
scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(HUGE_INTS), st.integers(-10**6, 10**6),
    st.sampled_from(FLOATS), st.floats(allow_nan=True, allow_infinity=True), text_values,
)


def json_values(keys: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


def literals_of(schemas: list[dict]) -> list[str]:
    """Every literal the schema's ``expected`` texts name (``'start' or 'stop'``)."""
    return sorted({w for schema in schemas for fields in schema.values()
                   for f in fields.values() for w in re.findall(r"'([^']*)'", f.expected)})


def pool_of(schemas: list[dict], extra: list) -> list:
    """Values to try in any field: the schema's literals, boundary numbers and
    strings, odd objects, and ``extra`` (real ids, tokens, site keys)."""
    objects = [{}, [], {"conversation": 1, "last_seq": 0}, {"conversation": 2, "last_seq": 10**6},
               {"conversation": "1", "last_seq": 0}, {"conversation": 0, "last_seq": -1},
               {"url": "https://shop.example/cart", "title": "Cart", "referrer": ""},
               {"url": 5, "title": ["x"], "referrer": None}, {"url": "x" * 3000},
               {"user_id": "u-1", "user_hash": "00"}, {"user_id": "", "user_hash": None},
               {"user_id": ["u"], "user_hash": 1}, [1, 2, 3], ["queue"]]
    return [*HUGE_INTS, *FLOATS, None, True, False, *EDGE_STRINGS, *literals_of(schemas),
            "x" * 32, "y" * 33, "z" * 64, "w" * 65, "v" * 200, "u" * 201, "t" * 4000,
            "s" * 4001, *objects, *extra]


def field_values(f: protocol.Field, pool: list, likely: list, fresh_ids: st.SearchStrategy,
                 wild: st.SearchStrategy) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    """(values the field's own check accepts, values it refuses or arbitrary JSON).

    Valid values come from the pool (more often the ``likely`` ones, which a
    real client sends) and, when the check takes strings or integers,
    from fresh text (edge characters included) and integers.
    """
    good = [v for v in pool if _accepts(f, v)]
    bad = [v for v in pool if not _accepts(f, v)]
    usual = [v for v in likely if _accepts(f, v)]
    # Hypothesis favours the first branches of one_of: usual values come first.
    right = [st.sampled_from(usual)] * 2 if usual else []
    if good:
        right.append(st.sampled_from(good))
    if _accepts(f, "a"):
        right += [fresh_ids, text_values.filter(lambda v: _accepts(f, v))]
    if _accepts(f, 1):
        right.append(st.integers(-3, 10**6).filter(lambda v: _accepts(f, v)))
    wrong = st.one_of(st.sampled_from(bad), wild.filter(lambda v: not _accepts(f, v)))
    return (st.one_of(right) if right else wrong), wrong


def _accepts(f: protocol.Field, v: object) -> bool:
    try:
        return bool(f.check(v))
    except Exception:  # a check that raises would be a server bug: the field then says no
        return False


def shaped_frames(schema: dict, pool: list, likely: list) -> st.SearchStrategy:
    """A request of each type of ``schema``: every field valid except at most two,
    which are of the wrong type or range, arbitrary JSON, or missing; plus a
    ``ref`` (valid or not) and unknown fields, which now and then clobber known ones."""
    keys = st.one_of(st.sampled_from(sorted({"type", "ref", *(n for fs in schema.values()
                                                               for n in fs)})), short_text)
    wild = json_values(keys)
    fresh_ids = st.builds(lambda u: "c-" + u.hex, st.uuids())
    refs = st.one_of(st.sampled_from(["r1", "z" * 64, "z" * 65, "", 0, 7, -7, 2**53 - 1, 2**53,
                                      1.5, True, None, [], {"r": 1}, "\ud800", "r\x00"]),
                     short_text, st.integers())
    values = {kind: {name: field_values(f, pool, likely, fresh_ids, wild)
                     for name, f in fields.items()} for kind, fields in schema.items()}

    @st.composite
    def frame(draw) -> dict:
        kind = draw(st.sampled_from(sorted(schema)))
        fields = schema[kind]
        broken = (draw(st.sets(st.sampled_from(sorted(fields)), min_size=1, max_size=2))
                  if fields and draw(st.booleans()) else set())
        out: dict = {"type": kind}
        for name, f in fields.items():
            right, wrong = values[kind][name]
            # (Hypothesis draws small integers and False most: those are the usual cases.)
            if name in broken:
                if draw(st.integers(0, 3)) < 3:
                    out[name] = draw(wrong)
            elif f.required or draw(st.integers(0, 3)) < 3:
                out[name] = draw(right)
        if draw(st.booleans()):
            out["ref"] = draw(refs)
        extra = draw(st.dictionaries(short_text, wild, max_size=3))
        if draw(st.integers(0, 7)) == 7:  # now and then a known field twice: the last one counts
            return {**out, **draw(st.dictionaries(keys, wild, min_size=1, max_size=2))}
        return {**extra, **out}

    return frame()


@st.composite
def encoded(draw, frames: st.SearchStrategy) -> str:
    """JSON text for a frame: ASCII-escaped or raw UTF-8 (raw cannot hold lone surrogates)."""
    frame = draw(frames)
    text = json.dumps(frame, ensure_ascii=draw(st.booleans()), allow_nan=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(frame, allow_nan=True)
    return text


def deep(n: int, shape: str) -> str:
    return {
        "lists": "[" * n + "]" * n,
        "open": "[" * n,
        "dicts": '{"a":' * n + "0" + "}" * n,
        "in-frame": '{"type": "ping", "ref": "deep", "x": ' + "[" * n + "]" * n + "}",
        "in-field": '{"type": "send", "client_id": "c", "body": ' + "[" * n + "]" * n + "}",
        "type": '{"type": ' + "[" * n + "]" * n + "}",
    }[shape]


RAW_TEXTS = [
    "", " ", "null", "0", "-0", "1e999", '"type"', "[]", "{}", '{"type": null}',
    "NaN", "Infinity", "-Infinity", '{"type": "ping", "ref": NaN}', '{"type": NaN}',
    '{"type": "ping", "ref": Infinity}', '{"type": "read", "seq": Infinity}',
    '{"type": "history", "limit": 1e999}', '{"type": "read", "seq": 1' + "0" * 400 + "}",
    '{"type": "read", "seq": ' + "9" * 5000 + "}", "1" * 5000, '{"type": "ping", "ref": -0}',
    '{"type": "ping", "type": "send", "client_id": "dup", "body": "twice"}',
    '{"type": "send", "type": "ping", "ref": "dup"}',
    '{"type": "send", "client_id": "c-dup-keys", "body": "", "body": "second wins"}',
    '{"type": "ping", "ref": "\\ud800"}', '{"type": "ping", "ref": "\\u0000"}',
    '{"type": "ping", "ref": "\\udbff\\udfff"}', '{"\\ud800": 1, "type": "ping"}',
    '{"type": "pi\\u006eg"}', '{"type": "ping"} trailing', '{"type": "ping",}',
    "{'type': 'ping'}", '{"type": "ping"', "\ufeff{\"type\": \"ping\"}", '{"type":"ping"}\x00',
    "\x00", "\u202e{}", '{"type": "ping", "ref": "\u202e\u200b"}',
]


@st.composite
def near_json(draw, frames: st.SearchStrategy) -> str:
    """A valid-looking frame, cut short or with characters spliced in."""
    text = draw(encoded(frames))
    at = draw(st.integers(0, len(text)))
    cut = draw(st.integers(0, 3))
    splice = draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=3))
    return text[:at] + splice + text[at + cut:]


def inputs(schema: dict, pool: list, likely: list) -> st.SearchStrategy:
    """Everything a socket gets, as (kind, text or bytes); half of it shaped by the schema."""
    keys = st.one_of(st.sampled_from(["type", "ref", *sorted(schema)]), short_text)
    frames = shaped_frames(schema, pool, likely)
    dup_keys = st.lists(st.tuples(st.sampled_from(["type", "ref", "body", "client_id", "seq"]),
                                  json_values(keys)), min_size=2, max_size=5)
    kinds: dict[str, tuple[int, st.SearchStrategy]] = {  # kind: (weight, payloads)
        "schema": (10, encoded(frames)),
        "json": (2, encoded(st.one_of(json_values(keys),
                                      st.dictionaries(keys, json_values(keys), max_size=6)))),
        "duplicate-keys": (1, dup_keys.map(
            lambda kv: "{" + ",".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in kv) + "}")),
        "deep": (1, st.builds(
            deep, st.sampled_from([10, 500, 999, 1000, 1500, 5000, 10_000, 20_000, 30_000]),
            st.sampled_from(["lists", "open", "dicts", "in-frame", "in-field", "type"]))),
        "literal": (1, st.sampled_from(RAW_TEXTS)),
        "near-json": (2, near_json(frames)),
        "text": (1, st.text(st.characters(exclude_categories=("Cs",)), max_size=200)),
        "binary": (1, st.one_of(st.binary(max_size=300), st.sampled_from(
            [b"", b"{}", b'{"type": "ping"}', b"\xff\xfe", b"\x00" * 70_000]))),
    }
    weighted = [kind for kind, (weight, _) in kinds.items() for _ in range(weight)]
    return st.sampled_from(weighted).flatmap(
        lambda kind: st.tuples(st.just(kind), kinds[kind][1]))


# --- the sockets ----------------------------------------------------------------------------
@dataclass
class Arena:
    """A site of its own for the fuzzing, its admin agent, and what strategies need."""

    live: LivePapo
    site_key: str
    agent: dict
    pool_extra: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # what the database held at the last check
    tally: collections.Counter = field(default_factory=collections.Counter)


@pytest.fixture(scope="module")
def arena(live_papo, request):
    tag = uuid.uuid4().hex[:6]
    site, other = f"Fuzz {tag}", f"Fuzz other {tag}"
    out = live_papo.seed({
        "sites": [{"name": site, "origins": [live_papo.host.origin]},
                  {"name": other, "origins": [live_papo.host.origin]}],
        "agents": [{"username": f"fuzz-{tag}", "name": "Fuzz", "sites": [site],
                    "role": "admin", "max_concurrent": 50}],
    })
    site_key, other_key = out["sites"][site]["key"], out["sites"][other]["key"]

    async def setup() -> tuple[str, str]:
        # a conversation on each site: one the agent may see, one it must not
        tokens = []
        for key in (site_key, other_key):
            peer, welcome = await live_papo.visitor(key)
            ack = await peer.request({"type": "send", "client_id": client_id(), "body": "hi"})
            assert ack["type"] == "ack"
            tokens.append(welcome["token"])
            await peer.close()
        return tokens[0], tokens[1]

    token, foreign = asyncio.run(setup())
    secret = out["sites"][site]["secret"]
    arena = Arena(live_papo, site_key, out["agents"][f"fuzz-{tag}"])
    arena.pool_extra = [
        # a token signed by this server for another site, and a tampered one
        site_key, other_key, token, foreign, token[:-1] + "x",
        {"user_id": "u-fuzz", "user_hash": user_hash(secret, "u-fuzz"), "name": "Fuzzed"},
        {"user_id": "u-\ud800", "user_hash": user_hash(secret, "u-\ufffd")},
        *range(1, 13),  # conversation, agent and canned ids of a fresh stack
    ]
    yield arena
    inputs_by_mode = collections.Counter()
    for key, n in arena.tally.items():
        if key.startswith("in:"):
            inputs_by_mode[key.split(":")[1]] += n

    def detail(prefix: str) -> str:
        return ", ".join(f"{k.split(':')[-1]} {v}" for k, v in sorted(arena.tally.items())
                         if k.startswith(prefix))

    line = (f"fuzz [{live_papo.stack.name}]: {sum(inputs_by_mode.values())} inputs "
            f"({', '.join(f'{m} {n}' for m, n in inputs_by_mode.items())}); "
            f"kinds: {detail('kind:')}; replies: {detail('reply:')}; "
            f"closes: {detail('close:') or 'none'}; rows: {arena.rows}")
    print(line)  # for -s and failure reports; and past the capture, for the run's log:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)


class Fuzzer:
    """One socket kept open across examples, on a loop this test owns."""

    def __init__(self, arena: Arena, mode: str) -> None:
        self.arena = arena
        self.mode = mode
        self.endpoint = mode.split("-")[0]
        self.schema = protocol.WIDGET if self.endpoint == "widget" else protocol.CONSOLE
        self.wants_hello = not mode.endswith("before-hello")
        self.loop = asyncio.new_event_loop()
        self.peer: Peer | None = None
        self.token: str | None = None
        self.n = 0
        self.pushed: dict[int, int] = {}  # conversation -> last seq pushed on this socket
        # The inputs before, for failure reports: the socket's state is theirs too.
        self.recent: collections.deque = collections.deque(maxlen=4)
        self.opened_at = 0.0
        self.reopened = 0

    # -- socket --
    async def _open(self) -> Peer:
        live = self.arena.live
        if self.endpoint == "widget":
            peer = await live.widget(self.arena.site_key)
            if self.wants_hello:
                # Every other reopen is a new visitor, so there are several conversations.
                token = self.token if self.reopened % 2 else None
                hello = {"type": "hello", "v": 1, **({"token": token} if token else {})}
                await peer.send(hello)
                welcome = server_frame(await asyncio.wait_for(peer.conn.recv(), REPLY_TIMEOUT),
                                       "widget")
                assert welcome["type"] == "welcome", welcome
                self.token = welcome["token"]
        else:
            peer = await live.console(self.arena.agent, hello=False)
            if self.wants_hello:
                await peer.send({"type": "hello", "v": 1})
                frame = server_frame(await asyncio.wait_for(peer.conn.recv(), REPLY_TIMEOUT),
                                     "console")
                assert frame["type"] == "welcome", frame
                # Presence online again, so the agent keeps being routed chats.
                await peer.send({"type": "presence", "status": "online"})
        return peer

    async def _drop(self) -> None:
        if self.peer is not None:
            await self.peer.close()
            self.peer = None

    # -- one input --
    async def exchange(self, label: str, payload: str | bytes) -> None:
        if self.peer is None:
            self.peer = await self._open()
            self.pushed.clear()
            self.opened_at = self.loop.time()
            self.reopened += 1
        self.n += 1
        self.arena.tally[f"in:{self.mode}:{label}"] += 1
        self.arena.tally[f"kind:{label}"] += 1
        self.recent.append(f"{label}: {payload[:100]!r} ({len(payload)})")
        sync = f"fuzz-sync-{self.n}"
        size = len(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        replies: list[dict] = []
        close_code = None
        try:
            await self.peer.send(payload)
            await self.peer.send({"type": "ping", "ref": sync})
            while True:
                raw = await asyncio.wait_for(self.peer.conn.recv(), REPLY_TIMEOUT)
                frame = server_frame(raw, self.endpoint)
                replies.append(frame)
                if frame["type"] == "message":  # delivery rule 2: once each, in order
                    m = frame["message"]
                    last = self.pushed.get(m["conversation"], 0)
                    assert m["seq"] > last, f"message {m['seq']} pushed after {last}: {m}"
                    self.pushed[m["conversation"]] = m["seq"]
                if frame.get("ref") == sync:
                    break
        except ConnectionClosed as exc:
            close_code = exc.rcvd.code if exc.rcvd else 1006
        except TimeoutError:
            raise AssertionError(
                f"no reply within {REPLY_TIMEOUT}s to {payload[:200]!r}; got {replies}") from None
        # The hello deadline's own error may land anywhere before hello; it answers no input.
        errors = [f for f in replies if f["type"] == "error" and f.get("ref") != sync
                  and not (f["code"] == "hello_required" and f["ref"] is None)]
        for f in replies:
            self.arena.tally[f"reply:{f['type'] if f['type'] != 'error' else f['code']}"] += 1
        # The database and Redis are up all along: neither excuse is ever true here.
        faults = [e for e in errors if e["code"] in ("server_error", "unavailable")]
        assert not faults, (payload[:300], faults)
        if close_code is not None:
            self.arena.tally[f"close:{close_code}"] += 1
            self.peer = None
            self._check_close(close_code, size, errors, payload)
            return
        assert size <= FRAME_CAP, f"a {size}-byte frame was accepted (cap {FRAME_CAP})"
        self._check_replies(payload, replies, errors)
        if not self.wants_hello and any(f["type"] == "welcome" for f in replies):
            await self._drop()  # it said hello: start again before hello

    def _check_close(self, code: int, size: int, errors: list[dict], payload) -> None:
        codes = {e["code"] for e in errors}
        # Over the cap: 1009. Rarely (under load) 1006: autobahn reads the rest of the
        # refused frame as frames, fails again while closing and drops the connection
        # with bytes unread; the RST can reach the client before it reads the close frame.
        earned = {1009, 1006} if size > FRAME_CAP else set()
        if not self.wants_hello:
            if self.loop.time() - self.opened_at >= HELLO_TIMEOUT - 0.5:
                earned.add(4001)  # the hello deadline passed while fuzzing
            if self.endpoint == "widget" and codes & {"token_invalid", "token_expired"}:
                earned.add(4401)
            if self.endpoint == "widget" and codes & {"identity_invalid", "identity_required"}:
                earned.add(4403)
        assert code in earned, (
            f"{self.mode} socket closed with {code} after {payload[:300]!r} ({size} bytes); "
            f"errors {errors}; the inputs before: {list(self.recent)}")

    def _check_replies(self, payload, replies: list[dict], errors: list[dict]) -> None:
        if not self.wants_hello and not any(f["type"] == "welcome" for f in replies):
            # Before hello, nothing but errors: no ack, no pong, no history, no events.
            assert all(f["type"] == "error" for f in replies), (payload[:200], replies)
        if isinstance(payload, bytes):
            assert [e["code"] for e in errors] == ["binary_not_supported"], replies
            return
        try:
            frame = json_reads(payload)
        except ValueError:
            assert [e["code"] for e in errors] == ["bad_json"], (payload[:200], replies)
            return
        if not isinstance(frame, dict):
            assert [e["code"] for e in errors] == ["bad_json"], (payload[:200], replies)
            return
        if nesting(frame) > TOO_DEEP and [e["code"] for e in errors] == ["bad_json"]:
            return  # the server's decoder recurses: how deep it gets depends on its stack
        ref = echoable_ref(frame)
        kind = frame.get("type")
        if not (isinstance(kind, str) and kind in self.schema):
            assert [e["code"] for e in errors] == ["unknown_type"], (payload[:200], replies)
        for e in errors:
            # A big frame that is refused unread may lose its ref; otherwise it is echoed.
            want = {ref} if len(payload) <= 4096 else {ref, None}
            assert e.get("ref") in want, (payload[:200], e)
        if frame.get("type") == "send" and any(f["type"] == "ack" for f in replies):
            ack = next(f for f in replies if f["type"] == "ack")
            assert ack["client_id"] == as_text(frame["client_id"]), (frame, ack)

    def run(self, coro) -> None:
        self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.loop.run_until_complete(self._drop())
        self.loop.close()


def log_since(live: LivePapo, offset: int) -> str:
    return live.server.log_path.read_text(errors="replace")[offset:]


def log_size(live: LivePapo) -> int:
    try:
        return len(live.server.log_path.read_text(errors="replace"))
    except OSError:
        return 0


DB_CHECK = r"""
import json, re, zoneinfo
from django.conf import settings
from agents.models import Membership
from console.models import SHORTCUT_RE, CannedResponse
from conversations.models import Conversation, Message
from visitors.models import Visitor

problems, cap = [], settings.PAPO["MAX_BODY_CHARS"]
EVENTS = {"assigned", "transferred", "resolved", "ended", "reopened", "requeued", "abandoned",
          "rated"}

def text_ok(s, limit=None):
    if not isinstance(s, str) or "\x00" in s or (limit is not None and len(s) > limit):
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

def bad(what, pk, why):
    problems.append(f"{what} {pk}: {why}")

members = set(Membership.objects.values_list("site_id", "user_id"))
convs = {c.pk: c for c in Conversation.objects.select_related("visitor")}
seqs = {}
for m in Message.objects.order_by("conversation_id", "seq"):
    seqs.setdefault(m.conversation_id, []).append(m)
    if m.author in ("visitor", "agent"):
        if not (text_ok(m.body, cap) and m.body and m.body == m.body.strip()):
            bad("message", m.pk, f"body {m.body[:60]!r}")
        if not (text_ok(m.client_id, 64) and m.client_id and m.client_id.isprintable()):
            bad("message", m.pk, f"client_id {m.client_id!r}")
        if m.event:
            bad("message", m.pk, f"{m.author} message with event {m.event!r}")
        if m.author == "visitor" and (m.agent_id or m.internal):
            bad("message", m.pk, "visitor message with agent or internal")
    elif m.author == "system":
        if m.body or m.event not in EVENTS or m.client_id is not None or m.internal:
            bad("message", m.pk, f"system message {m.body!r} {m.event!r} {m.client_id!r}")
    else:
        bad("message", m.pk, f"author {m.author!r}")
unresolved = {}
for c in convs.values():
    got = [m.seq for m in seqs.get(c.pk, [])]
    if got != list(range(1, c.last_seq + 1)):
        bad("conversation", c.pk, f"seqs {got[:20]} but last_seq {c.last_seq}")
    visible = [m.seq for m in seqs.get(c.pk, []) if not m.internal]
    if c.visible_seq != (visible[-1] if visible else 0):
        bad("conversation", c.pk, f"visible_seq {c.visible_seq}, visible {visible[-3:]}")
    if not (0 <= c.visitor_read_seq <= c.last_seq and 0 <= c.agent_read_seq <= c.last_seq):
        bad("conversation", c.pk, f"read {c.visitor_read_seq}/{c.agent_read_seq} > {c.last_seq}")
    if c.site_id != c.visitor.site_id:
        bad("conversation", c.pk, "site differs from its visitor's")
    if c.status not in ("waiting", "open", "resolved"):
        bad("conversation", c.pk, f"status {c.status!r}")
    if c.status == "open" and (c.site_id, c.assignee_id) not in members:
        bad("conversation", c.pk, f"open, assigned to non-member {c.assignee_id}")
    if (c.status == "resolved") != (c.resolved_at is not None):
        bad("conversation", c.pk, f"{c.status} with resolved_at {c.resolved_at}")
    if c.status != "resolved":
        if c.visitor_id in unresolved:
            bad("conversation", c.pk, f"second unresolved chat of visitor {c.visitor_id}")
        unresolved[c.visitor_id] = c.pk
for v in Visitor.objects.all():
    for name, f in ((f.name, f) for f in Visitor._meta.fields if f.get_internal_type()
                    in ("CharField", "EmailField", "URLField")):
        if not text_ok(getattr(v, name), f.max_length):
            bad("visitor", v.pk, f"{name} {getattr(v, name)[:60]!r}")
    if v.email and ("@" not in v.email or any(ch.isspace() for ch in v.email)):
        bad("visitor", v.pk, f"email {v.email!r}")
    for name in ("page_url", "referrer"):
        if getattr(v, name) and not getattr(v, name).startswith(("http://", "https://")):
            bad("visitor", v.pk, f"{name} {getattr(v, name)[:60]!r}")
    if v.time_zone:
        try:
            zoneinfo.ZoneInfo(v.time_zone)
        except Exception:
            bad("visitor", v.pk, f"time_zone {v.time_zone!r}")
for r in CannedResponse.objects.all():
    if not (text_ok(r.shortcut) and re.match(SHORTCUT_RE, r.shortcut)):
        bad("canned", r.pk, f"shortcut {r.shortcut!r}")
    if not (text_ok(r.body, 4000) and r.body.strip()):
        bad("canned", r.pk, f"body {r.body[:60]!r}")
counts = {"conversations": len(convs), "messages": sum(map(len, seqs.values())),
          "visitors": Visitor.objects.count(), "canned": CannedResponse.objects.count()}
print("PAPO-DB-CHECK " + json.dumps({"problems": problems[:40], "counts": counts}))
"""


def database_report(live: LivePapo) -> dict:
    """Every row checked by the server's own settings (SQLite file or PostgreSQL)."""
    out = live.stack.manage("shell", "-c", DB_CHECK)
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("PAPO-DB-CHECK "))
    return json.loads(line.removeprefix("PAPO-DB-CHECK "))


def assert_clean_log(text: str) -> None:
    for needle in ("Traceback", "unexpected error", "Exception", " ERROR "):
        assert needle not in text, f"server log has {needle!r}:\n{text[-3000:]}"


# --- the tests ------------------------------------------------------------------------------
@pytest.mark.timeout(170 if EXAMPLES is None else 0)  # a long local run takes what it takes
@pytest.mark.parametrize("mode", list(SHARE))
def test_fuzzed_frames_get_protocol_answers_and_store_only_valid_rows(arena, mode):
    live = arena.live
    schema = protocol.WIDGET if mode.startswith("widget") else protocol.CONSOLE
    pool = pool_of([protocol.WIDGET, protocol.CONSOLE], arena.pool_extra)
    likely = [protocol.VERSION, *literals_of([schema]), *arena.pool_extra, *NASTY_STRINGS]
    examples = EXAMPLES or SHARE[mode]
    fuzzer = Fuzzer(arena, mode)
    log_from = log_size(live)

    @settings(max_examples=examples, deadline=None, derandomize=SEED is None, database=None,
              phases=PHASES, suppress_health_check=list(HealthCheck))
    @given(sent=inputs(schema, pool, likely))
    def fuzz(sent: tuple[str, str | bytes]) -> None:
        fuzzer.run(fuzzer.exchange(*sent))

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    try:
        fuzz()
        assert fuzzer.n >= examples  # hypothesis ran every example against the socket
    finally:
        fuzzer.close()
    assert_clean_log(log_since(live, log_from))
    report = database_report(live)
    assert report["problems"] == [], report
    arena.rows = report["counts"]


async def test_a_visitor_and_the_agent_still_chat_after_the_fuzzing(arena):
    live = arena.live
    log_from = log_size(live)
    console = await live.console(arena.agent)
    assert (await console.request({"type": "presence", "status": "online"}))["type"] == "ok"
    visitor, _ = await live.visitor(arena.site_key,
                                    page={"url": "https://shop.example/", "title": "Shop"})
    ack = await visitor.request({"type": "send", "client_id": client_id(),
                                 "body": "still there after the storm?"})
    assert ack["type"] == "ack", ack
    conv = ack["conversation"]
    opened = await console.request({"type": "open", "conversation": conv})
    assert opened["type"] == "history", opened
    assert ack["seq"] in [m["seq"] for m in opened["messages"]
                          if m["body"] == "still there after the storm?"]
    reply = await console.request({"type": "send", "conversation": conv,
                                   "client_id": client_id(), "body": "Yes, right here."})
    assert reply["type"] == "ack", reply
    seen = await visitor.expect("message", body="Yes, right here.")
    assert seen["message"]["seq"] == reply["seq"]
    for peer in (visitor, console):
        await peer.close()
    assert_clean_log(log_since(live, log_from))
    assert database_report(live)["problems"] == []

