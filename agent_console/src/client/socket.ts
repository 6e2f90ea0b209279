/**
 * The console's socket: hello → welcome, requests matched by `ref`, pushed
 * frames to the app, a heartbeat `ping` every `limits.ping_seconds` (the server's
 * presence heartbeat), reconnect with backoff, and an outbox so a reply typed
 * during a drop is sent once the socket is back (same `client_id`: the server
 * stores it once). After a reconnect the app re-opens what it shows with
 * `after_seq` (docs/protocol.md, "Delivery rules"), so nothing is hidden.
 */
import { backoff } from '../../../widget/src/client/backoff';
import { PROTOCOL_VERSION, ProtocolError, type Ack, type Frame, type Welcome } from '../protocol';

export type SocketState = 'connecting' | 'online' | 'offline';

interface WsLike {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SocketEnv {
  WebSocket: new (url: string) => WsLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
  random(): number;
}

export interface SocketHooks {
  onWelcome(w: Welcome, reconnected: boolean): void;
  onFrame(f: Frame): void;
  onState(s: SocketState, attempt: number): void;
  /**
   * The session ended (4401), access was revoked (4403) or the handshake keeps
   * failing: the app checks the login and leaves for the login page if it is gone.
   */
  onRefused?(code: number, attempt: number): void;
}

interface Pending {
  resolve(f: Frame): void;
  reject(e: Error): void;
  timer: unknown;
}

interface OutboxItem {
  frame: Frame & { client_id: string };
  resolve(a: Ack): void;
  reject(e: Error): void;
}

export const REQUEST_TIMEOUT_MS = 15_000;

export function browserEnv(): SocketEnv {
  return {
    WebSocket: WebSocket as unknown as SocketEnv['WebSocket'],
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (id) => window.clearTimeout(id as number),
    now: () => Date.now(),
    random: Math.random,
  };
}

let counter = 0;
export function newClientId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : Math.random().toString(36).slice(2) + Date.now().toString(36);
  return 'c-' + rnd + '-' + (++counter).toString(36);
}

export class ConsoleSocket {
  state: SocketState = 'offline';
  welcome: Welcome | null = null;
  private ws: WsLike | null = null;
  private attempt = 0;
  private refs = 0;
  private pending = new Map<string, Pending>();
  private waiting: Array<() => void> = [];
  private outbox = new Map<string, OutboxItem>();
  private pingTimer: unknown = null;
  private reconnectTimer: unknown = null;
  private lastHeard = 0;
  private stopped = false;
  private everWelcomed = false;

  constructor(private url: string, private hooks: SocketHooks, private env: SocketEnv) {}

  get ready(): boolean {
    return this.state === 'online' && !!this.ws;
  }

  get outboxSize(): number {
    return this.outbox.size;
  }

  connect(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.env.clearTimeout(this.reconnectTimer);
    this.env.clearTimeout(this.pingTimer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Send a request and resolve with the reply carrying its ref (errors reject). */
  request(frame: Frame, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const go = () => {
        const ref = 'r' + ++this.refs;
        const timer = this.env.setTimeout(() => {
          this.pending.delete(ref);
          reject(new ProtocolError('timeout', 'no reply from the server'));
        }, timeoutMs);
        this.pending.set(ref, { resolve, reject, timer });
        this.tx({ ...frame, ref });
      };
      if (this.ready) go();
      else this.waiting.push(go);
    });
  }

  /** Fire and forget (typing, read, close): dropped while offline. */
  cast(frame: Frame): void {
    if (this.ready) this.tx(frame);
  }

  /**
   * A message through the outbox: sent now or after the next welcome, until the
   * server acknowledges it (the same client_id is never stored twice, nor are
   * the uploads it names attached twice).
   */
  sendMessage(conversation: number, body: string, internal = false, clientId = newClientId(),
              attachments: string[] = []): Promise<Ack> {
    return new Promise((resolve, reject) => {
      const frame = { type: 'send', conversation, client_id: clientId, body, ...(internal ? { internal: true } : {}),
        ...(attachments.length ? { attachments } : {}) };
      this.outbox.set(clientId, { frame, resolve, reject });
      if (this.ready) this.tx({ ...frame, ref: 'o:' + clientId });
    });
  }

  // --- internals ---------------------------------------------------------------------------
  private open(): void {
    this.setState('connecting');
    let ws: WsLike;
    try {
      ws = new this.env.WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let welcomed = false;
    ws.onopen = () => {
      this.lastHeard = this.env.now();
      this.tx({ type: 'hello', v: PROTOCOL_VERSION }, true);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastHeard = this.env.now();
      let f: Frame;
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (!f || typeof f.type !== 'string') return;
      if (f.type === 'welcome') {
        welcomed = true;
        this.onWelcome(f as unknown as Welcome);
        return;
      }
      this.route(f);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.env.clearTimeout(this.pingTimer);
      this.setState('offline');
      this.failPending();
      if (this.stopped) return;
      const ended = ev.code === 4401 || ev.code === 4403;
      if (ended || (!welcomed && this.attempt >= 1)) this.hooks.onRefused?.(ev.code, this.attempt);
      // 4403 (deactivated, no site left) never comes back: stop. After 4401 the
      // browser may hold a newer session (a password change cycles the key), so
      // try again once after the usual backoff; a refused handshake then backs off
      // further and tells the app again, never a hot loop. 4409 (sites changed)
      // and every other close simply reconnect.
      if (ev.code === 4403) return;
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private onWelcome(w: Welcome): void {
    const reconnected = this.everWelcomed;
    this.everWelcomed = true;
    this.welcome = w;
    this.attempt = 0;
    this.setState('online');
    this.schedulePing();
    this.hooks.onWelcome(w, reconnected);
    for (const item of this.outbox.values()) this.tx({ ...item.frame, ref: 'o:' + item.frame.client_id });
    const queued = this.waiting.splice(0);
    for (const go of queued) go();
  }

  private route(f: Frame): void {
    const ref = typeof f.ref === 'string' ? f.ref : null;
    if (ref && ref.startsWith('o:')) {
      const item = this.outbox.get(ref.slice(2));
      if (!item) return;
      if (f.type === 'ack') {
        this.outbox.delete(ref.slice(2));
        item.resolve(f as unknown as Ack);
      } else if (f.type === 'error' && f.code !== 'unavailable' && f.code !== 'rate_limited' && f.code !== 'server_error') {
        this.outbox.delete(ref.slice(2));
        item.reject(new ProtocolError(String(f.code), String(f.message)));
      } else if (f.type === 'error') {
        const wait = Math.max(1000, Number(f.retry_after || 2) * 1000);
        this.env.setTimeout(() => {
          if (this.outbox.has(item.frame.client_id) && this.ready) this.tx({ ...item.frame, ref });
        }, wait);
      }
      return;
    }
    if (ref && this.pending.has(ref)) {
      const p = this.pending.get(ref)!;
      this.pending.delete(ref);
      this.env.clearTimeout(p.timer);
      if (f.type === 'error') p.reject(new ProtocolError(String(f.code), String(f.message), f.retry_after as number | undefined));
      else p.resolve(f);
      return;
    }
    if (f.type === 'pong') return;
    this.hooks.onFrame(f);
  }

  private schedulePing(): void {
    const secs = this.welcome?.limits?.ping_seconds || 25;
    this.env.clearTimeout(this.pingTimer);
    this.pingTimer = this.env.setTimeout(() => {
      if (!this.ws || this.state !== 'online') return;
      // Nothing heard for two and a half beats: the connection is dead even if
      // the browser has not noticed yet. Close it; onclose reconnects.
      if (this.env.now() - this.lastHeard > secs * 2500) {
        const ws = this.ws;
        ws.onclose?.({ code: 4000 });
        ws.close();
        return;
      }
      this.tx({ type: 'ping' });
      this.schedulePing();
    }, secs * 1000);
  }

  private scheduleReconnect(): void {
    const delay = backoff(this.attempt++, this.env.random);
    this.env.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.env.setTimeout(() => this.open(), delay);
  }

  private failPending(): void {
    for (const [ref, p] of this.pending) {
      this.env.clearTimeout(p.timer);
      p.reject(new ProtocolError('disconnected', 'the connection dropped'));
      this.pending.delete(ref);
    }
  }

  private setState(s: SocketState): void {
    this.state = s;
    this.hooks.onState(s, this.attempt);
  }

  private tx(frame: Frame, force = false): void {
    if (!this.ws || (!force && this.state !== 'online')) return;
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      /* onclose follows */
    }
  }
}
