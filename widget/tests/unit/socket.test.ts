import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { Outbox } from '../../src/client/outbox';
import { Connection } from '../../src/client/socket';
import { type KV, Session } from '../../src/client/storage';
import { Thread } from '../../src/client/thread';
import { FakeServer, FakeSocket, memoryKV } from './fakes';

beforeEach(() => {
  FakeSocket.made = [];
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
});
afterEach(() => mock.timers.reset());

const PAGE = { url: 'https://shop.example/cart', title: 'Cart', referrer: '' };

/** One page load of the widget; pass the same kv again to simulate a reload or a second tab. */
function page(kv: KV = memoryKV()) {
  const session = new Session(kv, 'papo:pk');
  const outbox = new Outbox(kv, 'papo:pk:out');
  const thread = new Thread();
  const conn = new Connection({
    url: 'ws://papo.test/ws/widget/pk/',
    session, outbox, thread,
    WebSocket: FakeSocket,
    random: () => 0, // backoff at its floor: half of each step
    hello: () => ({ page: PAGE, locale: 'en' }),
  });
  const states: string[] = [];
  conn.on('state', (s) => states.push(s));
  return { kv, session, outbox, thread, conn, states };
}

const seqs = (t: Thread) => t.list().map((m) => m.seq);

test('lazy: nothing connects until start(); hello carries page and locale, no token yet', () => {
  const { conn } = page();
  assert.equal(FakeSocket.made.length, 0);
  conn.start();
  conn.start(); // idempotent
  assert.equal(FakeSocket.made.length, 1);
  const ws = FakeSocket.last();
  assert.equal(ws.url, 'ws://papo.test/ws/widget/pk/');
  ws.open();
  assert.deepEqual(ws.sent, [{ type: 'hello', v: 2, page: PAGE, locale: 'en' }]);
});

test('the token from welcome is kept and presented again, with resume from the last seq', () => {
  const server = new FakeServer();
  server.add('agent', 'hello');
  server.add('agent', 'anything else?');
  const { conn, session, thread } = page();
  conn.start();
  server.attach(FakeSocket.last());
  assert.equal(conn.state, 'open');
  assert.equal(session.get().t, 'tok-1');
  assert.equal(session.get().c, 41);
  assert.deepEqual(seqs(thread), [1, 2]);

  server.add('agent', 'missed while away');
  FakeSocket.last().drop(1006);
  assert.equal(conn.state, 'reconnecting');
  mock.timers.tick(250); // first retry: backoff(0) with no jitter
  assert.equal(FakeSocket.made.length, 2);
  server.attach(FakeSocket.last());
  const hello = FakeSocket.last().of('hello')[0];
  assert.equal(hello.token, 'tok-1');
  assert.deepEqual(hello.resume, { conversation: 41, last_seq: 2 });
  assert.deepEqual(seqs(thread), [1, 2, 3], 'the missed message was replayed, nothing doubled');
});

test('a resume longer than one replay pages forward until the newest message, each once', () => {
  const server = new FakeServer();
  server.add('agent', 'hello');
  server.add('agent', 'one more');
  const { conn, thread } = page();
  conn.start();
  server.attach(FakeSocket.last());
  FakeSocket.last().drop(1006);
  for (let i = 0; i < 23; i++) server.add('agent', `while away ${i}`);
  server.replay = 5;
  server.pageSize = 7;
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  const pages = FakeSocket.last().of('history').map((f) => f.after_seq);
  assert.deepEqual(pages, [7, 14, 21], 'each page asks for what follows the last one sent');
  assert.deepEqual(seqs(thread), Array.from({ length: 25 }, (_, i) => i + 1));
  assert.equal(thread.hasMore, false, 'pages forward say nothing of older messages');
  server.add('agent', 'live again');
  server.broadcast(server.messages[25]);
  assert.deepEqual(seqs(thread).slice(-2), [25, 26]);
});

test('a message written before connecting goes out after welcome, is acked and shown once', () => {
  const server = new FakeServer();
  const { conn, outbox, thread } = page();
  const item = conn.send('Hi, my order is late');
  assert.equal(FakeSocket.made.length, 1, 'sending connects');
  assert.equal(outbox.all().length, 1);
  server.attach(FakeSocket.last());
  const sends = FakeSocket.last().of('send');
  assert.deepEqual(sends, [{ type: 'send', ref: item.id, client_id: item.id, body: 'Hi, my order is late' }]);
  assert.deepEqual(outbox.all(), []);
  assert.equal(thread.list().length, 1, 'ack and message frame merged into one');
  assert.equal(thread.list()[0].client_id, item.id);
});

test('the ack alone is enough to show the stored message (live frames may be lost)', () => {
  const { conn, thread, outbox } = page();
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'welcome', v: 1, token: 't', visitor: {}, conversation: null, messages: [], has_more: false,
            agents_online: true, config: {}, limits: { max_body: 4000, ping_seconds: 25 } });
  const item = conn.send('hello?');
  ws.push({ type: 'ack', ref: item.id, client_id: item.id, conversation: 7, seq: 1, created_at: 'x', duplicate: false });
  assert.deepEqual(outbox.all(), []);
  assert.deepEqual(thread.list().map((m) => [m.conversation, m.seq, m.author, m.body]), [[7, 1, 'visitor', 'hello?']]);
  ws.push({ type: 'message', message: { ...thread.list()[0] } });
  assert.equal(thread.list().length, 1);
});

test('server dies before storing: the message is re-sent after reconnecting, stored exactly once', () => {
  const server = new FakeServer();
  const { conn, outbox, thread } = page();
  conn.start();
  server.attach(FakeSocket.last());
  server.answering = false; // the frame is lost with the dying server
  const item = conn.send('are you there?');
  FakeSocket.last().drop(1006);
  assert.equal(outbox.all().length, 1, 'still pending');
  mock.timers.tick(250);
  server.answering = true;
  server.attach(FakeSocket.last());
  assert.deepEqual(FakeSocket.last().of('send').map((f) => f.client_id), [item.id], 'same client_id');
  assert.equal(server.messages.length, 1);
  assert.deepEqual(outbox.all(), []);
  assert.equal(thread.list().length, 1);
});

test('server stored it but the ack was lost: a re-send is a duplicate and nothing doubles', () => {
  const server = new FakeServer();
  const { conn, outbox, thread } = page();
  conn.start();
  const ws1 = FakeSocket.last();
  server.attach(ws1);
  // Store the message on the server, but cut the socket before ack and message frames arrive.
  ws1.onmessage = null;
  const item = conn.send('once only');
  assert.equal(server.messages.length, 1);
  ws1.drop(1006);
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  assert.equal(server.messages.length, 1, 'the server holds it once');
  assert.deepEqual(outbox.all(), [], 'the replay in welcome settled the outbox');
  assert.deepEqual(thread.list().map((m) => m.client_id), [item.id]);
});

test('an unacked message survives a reload and is re-sent with the same client_id', () => {
  const server = new FakeServer();
  const first = page();
  first.conn.start();
  server.attach(FakeSocket.last());
  server.answering = false;
  const item = first.conn.send('typed just before reload');
  first.conn.stop(); // the page goes away

  server.answering = true;
  const second = page(first.kv);
  second.conn.start();
  server.attach(FakeSocket.last());
  const hello = FakeSocket.last().of('hello')[0];
  assert.equal(hello.token, 'tok-1');
  assert.equal(hello.resume, undefined, 'a fresh page asks for the latest page of history');
  assert.deepEqual(FakeSocket.last().of('send').map((f) => f.client_id), [item.id]);
  assert.equal(server.messages.length, 1);
  assert.deepEqual(second.outbox.all(), []);
});

test('replayed and live frames in any order render by seq, each once', () => {
  const server = new FakeServer();
  const m = [1, 2, 3, 4].map((i) => server.add('agent', `m${i}`));
  const { conn, thread } = page();
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'message', message: m[2] });
  ws.push({ type: 'message', message: m[0] });
  ws.push({ type: 'message', message: m[2] });
  ws.push({ type: 'history', conversation: 41, messages: [m[0], m[1]], has_more: false });
  ws.push({ type: 'message', message: m[3] });
  assert.deepEqual(seqs(thread), [1, 2, 3, 4]);
  assert.deepEqual(thread.list().map((x) => x.body), ['m1', 'm2', 'm3', 'm4']);
});

test('close 4401: the token is forgotten, a fresh hello follows at once, typed text is kept', () => {
  const server = new FakeServer();
  server.add('agent', 'old visitor history');
  const { conn, session, thread, outbox } = page();
  conn.start();
  server.attach(FakeSocket.last());
  server.answering = false;
  conn.send('keep me');
  FakeSocket.last().push({ type: 'error', code: 'token_expired', message: '', ref: null });
  FakeSocket.last().drop(4401);
  assert.equal(session.get().t, undefined);
  assert.equal(thread.size, 0);
  mock.timers.tick(0);
  assert.equal(FakeSocket.made.length, 2);
  server.answering = true;
  server.messages = [];
  server.token = 'tok-2';
  server.attach(FakeSocket.last());
  const hello = FakeSocket.last().of('hello')[0];
  assert.equal(hello.token, undefined);
  assert.equal(hello.resume, undefined);
  assert.equal(session.get().t, 'tok-2');
  assert.deepEqual(outbox.all(), []);
  assert.deepEqual(server.messages.map((m) => m.body), ['keep me']);
});

test('close 4403: stops for good', () => {
  const { conn } = page();
  conn.start();
  FakeSocket.last().open();
  FakeSocket.last().drop(4403);
  assert.equal(conn.state, 'stopped');
  mock.timers.tick(10 * 60_000);
  assert.equal(FakeSocket.made.length, 1);
});

test('close 4029 after rate_limited: waits at least retry_after before reconnecting', () => {
  const { conn } = page();
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'error', code: 'rate_limited', message: '', ref: null, retry_after: 12 });
  ws.drop(4029);
  mock.timers.tick(11_999);
  assert.equal(FakeSocket.made.length, 1);
  mock.timers.tick(1);
  assert.equal(FakeSocket.made.length, 2);
});

test('close 4008 backs off for several seconds even without retry_after', () => {
  const { conn } = page();
  conn.start();
  FakeSocket.last().open();
  FakeSocket.last().drop(4008);
  mock.timers.tick(4_999);
  assert.equal(FakeSocket.made.length, 1);
  mock.timers.tick(1);
  assert.equal(FakeSocket.made.length, 2);
});

test('reconnect delays grow while the server is down and reset after a welcome', () => {
  const server = new FakeServer();
  const { conn, states } = page();
  conn.start();
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    FakeSocket.last().drop(1006); // handshake failed
    const n = FakeSocket.made.length;
    let waited = 0;
    while (FakeSocket.made.length === n) {
      mock.timers.tick(50);
      waited += 50;
    }
    waits.push(waited);
  }
  assert.deepEqual(waits, [250, 500, 1000, 2000, 4000]);
  assert.equal(states[0], 'connecting');
  assert.ok(states.includes('reconnecting'));
  server.attach(FakeSocket.last());
  FakeSocket.last().drop(1006);
  mock.timers.tick(250);
  assert.equal(FakeSocket.made.length, 7, 'back to the shortest delay');
});

test('rate_limited on a send: said in words (event), retried after retry_after, never marked failed', () => {
  const { conn, outbox } = page();
  const rates: number[] = [];
  conn.on('rate', (s) => rates.push(s));
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'welcome', v: 1, token: 't', visitor: {}, conversation: null, messages: [], has_more: false,
            agents_online: true, config: {}, limits: { max_body: 4000, ping_seconds: 25 } });
  const item = conn.send('slow down?');
  ws.push({ type: 'error', code: 'rate_limited', message: 'too many frames', ref: item.id, retry_after: 1.5 });
  assert.deepEqual(rates, [1.5]);
  assert.equal(outbox.get(item.id)?.err, undefined);
  conn.signal({ type: 'typing', state: 'start' }); // dropped while limited, not queued
  mock.timers.tick(1_499);
  assert.equal(ws.of('send').length, 1);
  assert.equal(ws.of('typing').length, 0);
  mock.timers.tick(1);
  assert.deepEqual(ws.of('send').map((f) => f.client_id), [item.id, item.id]);
});

test('messages go one at a time, so one held back by rate_limited is never overtaken', () => {
  const { conn } = page();
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'welcome', v: 1, token: 't', visitor: {}, conversation: null, messages: [], has_more: false,
            agents_online: true, config: {}, limits: { max_body: 4000, ping_seconds: 25 } });
  const first = conn.send('first');
  const second = conn.send('second');
  assert.deepEqual(ws.of('send').map((f) => f.body), ['first'], 'the second waits for the first ack');
  ws.push({ type: 'error', code: 'rate_limited', message: 'slow down', ref: first.id, retry_after: 1 });
  mock.timers.tick(1_000);
  assert.deepEqual(ws.of('send').map((f) => f.body), ['first', 'first'], 'the first goes again, alone');
  ws.push({ type: 'ack', ref: first.id, client_id: first.id, conversation: 41, seq: 1,
            created_at: '2026-11-24T00:00:00Z', duplicate: false });
  assert.deepEqual(ws.of('send').map((f) => f.client_id), [first.id, first.id, second.id]);
});

test('a refused message is marked failed and goes again only on retry, with its id', () => {
  const { conn, outbox } = page();
  conn.start();
  const ws = FakeSocket.last();
  ws.open();
  ws.push({ type: 'welcome', v: 1, token: 't', visitor: {}, conversation: null, messages: [], has_more: false,
            agents_online: true, config: {}, limits: { max_body: 4000, ping_seconds: 25 } });
  const item = conn.send('x');
  ws.push({ type: 'error', code: 'body_empty', message: '', ref: item.id });
  assert.equal(outbox.get(item.id)?.err, 'body_empty');
  conn.send('y'); // a later message does not drag the failed one along
  assert.deepEqual(ws.of('send').map((f) => f.body), ['x', 'y']);
  conn.retry(item.id);
  assert.deepEqual(ws.of('send').map((f) => f.body), ['x', 'y', 'x']);
  assert.equal(ws.of('send')[2].client_id, item.id);
});

test('pings every ping_seconds; a socket that went silent is replaced', () => {
  const server = new FakeServer();
  const { conn } = page();
  conn.start();
  const ws = FakeSocket.last();
  server.attach(ws);
  mock.timers.tick(25_000);
  assert.equal(ws.of('ping').length, 1); // answered (pong)
  // From now on no pong, no frame at all: half-open TCP.
  server.answering = false;
  mock.timers.tick(25_000);
  assert.equal(ws.of('ping').length, 2);
  mock.timers.tick(40_000);
  assert.equal(ws.closedWith, 1000);
  assert.equal(conn.state, 'reconnecting');
  mock.timers.tick(250);
  assert.equal(FakeSocket.made.length, 2);
});

test('requests (profile) are repeated after a drop until answered', () => {
  const { conn } = page();
  conn.start();
  const ref = conn.request({ type: 'profile', email: 'rita@example.com' });
  let ws = FakeSocket.last();
  ws.open();
  const welcome = { type: 'welcome', v: 1, token: 't', visitor: {}, conversation: null, messages: [], has_more: false,
                    agents_online: false, config: {}, limits: { max_body: 4000, ping_seconds: 25 } };
  ws.push(welcome);
  assert.deepEqual(ws.of('profile'), [{ type: 'profile', email: 'rita@example.com', ref }]);
  ws.drop();
  mock.timers.tick(250);
  ws = FakeSocket.last();
  ws.open();
  ws.push(welcome);
  assert.equal(ws.of('profile').length, 1, 'unanswered: sent again');
  ws.push({ type: 'visitor', ref, visitor: { id: 'v', name: '', email: 'rita@example.com', verified: false } });
  ws.drop();
  mock.timers.tick(250);
  FakeSocket.last().open();
  FakeSocket.last().push(welcome);
  assert.equal(FakeSocket.last().of('profile').length, 0, 'answered: not repeated');
});

test('a resolved conversation stops counting as ongoing', () => {
  const server = new FakeServer();
  server.add('agent', 'hi');
  const { conn, session } = page();
  conn.start();
  server.attach(FakeSocket.last());
  assert.equal(session.get().c, 41);
  FakeSocket.last().push({ type: 'conversation', event: 'resolved',
    conversation: { id: 41, status: 'resolved', agent: { name: 'Ana' }, last_seq: 1, agent_read_seq: 1 } });
  assert.equal(session.get().c, undefined);
  assert.equal(session.get().t, 'tok-1', 'the visitor stays the same');
});

test('two tabs of one visitor: same token, each sees every message once', () => {
  const server = new FakeServer();
  const tab1 = page();
  tab1.conn.start();
  server.attach(FakeSocket.last());
  const tab2 = page(tab1.kv);
  tab2.conn.start();
  server.attach(FakeSocket.last());
  assert.equal(FakeSocket.last().of('hello')[0].token, 'tok-1');
  tab1.conn.send('from tab 1');
  server.broadcast(server.add('agent', 'reply'));
  assert.deepEqual(tab1.thread.list().map((m) => m.body), ['from tab 1', 'reply']);
  assert.deepEqual(tab2.thread.list().map((m) => m.body), ['from tab 1', 'reply']);
  assert.deepEqual(tab2.outbox.all(), []);
});

test('stop() closes the socket and no timer brings it back', () => {
  const { conn } = page();
  conn.start();
  FakeSocket.last().open();
  conn.stop();
  assert.equal(FakeSocket.last().closedWith, 1000);
  mock.timers.tick(10 * 60_000);
  assert.equal(FakeSocket.made.length, 1);
  assert.equal(conn.state, 'idle');
});

test('after a resolved chat, the next message opens a new conversation that becomes current', () => {
  const server = new FakeServer();
  server.add('agent', 'old chat');
  const { conn, thread, session } = page();
  conn.start();
  server.attach(FakeSocket.last());
  FakeSocket.last().push({ type: 'conversation', event: 'resolved',
    conversation: { id: 41, status: 'resolved', agent: { name: 'Ana' }, last_seq: 1, agent_read_seq: 1 } });
  server.conversation = 42;
  server.messages = [];
  conn.send('a new question');
  assert.equal(thread.current(), 42);
  assert.equal(session.get().c, 42, 'ongoing again');
  assert.deepEqual(thread.resume(), { conversation: 42, last_seq: 1 });
  assert.deepEqual(thread.list().map((m) => `${m.conversation}:${m.body}`), ['41:old chat', '42:a new question']);
});

test('end: answered by the conversation event carrying its ref, so it is not sent again', () => {
  const server = new FakeServer();
  server.add('agent', 'hi');
  const { conn, thread, session } = page();
  conn.start();
  server.attach(FakeSocket.last());
  const ref = conn.request({ type: 'end', conversation: 41 });
  let ws = FakeSocket.last();
  assert.deepEqual(ws.of('end'), [{ type: 'end', conversation: 41, ref }]);
  ws.drop(); // no answer yet: it goes again on the next socket
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  ws = FakeSocket.last();
  assert.equal(ws.of('end').length, 1);
  ws.push({ type: 'conversation', event: 'resolved', ref,
    conversation: { id: 41, status: 'resolved', agent: { name: 'Ana' }, last_seq: 2, agent_read_seq: 1, rating: null } });
  assert.equal(thread.conversation?.status, 'resolved');
  assert.equal(session.get().c, undefined, 'no longer ongoing');
  ws.drop();
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  assert.equal(FakeSocket.last().of('end').length, 0, 'answered: not repeated');
});
