import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conversation, Message } from '../../src/protocol';
import { Inbox, Thread } from '../../src/state';

function conv(id: number, over: Partial<Conversation> = {}): Conversation {
  return {
    id, site: 'pk_a', status: 'waiting', assignee: null,
    visitor: { id: 'v' + id, name: '', email: '', verified: false, display_name: 'V' + id, page_url: '', page_title: '', referrer: '', user_agent: '', locale: '', first_seen_at: '', last_seen_at: '' },
    last_seq: 1, visitor_read_seq: 0, agent_read_seq: 0, created_at: `2026-01-01T00:00:0${id}Z`, updated_at: `2026-01-01T00:00:0${id}Z`,
    queued_at: `2026-01-01T00:00:0${id}Z`, first_agent_reply_at: null, resolved_at: null,
    last_message: { seq: 1, author: 'visitor', body: 'hi', created_at: '' }, ...over,
  };
}

function msg(conversation: number, seq: number, over: Partial<Message> = {}): Message {
  return { conversation, seq, author: 'visitor', agent: null, body: 'm' + seq, event: '', data: {}, client_id: null, created_at: `2026-01-01T00:01:0${seq}Z`, ...over };
}

test('boxes and counts follow status and assignee; a claim by another leaves my Waiting', () => {
  const inbox = new Inbox(3);
  inbox.upsert(conv(1));
  inbox.upsert(conv(2));
  assert.deepEqual(inbox.list('queue').map((c) => c.id), [1, 2]);
  assert.deepEqual(inbox.counts(), { queue: 2, mine: 0, open: 0 });
  inbox.upsert(conv(1, { status: 'open', assignee: { id: 9, name: 'Bruno' } }));
  assert.deepEqual(inbox.list('queue').map((c) => c.id), [2]);
  assert.deepEqual(inbox.list('open').map((c) => c.id), [1]);
  assert.deepEqual(inbox.list('mine'), []);
  inbox.upsert(conv(2, { status: 'open', assignee: { id: 3, name: 'Ana' } }));
  assert.deepEqual(inbox.counts(), { queue: 0, mine: 1, open: 2 });
  assert.deepEqual([...inbox.mineBySite()], [['pk_a', 1]]);
});

test('resolving moves a conversation to the top of Resolved', () => {
  const inbox = new Inbox(3);
  inbox.upsert(conv(1, { status: 'open', assignee: { id: 3, name: 'Ana' } }));
  inbox.resolved = [5];
  inbox.upsert(conv(5, { status: 'resolved' }));
  inbox.upsert(conv(1, { status: 'resolved', assignee: { id: 3, name: 'Ana' } }));
  assert.deepEqual(inbox.list('resolved').map((c) => c.id), [1, 5]);
  assert.equal(inbox.counts().mine, 0);
});

test('unread: a visitor message after the read marker; read markers clear it', () => {
  const inbox = new Inbox(3);
  const mine = { status: 'open' as const, assignee: { id: 3, name: 'Ana' } };
  inbox.upsert(conv(1, { ...mine, last_seq: 2, last_message: { seq: 2, author: 'system', body: '', created_at: '' } }));
  assert.equal(inbox.isUnread(inbox.get(1)!), true, 'a new chat (visitor, then assigned) is unread');
  inbox.applyRead(1, 'agent', 2);
  assert.equal(inbox.isUnread(inbox.get(1)!), false);
  inbox.applyMessage(msg(1, 3));
  assert.equal(inbox.isUnread(inbox.get(1)!), true);
  assert.equal(inbox.unreadMine(), 1);
  inbox.applyMessage(msg(1, 4, { author: 'agent', agent: { id: 3, name: 'Ana' } }));
  assert.equal(inbox.isUnread(inbox.get(1)!), true, 'replying does not read the visitor message');
  inbox.applyRead(1, 'agent', 4);
  assert.equal(inbox.unreadMine(), 0);
  inbox.applyRead(1, 'agent', 1); // never backwards
  assert.equal(inbox.get(1)!.agent_read_seq, 4);
});

test('an older list reply does not roll back a newer live message', () => {
  const inbox = new Inbox(3);
  inbox.upsert(conv(1));
  inbox.applyMessage(msg(1, 5));
  inbox.upsert(conv(1, { last_seq: 2 }));
  assert.equal(inbox.get(1)!.last_seq, 5);
  assert.equal(inbox.get(1)!.last_message!.seq, 5);
});

test('threads merge by seq, idempotently, and resume from the last seq without a gap', () => {
  const th = new Thread(1);
  assert.equal(th.merge([msg(1, 2), msg(1, 3)]).length, 2);
  assert.equal(th.merge([msg(1, 3), msg(1, 4), msg(2, 9)]).length, 1);
  assert.deepEqual(th.list().map((m) => m.seq), [2, 3, 4]);
  assert.equal(th.oldest, 2);
  th.merge([msg(1, 7)]);
  assert.equal(th.newest, 7);
  assert.equal(th.resumeFrom(), 4, 'the lost 5 and 6 are fetched again');
});

test('a message with a client_id clears the pending send', () => {
  const th = new Thread(1);
  th.pending.set('c-1', { body: 'hi', internal: false });
  th.merge([msg(1, 3, { author: 'agent', client_id: 'c-1' })]);
  assert.equal(th.pending.size, 0);
});
