"""The protocol schema: which frames each endpoint accepts, and their fields.

docs/protocol.md is the prose; this is the code every consumer parses with.
``parse`` turns a text frame into a validated dict or raises ``PapoError``
with the code the client will see. Actions still check meaning (is this body
empty? may this agent see that conversation?); this module checks shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from papo.errors import PapoError

VERSION = 2  # what this server speaks by default (docs/protocol.md)
SPOKEN = (1, 2)  # versions a client may ask for in hello: older clients are still served


@dataclass(frozen=True)
class Field:
    check: Callable[[object], bool]
    expected: str
    required: bool = False


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int(lo: int = 0, hi: int = 2**53) -> Callable[[object], bool]:
    return lambda v: _is_int(v) and lo <= v <= hi  # type: ignore[operator]


def _str(hi: int) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and len(v) <= hi


def _one_of(*values: str) -> Callable[[object], bool]:
    return lambda v: v in values


def _obj(v: object) -> bool:
    return isinstance(v, dict)


def _resume(v: object) -> bool:
    return (
        isinstance(v, dict)
        and _int(1)(v.get("conversation"))
        and _int(0)(v.get("last_seq"))
    )


def req(check, expected):
    return Field(check, expected, required=True)


def opt(check, expected):
    return Field(check, expected)


ID = req(_int(1), "a positive integer")
SEQ = req(_int(0), "a non-negative integer")
OPT_SEQ = opt(_int(0), "a non-negative integer")
LIMIT = opt(_int(1, 200), "an integer from 1 to 200")
STATE = req(_one_of("start", "stop"), "'start' or 'stop'")
CLIENT_ID = req(_str(64), "a string of at most 64 characters")
BODY = req(_str(1_000_000), "a string")
NAME = opt(lambda v: v is None or _str(200)(v), "a string of at most 200 characters")
EMAIL = opt(lambda v: v is None or _str(254)(v), "a string of at most 254 characters")
PAGE = opt(_obj, "an object {url, title, referrer}")
# Upload ids (attachments.actions.check_ids checks them further: distinct, at most the cap).
ATTACHMENTS = opt(lambda v: v is None or (isinstance(v, list) and len(v) <= 100 and all(
    isinstance(i, str) and 1 <= len(i) <= 32 for i in v)), "a list of upload ids")

HELLO = {
    "v": req(_is_int, "an integer"),
}

WIDGET: dict[str, dict[str, Field]] = {
    "hello": {
        **HELLO,
        "token": opt(lambda v: v is None or _str(512)(v), "a string"),
        "resume": opt(lambda v: v is None or _resume(v),
                      "{conversation: positive int, last_seq: int >= 0}"),
        "page": PAGE,
        "locale": opt(_str(35), "a string of at most 35 characters"),
        "timezone": opt(lambda v: v is None or _str(64)(v), "an IANA time zone name"),
        "identify": opt(lambda v: v is None or _obj(v), "an object"),
    },
    "send": {"client_id": CLIENT_ID, "body": BODY, "attachments": ATTACHMENTS},
    "typing": {"state": STATE},
    "read": {"seq": SEQ},
    "profile": {"name": NAME, "email": EMAIL, "page": PAGE},
    "history": {"before_seq": OPT_SEQ, "after_seq": OPT_SEQ, "limit": LIMIT},
    "transcript": {"email": EMAIL},
    "end": {"conversation": ID},
    "rate": {"conversation": ID, "score": req(_int(1, 5), "an integer from 1 to 5"),
             "comment": opt(lambda v: v is None or _str(1000)(v),
                            "a string of at most 1000 characters")},
    "ping": {},
}

def _maybe(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda v: v is None or check(v)


# The console's inbox view (``filter`` and ``search``): every field optional, null as
# absent, each a plain string or number so a client can keep the view in its URL.
INBOX_VIEW = {
    "site": opt(_maybe(_str(64)), "a site key"),
    "status": opt(_maybe(_one_of("waiting", "open", "resolved")),
                  "'waiting', 'open' or 'resolved'"),
    "assignee": opt(_maybe(lambda v: v in ("me", "anyone", "unassigned") or _int(1)(v)),
                    "'me', 'anyone', 'unassigned' or an agent id"),
    "tag": opt(_maybe(_int(1)), "a tag id"),
    "from": opt(_maybe(lambda v: isinstance(v, str) and len(v) == 10), "a day, YYYY-MM-DD"),
    "to": opt(_maybe(lambda v: isinstance(v, str) and len(v) == 10), "a day, YYYY-MM-DD"),
    "tz": opt(_maybe(_str(64)), "an IANA time zone name"),
    "cursor": opt(_maybe(_str(64)), "the cursor of the previous page"),
    "limit": LIMIT,
}
TAG_ID = req(_int(1), "a tag id")

CONSOLE: dict[str, dict[str, Field]] = {
    "hello": HELLO,
    "list": {
        "box": req(_one_of("queue", "mine", "open", "resolved"),
                   "'queue', 'mine', 'open' or 'resolved'"),
        "site": opt(_str(64), "a site key"),
        "before": opt(_int(1), "a conversation id"),
        "limit": LIMIT,
        "q": opt(lambda v: v is None or _str(200)(v), "a string of at most 200 characters"),
    },
    "open": {"conversation": ID, "before_seq": OPT_SEQ, "after_seq": OPT_SEQ, "limit": LIMIT},
    "close": {"conversation": ID},
    "send": {"conversation": ID, "client_id": CLIENT_ID, "body": BODY,
             "internal": opt(lambda v: isinstance(v, bool), "true or false"),
             "attachments": ATTACHMENTS},
    "typing": {"conversation": ID, "state": STATE},
    "read": {"conversation": ID, "seq": SEQ},
    "claim": {"conversation": ID},
    "transfer": {"conversation": ID, "to": req(_int(1), "an agent id")},
    "resolve": {"conversation": ID},
    "reopen": {"conversation": ID},
    "presence": {"status": req(_one_of("online", "away"), "'online' or 'away'")},
    "agents": {},
    "visitor_history": {"conversation": ID},
    "canned_save": {
        "site": req(_str(64), "a site key"),
        "id": opt(lambda v: v is None or _int(1)(v), "a canned response id"),
        "shortcut": req(_str(32), "a string of at most 32 characters"),
        "body": req(_str(4000), "a string of at most 4000 characters"),
    },
    "canned_delete": {"id": req(_int(1), "a canned response id")},
    "filter": INBOX_VIEW,
    "search": {**INBOX_VIEW, "q": req(lambda v: isinstance(v, str) and 1 <= len(v) <= 200,
                                      "a string of 1 to 200 characters")},
    "tag_save": {
        "site": req(_str(64), "a site key"),
        "id": opt(_maybe(_int(1)), "a tag id"),
        "name": req(_str(200), "a string"),
        "color": req(_str(16), "a colour, #rrggbb"),
    },
    "tag_delete": {"id": TAG_ID},
    "tag_add": {"conversation": ID, "tag": TAG_ID},
    "tag_remove": {"conversation": ID, "tag": TAG_ID},
    "ping": {},
}


def ref_of(frame: object) -> object:
    """The client's ``ref``, if it is one we can echo safely."""
    if isinstance(frame, dict):
        ref = frame.get("ref")
        if (isinstance(ref, str) and len(ref) <= 64) or (_is_int(ref) and abs(ref) < 2**53):
            return ref
    return None


def ref_of_text(text: str) -> object:
    """Best-effort ``ref`` of a frame that will not be processed (refused, or
    not valid), so even that error can name the request. Small frames only."""
    if len(text) > 4096:
        return None
    try:
        return ref_of(decode(text))
    except (ValueError, RecursionError):
        return None


# What a string may not hold once it is stored or sent back: NUL (PostgreSQL
# text refuses it) and lone surrogates. JSON can spell both as escapes
# (``"\u0000"``, ``"\ud800"``), and a lone surrogate is no character at all:
# it cannot be encoded as UTF-8, so echoing it (a ``ref``) or storing it
# (a body, a name) would fail mid-reply. Browsers replace them with U+FFFD
# when they encode text; so does the server, in every string of a frame.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _text(s: str) -> str:
    return _NOT_TEXT.sub("\ufffd", s)


def _as_text(value: object) -> object:
    """``value`` with every string (keys too) made text; iterative, since a
    frame may nest as deep as the JSON decoder allows."""
    root = [value]
    todo: list[tuple[list | dict, object]] = [(root, 0)]
    while todo:
        parent, key = todo.pop()
        node = parent[key]  # type: ignore[index]
        if isinstance(node, str):
            parent[key] = _text(node)  # type: ignore[index]
        elif isinstance(node, list):
            todo.extend((node, i) for i in range(len(node)))
        elif isinstance(node, dict):
            clean = {_text(k): v for k, v in node.items()}
            parent[key] = clean  # type: ignore[index]
            todo.extend((clean, k) for k in clean)
    return root[0]


def _not_json(literal: str) -> object:
    raise ValueError(f"{literal} is not JSON")


def decode(text: str) -> object:
    """JSON, strictly (``NaN`` and ``Infinity`` are not JSON), with text strings."""
    value = json.loads(text, parse_constant=_not_json)
    # Raw NUL and surrogates cannot reach here (JSON and UTF-8 forbid them):
    # only escapes can make them, so frames without escapes skip the walk.
    return _as_text(value) if "\\u" in text else value


def parse(text: str, schema: dict[str, dict[str, Field]]) -> dict:
    """Decode and validate one text frame against an endpoint's schema."""
    try:
        frame = decode(text)
    except (ValueError, RecursionError) as exc:
        raise PapoError("bad_json", "frame is not valid JSON") from exc
    if not isinstance(frame, dict):
        raise PapoError("bad_json", "frame must be a JSON object")
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise PapoError("unknown_type", "type must be a string naming a frame")
    fields = schema.get(kind)
    if fields is None:
        raise PapoError("unknown_type", f"unknown frame type {kind[:40]!r}")
    for name, field in fields.items():
        if name not in frame:
            if field.required:
                raise PapoError("invalid", f"{kind}.{name} is required ({field.expected})")
            continue
        if not field.check(frame[name]):
            raise PapoError("invalid", f"{kind}.{name} must be {field.expected}")
    return frame
