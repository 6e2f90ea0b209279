import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { backoff, BACKOFF_CAP_MS } from '../../../widget/src/client/backoff';
import { ConsoleSocket, type SocketState } from '../../src/client/socket';
import type { Frame } from '../../src/protocol';
import { FakeClock, FakeWs, welcomeFrame } from './fakes';

let clock: FakeClock;
let frames: Frame[];
let states: SocketState[];
let welcomes: boolean[];
let refused: number[];

function make(): ConsoleSocket {
  const s = new ConsoleSocket('ws://x/ws/console/', {
    onWelcome: (_w, again) => welcomes.push(again),
    onFrame: (f) => frames.push(f),
    onState: (st) => states.push(st),
    onRefused: (code) => refused.push(code),
  }, clock.env());
  s.connect();
  return s;
}

function connectLatest(): FakeWs {
  const ws = FakeWs.all[FakeWs.all.length - 1];
  ws.open();
  ws.push(welcomeFrame(10));
  return ws;
}

beforeEach(() => {
  FakeWs.all = [];
  clock = new FakeClock();
  frames = [];
  states = [];
  welcomes = [];
  refused = [];
});

test('says hello first, then goes online on welcome', () => {
  make();
  const ws = FakeWs.all[0];
  ws.open();
  assert.deepEqual(ws.sent, [{ type: 'hello', v: 2 }]);
  ws.push(welcomeFrame());
  assert.equal(states.at(-1), 'online');
  assert.deepEqual(welcomes, [false]);
});

test('requests resolve by ref; errors reject with the code', async () => {
  const s = make();
  const ws = connectLatest();
  const p = s.request({ type: 'claim', conversation: 4 });
  const sent = ws.last('claim')!;
  assert.ok(sent.ref);
  ws.push({ type: 'message', message: { seq: 1 } }); // pushed, not a reply
  ws.push({ type: 'ok', ref: sent.ref, conversation: { id: 4 } });
  assert.deepEqual((await p).conversation, { id: 4 });
  assert.equal(frames[0].type, 'message');
  const q = s.request({ type: 'claim', conversation: 5 });
  ws.push({ type: 'error', ref: ws.last('claim')!.ref, code: 'already_assigned', message: 'Bruno has it' });
  await assert.rejects(q, (e: Error & { code?: string }) => e.code === 'already_assigned');
});

test('requests made while offline wait for the next welcome', async () => {
  const s = make();
  const p = s.request({ type: 'agents' });
  const ws = connectLatest();
  const sent = ws.last('agents')!;
  ws.push({ type: 'agents', ref: sent.ref, agents: [] });
  assert.equal((await p).type, 'agents');
});

test('pings every ping_seconds as the presence heartbeat', () => {
  make();
  const ws = connectLatest();
  clock.advance(10_000);
  assert.equal(ws.sent.filter((f) => f.type === 'ping').length, 1);
  ws.push({ type: 'pong' });
  clock.advance(10_000);
  assert.equal(ws.sent.filter((f) => f.type === 'ping').length, 2);
  assert.equal(frames.length, 0, 'pongs are not app frames');
});

test('a silent connection is dropped and reconnected', () => {
  make();
  connectLatest();
  clock.advance(31_000); // pings go out but nothing comes back
  assert.ok(FakeWs.all.length >= 2, 'reconnected');
  assert.ok(states.includes('offline'));
});

test('reconnects with backoff and reports a reconnect to the app', () => {
  make();
  const first = connectLatest();
  first.drop();
  assert.equal(states.at(-1), 'offline');
  assert.equal(FakeWs.all.length, 1);
  clock.advance(backoff(0, () => 0.5));
  assert.equal(FakeWs.all.length, 2);
  connectLatest();
  assert.deepEqual(welcomes, [false, true]);
});

test('the outbox re-sends an unacknowledged message after reconnecting, same client_id', async () => {
  const s = make();
  const first = connectLatest();
  const p = s.sendMessage(7, 'hello', false, 'c-1');
  assert.equal(first.last('send')!.client_id, 'c-1');
  first.drop();
  clock.advance(1000);
  const second = connectLatest();
  const resent = second.last('send')!;
  assert.equal(resent.client_id, 'c-1');
  assert.equal(resent.body, 'hello');
  second.push({ type: 'ack', ref: resent.ref, client_id: 'c-1', conversation: 7, seq: 9, duplicate: true, created_at: '' });
  assert.equal((await p).seq, 9);
  assert.equal(s.outboxSize, 0);
});

test('internal notes carry internal: true', () => {
  const s = make();
  const ws = connectLatest();
  void s.sendMessage(7, 'note', true, 'c-2');
  assert.equal(ws.last('send')!.internal, true);
  void s.sendMessage(7, 'reply', false, 'c-3');
  assert.equal('internal' in ws.last('send')!, false);
});

test('a refused send leaves the outbox; unavailable is retried', async () => {
  const s = make();
  const ws = connectLatest();
  const p = s.sendMessage(7, 'x', false, 'c-4');
  ws.push({ type: 'error', ref: 'o:c-4', code: 'unavailable', message: 'db', retry_after: 2 });
  assert.equal(s.outboxSize, 1);
  clock.advance(2000);
  assert.equal(ws.sent.filter((f) => f.type === 'send').length, 2);
  ws.push({ type: 'error', ref: 'o:c-4', code: 'invalid_state', message: 'resolved' });
  await assert.rejects(p);
  assert.equal(s.outboxSize, 0);
});

test('session end (4403) stops reconnecting and tells the app', () => {
  make();
  const ws = connectLatest();
  ws.drop(4403);
  clock.advance(60_000);
  assert.equal(FakeWs.all.length, 1);
  assert.deepEqual(refused, [4403]);
});

test('session ended (4401) tells the app at once, then retries with backoff, never a hot loop', () => {
  make();
  const ws = connectLatest();
  ws.drop(4401);
  assert.deepEqual(refused, [4401]);
  assert.equal(FakeWs.all.length, 1); // not immediately
  clock.advance(1_000);
  assert.equal(FakeWs.all.length, 2); // once, after the backoff: a newer cookie may be there
  // The session is really gone: every handshake is refused before a welcome.
  for (let t = 0; t < 20_000; t += 100) {
    const last = FakeWs.all[FakeWs.all.length - 1];
    if (last.readyState === 0) last.drop(1006);
    clock.advance(100);
  }
  assert.ok(FakeWs.all.length <= 8, `${FakeWs.all.length} attempts in 20 s`);
  assert.ok(refused.length >= 2 && refused.slice(1).every((c) => c === 1006));
});

test('sites changed (4409) reconnects quietly and is welcomed again', () => {
  make();
  connectLatest().drop(4409);
  assert.deepEqual(refused, []);
  clock.advance(1_000);
  assert.equal(FakeWs.all.length, 2);
  connectLatest();
  assert.deepEqual(welcomes, [false, true]);
  assert.equal(states.at(-1), 'online');
});

test('backoff grows and is capped', () => {
  assert.equal(backoff(0, () => 0), 250);
  assert.ok(backoff(3, () => 1) === 4000);
  assert.equal(backoff(30, () => 1), BACKOFF_CAP_MS);
});
