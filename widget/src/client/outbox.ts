/**
 * Messages the visitor wrote that the server has not acknowledged yet.
 *
 * Each gets its `client_id` before the first try and keeps it across retries,
 * reconnects and reloads, so the server (which stores a client_id once) never
 * doubles it. The list lives in localStorage and is re-read on every access:
 * a reload or another tab of the same visitor sees the same pending messages.
 */
import type { Upload } from './protocol';
import { readJSON, type KV } from './storage';

export interface OutboxItem {
  id: string;
  body: string;
  /** Files uploaded already that this message names (it then goes with them, or not at all). */
  files?: Upload[];
  /** When the visitor pressed send, or last Retry (ms since epoch). */
  at: number;
  /** Error code when the server refused it for good; it then waits for "retry". */
  err?: string;
}

/** 128 random bits; getRandomValues works outside secure contexts, unlike randomUUID. */
export function newClientId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** An unacknowledged message reads "Not sent yet", with Retry, this long after it was written or retried. */
export const SLOW_MS = 15_000;

/** What the visitor is told of an unsent message: refused, waiting too long, or on its way. */
export const pendingState = (i: OutboxItem, now: number): 'failed' | 'slow' | 'sending' =>
  i.err ? 'failed' : now - i.at >= SLOW_MS ? 'slow' : 'sending';

export class Outbox {
  constructor(
    private s: KV,
    private key: string,
  ) {}

  all(): OutboxItem[] {
    const v = readJSON<OutboxItem[]>(this.s, this.key);
    return Array.isArray(v) ? v : [];
  }

  get(id: string): OutboxItem | undefined {
    return this.all().find((i) => i.id === id);
  }

  add(body: string, at = Date.now(), files?: Upload[]): OutboxItem {
    const item: OutboxItem = { id: newClientId(), body, at, ...(files ? { files } : {}) };
    this.save([...this.all(), item]);
    return item;
  }

  /** Drops an acknowledged (or abandoned) message; false if it was not here. */
  remove(id: string): boolean {
    const items = this.all();
    const rest = items.filter((i) => i.id !== id);
    if (rest.length === items.length) return false;
    this.save(rest);
    return true;
  }

  /** Marks a message the server refused; `err` undefined puts it back in line, as if written now. */
  mark(id: string, err?: string): void {
    this.save(this.all().map((i) => (i.id === id ? { ...i, err, at: err ? i.at : Date.now() } : i)));
  }

  private save(items: OutboxItem[]): void {
    if (items.length) this.s.set(this.key, JSON.stringify(items));
    else this.s.del(this.key);
  }
}
