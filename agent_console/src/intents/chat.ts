/**
 * What the agent does: pick a conversation, claim / resolve / reopen /
 * transfer it, reply or write a note, say they are typing, mark it read,
 * change presence, switch boxes. Each changes the store and
 * names what changed; the views redraw themselves.
 */
import type { AgentStatus, Box, Conversation, Frame } from '../protocol';
import { EVERYTHING } from '../store';
import { batches, type Upload } from '../uploads';
import type { Ctx } from './context';
import { toastError } from './context';
import { applyHistory, loadPast, loadResolved, resume } from './history';

const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 5000;

export async function select(ctx: Ctx, id: number | null): Promise<void> {
  const { store, sock } = ctx;
  const before = store.selected;
  if (before === id) return;
  if (before !== null) {
    stopTyping(ctx);
    const prev = store.inbox.get(before);
    if (prev && prev.assignee?.id !== store.me) sock.cast({ type: 'close', conversation: before });
  }
  store.selected = id;
  store.changed('selection', ...EVERYTHING);
  if (id === null) return;
  const c = store.inbox.get(id);
  if (c) store.notePage(c);
  try {
    const thread = store.threads.get(id);
    if (thread && thread.newest) await resume(ctx, id);
    else applyHistory(ctx, await sock.request({ type: 'open', conversation: id, limit: 50 }), 'latest');
    if (store.selected !== id) return;
    store.changed(...EVERYTHING);
    markRead(ctx);
    store.changed('scroll');
    void loadPast(ctx, id);
  } catch (e) {
    toastError(ctx, e);
  }
}

export async function act(ctx: Ctx, kind: 'claim' | 'resolve' | 'reopen' | 'transfer', to?: number): Promise<void> {
  const { store } = ctx;
  const id = store.selected;
  if (id === null) return;
  try {
    const frame: Frame = { type: kind, conversation: id };
    if (kind === 'transfer') frame.to = to;
    const reply = await ctx.sock.request(frame);
    if (reply.conversation) store.inbox.upsert(reply.conversation as Conversation);
    if (kind === 'claim' || kind === 'reopen') {
      store.box = 'mine';
      store.changed('focus');
    }
    store.changed(...EVERYTHING);
    markRead(ctx);
    if (kind !== 'transfer') void resume(ctx, id).then(() => store.changed('thread'));
  } catch (e) {
    toastError(ctx, e);
  }
}

export async function setPresence(ctx: Ctx, status: 'online' | 'away'): Promise<void> {
  try {
    const reply = await ctx.sock.request({ type: 'presence', status });
    ctx.store.myStatus = reply.status as AgentStatus;
    ctx.store.changed('toolbar');
  } catch (e) {
    toastError(ctx, e);
  }
}

/**
 * A reply or a note, shown at once as pending and sent through the socket's
 * outbox (sent again after a drop, stored once). The body is final: trimmed,
 * within the limit, canned shortcut expanded. Its files (uploads done) go in
 * the same message; past what one message may carry (`limits.max_files`) the
 * rest follow in messages of their own, in order.
 */
export function send(ctx: Ctx, id: number, body: string, internal: boolean, files: Upload[] = []): void {
  const [first, ...more] = batches(files, ctx.store.welcome?.limits.max_files || 10);
  sendOne(ctx, id, body, internal, first || []);
  for (const rest of more) sendOne(ctx, id, '', internal, rest);
}

function sendOne(ctx: Ctx, id: number, body: string, internal: boolean, files: Upload[]): void {
  const { store } = ctx;
  const thread = store.thread(id);
  const clientId = 'c-' + Math.random().toString(36).slice(2) + Date.now().toString(36);
  thread.pending.set(clientId, { body, internal, ...(files.length ? { files } : {}) });
  stopTyping(ctx);
  store.changed('thread');
  store.changed('scroll');
  ctx.sock.sendMessage(id, body, internal, clientId, files.map((f) => f.id)).then(
    (ack) => {
      // The message frame normally arrives first; if the layer lost it, read it back.
      window.setTimeout(() => {
        if (thread.newest < ack.seq && store.selected === id) void resume(ctx, id).then(() => store.changed('thread'));
      }, 1500);
    },
    (e: Error) => {
      const p = thread.pending.get(clientId);
      if (p) p.failed = e.message;
      store.changed('thread');
    },
  );
}

/** The agent read the selected chat up to its newest message (only their own chats). */
export function markRead(ctx: Ctx): void {
  const { store } = ctx;
  const c = store.current;
  if (!c || document.hidden || c.assignee?.id !== store.me) return;
  if (c.last_seq > c.agent_read_seq) {
    ctx.sock.cast({ type: 'read', conversation: c.id, seq: c.last_seq });
    store.inbox.applyRead(c.id, 'agent', c.last_seq);
    store.changed('tabs', 'list', 'title');
  }
}

/** The composer's text changed: "typing" to the visitor, at most every few seconds, for replies only. */
export function typed(ctx: Ctx, c: Conversation, text: string, note: boolean): void {
  if (note || !ctx.store.canReply(c) || !text.trim()) return;
  const now = Date.now();
  if (now - ctx.typing.sentAt > TYPING_EVERY_MS) {
    ctx.typing.sentAt = now;
    ctx.sock.cast({ type: 'typing', conversation: c.id, state: 'start' });
  }
  window.clearTimeout(ctx.typing.idle);
  ctx.typing.idle = window.setTimeout(() => stopTyping(ctx), TYPING_IDLE_MS);
}

export function stopTyping(ctx: Ctx): void {
  window.clearTimeout(ctx.typing.idle);
  if (ctx.typing.sentAt && ctx.store.selected !== null) {
    ctx.sock.cast({ type: 'typing', conversation: ctx.store.selected, state: 'stop' });
  }
  ctx.typing.sentAt = 0;
}

export function setBox(ctx: Ctx, box: Box): void {
  const { store } = ctx;
  if (store.box === box) return;
  store.box = box;
  store.changed('tabs', 'list');
  if (box === 'resolved') void loadResolved(ctx, false).catch((e) => toastError(ctx, e));
}

export function loadMoreResolved(ctx: Ctx): void {
  void loadResolved(ctx, true).catch((e) => toastError(ctx, e));
}
