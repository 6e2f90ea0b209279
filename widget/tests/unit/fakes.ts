/**
 * Test doubles for the protocol client: a memory KV, a WebSocket the test
 * drives by hand, and a small server that follows docs/protocol.md's widget
 * rules (seq per conversation, client_id stored once, resume replay) so tests
 * can check end-to-end properties such as "delivered exactly once".
 */
import type { Message } from '../../src/client/protocol';
import type { SocketLike } from '../../src/client/socket';
import type { KV } from '../../src/client/storage';

export function memoryKV(): KV & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (k) => data.get(k) ?? null,
    set: (k, v) => void data.set(k, v),
    del: (k) => void data.delete(k),
  };
}

export class FakeSocket implements SocketLike {
  static made: FakeSocket[] = [];
  static last(): FakeSocket {
    return FakeSocket.made[FakeSocket.made.length - 1];
  }
  readyState = 0;
  sent: any[] = [];
  closedWith?: number;
  /** Half-open: what the client sends still arrives, nothing comes back (a lost network path). */
  mute = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  /** Set when a FakeServer answers this socket. */
  server?: FakeServer;

  constructor(public url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    const frame = JSON.parse(data);
    this.sent.push(frame);
    this.server?.receive(this, frame);
  }
  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  // --- driven by the test / the fake server
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: unknown): void {
    if (!this.mute) this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  of(type: string): any[] {
    return this.sent.filter((f) => f.type === type);
  }
}

/** One visitor's side of the server: one conversation, messages stored once per client_id. */
export class FakeServer {
  messages: Message[] = [];
  token = 'tok-1';
  conversation = 41;
  sockets = new Set<FakeSocket>();
  /** When false, `send` and `ping` frames are swallowed (e.g. the server dies before answering). */
  answering = true;
  /** Most messages a resume replays in `welcome`, and a `history` page holds. */
  replay = 1000;
  pageSize = 200;

  attach(ws: FakeSocket): void {
    ws.server = this;
    this.sockets.add(ws);
    ws.open();
  }

  receive(ws: FakeSocket, f: any): void {
    if (f.type === 'hello') {
      const after = f.resume && f.resume.conversation === this.conversation ? f.resume.last_seq : -1;
      const rows = this.messages.filter((m) => m.seq > after);
      const more = after >= 0 && rows.length > this.replay;
      ws.push({
        type: 'welcome', v: 2, token: this.token,
        visitor: { id: 'v1', name: '', email: '', verified: false },
        conversation: this.messages.length
          ? { id: this.conversation, status: 'open', agent: null, last_seq: this.messages.length, agent_read_seq: 0 }
          : null,
        messages: after < 0 ? this.messages.slice(-50) : rows.slice(0, this.replay),
        has_more: more, more_after: more, agents_online: true, config: {},
        limits: { max_body: 4000, ping_seconds: 25 },
      });
    } else if (f.type === 'history' && f.after_seq !== undefined) {
      const rows = this.messages.filter((m) => m.seq > f.after_seq);
      const page = rows.slice(0, Math.min(f.limit || 50, this.pageSize));
      ws.push({ type: 'history', ref: f.ref, conversation: this.conversation, messages: page,
                has_more: rows.length > page.length });
    } else if (f.type === 'ping' && this.answering) {
      ws.push({ type: 'pong' });
    } else if (f.type === 'send' && this.answering) {
      let m = this.messages.find((x) => x.client_id === f.client_id);
      const duplicate = !!m;
      if (!m) m = this.add('visitor', f.body, f.client_id);
      ws.push({ type: 'ack', ref: f.ref, client_id: f.client_id, conversation: m.conversation, seq: m.seq,
                created_at: m.created_at, duplicate });
      if (!duplicate) this.broadcast(m);
    }
  }

  add(author: Message['author'], body: string, client_id: string | null = null): Message {
    const m: Message = {
      conversation: this.conversation, seq: this.messages.length + 1, author,
      agent: author === 'agent' ? { name: 'Ana' } : null, body, event: '', data: {}, client_id,
      created_at: new Date(0).toISOString(),
    };
    this.messages.push(m);
    return m;
  }

  broadcast(m: Message): void {
    for (const ws of this.sockets) if (ws.readyState === 1) ws.push({ type: 'message', message: m });
  }
}
