import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conversation } from '../../src/protocol';
import { filterCount, isActive, matches, parseQuery, queryString, requestFor } from '../../src/view';

test('a view survives the URL both ways, in one order; what the URL cannot mean is dropped', () => {
  const v = parseQuery('?q=%20pedido%20atrasado%20&tag=12&assignee=me&status=open&from=2026-12-01&to=2026-12-07&site=pk_x');
  assert.deepEqual(v, { site: 'pk_x', status: 'open', assignee: 'me', tag: 12, from: '2026-12-01', to: '2026-12-07', q: 'pedido atrasado' });
  assert.equal(queryString(v), '?site=pk_x&status=open&assignee=me&tag=12&from=2026-12-01&to=2026-12-07&q=pedido+atrasado');
  assert.deepEqual(parseQuery(queryString(v)), v);
  assert.deepEqual(parseQuery('?status=closed&assignee=bob&tag=0&from=2026-1-1&to=x&q='), {});
  assert.deepEqual(parseQuery('?assignee=7&assignee=8'), { assignee: 7 });
  assert.deepEqual(parseQuery('?from=2026-12-09&to=2026-12-01'), { from: '2026-12-01', to: '2026-12-09' });
  assert.equal(parseQuery('?q=' + 'a'.repeat(300)).q?.length, 200);
  assert.equal(queryString({}), '');
  assert.equal(isActive({}), false);
  assert.equal(isActive({ q: 'x' }), true);
  assert.equal(filterCount({ q: 'x', status: 'open', tag: 3 }), 2);
});

test('the request: filter without words, search with them; the zone only with days', () => {
  assert.deepEqual(requestFor({ status: 'waiting', assignee: 'unassigned' }, 'America/Sao_Paulo', null),
    { type: 'filter', status: 'waiting', assignee: 'unassigned' });
  assert.deepEqual(requestFor({ q: 'rita', from: '2026-01-02' }, 'America/Sao_Paulo', 'm12'),
    { type: 'search', q: 'rita', from: '2026-01-02', tz: 'America/Sao_Paulo', cursor: 'm12' });
});

test('a live chat matches the view as the server would decide it', () => {
  const c = {
    id: 1, site: 'pk_a', status: 'open', assignee: { id: 3, name: 'Ana' }, tags: [12, 5],
    created_at: new Date(2026, 11, 3, 23, 30).toISOString(),
  } as unknown as Conversation;
  assert.equal(matches({}, c, 3), true);
  assert.equal(matches({ status: 'open', assignee: 'me', tag: 5, site: 'pk_a' }, c, 3), true);
  assert.equal(matches({ assignee: 'me' }, c, 4), false);
  assert.equal(matches({ assignee: 3 }, c, 4), true);
  assert.equal(matches({ assignee: 'unassigned' }, c, 3), false);
  assert.equal(matches({ assignee: 'unassigned' }, { ...c, assignee: null }, 3), true);
  assert.equal(matches({ tag: 7 }, c, 3), false);
  assert.equal(matches({ site: 'pk_b' }, c, 3), false);
  assert.equal(matches({ status: 'waiting' }, c, 3), false);
  // days in the browser's zone, both ends included
  assert.equal(matches({ from: '2026-12-03', to: '2026-12-03' }, c, 3), true);
  assert.equal(matches({ from: '2026-12-04' }, c, 3), false);
  assert.equal(matches({ to: '2026-12-02' }, c, 3), false);
});
