/**
 * What a visitor reads when the network goes: a dead socket found by the
 * heartbeat within 30 s while they look at the chat, and "Not sent yet" with
 * Retry on a message 15 s without an ack. All in mock time, against the bars
 * of issue #20 (30 s, 15 s); the 2 s offline banner is the browser test's.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { Outbox, pendingState, SLOW_MS } from '../../src/client/outbox';
import { Connection } from '../../src/client/socket';
import { Session } from '../../src/client/storage';
import { Thread } from '../../src/client/thread';
import { FakeServer, FakeSocket, memoryKV } from './fakes';

beforeEach(() => {
  FakeSocket.made = [];
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
});
afterEach(() => mock.timers.reset());

function connected(server = new FakeServer()) {
  const kv = memoryKV();
  const outbox = new Outbox(kv, 'papo:pk:out');
  const thread = new Thread();
  const conn = new Connection({
    url: 'ws://papo.test/ws/widget/pk/',
    session: new Session(kv, 'papo:pk'),
    outbox,
    thread,
    WebSocket: FakeSocket,
    random: () => 0,
  });
  conn.start();
  const ws = FakeSocket.last();
  server.attach(ws);
  assert.equal(conn.state, 'open');
  return { conn, ws, server, outbox, thread };
}

/**
 * Lets `ms` pass a second at a time. (node's mock timers move the clock to the
 * end of a tick before they fire what fell inside it: one long tick would
 * show every timer the same, final time.)
 */
function advance(ms: number): void {
  for (let t = 0; t < ms; t += 1000) mock.timers.tick(Math.min(1000, ms - t));
}

/** Ticks a second at a time until `done`; the seconds it took. */
function secondsUntil(done: () => boolean, limit = 120): number {
  for (let s = 1; s <= limit; s++) {
    mock.timers.tick(1000);
    if (done()) return s;
  }
  return Infinity;
}

test('watched (panel open, page visible): a socket that dies is dropped within 30 s, and reconnected', () => {
  const { conn, ws, server } = connected();
  conn.watch(true);
  assert.equal(ws.of('ping').length, 1, 'opening the panel checks the socket at once');
  advance(7_000); // a while after the last frame heard
  ws.mute = true; // the network path goes: nothing comes back, the browser notices nothing
  const took = secondsUntil(() => conn.state !== 'open');
  assert.ok(took <= 30 - 7, `dropped ${took + 7} s after the last frame heard`);
  assert.ok(took + 7 >= 10, 'not before a ping had its time to be answered');
  assert.equal(conn.state, 'reconnecting');
  assert.equal(ws.closedWith, 1000);
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  assert.equal(conn.state, 'open');
});

test('watched, the socket found dead while idle is dropped within 12 s of opening the panel', () => {
  const { conn, ws } = connected();
  advance(20_000); // idle, unwatched: the last pong was a while ago
  ws.mute = true;
  conn.watch(true); // the visitor opens the chat
  const took = secondsUntil(() => conn.state !== 'open');
  assert.ok(took <= 12, `dropped ${took} s after opening`);
});

test('a live socket that is watched is never dropped: pings every 10 s, each answered', () => {
  const { conn, ws } = connected();
  conn.watch(true);
  advance(10 * 60_000);
  assert.equal(conn.state, 'open');
  assert.equal(FakeSocket.made.length, 1);
  const pings = ws.of('ping').length;
  assert.ok(pings >= 55 && pings <= 61, `${pings} pings in 10 minutes`);
});

test('unwatched, idle widgets cost one ping each every ping_seconds (25 s), no more', () => {
  const { conn, ws } = connected();
  advance(10 * 60_000);
  assert.equal(ws.of('ping').length, 24, 'ten minutes, 25 s apart');
  assert.equal(conn.state, 'open');
  conn.watch(true);
  conn.watch(false); // the panel opened and closed: one check, then back to the slow pace
  const before = ws.of('ping').length;
  advance(10 * 60_000);
  assert.equal(ws.of('ping').length - before, 24 + 1 - 1);
});

test('unwatched, a dead socket still goes, after two unanswered pings (55 s)', () => {
  const { conn, ws } = connected();
  ws.mute = true;
  const took = secondsUntil(() => conn.state !== 'open');
  assert.ok(took > 30 && took <= 60, `dropped after ${took} s`);
});

test('a message without an ack reads "Not sent yet" at 15 s, not before; Retry resends it with its client_id', () => {
  const server = new FakeServer();
  const { conn, outbox } = connected(server);
  server.answering = false; // the server takes the frame and never answers
  const item = conn.send('where is my order?');
  advance(SLOW_MS - 1);
  assert.equal(pendingState(outbox.get(item.id)!, Date.now()), 'sending');
  mock.timers.tick(1);
  assert.equal(pendingState(outbox.get(item.id)!, Date.now()), 'slow');
  assert.equal(SLOW_MS, 15_000);

  conn.retry(item.id); // the visitor presses Retry: the socket is suspect, a fresh one comes
  assert.equal(pendingState(outbox.get(item.id)!, Date.now()), 'sending', 'the 15 s start again');
  assert.equal(FakeSocket.made.length, 2);
  server.answering = true;
  const fresh = FakeSocket.last();
  server.attach(fresh);
  assert.deepEqual(fresh.of('send').map((f) => f.client_id), [item.id], 'the same client_id');
  assert.deepEqual(outbox.all(), []);
  assert.equal(server.messages.length, 1);
});

test('Retry after the message did arrive but its ack was lost: shown once, stored once', () => {
  const server = new FakeServer();
  const { conn, ws, outbox, thread } = connected(server);
  ws.mute = true; // half-open: the message reaches the server, its ack never comes back
  const item = conn.send('where is my order?');
  assert.equal(server.messages.length, 1, 'stored, but the visitor cannot know');
  advance(SLOW_MS);
  assert.equal(pendingState(outbox.get(item.id)!, Date.now()), 'slow');
  conn.retry(item.id);
  server.attach(FakeSocket.last());
  assert.deepEqual(outbox.all(), [], 'settled by what the server says it holds');
  assert.deepEqual(thread.list().map((m) => m.client_id), [item.id]);
  assert.equal(server.messages.length, 1);
});

test('offline: sends wait in the outbox, read "Not sent yet" after 15 s, and go when the network is back', () => {
  let online = true;
  const server = new FakeServer();
  const kv = memoryKV();
  const outbox = new Outbox(kv, 'o');
  const conn = new Connection({
    url: 'ws://papo.test/', session: new Session(kv, 's'), outbox, thread: new Thread(),
    WebSocket: FakeSocket, random: () => 0, online: () => online,
  });
  conn.start();
  server.attach(FakeSocket.last());
  online = false;
  FakeSocket.last().drop(1006);
  assert.equal(conn.state, 'offline');
  const item = conn.send('still there?');
  advance(SLOW_MS);
  assert.equal(pendingState(outbox.get(item.id)!, Date.now()), 'slow');
  online = true;
  conn.reconnectNow();
  server.attach(FakeSocket.last());
  assert.deepEqual(outbox.all(), []);
  assert.deepEqual(server.messages.map((m) => m.client_id), [item.id]);
});
