/**
 * The inbox's view (src/view.ts): filters and search words kept in the URL.
 * Changing it writes the URL (a new history entry, so back and forward walk
 * the views; words typed one after another refine one entry), then asks the
 * server (`filter`, or `search` with words), page by page. A reload or a
 * shared link starts from the URL; back/forward (popstate) read it again.
 * Live `conversation` events keep a filtered list current: a chat that now
 * matches joins it, one that no longer does leaves it (views.ts `matches`).
 */
import type { Box, Conversation, MessageHit, VisitorHit } from '../protocol';
import type { Store } from '../store';
import { isActive, matches, parseQuery, queryString, requestFor, type Query } from '../view';
import { select, setBox } from './chat';
import type { Ctx } from './context';
import { toastError } from './context';
import { applyHistory } from './history';

const JUMP_SHOWN_MS = 3000;
let asked = 0;

function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** On start: the view in the URL, and back/forward from now on. */
export function startView(ctx: Ctx): void {
  ctx.store.query = parseQuery(window.location.search);
  window.addEventListener('popstate', () => apply(ctx, parseQuery(window.location.search)));
}

/**
 * Show `v`: `push` a history entry (a filter picked), `replace` the current one
 * (more words typed into a search already in the URL).
 */
export function setQuery(ctx: Ctx, v: Query, how: 'push' | 'replace' = 'push'): void {
  const url = window.location.pathname + queryString(v) + window.location.hash;
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    if (how === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }
  apply(ctx, v);
}

function apply(ctx: Ctx, v: Query): void {
  const { store } = ctx;
  store.query = v;
  store.results = { ids: [], hits: [], visitors: [], cursor: null, loaded: false, seq: store.results.seq };
  store.changed('view', 'tabs', 'list');
  void loadView(ctx, false);
}

/** The view's first page (or the next one: `more`), unless a newer request overtook it. */
export async function loadView(ctx: Ctx, more: boolean): Promise<void> {
  const { store } = ctx;
  const v = store.query;
  if (!isActive(v) || (more && !store.results.cursor)) return;
  const seq = ++asked;
  store.results.seq = seq;
  const before = store.results;
  try {
    const reply = await ctx.sock.request(requestFor(v, timeZone(), more ? before.cursor : null));
    if (store.results.seq !== seq) return;
    for (const c of reply.conversations as Conversation[]) store.inbox.upsert(c);
    const hits = (reply.hits as MessageHit[] | undefined) || [];
    const visitors = (reply.visitors as VisitorHit[] | undefined) || [];
    const ids = v.q ? [...visitors, ...hits].map((x) => x.conversation) : (reply.conversations as Conversation[]).map((c) => c.id);
    store.results = {
      ids: [...new Set([...(more ? before.ids : []), ...ids])],
      hits: [...(more ? before.hits : []), ...hits],
      visitors: more ? before.visitors : visitors,
      cursor: (reply.cursor as string | null) || null,
      loaded: true,
      seq,
    };
    store.changed('view', 'list');
  } catch (e) {
    if (store.results.seq === seq) {
      store.results.loaded = true;
      store.changed('view', 'list');
      toastError(ctx, e);
    }
  }
}

/** The rows of a filtered view as they are now: still matching, newest activity first. */
export function viewRows(store: Store): Conversation[] {
  const rows = store.results.ids.map((id) => store.inbox.get(id)).filter((c): c is Conversation => !!c);
  if (store.query.q) return rows;
  return rows.filter((c) => matches(store.query, c, store.me))
    .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.id - a.id));
}

/** What the list shows, in order (for j/k): the box's chats, or the view's. */
export function shownConversations(store: Store): Conversation[] {
  return isActive(store.query) ? viewRows(store) : store.inbox.list(store.box);
}

/** A live event: a chat that now matches the filtered view joins it (search results stay as found). */
export function noteLive(store: Store, c: Conversation): void {
  const v = store.query;
  if (!isActive(v) || v.q || !store.results.loaded || store.results.ids.includes(c.id)) return;
  if (matches(v, c, store.me)) store.results.ids.push(c.id);
}

/**
 * A search hit chosen: open its chat, load earlier pages until the message is
 * in the thread (no gap: each page ends where the last began), then show it.
 */
export async function jumpTo(ctx: Ctx, id: number, seq: number): Promise<void> {
  const { store, sock } = ctx;
  await select(ctx, id);
  if (store.selected !== id) return;
  try {
    for (let thread = store.threads.get(id); thread && thread.oldest !== undefined && thread.oldest > seq && thread.hasMore;) {
      const limit = Math.min(200, Math.max(50, thread.oldest - seq + 10));
      applyHistory(ctx, await sock.request({ type: 'open', conversation: id, before_seq: thread.oldest, limit }), 'older');
      if (store.selected !== id) return;
    }
  } catch (e) {
    toastError(ctx, e);
  }
  const jump = { conversation: id, seq };
  store.jump = jump;
  store.changed('thread', 'jump');
  window.setTimeout(() => {
    if (store.jump === jump) store.jump = null;
  }, JUMP_SHOWN_MS);
}

/** The next (1) or previous (-1) conversation of the list shown. */
export function step(ctx: Ctx, delta: number): void {
  const { store } = ctx;
  const rows = shownConversations(store);
  if (!rows.length) return;
  const i = rows.findIndex((c) => c.id === store.selected);
  const next = rows[Math.max(0, Math.min(rows.length - 1, i < 0 ? 0 : i + delta))];
  void select(ctx, next.id);
}

/** A box chosen (a tab, 1–4): the view, if any, is left for it. */
export function showBox(ctx: Ctx, box: Box): void {
  if (isActive(ctx.store.query)) setQuery(ctx, {}, 'push');
  setBox(ctx, box);
}
