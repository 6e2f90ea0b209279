/**
 * Reading conversations and messages from the server into the store: the
 * inbox's lists, a thread's pages (latest, earlier, after a reconnect) and a
 * visitor's other chats. The database is the truth; these calls heal the store.
 */
import type { Conversation, Frame, Message } from '../protocol';
import type { Ctx } from './context';
import { toastError } from './context';

const LIST_LIMIT = 200;

/** Queue and open lists are complete pictures: whatever is not in them moved on. */
export async function reloadLists(ctx: Ctx): Promise<void> {
  const { store, sock } = ctx;
  const [queue, open] = await Promise.all([
    sock.request({ type: 'list', box: 'queue', limit: LIST_LIMIT }),
    sock.request({ type: 'list', box: 'open', limit: LIST_LIMIT }),
  ]);
  const live = new Set<number>();
  for (const reply of [queue, open]) {
    for (const c of reply.conversations as Conversation[]) {
      store.inbox.upsert(c);
      live.add(c.id);
    }
  }
  for (const c of [...store.inbox.convs.values()]) {
    if (c.status !== 'resolved' && !live.has(c.id) && c.id !== store.selected) store.inbox.convs.delete(c.id);
  }
  if (!store.hasChats) {
    // Nothing live: is the console brand new (its inbox then says where chats come from)?
    const resolved = await sock.request({ type: 'list', box: 'resolved', limit: 1 });
    store.hasChatsBefore = (resolved.conversations as Conversation[]).length > 0;
  }
  if (store.box === 'resolved') await loadResolved(ctx, false);
}

/** The resolved box, from the top or the next page. */
export async function loadResolved(ctx: Ctx, more: boolean): Promise<void> {
  const { store } = ctx;
  const frame: Frame = { type: 'list', box: 'resolved', limit: 50 };
  const ids = more ? store.inbox.resolved : [];
  if (more && ids.length) frame.before = Math.min(...ids);
  const reply = await ctx.sock.request(frame);
  const rows = reply.conversations as Conversation[];
  for (const c of rows) store.inbox.upsert(c);
  store.inbox.resolved = [...(more ? ids : []), ...rows.map((c) => c.id).filter((id) => !(more && ids.includes(id)))];
  store.resolvedHasMore = !!reply.has_more;
  store.changed('list');
}

/**
 * After a reconnect: everything after the last seq held with no gap below it, page
 * by page until the newest (live messages of the chat wait for that on the server),
 * so nothing stays hidden however long the console was away.
 */
export async function resume(ctx: Ctx, id: number): Promise<void> {
  let last = -1;
  for (;;) {
    const thread = ctx.store.threads.get(id);
    const after = thread && thread.newest ? thread.resumeFrom() : null;
    if (after !== null && after <= last) return; // no progress: never loop on a bad reply
    const frame: Frame = { type: 'open', conversation: id, limit: 200 };
    if (after !== null) frame.after_seq = after;
    const reply = await ctx.sock.request(frame);
    applyHistory(ctx, reply, after === null ? 'latest' : 'after');
    if (after === null || !reply.has_more) return;
    last = after;
  }
}

export function applyHistory(ctx: Ctx, reply: Frame, mode: 'latest' | 'older' | 'after'): void {
  const { store } = ctx;
  const conv = reply.conversation as Conversation;
  store.inbox.upsert(conv);
  const thread = store.thread(conv.id);
  const msgs = reply.messages as Message[];
  thread.merge(msgs);
  for (const m of msgs) store.inbox.applyMessage(m);
  if (mode !== 'after') thread.hasMore = !!reply.has_more;
}

/** The page before the oldest message shown; false when nothing was loaded. */
export async function loadEarlier(ctx: Ctx): Promise<boolean> {
  const id = ctx.store.selected;
  const thread = id !== null ? ctx.store.threads.get(id) : undefined;
  if (id === null || !thread || thread.oldest === undefined) return false;
  try {
    const reply = await ctx.sock.request({ type: 'open', conversation: id, before_seq: thread.oldest, limit: 50 });
    applyHistory(ctx, reply, 'older');
    ctx.store.changed('thread');
    return true;
  } catch (e) {
    toastError(ctx, e);
    return false;
  }
}

/** The visitor's other conversations, for the header's "returning" line and the sidebar. */
export async function loadPast(ctx: Ctx, id: number): Promise<void> {
  const { store } = ctx;
  try {
    const reply = await ctx.sock.request({ type: 'visitor_history', conversation: id });
    const rows = reply.conversations as Conversation[];
    store.past.set(id, rows);
    for (const c of rows) if (!store.inbox.get(c.id)) store.inbox.convs.set(c.id, c);
    if (store.selected === id) store.changed('header', 'sidebar');
  } catch {
    /* the sidebar just shows less */
  }
}
