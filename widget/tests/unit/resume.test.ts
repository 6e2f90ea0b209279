import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { Outbox } from '../../src/client/outbox';
import { Connection } from '../../src/client/socket';
import { Session } from '../../src/client/storage';
import { Thread } from '../../src/client/thread';
import { FakeServer, FakeSocket, memoryKV } from './fakes';

beforeEach(() => {
  FakeSocket.made = [];
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
});
afterEach(() => mock.timers.reset());

function page() {
  const kv = memoryKV();
  const thread = new Thread();
  const conn = new Connection({
    url: 'ws://papo.test/ws/widget/pk/',
    session: new Session(kv, 'papo:pk'),
    outbox: new Outbox(kv, 'papo:pk:out'),
    thread,
    WebSocket: FakeSocket,
    random: () => 0,
  });
  return { conn, thread };
}

test('live events lost (Redis down): resume from the last seq the server sent, not from an ack', () => {
  const server = new FakeServer();
  server.add('agent', 'hello');
  const { conn, thread } = page();
  conn.start();
  server.attach(FakeSocket.last());
  assert.deepEqual(thread.list().map((m) => m.seq), [1]);

  // The channel layer is down: nothing published reaches the socket any more.
  server.sockets.clear();
  server.add('agent', 'stored, but its live event was lost'); // seq 2
  conn.send('still there?'); // stored as seq 3: the ack comes back on the socket itself
  assert.deepEqual(thread.list().map((m) => m.seq), [1, 3]);

  FakeSocket.last().drop(4012); // the server asks its clients to resume
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  const hello = FakeSocket.last().of('hello')[0];
  assert.deepEqual(hello.resume, { conversation: 41, last_seq: 1 }, 'seq 3 is only known from its ack');
  assert.deepEqual(thread.list().map((m) => [m.seq, m.body]), [
    [1, 'hello'], [2, 'stored, but its live event was lost'], [3, 'still there?'],
  ]);
});

test('with no live loss the resume point is the newest seq, acks included once streamed', () => {
  const server = new FakeServer();
  server.add('agent', 'hello');
  const { conn } = page();
  conn.start();
  server.attach(FakeSocket.last());
  conn.send('hi'); // ack and the live message frame of seq 2
  server.add('agent', 'how can I help?');
  server.broadcast(server.messages[2]);
  FakeSocket.last().drop(1006);
  mock.timers.tick(250);
  server.attach(FakeSocket.last());
  assert.deepEqual(FakeSocket.last().of('hello')[0].resume, { conversation: 41, last_seq: 3 });
});
