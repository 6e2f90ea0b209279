/**
 * Browser storage that never throws. localStorage throws in some privacy
 * modes and sandboxed frames; the widget then keeps state in memory and still
 * works, it only forgets on reload. Everything is keyed per site so two Papo
 * sites embedded on one origin never mix visitors.
 */

export interface KV {
  get(key: string): string | null;
  set(key: string, value: string): void;
  del(key: string): void;
}

/** localStorage, or (`memoryOnly`: consent-free mode before the visitor's click) memory that no storage ever sees. */
export function browserKV(memoryOnly?: boolean): KV {
  const mem = new Map<string, string>();
  let ls: Storage | null = null;
  try {
    if (!memoryOnly) {
      ls = window.localStorage;
      ls.setItem('papo:probe', '1');
      ls.removeItem('papo:probe');
    }
  } catch {
    ls = null;
  }
  return {
    get(k) {
      try {
        return ls ? ls.getItem(k) : mem.get(k) ?? null;
      } catch {
        return null;
      }
    },
    set(k, v) {
      try {
        ls ? ls.setItem(k, v) : mem.set(k, v);
      } catch {
        mem.set(k, v); // quota exceeded: better in memory than lost
      }
    },
    del(k) {
      try {
        ls ? ls.removeItem(k) : mem.delete(k);
      } catch {
        mem.delete(k);
      }
    },
  };
}

export function readJSON<T>(s: KV, key: string): T | null {
  try {
    return JSON.parse(s.get(key) || 'null') as T | null;
  } catch {
    return null;
  }
}

/** Storage keys of one site; the loader reads them too, so they live here once. */
export const keys = (site: string) => ({
  session: `papo:${site}`,
  outbox: `papo:${site}:out`,
  config: `papo:${site}:cfg`,
});

/** What survives navigation: visitor token, ongoing conversation, read marker. */
export interface Saved {
  t?: string;
  c?: number;
  r?: number;
  /** The conversation whose rating the visitor declined ("No thanks"). */
  x?: number;
}

/**
 * The visitor's session, read through to storage on every access so that all
 * tabs of one visitor share the token and conversation another tab obtained.
 */
export class Session {
  constructor(
    private s: KV,
    private key: string,
  ) {}

  get(): Saved {
    return readJSON<Saved>(this.s, this.key) || {};
  }

  patch(p: Saved): void {
    const next: Saved = { ...this.get(), ...p };
    this.s.set(this.key, JSON.stringify(next));
  }

  clear(): void {
    this.s.del(this.key);
  }
}

/** True when a previous page left a conversation going or messages unsent. */
export function ongoing(s: KV, site: string): boolean {
  const k = keys(site);
  const saved = readJSON<Saved>(s, k.session);
  const out = readJSON<unknown[]>(s, k.outbox);
  return !!(saved && saved.t && saved.c) || !!(out && out.length);
}
