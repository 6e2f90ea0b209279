/**
 * The widget's protocol client: one WebSocket, kept alive and healed.
 *
 * It owns the rules that keep a chat whole across drops (docs/protocol.md,
 * "Delivery rules"): hello with the stored token and `resume`, replay merged by
 * seq (Thread), every visitor message sent from the Outbox with its client_id
 * until acked, reconnect with backoff, and the close codes' meanings. It knows
 * nothing about the DOM, so unit tests drive it with a fake WebSocket.
 */
import { backoff } from './backoff';
import type { Outbox } from './outbox';
import { PROTOCOL_VERSION, type Limits, type Message, type ServerFrame, type Upload } from './protocol';
import type { Session } from './storage';
import type { Thread } from './thread';

export type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'stopped';

/** The part of the browser's WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export interface ConnectionOptions {
  url: string;
  session: Session;
  outbox: Outbox;
  thread: Thread;
  /** Extra `hello` fields read at each connect: page, locale, identify. */
  hello?: () => Record<string, unknown>;
  WebSocket?: new (url: string) => SocketLike;
  random?: () => number;
  /** Whether the browser thinks it is online. */
  online?: () => boolean;
}

/** Errors after which re-sending the same frame can succeed. */
export const TRANSIENT = ['rate_limited', 'unavailable', 'server_error'];
const OPEN = 1;
/** Watchdog period; also bounds how late a ping may go out. */
const TICK_MS = 5000;
/**
 * While the visitor looks at the chat (`watch`): a socket silent this long is
 * pinged, and dropped when that ping goes unanswered as long again, so a dead
 * socket is found within 2 × WATCH_MS + WATCH_TICK_MS = 22 s of its last
 * frame (or WATCH_MS + WATCH_TICK_MS of the panel opening on it). Unwatched
 * (the panel closed, the tab hidden) it keeps to `limits.ping_seconds`: ten
 * thousand idle widgets cost the server one ping each every 25 s, no more.
 */
const WATCH_MS = 10_000;
const WATCH_TICK_MS = 2000;

type Listener = (data: any) => void;
type Ref = string | number | null;

export class Connection {
  state: State = 'idle';
  limits: Limits = { max_body: 4000, ping_seconds: 25 };
  /** Until then (ms since epoch) the server asked us not to send. */
  rateUntil = 0;
  private ws: SocketLike | null = null;
  private attempt = 0;
  /** Floor for the next reconnect delay, from a `retry_after` (4029/4008). */
  private floorMs = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private flushTimer?: ReturnType<typeof setTimeout>;
  private tick?: ReturnType<typeof setInterval>;
  private lastRx = 0;
  private lastTx = 0;
  /** Since when someone watches the chat (0: nobody). */
  private watched = 0;
  /** When the ping now awaiting an answer went out (0: none). */
  private probeAt = 0;
  /** Requests (by ref) sent on the current socket and not answered yet. */
  private inflight = new Set<string>();
  /** Non-message requests to repeat after a drop or a transient error. */
  private pending = new Map<string, Record<string, unknown>>();
  /**
   * Per conversation, the highest seq the server itself sent (welcome, message,
   * history), which it sends with no gap below. An ack's seq is not one: the
   * messages just before it may have been lost with a live event (Redis down),
   * so resuming from it would skip them for good.
   */
  private streamed = new Map<number, number>();
  /** Refs of `history` pages forward (a resume longer than one page). */
  private forward = new Set<string>();
  private refs = 0;
  private listeners: Record<string, Listener[]> = {};

  constructor(private o: ConnectionOptions) {}

  on(type: string, fn: Listener): void {
    (this.listeners[type] ||= []).push(fn);
  }

  /** Listener errors are reported, never thrown: they must not break the socket or the page. */
  private emit(type: string, data?: unknown): void {
    for (const fn of this.listeners[type] || []) {
      try {
        fn(data);
      } catch (e) {
        console.warn('Papo:', e);
      }
    }
  }

  private setState(s: State): void {
    if (this.state !== s) {
      this.state = s;
      this.emit('state', s);
    }
  }

  /** Connects unless already connected or trying to. */
  start(): void {
    if (this.state === 'idle' || this.state === 'stopped') this.connect();
  }

  /** Closes for good (until `start`); pending sends stay in the outbox. */
  stop(): void {
    this.teardown();
    this.setState('idle');
  }

  /** Skips the backoff wait, e.g. when the browser comes back online. */
  reconnectNow(): void {
    if (this.state === 'idle' || this.state === 'stopped') return;
    if (this.state !== 'open' && !this.ws) {
      clearTimeout(this.retryTimer);
      this.connect();
    }
  }

  /** Drops the socket and connects again at once (new identity, new token). */
  restart(): void {
    if (this.state === 'idle') return;
    this.teardown();
    this.connect();
  }

  /** Queues a visitor message (with uploaded `files`); it goes out now if connected, else after `welcome`. */
  send(body: string, files?: Upload[]) {
    const item = this.o.outbox.add(body, undefined, files);
    this.emit('outbox');
    this.start();
    this.flush();
    return item;
  }

  /**
   * Tries an unsent message again, with its client_id. A refused one goes
   * back in line. One that was not refused but never acknowledged (the UI
   * offers Retry after 15 s) says the socket may be dead without knowing it:
   * a fresh one is opened, and everything unsent goes again after `welcome`
   * (the server stores a client_id once: what did arrive is not doubled).
   */
  retry(id: string): void {
    const item = this.o.outbox.get(id);
    this.o.outbox.mark(id, undefined);
    this.emit('outbox');
    if (item && !item.err && this.state === 'open') return this.restart();
    this.start();
    this.reconnectNow();
    this.flush();
  }

  /**
   * Whether the visitor is looking at the chat (panel open, page visible).
   * Watched, the socket is checked at once and then every few seconds.
   */
  watch(on: boolean): void {
    if (!this.watched === !on) return;
    this.watched = on ? Date.now() : 0;
    if (this.ws) this.ticking();
    if (on) this.probe();
  }

  /** Pings now unless a ping is already out: the panel opened, the network changed. */
  probe(): void {
    if (this.state === 'open' && !this.probeAt) {
      this.probeAt = Date.now();
      this.tx({ type: 'ping' });
    }
  }

  /** A request that must get through (profile, history): repeated after drops. */
  request(frame: Record<string, unknown>): string {
    const ref = 'r' + ++this.refs;
    this.pending.set(ref, { ...frame, ref });
    this.flush();
    return ref;
  }

  /** Fire-and-forget frames (typing, read): pointless to repeat later. */
  signal(frame: Record<string, unknown>): void {
    if (this.state === 'open' && Date.now() >= this.rateUntil) this.tx(frame);
  }

  private connect(): void {
    clearTimeout(this.retryTimer);
    this.setState(this.attempt ? (this.isOnline() ? 'reconnecting' : 'offline') : 'connecting');
    const Ctor = this.o.WebSocket || (WebSocket as unknown as new (url: string) => SocketLike);
    let ws: SocketLike;
    try {
      ws = new Ctor(this.o.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.lastRx = Date.now();
    ws.onopen = () => {
      if (ws !== this.ws) return;
      const saved = this.o.session.get();
      const hello: Record<string, unknown> = { type: 'hello', v: PROTOCOL_VERSION, ...(this.o.hello?.() || {}) };
      if (saved.t) hello.token = saved.t;
      const resume = this.o.thread.resume();
      if (resume) {
        resume.last_seq = Math.min(resume.last_seq, this.streamed.get(resume.conversation) ?? 0);
        hello.resume = resume;
      }
      this.tx(hello);
    };
    ws.onmessage = (ev) => {
      if (ws === this.ws && typeof ev.data === 'string') this.rx(ev.data);
    };
    ws.onclose = (ev) => this.closed(ws, ev.code);
    ws.onerror = () => {}; // a close event always follows
    this.ticking();
  }

  private ticking(): void {
    clearInterval(this.tick);
    this.tick = setInterval(() => this.onTick(), this.watched ? WATCH_TICK_MS : TICK_MS);
  }

  /**
   * Pings on schedule and drops a socket that went silent (half-open TCP, a
   * network gone without the browser noticing). Watched: silent for WATCH_MS,
   * a ping; unanswered for WATCH_MS, or nothing at all for twice that (a
   * handshake that hangs), dropped. Unwatched: a ping every ping_seconds,
   * dropped after two of them go unanswered.
   */
  private onTick(): void {
    const ws = this.ws;
    if (!ws) return;
    const now = Date.now();
    const every = this.limits.ping_seconds * 1000;
    const w = this.watched;
    const silent = now - Math.max(this.lastRx, w);
    if (silent > (w ? 2 * WATCH_MS : every * 2 + TICK_MS) || (w && this.probeAt && now - this.probeAt >= WATCH_MS)) {
      this.closed(ws, 1006);
    } else if (w ? silent >= WATCH_MS : now - this.lastTx >= every - TICK_MS / 2) {
      this.probe();
    }
  }

  private tx(frame: Record<string, unknown>): void {
    if (this.ws && this.ws.readyState === OPEN) {
      this.lastTx = Date.now();
      this.ws.send(JSON.stringify(frame));
    }
  }

  private rx(data: string): void {
    let f: ServerFrame;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    this.lastRx = Date.now();
    this.probeAt = 0;
    const { thread, session, outbox } = this.o;
    switch (f.type) {
      case 'welcome': {
        const c = f.conversation;
        session.patch({ t: f.token, c: c && c.status !== 'resolved' ? c.id : undefined });
        if (!thread.size && !f.more_after) thread.hasMore = !!f.has_more;
        if (c) thread.conversation = c;
        if (f.limits) this.limits = f.limits;
        this.attempt = 0;
        this.floorMs = 0;
        this.setState('open');
        this.emit('welcome', f);
        this.heard(f.messages);
        this.merged(f.messages, false);
        if (f.more_after && c) this.pageForward(c.id);
        this.flush();
        break;
      }
      case 'message':
        this.heard([f.message]);
        this.merged([f.message], true);
        break;
      case 'ack': {
        const item = outbox.get(f.client_id);
        this.inflight.delete(f.client_id);
        session.patch({ c: f.conversation });
        // A first message after a resolved chat opens a new conversation.
        if (thread.conversation && thread.conversation.id !== f.conversation) thread.conversation = null;
        if (item) {
          // The live `message` frame is only a hint and may be lost; the ack
          // carries all we need to show the stored message without it.
          this.merged(
            [{ conversation: f.conversation, seq: f.seq, author: 'visitor', agent: null, body: item.body,
               event: '', data: {}, client_id: item.id, created_at: f.created_at, attachments: f.attachments }],
            true,
          );
        }
        this.flush(); // the next message may go now
        break;
      }
      case 'error':
        this.failed(f.code, f.ref, f.retry_after);
        break;
      case 'conversation':
        this.answered(f.ref); // the reply to `end` or `rate`
        if (!thread.conversation || f.conversation.id >= thread.conversation.id) {
          thread.conversation = f.conversation;
          session.patch({ c: f.conversation.status === 'resolved' ? undefined : f.conversation.id });
        }
        this.emit('conversation', f);
        break;
      case 'read':
        if (f.side === 'agent' && thread.conversation && thread.conversation.id === f.conversation) {
          thread.conversation.agent_read_seq = Math.max(thread.conversation.agent_read_seq, f.seq);
        }
        this.emit('read', f);
        break;
      case 'history': {
        const forward = this.forward.delete(String(f.ref));
        this.answered(f.ref);
        if (!forward) thread.hasMore = !!f.has_more;
        this.heard(f.messages);
        this.merged(f.messages, false);
        // Live messages of a conversation wait for its pages to reach the newest one.
        if (forward && f.has_more && f.conversation) this.pageForward(f.conversation);
        break;
      }
      case 'visitor':
        this.answered(f.ref);
        this.emit('visitor', f.visitor);
        break;
      case 'transcript':
        this.answered(f.ref);
        this.emit('transcript', f);
        break;
      case 'typing':
      case 'availability':
      case 'queue':
        this.emit(f.type, f);
        break;
    }
  }

  /** The next page after what the server sent of `conversation`. */
  private pageForward(conversation: number): void {
    const ref = 'r' + ++this.refs;
    this.forward.add(ref); // before it goes: the reply may come back at once
    this.pending.set(ref, { type: 'history', ref, after_seq: this.streamed.get(conversation) ?? 0, limit: 200 });
    this.flush();
  }

  private heard(messages: Message[] | undefined): void {
    for (const m of messages || []) {
      if (m.seq > (this.streamed.get(m.conversation) ?? 0)) this.streamed.set(m.conversation, m.seq);
    }
  }

  /** Merges messages into the thread; settles outbox entries they confirm. */
  private merged(messages: Message[], live: boolean): void {
    let outboxChanged = false;
    for (const m of messages || []) {
      if (m.client_id && this.o.outbox.remove(m.client_id)) outboxChanged = true;
      if (m.client_id) this.inflight.delete(m.client_id);
    }
    const fresh = this.o.thread.merge(messages);
    if (outboxChanged) this.emit('outbox');
    if (fresh.length) this.emit('messages', { fresh, live });
  }

  /** Refs this client sends are strings; what comes back is compared as text. */
  private answered(ref: Ref | undefined): void {
    if (ref != null) {
      this.pending.delete(String(ref));
      this.inflight.delete(String(ref));
    }
  }

  private failed(code: string, ref: Ref, retryAfter?: number): void {
    if (code === 'rate_limited') {
      const ms = Math.max(0, (retryAfter ?? 1) * 1000);
      this.rateUntil = Date.now() + ms;
      this.floorMs = ms;
      this.emit('rate', ms / 1000);
    }
    if (ref != null) {
      const r = String(ref);
      this.inflight.delete(r);
      if (TRANSIENT.includes(code)) {
        // Nothing was stored: the same frame (same client_id) goes again later.
        clearTimeout(this.flushTimer);
        const wait = Math.max(this.rateUntil - Date.now(), code === 'rate_limited' ? 0 : backoff(1, this.o.random));
        this.flushTimer = setTimeout(() => this.flush(), wait);
      } else if (this.o.outbox.get(r)) {
        this.o.outbox.mark(r, code);
        this.emit('outbox');
        this.flush(); // a refused message does not hold back the ones after it
      } else {
        this.pending.delete(r);
      }
    }
    this.emit('error', { code, ref });
  }

  /** Sends every pending request not already in flight, and the oldest unsent message. */
  private flush(): void {
    if (this.state !== 'open') return;
    const wait = this.rateUntil - Date.now();
    if (wait > 0) {
      clearTimeout(this.flushTimer);
      this.flushTimer = setTimeout(() => this.flush(), wait);
      return;
    }
    for (const [ref, frame] of this.pending) {
      if (!this.inflight.has(ref)) {
        this.inflight.add(ref);
        this.tx(frame);
      }
    }
    // Messages go one at a time: the server numbers them in the order it stores
    // them, so a message refused for a moment (rate_limited) is never overtaken.
    for (const item of this.o.outbox.all()) {
      if (item.err) continue;
      if (!this.inflight.has(item.id)) {
        this.inflight.add(item.id);
        const files = item.files && item.files.map((u) => u.id);
        this.tx({ type: 'send', ref: item.id, client_id: item.id, body: item.body, ...(files ? { attachments: files } : {}) });
      }
      break;
    }
  }

  private closed(ws: SocketLike, code: number): void {
    if (ws !== this.ws) return;
    this.teardown();
    if (code === 4403) {
      this.setState('stopped');
      this.emit('stopped');
      return;
    }
    if (code === 4401) {
      // Token refused: start afresh as a new visitor. What was typed is kept
      // (the outbox) and goes out under the new token.
      this.o.session.patch({ t: undefined, c: undefined, r: undefined });
      this.o.thread.clear();
      this.streamed.clear();
      this.emit('reset');
    } else if (code === 4029 || code === 4008) {
      this.floorMs = Math.max(this.floorMs, 5000);
    }
    this.emit('down', code);
    this.scheduleReconnect(code === 4401 && this.attempt === 0 ? 0 : undefined);
  }

  private scheduleReconnect(delay?: number): void {
    const wait = delay ?? Math.max(this.floorMs, backoff(this.attempt, this.o.random));
    this.attempt++;
    this.setState(this.isOnline() ? 'reconnecting' : 'offline');
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.flushTimer);
    clearInterval(this.tick);
    this.probeAt = 0;
    this.inflight.clear();
    // The next welcome resumes from what was sent: a page forward asked for here is stale.
    for (const ref of this.forward) this.pending.delete(ref);
    this.forward.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        /* already closing */
      }
    }
  }

  private isOnline(): boolean {
    return this.o.online ? this.o.online() : true;
  }
}
