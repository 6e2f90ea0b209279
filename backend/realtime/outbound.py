"""Every frame the server sends, per endpoint: the other half of ``realtime.protocol``.

docs/protocol.md is the prose; this is the one source for the shape of what
goes out. In the test suite every frame a server sends is checked against it
(``PAPO_CHECK_FRAMES``: :func:`check`, called by the consumers' send), and
``python -m realtime.typegen`` writes the widget's and the console's
TypeScript types from it (``./papo test`` fails when they are stale), so the
server, the clients and the tests cannot drift apart.
"""

from __future__ import annotations

import json

from .shapes import BOOL, INT, NULL, NUM, STR, Either, List, Lit, Map, Maybe, Obj, Shape

REF = Either(STR, INT, NULL)
SYSTEM_EVENTS = ("assigned", "transferred", "resolved", "reopened", "requeued", "ended", "rated",
                 "abandoned")
CONVERSATION_EVENTS = ("created", "assigned", "transferred", "requeued", "resolved", "reopened",
                       "updated", "rated")
# the console hears one more: its tags changed (tags are never the visitor's business)
CONSOLE_EVENTS = (*CONVERSATION_EVENTS, "tagged")
STATUS = Lit("waiting", "open", "resolved")
AUTHOR = Lit("visitor", "agent", "system")

# --- shared objects ----------------------------------------------------------------------
LIMITS = Obj({"max_body": INT, "ping_seconds": INT},
             optional={"max_files": INT},  # the console's: files in one message
             name="Limits")
AGENT_REF = Obj({"id": INT, "name": STR}, name="AgentRef")
MESSAGE_FIELDS = {
    "conversation": INT, "seq": INT, "author": AUTHOR, "body": STR,
    "event": Lit("", *SYSTEM_EVENTS), "data": Map(STR), "client_id": Maybe(STR), "created_at": STR,
}
ATTACHMENT = Obj({
    "id": STR, "name": STR, "type": STR, "size": INT, "width": Maybe(INT), "height": Maybe(INT),
    "url": STR, "thumb_url": Maybe(STR),
}, name="Attachment", doc="A file a message carries. `url` and `thumb_url` (images only) are "
   "signed links that expire (resolve them against Papo's base URL); welcome and history "
   "give fresh ones.")
MESSAGE_OPTIONAL = {"attachments": List(ATTACHMENT)}  # only on messages that carry files
WIDGET_MESSAGE = Obj({**MESSAGE_FIELDS, "agent": Maybe(Obj({"name": STR}))},
                     optional=MESSAGE_OPTIONAL, name="Message",
                     doc="A message as a visitor sees it (never an internal note).")
CONSOLE_MESSAGE = Obj({**MESSAGE_FIELDS, "agent": Maybe(AGENT_REF), "internal": BOOL},
                      optional=MESSAGE_OPTIONAL,
                      name="Message", doc="A message as an agent sees it; notes are internal.")
FILES = Obj({"max_bytes": INT, "types": List(STR)}, name="FileLimits",
            doc="The largest file a site takes (0: none) and the kinds it takes.")
VISITOR_PUBLIC = Obj({"id": STR, "name": STR, "email": STR, "verified": BOOL}, name="Visitor")
VISITOR_VIEW = Obj({
    "id": STR, "name": STR, "email": STR, "verified": BOOL, "display_name": STR,
    "page_url": STR, "page_title": STR, "referrer": STR, "user_agent": STR, "locale": STR,
    "timezone": STR, "first_seen_at": STR, "last_seen_at": STR,
}, name="VisitorView", doc="What an agent of the same site may see of a visitor.")
WIDGET_CONVERSATION = Obj({
    "id": INT, "status": STATUS, "agent": Maybe(Obj({"name": STR})), "last_seq": INT,
    "agent_read_seq": INT, "rating": Maybe(INT),
}, name="Conversation")
LAST_MESSAGE = Obj({"seq": INT, "author": AUTHOR, "agent": Maybe(AGENT_REF), "body": STR,
                    "event": STR, "data": Map(STR), "internal": BOOL, "created_at": STR},
                   optional={"files": List(Obj({"name": STR, "type": STR}, name="FileRef"))},
                   name="LastMessage", doc="A conversation's newest message, for list previews "
                   "that say who said what (`agent`: the agent who wrote it; `data`: a system "
                   "event's names; `files`, only when it carries files: their names and types).")
RATING = Obj({"score": INT, "comment": STR, "rated_at": STR}, name="Rating",
             doc="The visitor's rating of a conversation (1 to 5), with their comment.")
CONSOLE_CONVERSATION = Obj({
    "id": INT, "site": STR, "status": STATUS, "assignee": Maybe(AGENT_REF),
    "visitor": VISITOR_VIEW, "last_seq": INT, "visitor_read_seq": INT, "agent_read_seq": INT,
    "created_at": STR, "updated_at": STR, "queued_at": Maybe(STR),
    "first_agent_reply_at": Maybe(STR), "resolved_at": Maybe(STR),
    "ended_by": Lit("", "agent", "visitor"), "rating": Maybe(RATING),
    "last_message": Maybe(LAST_MESSAGE), "tags": List(INT),
}, name="Conversation", doc="A conversation as an agent sees it; `tags` are ids of its "
   "site's tags (welcome.tags, then `tags` frames), by tag name.")
CONFIG = Obj({
    "site": STR, "name": STR, "color": STR, "greeting": STR, "offline_message": STR,
    "locale": STR, "prechat_form": BOOL, "position": Lit("right", "left"), "z_index": INT,
    "verified_only": BOOL, "consent_free": BOOL, "agents_online": BOOL, "opens_at": Maybe(STR),
    "email": BOOL, "files": FILES,
}, name="Config", doc="Site settings: GET /api/widget/<key>/config and welcome.config.")
AGENT_STATUS = Lit("online", "away", "offline")
RATING_SUM = Obj({"average": NUM, "count": INT}, name="RatingSum",
                 doc="An agent's ratings of the last 30 days on the sites you share.")
AGENT = Obj({"id": INT, "name": STR, "status": AGENT_STATUS, "open": INT},
            optional={"sites": List(STR), "rating": Maybe(RATING_SUM)}, name="Agent")
SITE_INFO = Obj({"key": STR, "name": STR, "role": Lit("agent", "admin"), "max_concurrent": INT,
                 "files": FILES}, name="SiteInfo")
CANNED = Obj({"id": INT, "site": STR, "shortcut": STR, "body": STR}, name="Canned")
TAG = Obj({"id": INT, "site": STR, "name": STR, "color": STR}, name="Tag",
          doc="A site's tag; `color` is #rrggbb.")
SNIPPET = List(Obj({"text": STR, "match": BOOL}, name="SnippetPart",
                   doc="A piece of a search hit's text: render as text, `match` ones marked."))
MESSAGE_HIT = Obj({"conversation": INT, "seq": INT, "author": AUTHOR, "internal": BOOL,
                   "created_at": STR, "snippet": SNIPPET}, name="MessageHit",
                  doc="A message that matched a search: open its conversation at `seq`.")
VISITOR_HIT = Obj({"conversation": INT, "field": Lit("name", "email"), "snippet": SNIPPET},
                  name="VisitorHit", doc="A conversation whose visitor's name or e-mail matched.")


def frame(kind: str, fields: dict[str, Shape] | None = None, *,
          optional: dict[str, Shape] | None = None, name: str = "") -> Obj:
    return Obj({"type": Lit(kind), **(fields or {})}, optional=optional,
               name=name or kind.title().replace("_", "") + "Frame")


ERROR = frame("error", {"code": STR, "message": STR, "ref": REF},
              optional={"retry_after": NUM})
ACK = frame("ack", {"ref": REF, "client_id": STR, "conversation": INT, "seq": INT,
                    "created_at": STR, "duplicate": BOOL},
            optional=MESSAGE_OPTIONAL)  # a message with files: them, linked for the sender
PONG = frame("pong", optional={"ref": REF})
READ = frame("read", {"conversation": INT, "side": Lit("agent", "visitor"), "seq": INT})
TYPING = frame("typing", {"conversation": INT, "author": Lit("visitor", "agent"), "name": STR,
                          "state": Lit("start", "stop")})

# --- the widget endpoint ------------------------------------------------------------------
WIDGET: dict[str, Obj] = {f.fields["type"].values[0]: f for f in (  # type: ignore[attr-defined]
    frame("welcome", {
        "v": INT, "token": STR, "visitor": VISITOR_PUBLIC,
        "conversation": Maybe(WIDGET_CONVERSATION), "messages": List(WIDGET_MESSAGE),
        "has_more": BOOL, "agents_online": BOOL, "config": CONFIG, "limits": LIMITS,
    }, optional={"more_after": BOOL}, name="Welcome"),
    frame("message", {"message": WIDGET_MESSAGE}),
    ACK, ERROR, PONG, TYPING, READ,
    frame("conversation", {"event": Lit(*CONVERSATION_EVENTS),
                           "conversation": WIDGET_CONVERSATION}, optional={"ref": REF}),
    frame("availability", {"agents_online": BOOL, "opens_at": Maybe(STR)}),
    frame("queue", {"conversation": INT, "position": INT, "beyond": BOOL, "wait": Maybe(INT)}),
    frame("visitor", {"visitor": VISITOR_PUBLIC}, optional={"ref": REF}),
    frame("history", {"ref": REF, "conversation": Maybe(INT), "messages": List(WIDGET_MESSAGE),
                      "has_more": BOOL}),
    frame("transcript", {"ref": REF, "to": STR}),
)}

# --- the console endpoint -----------------------------------------------------------------
CONSOLE: dict[str, Obj] = {f.fields["type"].values[0]: f for f in (  # type: ignore[attr-defined]
    frame("welcome", {
        "v": INT, "agent": Obj({"id": INT, "name": STR, "username": STR}), "status": AGENT_STATUS,
        "sites": List(SITE_INFO), "agents": List(AGENT),
        "counts": Obj({"queue": INT, "mine": INT, "open": INT}), "canned": List(CANNED),
        "tags": List(TAG), "limits": LIMITS,
    }, optional={"live_from": Map(INT)}, name="Welcome"),
    frame("message", {"message": CONSOLE_MESSAGE}),
    ACK, ERROR, PONG, TYPING, READ,
    frame("conversation", {"event": Lit(*CONSOLE_EVENTS),
                           "conversation": CONSOLE_CONVERSATION}),
    frame("presence", {"agent": AGENT}),
    frame("canned", {"site": STR, "responses": List(CANNED)}),
    frame("tags", {"site": STR, "tags": List(TAG)}),
    frame("filter", {"ref": REF, "conversations": List(CONSOLE_CONVERSATION),
                     "cursor": Maybe(STR)}),
    frame("search", {"ref": REF, "q": STR, "hits": List(MESSAGE_HIT),
                     "visitors": List(VISITOR_HIT), "conversations": List(CONSOLE_CONVERSATION),
                     "cursor": Maybe(STR)}),
    frame("list", {"ref": REF, "box": Lit("queue", "mine", "open", "resolved"), "q": STR,
                   "conversations": List(CONSOLE_CONVERSATION), "has_more": BOOL}),
    frame("history", {"ref": REF, "conversation": CONSOLE_CONVERSATION,
                      "messages": List(CONSOLE_MESSAGE), "has_more": BOOL}),
    frame("ok", {"ref": REF}, optional={"conversation": CONSOLE_CONVERSATION,
                                        "status": AGENT_STATUS, "canned": CANNED,
                                        "tag": TAG, "deleted": INT}),
    frame("agents", {"ref": REF, "agents": List(AGENT)}),
    frame("visitor_history", {"ref": REF, "conversation": INT, "visitor": STR,
                              "conversations": List(CONSOLE_CONVERSATION), "has_more": BOOL}),
)}

ENDPOINTS = {"widget": WIDGET, "console": CONSOLE}


def problems(endpoint: str, text: str) -> list[str]:
    """What is wrong with a frame the server is about to send (nothing when it fits)."""
    try:
        value = json.loads(text)
    except ValueError:
        return ["not JSON"]
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return ["not an object with a string type"]
    shape = ENDPOINTS[endpoint].get(value["type"])
    if shape is None:
        return [f"{value['type']!r} is not a frame the {endpoint} endpoint sends"]
    return list(shape.errors(value, value["type"]))
