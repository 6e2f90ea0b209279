"""The agent's socket: ``/ws/console/``, behind Django's session login."""

from __future__ import annotations

import asyncio
import logging
import time

from django.conf import settings

from agents import presence, sessions
from bus import events, groups, outage
from bus.db import in_db
from console import actions as console_actions
from console import queries as console_queries
from conversations import actions, queries, serializers
from conversations.models import Message
from papo.errors import PapoError
from papo.net import header, scope_client_ip

from .. import handshake, limits, protocol, sending
from .base import PapoConsumer
from .codes import CLOSE_TOO_MANY
from .console_inbox import InboxFrames

log = logging.getLogger("papo.realtime")

PING_SECONDS = 25


def _conversation_view(conv) -> dict:
    last = conv.messages.select_related("agent").order_by("-seq").first()
    return serializers.conversation_for_console(conv, last)


def _act(action, user, *args) -> dict:
    """Run a conversation action and serialise its result in the same hop."""
    return _conversation_view(action(user, *args))


def _hello(user, channel_name: str, assigned: list[int]) -> dict:
    presence.do_agent_connect(user, channel_name)
    return {**console_queries.console_welcome(user),
            "live_from": queries.last_seqs(assigned)}


def _access_and_memberships(user, session_key: str | None):
    """Hello's first hop: is the session still good, the memberships it is welcomed
    with (``sessions.access_verdict`` compares them later), and what it watches."""
    ending = sessions.access_verdict(user.pk, session_key, None)
    if ending is not None:
        return ending, frozenset(), []
    return None, sessions.memberships_of(user.pk), queries.watched_ids(user)


def _heartbeat(user, channel_name: str) -> None:
    presence.do_agent_heartbeat(user, channel_name)
    presence.maybe_sweep()


def _open(user, conversation_id: int, before_seq, after_seq, limit):
    conv, rows, has_more = queries.history(
        user, conversation_id, before_seq=before_seq, after_seq=after_seq, limit=limit)
    return (_conversation_view(conv),
            [serializers.message(m, for_console=True) for m in rows], has_more)


def _save_canned(user, frame: dict) -> dict:
    return console_actions.do_save_canned(
        user, frame["site"], frame["shortcut"], frame["body"], frame.get("id")).as_view()


# Frames handled in their conversation's lane (``ConsoleConsumer._start_in_lane``).
LANED = frozenset({"send", "open"})


class ConsoleConsumer(InboxFrames, PapoConsumer):
    schema = protocol.CONSOLE
    endpoint = "console"

    user = None
    ip = ""
    session_key: str | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assigned: set[int] = set()
        self.watching: set[int] = set()
        self.site_ids: list[int] = []
        self.site_set: frozenset[int] = frozenset()
        self.memberships: sessions.Welcomed = frozenset()
        self._access_due = 0.0  # monotonic time of the next access re-check
        self._recheck_after_hello = False
        self._lanes: dict[object, asyncio.Task] = {}  # conversation -> its latest send/open

    async def connect(self) -> None:
        self.ip = scope_client_ip(self.scope)
        self.user = self.scope.get("user")
        verdict = await self.check_handshake(
            handshake.check_console, self.user, header(self.scope, b"origin"),
            header(self.scope, b"host"), self.ip, handshake.scope_is_secure(self.scope))
        if verdict is None:
            return
        if verdict.retry_after is not None:
            await self.turn_away(PapoError("rate_limited", "too many connections",
                                           retry_after=verdict.retry_after), CLOSE_TOO_MANY)
            return
        if not verdict.accepted:
            await self.close()
            return
        self.bucket = limits.console_bucket()
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        await self.accept()
        self.start_hello_deadline()

    async def disconnect(self, code: int) -> None:
        was_ready = self.ready
        await super().disconnect(code)
        if was_ready:
            await events.run(presence.do_agent_disconnect, self.user, self.channel_name)

    def describe(self) -> str:
        return f"console {self.ip} user={getattr(self.user, 'pk', None)}"

    # --- frames ----------------------------------------------------------------------
    async def on_hello(self, frame: dict, ref: object) -> None:
        # Join the agent's group first: an access change from now on reaches us.
        await self.join(groups.agent(self.user.pk))
        ending, self.memberships, assigned = await in_db(_access_and_memberships)(
            self.user, self.session_key)
        if ending is not None:  # logged out between the handshake and hello
            await self.end(ending)
            return
        self.site_ids = sorted({site_id for site_id, _, _ in self.memberships})
        self.site_set = frozenset(self.site_ids)
        self._access_due = time.monotonic() + settings.PAPO["SESSION_CHECK_SECONDS"]
        for site_id in self.site_ids:
            await self.join(groups.site_agents(site_id))
        for conv in assigned:
            await self.watch(conv, assigned=True)
        # Read after joining: every message of these chats after ``live_from`` reaches
        # this socket, live or filled; the client fetches the rest with ``open``.
        welcome = await events.run(_hello, self.user, self.channel_name, assigned)
        for conv, last in welcome["live_from"].items():
            self.stream.track(conv, last)
        if self.version < 2:
            del welcome["live_from"]
        await self.send_frame({"type": "welcome", "v": self.version, **welcome, "limits": {
            "max_body": settings.PAPO["MAX_BODY_CHARS"], "ping_seconds": PING_SECONDS,
            "max_files": settings.PAPO["ATTACHMENTS_PER_MESSAGE"]}})
        await self.mark_ready()
        if self._recheck_after_hello:  # access changed while hello was under way
            await self.check_access()

    # --- access: session end, deactivation, memberships changed (agents.sessions) ---------
    async def handle(self, frame: dict, ref: object) -> None:
        """Re-check access on the heartbeat and at most every SESSION_CHECK_SECONDS
        while frames flow: a session that expired or was deleted sends no signal."""
        if self.ready and time.monotonic() >= self._access_due:
            if not await self.check_access():
                return
        if self.ready and frame["type"] in LANED:
            self._start_in_lane(frame, ref)
            return
        if self._lanes:  # anything else comes after the sends and opens before it
            await asyncio.wait(list(self._lanes.values()))
        await super().handle(frame, ref)

    def _start_in_lane(self, frame: dict, ref: object) -> None:
        """Handle sends and opens side by side, in order within each conversation.

        An agent answering many chats sends faster than one frame at a time can
        be stored: each send waits for its database hop and publishes, and a
        busy desk's replies queued for seconds behind each other (the busy-desk
        benchmark's agent-to-visitor p99). A console that comes back after a
        restart resumes its chats with an ``open`` each, and replies typed
        meanwhile queued behind all of them (the storm benchmark). Frames of
        different conversations now overlap; two frames of one conversation
        still go in the order they came (a send after an open of its chat waits
        for the history), and any other frame waits for those before it.
        """
        conv = frame.get("conversation")
        previous = self._lanes.get(conv)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await PapoConsumer.handle(self, frame, ref)

        task = asyncio.ensure_future(in_turn())
        self._lanes[conv] = task
        task.add_done_callback(
            lambda done: self._lanes.pop(conv) if self._lanes.get(conv) is done else None)

    async def check_access(self) -> bool:
        """End the socket if its session or membership is gone; True while it may stay."""
        self._access_due = time.monotonic() + settings.PAPO["SESSION_CHECK_SECONDS"]
        try:
            ending = await in_db(sessions.access_verdict)(
                self.user.pk, self.session_key, self.memberships)
        except Exception as exc:  # the database being down is not a reason to log anyone out
            if not outage.failed(exc, "access checks put off", detail=self.describe()):
                log.warning("access check failed for %s", self.describe(), exc_info=exc)
            return True
        if ending is None:
            return True
        await self.end(ending)
        return False

    async def end(self, ending: sessions.Ending) -> None:
        """Say why in an error frame, then close; disconnect() updates presence."""
        if self.closed:
            return
        log.info("ending %s: %s", self.describe(), ending.code)
        await self.send_frame(PapoError(ending.code, ending.message).frame())
        await self.close_with(ending.close)

    async def papo_access(self, message: dict) -> None:
        """From ``agents.sessions``: this agent's access changed, in some process."""
        if self.closed:
            return
        tag = message.get("session")
        if tag is not None:  # a logout: only the sockets of that session end
            if tag == sessions.session_tag(self.session_key):
                await self.end(sessions.SESSION_ENDED)
            return
        if not self.ready:
            self._recheck_after_hello = True  # hello reads memberships; check after it
            return
        await self.check_access()

    async def on_list(self, frame: dict, ref: object) -> None:
        rows, has_more = await in_db(queries.list_conversations)(
            self.user, frame["box"], frame.get("site"), frame.get("before"), frame.get("limit"),
            frame.get("q"))
        await self.send_frame({"type": "list", "ref": ref, "box": frame["box"],
                               "q": frame.get("q") or "", "conversations": rows,
                               "has_more": has_more})

    async def on_open(self, frame: dict, ref: object) -> None:
        conv_id = frame["conversation"]
        before, after = frame.get("before_seq"), frame.get("after_seq")
        # A page that reaches the newest message, or pages toward it (after_seq wins).
        tail = after is not None or before is None
        # Watch first, then read: what is published meanwhile waits, then goes out
        # after the page minus what the page already held. Nothing of the chat goes
        # out before the read has shown that this agent may see it.
        if tail:
            self.stream.hold(conv_id)
        try:
            await self.watch(conv_id)
            view, rows, has_more = await in_db(_open)(
                self.user, conv_id, before, after, frame.get("limit"))
        except BaseException:
            if tail:
                await self.stream.release(conv_id, discard=True)
            await self.unwatch(conv_id)
            raise
        if tail:
            self.page_read(conv_id, rows, view["last_seq"],
                           more_after=after is not None and has_more)
        await self.send_frame({"type": "history", "ref": ref, "conversation": view,
                               "messages": rows, "has_more": has_more})
        if tail:
            await self.stream.release(conv_id)

    async def on_close(self, frame: dict, ref: object) -> None:
        await self.unwatch(frame["conversation"])

    async def on_send(self, frame: dict, ref: object) -> None:
        _, ack = await sending.store(actions.Send(
            frame["client_id"], frame["body"], agent=self.user,
            conversation_id=frame["conversation"], internal=frame.get("internal", False),
            attachments=frame.get("attachments")))
        await self.send_frame(ack.frame(ref, audience="console"))

    async def on_typing(self, frame: dict, ref: object) -> None:
        conv_id = frame["conversation"]
        if conv_id not in self.watching and conv_id not in self.assigned:
            raise PapoError("not_found", "open the conversation first")
        site_id, visitor_public_id = await in_db(self._typing_target)(conv_id)
        typing = {"type": "typing", "conversation": conv_id, "author": "agent",
                  "name": serializers.agent_name(self.user), "state": frame["state"]}
        await events.send_now(groups.visitor(visitor_public_id), typing, site=site_id,
                              conversation=conv_id)
        await events.send_now(groups.conversation(conv_id), typing, site=site_id,
                              conversation=conv_id, skip=self.channel_name)

    def _typing_target(self, conv_id: int) -> tuple[int, str]:
        conv = queries.access.get_visible(self.user, conv_id)
        return conv.site_id, conv.visitor.public_id

    async def on_read(self, frame: dict, ref: object) -> None:
        await events.run(actions.do_agent_read, self.user, frame["conversation"], frame["seq"])

    async def _reply(self, ref: object, action, *args) -> None:
        view = await events.run(_act, action, self.user, *args)
        await self.send_frame({"type": "ok", "ref": ref, "conversation": view})

    async def on_claim(self, frame: dict, ref: object) -> None:
        await self._reply(ref, actions.do_claim, frame["conversation"])

    async def on_transfer(self, frame: dict, ref: object) -> None:
        await self._reply(ref, actions.do_transfer, frame["conversation"], frame["to"])

    async def on_resolve(self, frame: dict, ref: object) -> None:
        await self._reply(ref, actions.do_resolve, frame["conversation"])

    async def on_reopen(self, frame: dict, ref: object) -> None:
        await self._reply(ref, actions.do_reopen, frame["conversation"])

    async def on_presence(self, frame: dict, ref: object) -> None:
        status = await events.run(presence.do_set_presence, self.user, frame["status"])
        await self.send_frame({"type": "ok", "ref": ref, "status": status})

    async def on_agents(self, frame: dict, ref: object) -> None:
        agents = await in_db(presence.agents_of)(self.user)
        await self.send_frame({"type": "agents", "ref": ref, "agents": agents})

    async def on_visitor_history(self, frame: dict, ref: object) -> None:
        reply = await in_db(queries.visitor_history)(
            self.user, frame["conversation"])
        await self.send_frame({"type": "visitor_history", "ref": ref,
                               "conversation": frame["conversation"], **reply})

    async def on_canned_save(self, frame: dict, ref: object) -> None:
        canned = await events.run(_save_canned, self.user, frame)
        await self.send_frame({"type": "ok", "ref": ref, "canned": canned})

    async def on_canned_delete(self, frame: dict, ref: object) -> None:
        await events.run(console_actions.do_delete_canned, self.user, frame["id"])
        await self.send_frame({"type": "ok", "ref": ref, "deleted": frame["id"]})

    async def on_ping(self, frame: dict, ref: object) -> None:
        await events.run(_heartbeat, self.user, self.channel_name)
        await super().on_ping(frame, ref)

    # --- watching ----------------------------------------------------------------------
    async def watch(self, conv_id: int, *, assigned: bool = False) -> None:
        (self.assigned if assigned else self.watching).add(conv_id)
        await self.join(groups.conversation(conv_id))

    async def unwatch(self, conv_id: int, *, assigned: bool = False) -> None:
        (self.assigned if assigned else self.watching).discard(conv_id)
        if conv_id not in self.assigned and conv_id not in self.watching:
            self.stream.untrack(conv_id)
            await self.leave(groups.conversation(conv_id))

    def may_hear(self, event: dict) -> bool:
        """Only events of this agent's sites, from groups this socket is still in."""
        return event.get("site") in self.site_set and event.get("group") in self.joined

    async def on_event(self, event: dict) -> bool:
        """Follow assignment: the assignee's consoles always watch the chat, and its
        stream on this socket is complete from the assigning event's ``last_seq``.
        True when this socket has just joined the chat's group: the stream then reads
        what was published before the join (``Stream`` ``observe``)."""
        conv = event.get("conv")
        if event["kind"] != "conversation" or conv is None:
            return False
        if event.get("assignee") == self.user.pk:
            if conv not in self.assigned:
                joins = groups.conversation(conv) not in self.joined
                await self.watch(conv, assigned=True)
                self.stream.track(conv, event.get("last_seq") or 0)
                return joins
        elif conv in self.assigned:
            await self.unwatch(conv, assigned=True)
        return False

    def load_range(self, conv: int, after: int, before: int | None) -> list[dict]:
        queries.access.get_visible(self.user, conv)
        rows = Message.objects.filter(conversation_id=conv, seq__gt=after)
        if before is not None:
            rows = rows.filter(seq__lt=before)
        return [serializers.message(m, for_console=True)
                for m in rows.select_related("agent").order_by("seq")]
