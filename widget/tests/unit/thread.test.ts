import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../../src/client/protocol';
import { Thread } from '../../src/client/thread';

const msg = (seq: number, conversation = 41): Message => ({
  conversation, seq, author: 'agent', agent: { name: 'Ana' }, body: `m${seq}`, event: '', data: {},
  client_id: null, created_at: '2026-11-24T15:00:00+00:00',
});

test('renders by seq whatever the arrival order, each seq once', () => {
  const t = new Thread();
  assert.deepEqual(t.merge([msg(3), msg(1)]).map((m) => m.seq), [1, 3]);
  assert.deepEqual(t.merge([msg(2), msg(3), msg(1)]).map((m) => m.seq), [2], 'only 2 is new');
  assert.deepEqual(t.list().map((m) => m.seq), [1, 2, 3]);
});

test('resume names the highest seq held (internal notes leave gaps that are not losses)', () => {
  const t = new Thread();
  assert.equal(t.resume(), undefined, 'nothing held: ask for the latest page');
  t.merge([msg(5), msg(6), msg(7), msg(9)]);
  assert.deepEqual(t.resume(), { conversation: 41, last_seq: 9 }, 'seq 8 was a note');
  t.merge([msg(10)]);
  assert.deepEqual(t.resume(), { conversation: 41, last_seq: 10 });
});

test('a newer conversation follows the older one and becomes current', () => {
  const t = new Thread();
  t.merge([msg(2, 42), msg(1, 41), msg(1, 42), msg(2, 41)]);
  assert.deepEqual(t.list().map((m) => `${m.conversation}:${m.seq}`), ['41:1', '41:2', '42:1', '42:2']);
  assert.equal(t.current(), 42);
  assert.deepEqual(t.resume(), { conversation: 42, last_seq: 2 });
  t.conversation = { id: 41, status: 'open', agent: null, last_seq: 2, agent_read_seq: 0 };
  assert.deepEqual(t.currentMessages().map((m) => m.seq), [1, 2]);
});
