/**
 * What the server says, into the store: the socket's state, the welcome
 * (after every connect: lists, the URL's view and the open thread healed from
 * the database), and pushed frames (conversations, messages, typing, read
 * markers, presence, canned responses, tags), with the sound and desktop notice a new chat deserves.
 */
import type { SocketState } from '../client/socket';
import { isolated } from '../format';
import { t } from '../i18n';
import { visitorName } from '../names';
import * as notify from '../notify';
import { filesLine } from '../preview';
import type { Agent, Canned, Conversation, Frame, Message, Welcome } from '../protocol';
import { ProtocolError } from '../protocol';
import { EVERYTHING } from '../store';
import { select, markRead } from './chat';
import type { Ctx } from './context';
import { toastError } from './context';
import { reloadLists, resume } from './history';
import { onTags } from './tags';
import { loadView, noteLive } from './view';

const TYPING_SHOWN_MS = 6000;

export function onState(ctx: Ctx, s: SocketState, attempt: number): void {
  ctx.store.socket = s;
  ctx.store.socketAttempt = attempt;
  ctx.store.changed('conn');
}

/** The socket was refused: if the login is gone, off to the login page. */
export async function checkSession(ctx: Ctx): Promise<void> {
  try {
    const res = await fetch(window.location.pathname, { redirect: 'manual', credentials: 'same-origin' });
    if (res.type === 'opaqueredirect' || res.status === 403 || res.status === 302) {
      window.location.assign(ctx.loginUrl + '?next=' + encodeURIComponent(window.location.pathname));
    }
  } catch {
    /* offline: keep retrying the socket */
  }
}

export async function onWelcome(ctx: Ctx, w: Welcome, reconnected: boolean): Promise<void> {
  const { store } = ctx;
  store.welcome = w;
  store.inbox.me = w.agent.id;
  store.myStatus = w.status;
  store.agents = new Map(w.agents.map((a) => [a.id, a]));
  store.canned = w.canned || [];
  store.tags = new Map((w.tags || []).map((tag) => [tag.id, tag]));
  store.changed('toolbar', 'tags');
  try {
    await reloadLists(ctx);
    if (store.selected !== null) await resume(ctx, store.selected);
    void loadView(ctx, false); // the URL's view (first start), or again after a drop
  } catch (e) {
    toastError(ctx, e);
  }
  store.loaded = true;
  store.ready = reconnected ? 'again' : 'yes';
  store.changed('conn', ...EVERYTHING);
}

export function onFrame(ctx: Ctx, f: Frame): void {
  const { store } = ctx;
  switch (f.type) {
    case 'conversation': return onConversation(ctx, f.event as string, f.conversation as Conversation);
    case 'message': return onMessage(ctx, f.message as Message);
    case 'typing': return onTyping(ctx, f);
    case 'read': {
      store.inbox.applyRead(f.conversation as number, f.side as 'agent' | 'visitor', f.seq as number);
      store.changed(...(f.conversation === store.selected ? ['thread' as const] : []), 'tabs', 'list', 'title');
      return;
    }
    case 'presence': {
      const a = f.agent as Agent;
      const known = store.agents.get(a.id);
      store.agents.set(a.id, { ...known, ...a, sites: a.sites || known?.sites, rating: a.rating !== undefined ? a.rating : known?.rating });
      if (a.id === store.me) store.myStatus = a.status;
      store.changed('toolbar', ...(store.selected !== null ? ['header' as const] : []));
      return;
    }
    case 'canned': {
      store.canned = [...store.canned.filter((c) => c.site !== f.site), ...(f.responses as Canned[])];
      store.changed('canned');
      return;
    }
    case 'tags':
      return onTags(ctx, f);
    case 'error':
      toastError(ctx, new ProtocolError(String(f.code), String(f.message)));
      return;
  }
}

function onConversation(ctx: Ctx, event: string, c: Conversation): void {
  const { store } = ctx;
  const prev = store.inbox.upsert(c);
  const me = store.me;
  const name = visitorName(c.visitor);
  if ((event === 'created' || event === 'requeued') && c.status === 'waiting') {
    notify.beep('chat');
    notify.desktop(t('newChat'), t('newChatFrom', { name: isolated(name) }), 'papo-chat-' + c.id, () => void select(ctx, c.id));
  } else if (c.assignee?.id === me && c.status === 'open' && prev?.assignee?.id !== me && (event === 'assigned' || event === 'transferred' || event === 'reopened')) {
    if (event !== 'reopened' || prev?.status !== 'resolved') notify.beep('chat');
    notify.desktop(t('newChat'), isolated(name), 'papo-chat-' + c.id, () => void select(ctx, c.id));
  }
  if (event === 'updated' || event === 'created') store.notePage(c);
  if (event === 'rated') void refreshAgents(ctx);
  noteLive(store, store.inbox.get(c.id) || c);
  store.changed(...(c.id === store.selected ? (['header', 'sidebar', 'composer'] as const) : []), 'tabs', 'list', 'title');
}

function onMessage(ctx: Ctx, m: Message): void {
  const { store } = ctx;
  const c = store.inbox.applyMessage(m);
  const thread = store.threads.get(m.conversation);
  if (thread) thread.merge([m]);
  if (m.author === 'visitor') store.peerTyping.delete(m.conversation);
  if (c && m.author === 'visitor' && c.assignee?.id === store.me && c.status === 'open') {
    if (document.hidden || store.selected !== c.id) {
      notify.beep('message');
      notify.desktop(t('newMessageFrom', { name: isolated(visitorName(c.visitor)) }), (m.body || filesLine(m.attachments)).slice(0, 140), 'papo-msg-' + c.id, () => void select(ctx, c.id));
    }
  }
  if (m.conversation === store.selected) {
    store.changed('thread', 'typing');
    markRead(ctx);
  }
  store.changed('tabs', 'list', 'title');
}

function onTyping(ctx: Ctx, f: Frame): void {
  const { store } = ctx;
  const conv = f.conversation as number;
  const visitor = f.author === 'visitor' ? store.inbox.get(conv)?.visitor : undefined;
  const name = visitor ? visitorName(visitor) : String(f.name || '');
  if (f.state === 'start') store.peerTyping.set(conv, { name, until: Date.now() + TYPING_SHOWN_MS });
  else store.peerTyping.delete(conv);
  if (conv === store.selected) store.changed('typing');
}

/** Every second: typing indicators nobody renewed go away. */
export function tick(ctx: Ctx): void {
  const { store } = ctx;
  const now = Date.now();
  for (const [id, v] of store.peerTyping) {
    if (v.until < now) {
      store.peerTyping.delete(id);
      if (id === store.selected) store.changed('typing');
    }
  }
}

/** The agents' directory again (a rating changed someone's sum); presence stays live. */
async function refreshAgents(ctx: Ctx): Promise<void> {
  const { store } = ctx;
  try {
    const reply = await ctx.sock.request({ type: 'agents' });
    for (const a of reply.agents as Agent[]) store.agents.set(a.id, { ...store.agents.get(a.id), ...a });
    store.changed('toolbar', ...(store.selected !== null ? ['header' as const] : []));
  } catch {
    /* the sums show what they showed */
  }
}
