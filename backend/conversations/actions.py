"""Every change to conversations and messages, for every caller.

Consumers, HTTP views, the admin, management commands and tests all call
these. Each ``do_*`` runs one transaction: check (raising ``PapoError`` with a
stable code and changing nothing), write, then publish events after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import Membership
from attachments import actions as attachment_actions
from bus import events, groups
from papo.errors import PapoError
from visitors.models import Visitor

from . import access, messages, queue, routing, sql_append
from .models import Conversation, Message
from .serializers import agent_name, files_for


@dataclass(frozen=True)
class Ack:
    client_id: str
    conversation: int
    seq: int
    created_at: str
    duplicate: bool
    files: tuple[dict, ...] = ()  # the stored message's files (``Message.files``)

    def frame(self, ref: object = None, *, audience: str = "widget") -> dict:
        """The sender's ``ack``. A message with files carries them, with links made
        for this sender (``audience``), so a client can show what it sent at once,
        without waiting for the live ``message`` (only a hint, which may be lost)."""
        frame = {
            "type": "ack", "ref": ref, "client_id": self.client_id,
            "conversation": self.conversation, "seq": self.seq,
            "created_at": self.created_at, "duplicate": self.duplicate,
        }
        if self.files:
            frame["attachments"] = files_for(list(self.files), self.conversation, audience)
        return frame


def _ack(msg: Message, duplicate: bool) -> Ack:
    return Ack(msg.client_id or "", msg.conversation_id, msg.seq, msg.created_at.isoformat(),
               duplicate, tuple(msg.files or ()))


def current_conversation(visitor: Visitor) -> Conversation | None:
    """The visitor's latest conversation (resolved ones too, so history shows)."""
    if visitor.pk is None:  # not stored yet, so no conversation either
        return None
    return (
        Conversation.objects.select_related("assignee")
        .filter(visitor=visitor)
        .order_by("-created_at", "-pk")
        .first()
    )


def _open_conversation_for(visitor: Visitor, *, new_visitor: bool = False
                           ) -> tuple[Conversation, bool]:
    """The visitor's unresolved conversation, locked, creating it if needed
    (``new_visitor``: their row was inserted in this transaction, so they have none).

    Two tabs racing here both end up on the same row: the loser of the insert
    hits the partial unique constraint and reads the winner's conversation.
    """
    qs = Conversation.objects.select_for_update(of=("self",)).select_related("site", "visitor")
    if not new_visitor:
        live = qs.filter(visitor=visitor).exclude(status=Conversation.Status.RESOLVED).first()
        if live is not None:
            return live, False
    now = timezone.now()
    # Nobody can answer now (closed, or no agent online): a message left for later.
    left_message = not routing.answering(visitor.site_id)
    try:
        with transaction.atomic():
            conv = Conversation.objects.create(
                site_id=visitor.site_id, visitor=visitor, created_at=now, updated_at=now,
                queued_at=now, left_message=left_message,
            )
    except IntegrityError:
        return qs.filter(visitor=visitor).exclude(status=Conversation.Status.RESOLVED).get(), False
    conv.site = visitor.site
    conv.visitor = visitor
    conv.papo_tags = []  # type: ignore[attr-defined]  # new: no tags to read back
    return conv, True


@dataclass(frozen=True)
class Send:
    """One message to store: a visitor's (``visitor``), or an agent's (``agent`` into
    ``conversation_id``, ``internal`` for a note). ``client_id`` and ``body`` are as
    the client sent them; :func:`check_send` checks them. A visitor's message goes
    to their open conversation whatever ``conversation_id`` says: there it is only
    the socket's best knowledge of it, which orders the row locks of a batch.
    ``attachments`` names uploads of the same sender (``attachments.actions``); a
    message with files may have an empty body."""

    client_id: object
    body: object
    visitor: Visitor | None = None
    agent: object = None
    conversation_id: int | None = None
    internal: object = False
    attachments: object = None


def check_send(send: Send) -> sql_append.FastSend:
    if not isinstance(send.internal, bool):
        raise PapoError("invalid", "internal must be true or false")
    files = attachment_actions.check_ids(send.attachments)
    body = messages.check_body(send.body, empty_ok=bool(files))
    client_id = messages.check_client_id(send.client_id)
    if send.visitor is not None:
        return sql_append.FastSend(Message.Author.VISITOR, body, client_id, visitor=send.visitor,
                                   attachments=files)
    return sql_append.FastSend(Message.Author.AGENT, body, client_id, agent=send.agent,
                             conversation_id=send.conversation_id, internal=send.internal,
                             attachments=files)


def do_send_many(sends: list[Send], *, fast_only: bool = False) -> list[Ack | Exception]:
    """Store several messages, each once: an :class:`Ack` or the error for each.

    Sends that arrive together from different sockets are stored together:
    the common case (a message into an open conversation) in one transaction
    for all of them (``sql_append.append_many``). Every other send (a visitor's
    first message, which opens and routes a conversation; an agent's reply that
    claims a waiting chat; a duplicate on SQLite) then runs on its own, in the
    order given, exactly as :func:`do_visitor_send` or :func:`do_agent_send`
    would run it alone. A send's check failing (``PapoError``) fails that send only.
    A send with attachments always takes the ORM path, where its uploads are
    claimed in the same transaction as the message (the hot path stores text only).

    ``fast_only``: store the common case only, in one transaction, and leave every
    other send's result None, for a later call (``realtime.sending``).
    """
    results: list[Ack | Exception | None] = [None] * len(sends)
    checked: dict[int, sql_append.FastSend] = {}
    for i, send in enumerate(sends):
        try:
            checked[i] = check_send(send)
        except PapoError as exc:
            results[i] = exc
    # Rows are locked in conversation order, so two batches never wait in a circle.
    fast = sorted((i for i, c in checked.items()
                   if (c.visitor is None or c.visitor.pk is not None) and not c.attachments),
                  key=lambda i: sends[i].conversation_id or 0)
    for i, done in zip(fast, sql_append.append_many([checked[i] for i in fast]), strict=True):
        if done is not None:
            results[i] = _ack(*done)
    if fast_only:
        return results  # type: ignore[return-value]
    for i in checked:
        if results[i] is None:
            try:
                results[i] = _send_on_the_orm(checked[i])
            except Exception as exc:  # this send's error, not the others'
                results[i] = exc
    return results  # type: ignore[return-value]


def _one(send: Send) -> Ack:
    (result,) = do_send_many([send])
    if isinstance(result, Exception):
        raise result
    return result


def do_visitor_send(visitor: Visitor, client_id: object, body: object,
                    attachments: object = None) -> Ack:
    """Store a visitor's message once, opening (and routing) a conversation if needed."""
    return _one(Send(client_id, body, visitor=visitor, attachments=attachments))


def do_agent_send(user, conversation_id: int, client_id: object, body: object,
                  internal: object = False, attachments: object = None) -> Ack:
    """Store an agent's reply. Replying to a waiting chat claims it; a chat another
    agent has is refused (``forbidden``).

    ``internal`` stores an agent-only note instead: it never reaches the visitor
    (see ``messages.append``), claims nothing and may be added in any status.
    """
    return _one(Send(client_id, body, agent=user, conversation_id=conversation_id,
                     internal=internal, attachments=attachments))


def _send_on_the_orm(send: sql_append.FastSend) -> Ack:
    """A send the fast path left: the full rules, with the ORM, in one transaction."""
    if send.visitor is not None:
        return _visitor_send_on_the_orm(send.visitor, send.client_id, send.body,
                                        send.attachments)
    return _agent_send_on_the_orm(send.agent, send.conversation_id, send.client_id, send.body,
                                  send.internal, send.attachments)


def _visitor_send_on_the_orm(visitor: Visitor, client_id: str, body: str,
                             files: tuple[str, ...] = ()) -> Ack:
    with transaction.atomic():
        # A visitor stored just now has nothing stored yet: no resend to look for.
        new_visitor = visitor.persist()
        existing = None if new_visitor else (
            Message.objects.filter(
                conversation__visitor=visitor, author=Message.Author.VISITOR, client_id=client_id
            ).first()
        )
        if existing is not None:  # a resend: nothing is stored or attached twice
            return _ack(existing, duplicate=True)
        rows = attachment_actions.claim(files, site_id=visitor.site_id, visitor=visitor)
        conv, created = _open_conversation_for(visitor, new_visitor=new_visitor)
        msg = messages.append(conv, author=Message.Author.VISITOR, body=body, client_id=client_id,
                              files=rows)
        if created:
            messages.publish_conversation(conv, "created", msg)
            routing.assign_waiting(conv.site_id, new=conv)  # assigns ``conv`` itself
            if conv.status == Conversation.Status.WAITING and not conv.left_message:
                queue.joined(conv)  # routing left it waiting: its place
    return _ack(msg, duplicate=False)


def _agent_send_on_the_orm(user, conversation_id: int, client_id: str, body: str,
                           internal: bool, files: tuple[str, ...] = ()) -> Ack:
    with transaction.atomic():
        conv = access.get_visible(user, conversation_id, lock=True)
        existing = conv.messages.filter(author=Message.Author.AGENT, client_id=client_id).first()
        if existing is not None:
            return _ack(existing, duplicate=True)
        rows = attachment_actions.claim(files, site_id=conv.site_id, agent=user)
        if not internal:
            if conv.status == Conversation.Status.RESOLVED:
                raise PapoError("invalid_state", "this conversation is resolved; reopen it first")
            if conv.status == Conversation.Status.OPEN and conv.assignee_id != user.pk:
                # The visitor hears one agent at a time: colleagues add notes, or ask
                # for a transfer (the console offers both; a raw client gets this).
                raise PapoError("forbidden", f"{agent_name(conv.assignee)} has this chat: "
                                "add an internal note, or ask them to transfer it")
            if conv.status == Conversation.Status.WAITING:
                routing.assign(conv, user)
        msg = messages.append(
            conv, author=Message.Author.AGENT, agent=user, body=body, client_id=client_id,
            internal=internal, files=rows,
        )
    return _ack(msg, duplicate=False)


def do_claim(user, conversation_id: int) -> Conversation:
    """Take a waiting conversation. Of two agents racing, exactly one wins."""
    with transaction.atomic():
        conv = access.get_visible(user, conversation_id, lock=True)
        if conv.assignee_id == user.pk and conv.status == Conversation.Status.OPEN:
            return conv
        if conv.status != Conversation.Status.WAITING:
            if conv.status == Conversation.Status.RESOLVED:
                raise PapoError("invalid_state", "this conversation is resolved")
            raise PapoError("already_assigned", f"{agent_name(conv.assignee)} already has it")
        routing.assign(conv, user)
    return conv


def _require_owner_or_admin(user, conv: Conversation, staff: bool = False) -> Membership | None:
    if staff:  # the Django admin: ``access.get_for`` checked the staff permission
        return None
    member = access.membership(user, conv.site_id)
    if conv.assignee_id != user.pk and not member.manages:
        raise PapoError("forbidden", "only the assigned agent or a site admin may do this")
    return member


def do_transfer(user, conversation_id: int, to_user_id: object, *,
                staff: bool = False) -> Conversation:
    if not isinstance(to_user_id, int) or isinstance(to_user_id, bool):
        raise PapoError("invalid", "to must be an agent id (integer)")
    with transaction.atomic():
        conv = access.get_for(user, conversation_id, lock=True, staff=staff)
        if conv.status == Conversation.Status.RESOLVED:
            raise PapoError("invalid_state", "this conversation is resolved")
        if conv.status == Conversation.Status.OPEN:
            _require_owner_or_admin(user, conv, staff)
        if conv.assignee_id == to_user_id:
            raise PapoError("invalid_state", "that agent already has this conversation")
        target = routing.free_members(conv.site_id).filter(user_id=to_user_id).first()
        if target is None:
            raise PapoError("agent_unavailable",
                            "that agent is not online in this site or has no room left")
        previous = conv.assignee
        routing.assign(
            conv, target.user, event="transferred",
            data={"from": agent_name(previous) if previous else "", "to": agent_name(target.user)},
        )
        if previous is not None:  # the previous agent has room again
            routing.assign_waiting(conv.site_id)
    return conv


def _close(conv: Conversation, ended_by: str, event: str, data: dict) -> None:
    """Resolve ``conv`` (locked by the caller): the one way a chat closes, whoever
    closes it. Its agent has room again, so waiting chats are routed; the system
    message says who closed it (``resolved`` by an agent, ``ended`` by the visitor)."""
    if conv.status == Conversation.Status.WAITING:
        queue.moved(conv.site_id)  # a waiting chat left the line
    conv.status = Conversation.Status.RESOLVED
    conv.resolved_at = timezone.now()
    conv.ended_by = ended_by
    conv.save(update_fields=["status", "resolved_at", "ended_by"])
    messages.append(conv, author=Message.Author.SYSTEM, event=event, data=data)
    messages.publish_conversation(conv, "resolved")
    routing.assign_waiting(conv.site_id)


def do_resolve(user, conversation_id: int, *, staff: bool = False) -> Conversation:
    with transaction.atomic():
        conv = access.get_for(user, conversation_id, lock=True, staff=staff)
        if conv.status == Conversation.Status.RESOLVED:
            raise PapoError("invalid_state", "this conversation is already resolved")
        if conv.status == Conversation.Status.OPEN:
            _require_owner_or_admin(user, conv, staff)
        _close(conv, Conversation.EndedBy.AGENT, "resolved", {"by": agent_name(user)})
    return conv


def do_visitor_end(visitor: Visitor, conversation_id: object) -> Conversation:
    """The visitor ends their chat (the widget's ``end``): waiting or open, it is
    resolved as an agent's resolve would, with an ``ended`` message naming them."""
    with transaction.atomic():
        conv = access.get_visitors_own(visitor, conversation_id, lock=True)
        if conv.status == Conversation.Status.RESOLVED:
            raise PapoError("invalid_state", "this conversation has already ended")
        _close(conv, Conversation.EndedBy.VISITOR, "ended", {"by": conv.visitor.display_name})
    return conv


def do_reopen(user, conversation_id: int, *, staff: bool = False) -> Conversation:
    """Reopen a resolved conversation: an agent takes it; ``staff`` (the Django
    admin, who answer no chats) put it back in the queue, where it is routed."""
    with transaction.atomic():
        conv = access.get_for(user, conversation_id, lock=True, staff=staff)
        if conv.status != Conversation.Status.RESOLVED:
            raise PapoError("invalid_state", "only a resolved conversation can be reopened")
        if (
            Conversation.objects.filter(visitor_id=conv.visitor_id)
            .exclude(status=Conversation.Status.RESOLVED)
            .exists()
        ):
            raise PapoError("invalid_state", "the visitor already has another open conversation")
        conv.resolved_at = None
        conv.ended_by = ""
        conv.save(update_fields=["resolved_at", "ended_by"])
        try:
            with transaction.atomic():
                if staff:
                    routing.to_queue(conv, event="reopened", data={"agent": agent_name(user)},
                                     queued_at=timezone.now())
                else:
                    routing.assign(conv, user, event="reopened")
        except IntegrityError as exc:  # the visitor opened a new chat meanwhile
            raise PapoError("invalid_state",
                            "the visitor already has another open conversation") from exc
        if staff:
            routing.assign_waiting(conv.site_id)
    return conv


def do_read(conv: Conversation, side: str, seq: object) -> int:
    """Move one side's read marker forward (never back). Returns the marker."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise PapoError("invalid", "seq must be a non-negative integer")
    field = "visitor_read_seq" if side == "visitor" else "agent_read_seq"
    with transaction.atomic():
        conv = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("visitor")
            .get(pk=conv.pk)
        )
        seq = min(seq, conv.last_seq)
        if seq <= getattr(conv, field):
            return getattr(conv, field)
        Conversation.objects.filter(pk=conv.pk).update(**{field: seq})
        frame = {"type": "read", "conversation": conv.pk, "side": side, "seq": seq}
        # The visitor hears of the marker only up to what they can see (not notes' seqs).
        events.publish(groups.visitor(conv.visitor.public_id),
                       {**frame, "seq": min(seq, conv.visible_seq)}, site=conv.site_id,
                       conversation=conv.pk)
        events.publish(groups.conversation(conv.pk), frame, site=conv.site_id,
                       conversation=conv.pk)
    return seq


def do_visitor_read(visitor: Visitor, seq: object) -> int:
    conv = current_conversation(visitor)
    if conv is None:
        raise PapoError("not_found", "no conversation yet")
    return do_read(conv, "visitor", seq)


def do_agent_read(user, conversation_id: int, seq: object) -> int:
    conv = access.get_visible(user, conversation_id)
    return do_read(conv, "agent", seq)


def do_requeue(user, conversation_id: int, *, staff: bool = False) -> Conversation:
    """Send an open conversation back to its site's queue, its assignee cleared.

    The assignee or a site admin may (``staff``: the Django admin). The
    ``requeued`` system message names the agent it leaves (``agent``) and who
    sent it back (``by``); then it is routed as when an agent goes away, except
    that it does not go straight back to the agent it left: it goes to another
    free agent, or waits in the queue.
    """
    with transaction.atomic():
        conv = access.get_for(user, conversation_id, lock=True, staff=staff)
        if conv.status != Conversation.Status.OPEN:
            raise PapoError("invalid_state", "only an open conversation can go back to the queue")
        _require_owner_or_admin(user, conv, staff)
        previous = conv.assignee
        routing.to_queue(conv, event="requeued",
                         data={"agent": agent_name(previous), "by": agent_name(user)})
        routing.assign_waiting(conv.site_id,
                               skip=(conv.pk, previous.pk) if previous is not None else None)
    return conv
