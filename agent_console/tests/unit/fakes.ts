/** A fake WebSocket and fake clock for driving ConsoleSocket without a network. */
import type { SocketEnv } from '../../src/client/socket';

export class FakeWs {
  static all: FakeWs[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(public url: string) {
    FakeWs.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  // server side
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  last(type: string): Record<string, unknown> | undefined {
    return [...this.sent].reverse().find((f) => f.type === type);
  }
}

export class FakeClock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private ids = 0;
  env(): SocketEnv {
    return {
      WebSocket: FakeWs as unknown as SocketEnv['WebSocket'],
      setTimeout: (fn, ms) => {
        const id = ++this.ids;
        this.timers.set(id, { at: this.t + ms, fn });
        return id;
      },
      clearTimeout: (id) => {
        this.timers.delete(id as number);
      },
      now: () => this.t,
      random: () => 0.5,
    };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

export function welcomeFrame(ping = 25): Record<string, unknown> {
  return {
    type: 'welcome', v: 2, agent: { id: 3, name: 'Ana', username: 'ana' }, status: 'online',
    sites: [{ key: 'pk_a', name: 'A', role: 'admin', max_concurrent: 5 }], agents: [],
    counts: { queue: 0, mine: 0, open: 0 }, canned: [], limits: { max_body: 4000, ping_seconds: ping },
  };
}
