"""The visitor's socket: ``/ws/widget/<site_key>/``.

Never reads cookies or sessions: a visitor is whoever their signed token
says, bound to the site in the URL, whose allowed origins were checked
before the socket was accepted.
"""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from bus import events, groups, metrics
from bus.db import in_db
from conversations import actions, ratings, serializers
from conversations.models import Message
from mail import actions as mail_actions
from papo.errors import PapoError
from papo.net import header, scope_client_ip
from visitors import actions as visitor_actions
from visitors.models import Visitor
from visitors.tokens import TokenError, read_token

from .. import handshake, limits, protocol, sending
from .base import PapoConsumer
from .codes import CLOSE_ABUSE, CLOSE_FORBIDDEN, CLOSE_RESUME, CLOSE_TOKEN, CLOSE_TOO_MANY

PING_SECONDS = 25
# How often a socket of a visitor with a conversation writes that they are still here
# (``Visitor.last_seen_at``: the queue's hold, conversations/queue.py).
SEEN_SECONDS = 60.0


def _seen(public_id: str) -> None:
    Visitor.objects.filter(public_id=public_id).update(last_seen_at=timezone.now())


def _widget_view(action, visitor: Visitor, *args) -> dict:
    return serializers.conversation_for_widget(action(visitor, *args))


class WidgetConsumer(PapoConsumer):
    schema = protocol.WIDGET
    endpoint = "widget"

    site = None
    visitor: Visitor | None = None
    conversation_id: int | None = None
    ip = ""
    holds_connection = False
    touched_at = 0.0
    seen_at = 0.0  # when this socket last wrote the visitor's last_seen_at
    visitor_cap = 1
    visitor_strikes = 0  # frames refused in a row by the per-visitor limit

    async def connect(self) -> None:
        self.ip = scope_client_ip(self.scope)
        site_key = self.scope["url_route"]["kwargs"]["site_key"]
        verdict = await self.check_handshake(
            handshake.check_widget, site_key, header(self.scope, b"origin"), self.ip)
        if verdict is None:
            return
        if verdict.retry_after is not None:
            await self.turn_away(PapoError(
                "rate_limited", "too many connections from your address",
                retry_after=verdict.retry_after), CLOSE_TOO_MANY)
            return
        if not verdict.accepted:
            await self.close()  # before accept: daphne answers HTTP 403
            return
        self.site = verdict.site
        self.holds_connection = True
        self.touched_at = time.monotonic()
        self.bucket = limits.frame_bucket(self.site)
        self.visitor_cap = limits.visitor_frame_cap(self.site)
        await self.accept()
        self.start_hello_deadline()

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if (self.visitor is not None and self.conversation_id is not None
                and code != CLOSE_RESUME):  # (4012: the client comes straight back)
            await in_db(_seen)(self.visitor.public_id)  # gone from now: the hold starts
        if self.holds_connection:
            self.holds_connection = False
            await sync_to_async(limits.release_connection, thread_sensitive=False)(self.ip)

    async def after_error(self, exc: PapoError) -> None:
        if exc.code in ("token_invalid", "token_expired"):
            metrics.refuse("refused.token", "%s: %s from %s", exc.code, exc.message, self.ip)
            await self.close_with(CLOSE_TOKEN)
        elif exc.code in ("identity_invalid", "identity_required"):
            metrics.refuse("refused.identity", "%s from %s", exc.code, self.ip)
            await self.close_with(CLOSE_FORBIDDEN)

    def describe(self) -> str:
        return f"widget {self.ip} site={getattr(self.site, 'pk', None)}"

    # --- frames ------------------------------------------------------------------
    async def handle(self, frame: dict, ref: object) -> None:
        """Frames that cost something also count against the visitor's shared allowance
        (``send`` counts inside its own database hop: see ``on_send``)."""
        if self.ready and frame["type"] in limits.VISITOR_COUNTED and frame["type"] != "send":
            retry_after = await sync_to_async(self.count_visitor_frame, thread_sensitive=False)()
            if not await self.visitor_allows(retry_after, ref):
                return
        await super().handle(frame, ref)

    def count_visitor_frame(self) -> float | None:
        """Count one frame against the visitor's allowance (sync: a cache round trip);
        seconds to wait if over it."""
        return limits.visitor_frame_waits([(self.visitor.public_id, self.visitor_cap)])[0]

    async def visitor_allows(self, retry_after: float | None, ref: object) -> bool:
        """The per-visitor limit, answered like the per-connection one: ``rate_limited``
        with ``retry_after``, and close 4008 after ``FRAME_STRIKES`` refusals in a row."""
        if retry_after is None:
            self.visitor_strikes = 0
            return True
        metrics.count("limited.frames")
        self.visitor_strikes += 1
        if self.visitor_strikes > settings.PAPO["FRAME_STRIKES"]:
            metrics.refuse("closed.abuse", "%s kept flooding after rate_limited (visitor %s)",
                           self.describe(), self.visitor.public_id)
            await self.close_with(CLOSE_ABUSE)
            return False
        await self.send_frame(PapoError(
            "rate_limited", "too many frames from this visitor; slow down",
            retry_after=retry_after).frame(ref))
        return False

    async def on_hello(self, frame: dict, ref: object) -> None:
        token = frame.get("token")
        if token is not None:
            # Join the visitor's group before reading history, so nothing
            # published in between is missed (duplicates are dropped by seq).
            try:
                await self.join(groups.visitor(read_token(token, self.site.pk)))
            except TokenError as exc:
                raise PapoError(exc.code, exc.message) from exc
        user_agent = header(self.scope, b"user-agent") or ""
        welcome = await events.run(visitor_actions.do_visitor_hello, self.site, frame, user_agent)
        self.visitor = welcome.visitor
        mine = groups.visitor(self.visitor.public_id)
        for group in list(self.joined - {mine}):
            await self.leave(group)  # identify switched to the user's own visitor
        await self.join(mine)
        await self.join(groups.site_widgets(self.site.pk))
        self.conversation_id = welcome.conversation.pk if welcome.conversation else None
        reply = welcome.frame(self.version, {"limits": {
            "max_body": settings.PAPO["MAX_BODY_CHARS"], "ping_seconds": PING_SECONDS}})
        if reply["conversation"]:
            # Everything up to here was read: a live event below it (published
            # late by another sender) is already covered, one above it is new.
            self.page_read(reply["conversation"]["id"], reply["messages"],
                           reply["conversation"]["last_seq"], more_after=welcome.more_after)
        await self.send_frame(reply)
        self.seen_at = time.monotonic()  # the hello wrote it
        if welcome.queue is not None:
            await self.send_frame(welcome.queue)
        await self.mark_ready()

    async def on_send(self, frame: dict, ref: object) -> None:
        # Counted against the visitor's allowance and stored with the other sockets'
        # sends of the moment, in one database hop (realtime.sending): the hot path.
        retry_after, ack = await sending.store(actions.Send(
            frame["client_id"], frame["body"], visitor=self.visitor,
            conversation_id=self.conversation_id, attachments=frame.get("attachments")),
            self.visitor_cap)
        if not await self.visitor_allows(retry_after, ref):
            return
        self.conversation_id = ack.conversation
        await self.send_frame(ack.frame(ref))

    async def on_typing(self, frame: dict, ref: object) -> None:
        if self.conversation_id is None:
            return
        await events.send_now(
            groups.conversation(self.conversation_id),
            {"type": "typing", "conversation": self.conversation_id, "author": "visitor",
             "name": self.visitor.display_name, "state": frame["state"]},
            site=self.site.pk, conversation=self.conversation_id)

    async def on_read(self, frame: dict, ref: object) -> None:
        await events.run(actions.do_visitor_read, self.visitor, frame["seq"])

    async def on_profile(self, frame: dict, ref: object) -> None:
        visitor = await events.run(
            visitor_actions.do_update_visitor, self.visitor,
            name=frame.get("name"), email=frame.get("email"), page=frame.get("page"),
        )
        await self.send_frame({"type": "visitor", "ref": ref, "visitor": visitor.as_public()})

    async def on_history(self, frame: dict, ref: object) -> None:
        before, after = frame.get("before_seq"), frame.get("after_seq")
        # A page forward (resume) holds the conversation's live events, like a console's open.
        held = self.conversation_id if after is not None else None
        if held is not None:
            self.stream.hold(held)
        try:
            conv, rows, has_more = await in_db(visitor_actions.visitor_history)(
                self.visitor, before, after, frame.get("limit"))
        except BaseException:
            if held is not None:
                await self.stream.release(held, discard=True)
            raise
        messages = [serializers.message(m, for_console=False) for m in rows]
        if conv is not None and after is not None:
            self.page_read(conv.pk, messages, conv.visible_seq, more_after=has_more)
        await self.send_frame({"type": "history", "ref": ref,
                               "conversation": conv.pk if conv else None,
                               "messages": messages, "has_more": has_more})
        if held is not None:
            await self.stream.release(held)

    async def on_transcript(self, frame: dict, ref: object) -> None:
        to = await events.run(mail_actions.do_request_transcript, self.visitor, frame.get("email"))
        await self.send_frame({"type": "transcript", "ref": ref, "to": to})

    async def on_end(self, frame: dict, ref: object) -> None:
        await self._reply(ref, "resolved", actions.do_visitor_end, frame["conversation"])

    async def on_rate(self, frame: dict, ref: object) -> None:
        await self._reply(ref, "rated", ratings.do_rate, frame["conversation"], frame["score"],
                          frame.get("comment"))

    async def _reply(self, ref: object, event: str, action, *args) -> None:
        """Run a visitor's action on their conversation; the reply is the ``conversation``
        event every tab of theirs also gets, with the request's ``ref``."""
        view = await events.run(_widget_view, action, self.visitor, *args)
        await self.send_frame({"type": "conversation", "event": event, "ref": ref,
                               "conversation": view})

    async def on_ping(self, frame: dict, ref: object) -> None:
        if time.monotonic() - self.touched_at > settings.PAPO["CONNECTION_COUNT_TTL"] / 3:
            self.touched_at = time.monotonic()
            await sync_to_async(limits.touch_connection, thread_sensitive=False)(self.ip)
        if self.conversation_id is not None and time.monotonic() - self.seen_at > SEEN_SECONDS:
            self.seen_at = time.monotonic()
            await in_db(_seen)(self.visitor.public_id)
        await super().on_ping(frame, ref)

    # --- events --------------------------------------------------------------------
    track_all = True  # every conversation this socket hears of is the visitor's own

    def may_hear(self, event: dict) -> bool:
        """Only this site's events, from this visitor's groups (never a console's)."""
        return (self.site is not None and event.get("site") == self.site.pk
                and event.get("group") in self.joined)

    async def on_event(self, event: dict) -> None:
        # Only forward: a late event of an older chat (a rating of the one ended before
        # this) must not take typing back there. Ids grow, and all of these are the visitor's.
        if event["kind"] in ("message", "conversation") and event.get("conv"):
            self.conversation_id = max(self.conversation_id or 0, event["conv"])

    def load_range(self, conv: int, after: int, before: int | None) -> list[dict]:
        # By public id: another tab may have stored this visitor after this one's
        # hello, so ``self.visitor`` can be an unsaved copy (no pk to filter on).
        rows = Message.objects.filter(
            conversation_id=conv, conversation__visitor__public_id=self.visitor.public_id,
            seq__gt=after, internal=False,
        )
        if before is not None:
            rows = rows.filter(seq__lt=before)
        rows = rows.select_related("agent").order_by("seq")
        return [serializers.message(m, for_console=False) for m in rows]
