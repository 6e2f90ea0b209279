import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store } from '../../src/store';

test('changed() calls each subscribed view once, in subscription order, with the whole set', () => {
  const store = new Store();
  const calls: string[] = [];
  store.on(['tabs', 'list'], (changed) => calls.push('inbox:' + [...changed].sort().join(',')));
  store.on(['thread'], () => calls.push('thread'));
  const stop = store.on(['title'], () => calls.push('title'));
  store.changed('list', 'tabs', 'title');
  assert.deepEqual(calls, ['inbox:list,tabs,title', 'title']);
  calls.length = 0;
  stop();
  store.changed('title', 'thread');
  assert.deepEqual(calls, ['thread']);
});

test('who may reply: a waiting chat, or an open one of mine; notes only otherwise', () => {
  const store = new Store();
  store.inbox.me = 3;
  const c = { status: 'open', assignee: { id: 9, name: 'Bruno' } } as Parameters<Store['canReply']>[0];
  assert.equal(store.canReply(c), false);
  assert.equal(store.canReply({ ...c, assignee: { id: 3, name: 'Ana' } }), true);
  assert.equal(store.canReply({ ...c, status: 'waiting', assignee: null }), true);
  assert.equal(store.canReply({ ...c, status: 'resolved', assignee: { id: 3, name: 'Ana' } }), false);
});
