import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newClientId, Outbox } from '../../src/client/outbox';
import { memoryKV } from './fakes';

test('client ids are random, 1-64 characters, fixed before the first try', () => {
  const ids = new Set(Array.from({ length: 1000 }, newClientId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^c-[0-9a-f]{32}$/);
});

test('unacked messages survive a reload with the same id and order', () => {
  const kv = memoryKV();
  const before = new Outbox(kv, 'k');
  const a = before.add('first', 1);
  const b = before.add('second', 2);
  const after = new Outbox(kv, 'k'); // a new page: only storage is shared
  assert.deepEqual(after.all(), [a, b]);
});

test('two tabs share one outbox: an ack in one clears it for both', () => {
  const kv = memoryKV();
  const tab1 = new Outbox(kv, 'k');
  const tab2 = new Outbox(kv, 'k');
  const item = tab1.add('hi');
  assert.equal(tab2.get(item.id)?.body, 'hi');
  assert.equal(tab2.remove(item.id), true);
  assert.deepEqual(tab1.all(), []);
  assert.equal(tab1.remove(item.id), false);
  assert.equal(kv.data.has('k'), false, 'empty outbox leaves no key behind');
});

test('refused messages are marked, and a retry puts them back in line', () => {
  const box = new Outbox(memoryKV(), 'k');
  const item = box.add('x');
  box.mark(item.id, 'body_too_long');
  assert.equal(box.get(item.id)?.err, 'body_too_long');
  box.mark(item.id, undefined);
  assert.equal(box.get(item.id)?.err, undefined);
  assert.equal(box.get(item.id)?.id, item.id);
});

test('corrupt storage reads as empty instead of throwing', () => {
  const kv = memoryKV();
  kv.set('k', '{not json');
  assert.deepEqual(new Outbox(kv, 'k').all(), []);
  kv.set('k', '{"a":1}');
  assert.deepEqual(new Outbox(kv, 'k').all(), []);
});
