/** `/shortcut` in the composer: which canned responses match, and inserting one. */
import type { Canned } from './protocol';

/** The `/word` being typed when the composer holds only that (else null). */
export function cannedQuery(value: string): string | null {
  const m = /^\/([\w-]*)$/.exec(value);
  return m ? m[1].toLowerCase() : null;
}

/** Matches for `query` among the responses of `site`: prefix matches first, then the rest. */
export function matchCanned(all: Canned[], site: string, query: string, limit = 8): Canned[] {
  const mine = all.filter((c) => c.site === site);
  const prefix = mine.filter((c) => c.shortcut.startsWith(query));
  const inner = mine.filter((c) => !c.shortcut.startsWith(query) && (c.shortcut.includes(query) || c.body.toLowerCase().includes(query)));
  return [...prefix.sort(by), ...inner.sort(by)].slice(0, limit);
}

/** "/hi" + space or Enter expands to the body when the shortcut matches exactly. */
export function expandExact(all: Canned[], site: string, value: string): string | null {
  const q = cannedQuery(value.trimEnd());
  if (q === null) return null;
  const hit = all.find((c) => c.site === site && c.shortcut === q);
  return hit ? hit.body : null;
}

function by(a: Canned, b: Canned): number {
  return a.shortcut < b.shortcut ? -1 : a.shortcut > b.shortcut ? 1 : 0;
}
