/**
 * The console's screen: inbox (Waiting / Mine / All open / Resolved), the
 * conversation pane, the visitor sidebar, and the toolbar (presence, capacity,
 * notifications, canned responses). Plain DOM through `h()`: every piece of
 * user data goes in as text, never as HTML.
 */
import { cannedQuery, expandExact, matchCanned } from '../canned';
import { ConsoleSocket, browserEnv, type SocketState } from '../client/socket';
import { h, iso, replace, sentence, userText } from '../dom';
import { clock, dateTime, isolated, localTimeIn, safeHttpUrl, systemParts, systemText, titleWithCount } from '../format';
import { t, tParts, type MessageKey } from '../i18n';
import * as notify from '../notify';
import type { Agent, AgentStatus, Box, Canned, Conversation, Frame, Message, SiteInfo, Welcome } from '../protocol';
import { ProtocolError } from '../protocol';
import { agentRating, endedChip, previousChat, ratedLine, ratingBadge, ratingDetail } from '../rating';
import { Inbox, Thread } from '../state';
import { parseUserAgent } from '../ua';

const BOXES: Array<[Box, MessageKey]> = [['queue', 'waiting'], ['mine', 'mine'], ['open', 'allOpen'], ['resolved', 'resolved']];
const LIST_LIMIT = 200;
const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 5000;
const TYPING_SHOWN_MS = 6000;

interface Els {
  root: HTMLElement;
  status: HTMLElement;
  presence: HTMLButtonElement;
  capacity: HTMLElement;
  myRating: HTMLElement;
  notifyBtn: HTMLButtonElement;
  soundBtn: HTMLButtonElement;
  tabs: HTMLElement;
  search: HTMLInputElement;
  list: HTMLElement;
  more: HTMLButtonElement;
  header: HTMLElement;
  thread: HTMLElement;
  typing: HTMLElement;
  composer: HTMLFormElement;
  input: HTMLTextAreaElement;
  noteToggle: HTMLInputElement;
  suggest: HTMLElement;
  sidebar: HTMLElement;
  toast: HTMLElement;
  cannedDialog: HTMLDialogElement;
  helpDialog: HTMLDialogElement;
}

export class ConsoleApp {
  sock: ConsoleSocket;
  inbox = new Inbox(0);
  threads = new Map<number, Thread>();
  box: Box = 'queue';
  selected: number | null = null;
  welcome: Welcome | null = null;
  agents = new Map<number, Agent>();
  canned: Canned[] = [];
  myStatus: AgentStatus = 'offline';
  search = '';
  resolvedHasMore = false;
  private els!: Els;
  private typingSentAt = 0;
  private typingIdle: number | undefined;
  private peerTyping = new Map<number, { name: string; until: number }>();
  private pages = new Map<string, Array<{ url: string; title: string }>>();
  private past = new Map<number, Conversation[]>();
  private suggestions: Canned[] = [];
  private suggestIndex = 0;
  private searchTimer: number | undefined;
  private loaded = false;

  constructor(private root: HTMLElement, wsUrl: string, private loginUrl: string) {
    this.sock = new ConsoleSocket(wsUrl, {
      onWelcome: (w, again) => this.onWelcome(w, again),
      onFrame: (f) => this.onFrame(f),
      onState: (s, attempt) => this.onState(s, attempt),
      onRefused: () => void this.checkSession(),
    }, browserEnv());
  }

  start(): void {
    this.buildShell();
    this.sock.connect();
    document.addEventListener('keydown', (e) => this.onKey(e));
    const unlock = () => notify.unlockAudio();
    document.addEventListener('pointerdown', unlock);
    document.addEventListener('keydown', unlock);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) this.markRead();
    });
    window.setInterval(() => this.tick(), 1000);
  }

  // --- socket --------------------------------------------------------------------------------
  private onState(s: SocketState, attempt: number): void {
    const text = s === 'online' ? t('connected') : s === 'connecting' && attempt === 0 && !this.welcome ? t('connecting') : t('reconnecting');
    this.els.status.textContent = text;
    this.els.status.className = 'conn ' + s;
    this.els.root.dataset.socket = s;
  }

  private async checkSession(): Promise<void> {
    try {
      const res = await fetch(window.location.pathname, { redirect: 'manual', credentials: 'same-origin' });
      if (res.type === 'opaqueredirect' || res.status === 403 || res.status === 302) {
        window.location.assign(this.loginUrl + '?next=' + encodeURIComponent(window.location.pathname));
      }
    } catch {
      /* offline: keep retrying the socket */
    }
  }

  private async onWelcome(w: Welcome, reconnected: boolean): Promise<void> {
    this.welcome = w;
    this.inbox.me = w.agent.id;
    this.myStatus = w.status;
    this.agents = new Map(w.agents.map((a) => [a.id, a]));
    this.canned = w.canned || [];
    this.renderToolbar();
    try {
      await this.reloadLists();
      if (this.selected !== null) await this.resume(this.selected);
    } catch (e) {
      this.toastError(e);
    }
    this.loaded = true;
    this.els.root.dataset.ready = reconnected ? 'again' : 'yes';
    this.renderAll();
  }

  /** Queue and open lists are complete pictures: whatever is not in them moved on. */
  private async reloadLists(): Promise<void> {
    const [queue, open] = await Promise.all([
      this.sock.request({ type: 'list', box: 'queue', limit: LIST_LIMIT }),
      this.sock.request({ type: 'list', box: 'open', limit: LIST_LIMIT }),
    ]);
    const live = new Set<number>();
    for (const reply of [queue, open]) {
      for (const c of reply.conversations as Conversation[]) {
        this.inbox.upsert(c);
        live.add(c.id);
      }
    }
    for (const c of [...this.inbox.convs.values()]) {
      if (c.status !== 'resolved' && !live.has(c.id) && c.id !== this.selected) this.inbox.convs.delete(c.id);
    }
    if (this.box === 'resolved') await this.loadResolved(false);
  }

  private async loadResolved(more: boolean): Promise<void> {
    const frame: Frame = { type: 'list', box: 'resolved', limit: 50 };
    if (this.search) frame.q = this.search;
    const ids = more ? this.inbox.resolved : [];
    if (more && ids.length) frame.before = Math.min(...ids);
    const reply = await this.sock.request(frame);
    if ((reply.q || '') !== this.search) return; // a newer search is on its way
    const rows = reply.conversations as Conversation[];
    for (const c of rows) this.inbox.upsert(c);
    this.inbox.resolved = [...(more ? ids : []), ...rows.map((c) => c.id).filter((id) => !(more && ids.includes(id)))];
    this.resolvedHasMore = !!reply.has_more;
    this.renderList();
  }

  /**
   * After a reconnect: everything after the last seq held with no gap below it, page
   * by page until the newest (live messages of the chat wait for that on the server),
   * so nothing stays hidden however long the console was away.
   */
  private async resume(id: number): Promise<void> {
    let last = -1;
    for (;;) {
      const thread = this.threads.get(id);
      const after = thread && thread.newest ? thread.resumeFrom() : null;
      if (after !== null && after <= last) return; // no progress: never loop on a bad reply
      const frame: Frame = { type: 'open', conversation: id, limit: 200 };
      if (after !== null) frame.after_seq = after;
      const reply = await this.sock.request(frame);
      this.applyHistory(reply, after === null ? 'latest' : 'after');
      if (after === null || !reply.has_more) return;
      last = after;
    }
  }

  private applyHistory(reply: Frame, mode: 'latest' | 'older' | 'after'): void {
    const conv = reply.conversation as Conversation;
    this.inbox.upsert(conv);
    let thread = this.threads.get(conv.id);
    if (!thread) {
      thread = new Thread(conv.id);
      this.threads.set(conv.id, thread);
    }
    const msgs = reply.messages as Message[];
    thread.merge(msgs);
    for (const m of msgs) this.inbox.applyMessage(m);
    if (mode !== 'after') thread.hasMore = !!reply.has_more;
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'conversation': return this.onConversation(f.event as string, f.conversation as Conversation);
      case 'message': return this.onMessage(f.message as Message);
      case 'typing': return this.onTyping(f);
      case 'read': {
        this.inbox.applyRead(f.conversation as number, f.side as 'agent' | 'visitor', f.seq as number);
        if (f.conversation === this.selected) this.renderThread();
        this.renderTabs();
        this.renderList();
        this.updateTitle();
        return;
      }
      case 'presence': {
        const a = f.agent as Agent;
        const known = this.agents.get(a.id);
        this.agents.set(a.id, { ...known, ...a, sites: a.sites || known?.sites, rating: a.rating !== undefined ? a.rating : known?.rating });
        if (a.id === this.inbox.me) this.myStatus = a.status;
        this.renderToolbar();
        if (this.selected !== null) this.renderHeader();
        return;
      }
      case 'canned': {
        this.canned = [...this.canned.filter((c) => c.site !== f.site), ...(f.responses as Canned[])];
        if (this.els.cannedDialog.open) this.renderCannedDialog();
        return;
      }
      case 'error':
        this.toastError(new ProtocolError(String(f.code), String(f.message)));
        return;
    }
  }

  private onConversation(event: string, c: Conversation): void {
    const prev = this.inbox.upsert(c);
    const me = this.inbox.me;
    const name = c.visitor.display_name;
    if ((event === 'created' || event === 'requeued') && c.status === 'waiting') {
      notify.beep('chat');
      notify.desktop(t('newChat'), t('newChatFrom', { name: isolated(name) }), 'papo-chat-' + c.id, () => this.select(c.id));
    } else if (c.assignee?.id === me && c.status === 'open' && prev?.assignee?.id !== me && (event === 'assigned' || event === 'transferred' || event === 'reopened')) {
      if (event !== 'reopened' || prev?.status !== 'resolved') notify.beep('chat');
      notify.desktop(t('newChat'), isolated(name), 'papo-chat-' + c.id, () => this.select(c.id));
    }
    if (event === 'updated' || event === 'created') this.notePage(c);
    if (event === 'rated') void this.refreshAgents();
    if (c.id === this.selected) {
      this.renderHeader();
      this.renderSidebar();
      this.renderComposerState();
    }
    this.renderTabs();
    this.renderList();
    this.updateTitle();
  }

  private onMessage(m: Message): void {
    const c = this.inbox.applyMessage(m);
    const thread = this.threads.get(m.conversation);
    if (thread) thread.merge([m]);
    if (m.author === 'visitor') this.peerTyping.delete(m.conversation);
    if (c && m.author === 'visitor' && c.assignee?.id === this.inbox.me && c.status === 'open') {
      if (document.hidden || this.selected !== c.id) {
        notify.beep('message');
        notify.desktop(t('newMessageFrom', { name: isolated(c.visitor.display_name) }), m.body.slice(0, 140), 'papo-msg-' + c.id, () => this.select(c.id));
      }
    }
    if (m.conversation === this.selected) {
      this.renderThread();
      this.renderTyping();
      this.markRead();
    }
    this.renderTabs();
    this.renderList();
    this.updateTitle();
  }

  private onTyping(f: Frame): void {
    const conv = f.conversation as number;
    if (f.state === 'start') this.peerTyping.set(conv, { name: String(f.name || ''), until: Date.now() + TYPING_SHOWN_MS });
    else this.peerTyping.delete(conv);
    if (conv === this.selected) this.renderTyping();
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, v] of this.peerTyping) {
      if (v.until < now) {
        this.peerTyping.delete(id);
        if (id === this.selected) this.renderTyping();
      }
    }
  }

  private notePage(c: Conversation): void {
    const v = c.visitor;
    if (!v.page_url) return;
    const seen = this.pages.get(v.id) || [];
    if (!seen.length || seen[seen.length - 1].url !== v.page_url) seen.push({ url: v.page_url, title: v.page_title });
    this.pages.set(v.id, seen.slice(-20));
  }

  // --- actions -------------------------------------------------------------------------------
  async select(id: number | null): Promise<void> {
    const before = this.selected;
    if (before === id) return;
    if (before !== null) {
      this.stopTyping();
      const prev = this.inbox.get(before);
      if (prev && prev.assignee?.id !== this.inbox.me) this.sock.cast({ type: 'close', conversation: before });
    }
    this.selected = id;
    this.els.input.value = '';
    this.hideSuggestions();
    this.renderAll();
    if (id === null) return;
    const c = this.inbox.get(id);
    if (c) this.notePage(c);
    try {
      const thread = this.threads.get(id);
      if (thread && thread.newest) await this.resume(id);
      else this.applyHistory(await this.sock.request({ type: 'open', conversation: id, limit: 50 }), 'latest');
      if (this.selected !== id) return;
      this.renderAll();
      this.markRead();
      this.scrollToBottom();
      void this.loadPast(id);
    } catch (e) {
      this.toastError(e);
    }
  }

  private async loadEarlier(): Promise<void> {
    const id = this.selected;
    const thread = id !== null ? this.threads.get(id) : undefined;
    if (id === null || !thread || thread.oldest === undefined) return;
    const box = this.els.thread;
    const fromBottom = box.scrollHeight - box.scrollTop;
    try {
      const reply = await this.sock.request({ type: 'open', conversation: id, before_seq: thread.oldest, limit: 50 });
      this.applyHistory(reply, 'older');
      this.renderThread();
      box.scrollTop = box.scrollHeight - fromBottom;
    } catch (e) {
      this.toastError(e);
    }
  }

  private async loadPast(id: number): Promise<void> {
    try {
      const reply = await this.sock.request({ type: 'visitor_history', conversation: id });
      const rows = reply.conversations as Conversation[];
      this.past.set(id, rows);
      for (const c of rows) if (!this.inbox.get(c.id)) this.inbox.convs.set(c.id, c);
      if (this.selected === id) {
        this.renderHeader();
        this.renderSidebar();
      }
    } catch {
      /* the sidebar just shows less */
    }
  }

  private async act(kind: 'claim' | 'resolve' | 'reopen' | 'transfer', to?: number): Promise<void> {
    const id = this.selected;
    if (id === null) return;
    try {
      const frame: Frame = { type: kind, conversation: id };
      if (kind === 'transfer') frame.to = to;
      const reply = await this.sock.request(frame);
      if (reply.conversation) this.inbox.upsert(reply.conversation as Conversation);
      if (kind === 'claim' || kind === 'reopen') {
        this.box = 'mine';
        this.els.input.focus();
      }
      this.renderAll();
      this.markRead();
      if (kind !== 'transfer') void this.resume(id).then(() => this.renderThread());
    } catch (e) {
      this.toastError(e);
    }
  }

  /** The agents' directory again (a rating changed someone's sum); presence stays live. */
  private async refreshAgents(): Promise<void> {
    try {
      const reply = await this.sock.request({ type: 'agents' });
      for (const a of reply.agents as Agent[]) this.agents.set(a.id, { ...this.agents.get(a.id), ...a });
      this.renderToolbar();
      if (this.selected !== null) this.renderHeader();
    } catch {
      /* the sums show what they showed */
    }
  }

  private async setPresence(status: 'online' | 'away'): Promise<void> {
    try {
      const reply = await this.sock.request({ type: 'presence', status });
      this.myStatus = reply.status as AgentStatus;
      this.renderToolbar();
    } catch (e) {
      this.toastError(e);
    }
  }

  private sendComposer(): void {
    const id = this.selected;
    const c = id !== null ? this.inbox.get(id) : undefined;
    if (!c || id === null) return;
    let body = this.els.input.value;
    const expanded = expandExact(this.canned, c.site, body);
    if (expanded !== null) body = expanded;
    body = body.trim();
    if (!body) return;
    const max = this.welcome?.limits.max_body || 4000;
    if (body.length > max) {
      this.toast(t('errorPrefix', { reason: `> ${max}` }));
      return;
    }
    const internal = this.els.noteToggle.checked || !this.canReply(c);
    const thread = this.threads.get(id) || new Thread(id);
    this.threads.set(id, thread);
    const clientId = 'c-' + Math.random().toString(36).slice(2) + Date.now().toString(36);
    thread.pending.set(clientId, { body, internal });
    this.els.input.value = '';
    this.hideSuggestions();
    this.stopTyping();
    this.renderThread();
    this.scrollToBottom();
    this.sock.sendMessage(id, body, internal, clientId).then(
      (ack) => {
        // The message frame normally arrives first; if the layer lost it, read it back.
        window.setTimeout(() => {
          if (thread.newest < ack.seq && this.selected === id) void this.resume(id).then(() => this.renderThread());
        }, 1500);
      },
      (e: Error) => {
        const p = thread.pending.get(clientId);
        if (p) p.failed = e.message;
        this.renderThread();
      },
    );
  }

  private canReply(c: Conversation): boolean {
    return c.status === 'waiting' || (c.status === 'open' && c.assignee?.id === this.inbox.me);
  }

  private markRead(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    if (!c || document.hidden || c.assignee?.id !== this.inbox.me) return;
    if (c.last_seq > c.agent_read_seq) {
      this.sock.cast({ type: 'read', conversation: c.id, seq: c.last_seq });
      this.inbox.applyRead(c.id, 'agent', c.last_seq);
      this.renderTabs();
      this.renderList();
      this.updateTitle();
    }
  }

  private onComposerInput(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    if (!c) return;
    this.updateSuggestions(c);
    if (this.els.noteToggle.checked || !this.canReply(c) || !this.els.input.value.trim()) return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_EVERY_MS) {
      this.typingSentAt = now;
      this.sock.cast({ type: 'typing', conversation: c.id, state: 'start' });
    }
    window.clearTimeout(this.typingIdle);
    this.typingIdle = window.setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    window.clearTimeout(this.typingIdle);
    if (this.typingSentAt && this.selected !== null) {
      this.sock.cast({ type: 'typing', conversation: this.selected, state: 'stop' });
    }
    this.typingSentAt = 0;
  }

  // --- canned suggestions ---------------------------------------------------------------------
  private updateSuggestions(c: Conversation): void {
    const q = cannedQuery(this.els.input.value);
    this.suggestions = q === null ? [] : matchCanned(this.canned, c.site, q);
    this.suggestIndex = 0;
    this.renderSuggestions();
  }

  private hideSuggestions(): void {
    this.suggestions = [];
    this.renderSuggestions();
  }

  private pickSuggestion(i: number): void {
    const s = this.suggestions[i];
    if (!s) return;
    this.els.input.value = s.body;
    this.hideSuggestions();
    this.els.input.focus();
  }

  private renderSuggestions(): void {
    const box = this.els.suggest;
    box.hidden = !this.suggestions.length;
    replace(box, ...this.suggestions.map((s, i) => h('li', {
      role: 'option', 'aria-selected': i === this.suggestIndex ? 'true' : 'false', class: i === this.suggestIndex ? 'on' : '',
      onmousedown: (e: Event) => {
        e.preventDefault();
        this.pickSuggestion(i);
      },
    }, h('b', null, '/' + s.shortcut), ' ', userText('span', '', s.body.slice(0, 120)))));
  }

  // --- keyboard --------------------------------------------------------------------------------
  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
    if (target === this.els.input) return this.onComposerKey(e);
    if (e.key === 'Escape' && typing) {
      target.blur();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    const keys: Record<string, () => void> = {
      '1': () => this.setBox('queue'), '2': () => this.setBox('mine'), '3': () => this.setBox('open'), '4': () => this.setBox('resolved'),
      j: () => this.step(1), k: () => this.step(-1),
      c: () => c?.status === 'waiting' && void this.act('claim'),
      e: () => c && c.status !== 'resolved' && void this.act('resolve'),
      o: () => c?.status === 'resolved' && void this.act('reopen'),
      t: () => (this.els.header.querySelector('select.transfer') as HTMLSelectElement | null)?.focus(),
      r: () => this.els.input.focus(),
      n: () => {
        this.els.noteToggle.checked = !this.els.noteToggle.checked;
        this.renderComposerState();
        this.els.input.focus();
      },
      '/': () => {
        this.setBox('resolved');
        this.els.search.focus();
      },
      '?': () => this.els.helpDialog.showModal(),
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  }

  private onComposerKey(e: KeyboardEvent): void {
    if (this.suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.suggestions.length;
        this.suggestIndex = (this.suggestIndex + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.renderSuggestions();
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        this.pickSuggestion(this.suggestIndex);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.hideSuggestions();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.sendComposer();
    } else if (e.key === 'Escape') {
      this.els.input.blur();
    }
  }

  private setBox(box: Box): void {
    if (this.box === box) return;
    this.box = box;
    this.renderTabs();
    this.renderList();
    this.els.root.dataset.box = box;
    if (box === 'resolved') void this.loadResolved(false).catch((e) => this.toastError(e));
  }

  private step(delta: number): void {
    const rows = this.inbox.list(this.box);
    if (!rows.length) return;
    const i = rows.findIndex((c) => c.id === this.selected);
    const next = rows[Math.max(0, Math.min(rows.length - 1, i < 0 ? 0 : i + delta))];
    void this.select(next.id);
  }

  // --- rendering ------------------------------------------------------------------------------
  private buildShell(): void {
    const input = h('textarea', { id: 'composer-input', rows: 3, 'aria-label': t('replyPlaceholder'), placeholder: t('replyPlaceholder') });
    const noteToggle = h('input', { type: 'checkbox', id: 'note-toggle', onchange: () => this.renderComposerState() });
    const suggest = h('ul', { class: 'suggest', role: 'listbox', hidden: true });
    const composer = h('form', { class: 'composer', onsubmit: (e: Event) => {
      e.preventDefault();
      this.sendComposer();
    } },
    suggest, input,
    h('div', { class: 'composer-bar' },
      h('label', { class: 'note-label' }, noteToggle, ' ', t('note')),
      h('button', { type: 'submit', class: 'primary' }, t('send'))));
    input.addEventListener('input', () => this.onComposerInput());
    // Late, so a click on a suggestion lands first; and not when focus came back meanwhile
    // (a blur timer left over from a dialog must not hide what is being typed now).
    input.addEventListener('blur', () => window.setTimeout(() => {
      if (document.activeElement !== input) this.hideSuggestions();
    }, 150));
    const search = h('input', { type: 'search', class: 'search', placeholder: t('search'), 'aria-label': t('searchLabel') });
    search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => {
        this.search = search.value.trim();
        void this.loadResolved(false).catch((e) => this.toastError(e));
      }, 250);
    });
    this.els = {
      root: this.root,
      status: h('span', { class: 'conn', role: 'status' }, t('connecting')),
      presence: h('button', { type: 'button', class: 'presence', onclick: () => void this.setPresence(this.myStatus === 'online' ? 'away' : 'online') }),
      capacity: h('span', { class: 'capacity' }),
      myRating: h('span', { class: 'my-rating', title: t('ratingSumTitle'), hidden: true }),
      notifyBtn: h('button', { type: 'button', class: 'notify-btn', onclick: () => void notify.askPermission().then(() => this.renderToolbar()) }, t('enableNotifications')),
      soundBtn: h('button', { type: 'button', class: 'sound-btn', onclick: () => {
        notify.setMuted(!notify.isMuted());
        this.renderToolbar();
      } }),
      tabs: h('div', { class: 'tabs', role: 'tablist' }),
      search,
      list: h('ul', { class: 'conv-list', 'aria-label': t('waiting') }),
      more: h('button', { type: 'button', class: 'more', hidden: true, onclick: () => void this.loadResolved(true).catch((e) => this.toastError(e)) }, t('loadMore')),
      header: h('div', { class: 'conv-header' }),
      thread: h('ol', { class: 'thread', 'aria-live': 'polite' }),
      typing: h('div', { class: 'typing', 'aria-live': 'polite' }),
      composer, input, noteToggle, suggest,
      sidebar: h('aside', { class: 'sidebar', 'aria-label': t('visitor') }),
      toast: h('div', { class: 'toast', role: 'alert', hidden: true }),
      cannedDialog: h('dialog', { class: 'canned-dialog' }),
      helpDialog: h('dialog', { class: 'help-dialog' }),
    };
    const e = this.els;
    replace(this.root,
      h('div', { class: 'toolbar' },
        e.presence, e.capacity, e.myRating, e.status,
        h('span', { class: 'spacer' }),
        e.notifyBtn, e.soundBtn,
        h('button', { type: 'button', class: 'canned-btn', onclick: () => {
          this.renderCannedDialog();
          e.cannedDialog.showModal();
        } }, t('canned')),
        h('button', { type: 'button', class: 'help-btn', 'aria-label': t('shortcuts'), title: t('shortcuts'), onclick: () => e.helpDialog.showModal() }, '?')),
      h('section', { class: 'inbox' }, e.tabs, e.search, e.list, e.more),
      h('section', { class: 'pane' }, e.header, e.thread, e.typing, e.composer),
      e.sidebar, e.toast, e.cannedDialog, e.helpDialog);
    this.renderHelp();
    this.renderAll();
  }

  private renderAll(): void {
    this.renderToolbar();
    this.renderTabs();
    this.renderList();
    this.renderHeader();
    this.renderThread();
    this.renderTyping();
    this.renderComposerState();
    this.renderSidebar();
    this.updateTitle();
    this.root.dataset.box = this.box;
  }

  private renderToolbar(): void {
    const e = this.els;
    const s = this.myStatus;
    e.presence.textContent = '● ' + (s === 'online' ? t('online') : s === 'away' ? t('away') : t('offline'));
    e.presence.className = 'presence ' + s;
    e.presence.setAttribute('aria-pressed', s === 'online' ? 'true' : 'false');
    e.presence.dataset.status = s;
    const sites: SiteInfo[] = this.welcome?.sites || [];
    const mine = this.inbox.mineBySite();
    e.capacity.textContent = sites.map((site) => (sites.length > 1 ? isolated(site.name) + ': ' : '') +
      t('capacity', { n: mine.get(site.key) || 0, max: site.max_concurrent })).join(' · ');
    const rated = agentRating(this.agents.get(this.inbox.me));
    e.myRating.textContent = rated ? '★ ' + rated : '';
    e.myRating.hidden = !rated;
    e.notifyBtn.hidden = !notify.needsPermission();
    e.soundBtn.textContent = notify.isMuted() ? t('soundOff') : t('soundOn');
    e.soundBtn.setAttribute('aria-pressed', notify.isMuted() ? 'false' : 'true');
  }

  private renderTabs(): void {
    const counts = this.inbox.counts();
    const n: Record<Box, number | null> = { queue: counts.queue, mine: counts.mine, open: counts.open, resolved: null };
    replace(this.els.tabs, ...BOXES.map(([box, label]) => {
      const unread = box !== 'resolved' && this.inbox.list(box).some((c) => this.inbox.isUnread(c));
      return h('button', {
        type: 'button', role: 'tab', class: 'tab' + (this.box === box ? ' on' : '') + (unread ? ' unread' : ''),
        'aria-selected': this.box === box ? 'true' : 'false', 'data-box': box,
        onclick: () => this.setBox(box),
      }, t(label), n[box] !== null ? h('span', { class: 'count' }, n[box]) : null, unread ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : null);
    }));
    this.els.search.hidden = this.box !== 'resolved';
    this.renderToolbar();
  }

  private renderList(): void {
    const rows = this.inbox.list(this.box);
    this.els.more.hidden = !(this.box === 'resolved' && this.resolvedHasMore);
    if (!rows.length) {
      replace(this.els.list, this.loaded ? h('li', { class: 'empty' }, t('noConversations')) : null);
      return;
    }
    replace(this.els.list, ...rows.map((c) => {
      const unread = this.inbox.isUnread(c);
      const last = c.last_message;
      const data: Record<string, string> = last?.event === 'rated' && c.rating ? { score: String(c.rating.score) } : last?.event === 'ended' ? { by: c.visitor.display_name } : {};
      const preview = !last ? [] : last.author === 'system' ? [systemText({ event: last.event || '', data }).replace(/\?/g, '').trim()]
        : [last.internal ? t('noteBadge') + ': ' : '', userText('span', '', last.body)];
      return h('li', {
        class: 'conv' + (c.id === this.selected ? ' on' : '') + (unread ? ' unread' : ''), 'data-id': c.id,
        tabindex: 0, role: 'button',
        onclick: () => void this.select(c.id),
        onkeydown: (ev: Event) => {
          if ((ev as KeyboardEvent).key === 'Enter') void this.select(c.id);
        },
      },
      h('div', { class: 'row1' },
        h('span', { class: 'name' }, iso(c.visitor.display_name)),
        c.visitor.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓') : null,
        h('span', { class: 'when' }, clock(last?.created_at || c.updated_at))),
      h('div', { class: 'row2' },
        h('span', { class: 'preview' }, ...preview),
        endedChip(c), ratingBadge(c),
        this.box === 'open' && c.assignee ? h('span', { class: 'who' }, iso(c.assignee.name)) : null));
    }));
  }

  private renderHeader(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    if (!c) {
      replace(this.els.header, h('p', { class: 'muted' }, t('pickConversation')));
      return;
    }
    const me = this.inbox.me;
    const admin = this.welcome?.sites.find((s) => s.key === c.site)?.role === 'admin';
    const mineOrAdmin = c.assignee?.id === me || admin;
    const actions: HTMLElement[] = [];
    if (c.status === 'waiting') actions.push(h('button', { type: 'button', class: 'primary claim', onclick: () => void this.act('claim') }, t('claim')));
    if (c.status === 'waiting' || (c.status === 'open' && mineOrAdmin)) {
      const targets = [...this.agents.values()].filter((a) => a.id !== me && a.id !== c.assignee?.id && a.status === 'online' && (!a.sites || a.sites.includes(c.site)));
      const select = h('select', { class: 'transfer', 'aria-label': t('transferTo') },
        h('option', { value: '' }, targets.length ? t('transferTo') : t('noOneOnline')),
        ...targets.map((a) => h('option', { value: a.id }, `${isolated(a.name)} (${a.open})` + (a.rating?.count ? ` ★ ${agentRating(a)}` : ''))));
      select.disabled = !targets.length;
      select.addEventListener('change', () => {
        const to = Number(select.value);
        if (to) void this.act('transfer', to);
      });
      actions.push(select);
      actions.push(h('button', { type: 'button', class: 'resolve', onclick: () => void this.act('resolve') }, t('resolve')));
    }
    if (c.status === 'resolved') actions.push(h('button', { type: 'button', class: 'reopen', onclick: () => void this.act('reopen') }, t('reopen')));
    const statusKey: Record<string, MessageKey> = { waiting: 'statusWaiting', open: 'statusOpen', resolved: 'statusResolved' };
    const before = previousChat(c, this.past.get(c.id));
    replace(this.els.header,
      h('div', { class: 'title' },
        h('h2', null, iso(c.visitor.display_name)),
        h('span', { class: 'status ' + c.status, 'data-status': c.status }, t(statusKey[c.status])),
        endedChip(c), ratingBadge(c),
        h('span', { class: 'muted' }, ...(c.assignee ? [iso(c.assignee.name), c.assignee.id === me ? ` (${t('you')})` : ''] : [t('unassigned')]))),
      h('div', { class: 'actions' }, ...actions),
      before ? h('p', { class: 'returning' }, h('button', { type: 'button', class: 'link', onclick: () => void this.select(before.id) },
        t('returning', { id: before.id })), ' ', endedChip(before), ratingBadge(before)) : null);
  }

  private renderThread(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    const thread = this.selected !== null ? this.threads.get(this.selected) : undefined;
    const box = this.els.thread;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    if (!c || !thread) {
      replace(box);
      return;
    }
    const msgs = thread.list();
    let seenSeq = 0;
    for (const m of msgs) if (m.author === 'agent' && !m.internal && m.seq <= c.visitor_read_seq) seenSeq = m.seq;
    const items: HTMLElement[] = [];
    if (thread.hasMore) items.push(h('li', { class: 'earlier' }, h('button', { type: 'button', onclick: () => void this.loadEarlier() }, t('loadEarlier'))));
    for (const m of msgs) {
      if (m.author === 'system') {
        const line = m.event === 'rated' ? ratedLine(m) : sentence(systemParts(m));
        const ending = m.event === 'ended' || m.event === 'resolved';
        items.push(h('li', { class: ending ? 'sys ending' : 'sys', 'data-seq': m.seq, 'data-event': m.event }, h('span', null, ...line), ' ', h('time', null, clock(m.created_at))));
        continue;
      }
      const cls = 'msg ' + m.author + (m.internal ? ' note' : '');
      items.push(h('li', { class: cls, 'data-seq': m.seq },
        h('div', { class: 'meta' },
          m.internal ? h('span', { class: 'badge note-badge' }, t('noteBadge')) : null,
          h('span', { class: 'who' }, iso(m.author === 'visitor' ? c.visitor.display_name : m.agent?.name)),
          h('time', { datetime: m.created_at }, clock(m.created_at))),
        userText('div', 'body', m.body),
        m.seq === seenSeq ? h('div', { class: 'seen' }, '✓✓ ' + t('seen')) : null));
    }
    for (const [, p] of thread.pending) {
      items.push(h('li', { class: 'msg agent pending' + (p.internal ? ' note' : '') + (p.failed ? ' failed' : '') },
        userText('div', 'body', p.body),
        h('div', { class: 'meta' }, p.failed ? t('failed', { reason: p.failed }) : t('sending'))));
    }
    replace(box, ...items);
    if (atBottom) this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.els.thread.scrollTop = this.els.thread.scrollHeight;
  }

  private renderTyping(): void {
    const v = this.selected !== null ? this.peerTyping.get(this.selected) : undefined;
    replace(this.els.typing, ...(v ? sentence(tParts('typing', { name: v.name })) : []));
  }

  private renderComposerState(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    const e = this.els;
    e.composer.hidden = !c;
    if (!c) return;
    const replyable = this.canReply(c);
    if (!replyable) e.noteToggle.checked = true;
    e.noteToggle.disabled = !replyable;
    const note = e.noteToggle.checked;
    e.composer.classList.toggle('note-mode', note);
    e.input.placeholder = note ? t('notePlaceholder') : t('replyPlaceholder');
    e.input.setAttribute('aria-label', e.input.placeholder);
  }

  private renderSidebar(): void {
    const c = this.selected !== null ? this.inbox.get(this.selected) : undefined;
    if (!c) {
      replace(this.els.sidebar);
      return;
    }
    const v = c.visitor;
    const ua = parseUserAgent(v.user_agent);
    const url = safeHttpUrl(v.page_url);
    const row = (label: MessageKey, ...value: Array<Node | string | null>) =>
      h('div', { class: 'row', 'data-field': label }, h('dt', null, t(label)), h('dd', null, ...value));
    const pages = (this.pages.get(v.id) || []).slice().reverse();
    const past = this.past.get(c.id);
    replace(this.els.sidebar,
      h('h3', null, iso(v.display_name), ' ',
        v.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓ ' + t('verified')) : h('span', { class: 'badge unverified' }, t('unverified'))),
      h('dl', null,
        row('email', v.email ? iso(v.email) : '—'),
        row('page', url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, iso(v.page_title || url)) : v.page_title ? iso(v.page_title) : '—',
          url && v.page_title ? h('small', { class: 'url', dir: 'ltr' }, url) : null),
        row('pagesSeen', pages.length ? h('ol', { class: 'pages' }, ...pages.map((p) => h('li', null, iso(p.title || p.url)))) : '—'),
        row('browser', ua.browser || t('unknown')),
        row('os', ua.os || t('unknown')),
        row('localTime', localTimeIn(v.timezone) || t('unknown')),
        row('language', v.locale ? iso(v.locale) : '—'),
        row('firstSeen', dateTime(v.first_seen_at)),
        c.status === 'resolved' ? row('rating', ...ratingDetail(c)) : null),
      h('h4', null, t('pastConversations')),
      past === undefined ? h('p', { class: 'muted' }, '…')
        : past.length ? h('ul', { class: 'past' }, ...past.map((p) => h('li', null,
          h('button', { type: 'button', class: 'link', onclick: () => void this.select(p.id) },
            '#' + p.id + ' · ', dateTime(p.created_at), ' · ', t(p.status === 'resolved' ? 'statusResolved' : p.status === 'open' ? 'statusOpen' : 'statusWaiting')),
          ' ', endedChip(p), ratingBadge(p),
          p.last_message?.body ? userText('div', 'muted', p.last_message.body.slice(0, 80)) : null)))
          : h('p', { class: 'muted' }, t('none')));
  }

  private updateTitle(): void {
    const n = this.inbox.counts().queue + this.inbox.unreadMine();
    document.title = titleWithCount('Papo', n);
    document.documentElement.dataset.attention = String(n);
  }

  private renderHelp(): void {
    const rows: Array<[string, MessageKey]> = [
      ['1 2 3 4', 'kbBoxes'], ['j / k', 'kbNextPrev'], ['c', 'kbClaim'], ['e', 'kbResolve'], ['o', 'kbReopen'],
      ['t', 'kbTransfer'], ['r', 'kbReply'], ['n', 'kbNote'], ['/', 'kbSearch'], ['Esc', 'kbEsc'], ['?', 'kbHelp'],
    ];
    replace(this.els.helpDialog,
      h('h2', null, t('shortcuts')),
      h('table', null, ...rows.map(([k, label]) => h('tr', null, h('th', null, h('kbd', null, k)), h('td', null, t(label))))),
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, t('close'))));
  }

  private renderCannedDialog(): void {
    const sites = this.welcome?.sites || [];
    const adminSites = sites.filter((s) => s.role === 'admin');
    const items = sites.map((site) => {
      const rows = this.canned.filter((c) => c.site === site.key).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      const editable = site.role === 'admin';
      return h('section', null,
        sites.length > 1 ? h('h3', null, iso(site.name)) : null,
        rows.length ? h('ul', { class: 'canned-list' }, ...rows.map((c) => h('li', { 'data-shortcut': c.shortcut },
          h('b', null, '/' + c.shortcut), ' ', userText('span', '', c.body),
          editable ? h('button', { type: 'button', class: 'small', onclick: () => this.fillCannedForm(c) }, t('edit')) : null,
          editable ? h('button', { type: 'button', class: 'small danger', onclick: () => void this.deleteCanned(c.id) }, t('delete')) : null)))
          : h('p', { class: 'muted' }, t('none')));
    });
    const form = adminSites.length ? h('form', { class: 'canned-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.saveCanned(e.target as HTMLFormElement);
    } },
    h('input', { type: 'hidden', name: 'id', value: '' }),
    adminSites.length > 1 ? h('label', null, t('site'), ' ', h('select', { name: 'site' }, ...adminSites.map((s) => h('option', { value: s.key }, isolated(s.name)))))
      : h('input', { type: 'hidden', name: 'site', value: adminSites[0].key }),
    h('label', null, t('shortcut'), ' ', h('input', { name: 'shortcut', required: true, maxlength: 32, pattern: '/?[a-z0-9][a-z0-9_\\-]{0,31}', placeholder: 'hello' })),
    h('label', null, t('text'), ' ', h('textarea', { name: 'body', required: true, rows: 3, maxlength: 4000 })),
    h('button', { type: 'submit', class: 'primary' }, t('save'))) : h('p', { class: 'muted' }, t('adminOnly'));
    replace(this.els.cannedDialog,
      h('h2', null, t('canned')), h('p', { class: 'muted' }, t('cannedHint')), ...items, form,
      h('form', { method: 'dialog' }, h('button', { type: 'submit' }, t('close'))));
  }

  private fillCannedForm(c: Canned): void {
    const form = this.els.cannedDialog.querySelector('form.canned-form') as HTMLFormElement | null;
    if (!form) return;
    (form.elements.namedItem('id') as HTMLInputElement).value = String(c.id);
    (form.elements.namedItem('shortcut') as HTMLInputElement).value = c.shortcut;
    (form.elements.namedItem('body') as HTMLTextAreaElement).value = c.body;
    const site = form.elements.namedItem('site') as HTMLInputElement | HTMLSelectElement;
    site.value = c.site;
  }

  private async saveCanned(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const id = Number(data.get('id')) || null;
    try {
      const reply = await this.sock.request({
        type: 'canned_save', site: String(data.get('site')), shortcut: String(data.get('shortcut')), body: String(data.get('body')),
        ...(id ? { id } : {}),
      });
      const saved = reply.canned as Canned;
      this.canned = [...this.canned.filter((c) => c.id !== saved.id), saved];
      this.renderCannedDialog();
    } catch (e) {
      this.toastError(e);
    }
  }

  private async deleteCanned(id: number): Promise<void> {
    try {
      await this.sock.request({ type: 'canned_delete', id });
      this.canned = this.canned.filter((c) => c.id !== id);
      this.renderCannedDialog();
    } catch (e) {
      this.toastError(e);
    }
  }

  private toastError(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof ProtocolError && e.code === 'disconnected') return;
    this.toast(t('errorPrefix', { reason: msg }));
  }

  private toastTimer: number | undefined;
  private toast(text: string): void {
    const el = this.els.toast;
    el.textContent = text;
    el.hidden = false;
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => {
      el.hidden = true;
    }, 5000);
  }
}
