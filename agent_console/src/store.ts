/**
 * The console's one store: everything the screen shows, in one place, and who
 * to tell when part of it changes. Intents (src/intents/) change it, then call
 * `changed()` with the topics they touched; views (src/ui/) subscribe to the
 * topics they draw and render from the store, never from each other. No DOM
 * here, so the rules stay unit-testable.
 */
import type { SocketState } from './client/socket';
import type { Agent, AgentStatus, Box, Canned, Conversation, MessageHit, Tag, VisitorHit, Welcome } from './protocol';
import { Inbox, Thread } from './state';
import { Uploads } from './uploads';
import type { Query } from './view';

/**
 * What changed. Most topics name a part of the screen; `selection`, `focus`,
 * `scroll` and `toast` are one-off effects (a new conversation was picked, the
 * composer should take focus, the thread should show its newest line, a
 * message for the agent). `files`: the composer's files on their way.
 * `view`: the inbox's filters and search (the URL's view) or their results;
 * `tags`: the sites' tags (names, colours); `jump`: show a message of the thread.
 */
export type Topic =
  | 'conn' | 'toolbar' | 'tabs' | 'list' | 'header' | 'thread' | 'typing' | 'composer' | 'sidebar'
  | 'title' | 'canned' | 'selection' | 'focus' | 'scroll' | 'toast' | 'files'
  | 'view' | 'tags' | 'jump';

/** Every part of the screen that depends on the data (what a full redraw covers). */
export const EVERYTHING: Topic[] = ['toolbar', 'tabs', 'list', 'header', 'thread', 'typing', 'composer', 'sidebar', 'title'];

/** What the view (filters, search) found: rows in the server's order, and the next page's cursor. */
export interface Results {
  ids: number[];
  hits: MessageHit[];
  visitors: VisitorHit[];
  cursor: string | null;
  /** The first page is in (an empty list now means "no match"). */
  loaded: boolean;
  /** The request in flight or last answered (older answers are dropped). */
  seq: number;
}

/** A site page seen by a visitor this visit (from `updated` conversation events). */
export interface PageSeen { url: string; title: string }

type Listener = { topics: Set<Topic>; fn: (changed: Set<Topic>) => void };

export class Store {
  inbox = new Inbox(0);
  threads = new Map<number, Thread>();
  box: Box = 'queue';
  selected: number | null = null;
  welcome: Welcome | null = null;
  agents = new Map<number, Agent>();
  canned: Canned[] = [];
  myStatus: AgentStatus = 'offline';
  /** The inbox's view from the URL (filters, search words); empty: the boxes. */
  query: Query = {};
  results: Results = { ids: [], hits: [], visitors: [], cursor: null, loaded: false, seq: 0 };
  /** The sites' tags, by id (welcome, then `tags` frames). */
  tags = new Map<number, Tag>();
  /** The message to show and mark once its thread is drawn (a search hit chosen). */
  jump: { conversation: number; seq: number } | null = null;
  resolvedHasMore = false;
  /** The first lists arrived: an empty list now means "nothing there". */
  loaded = false;
  /** Chats exist (or existed) on the agent's sites; false: none ever, the console is brand new. */
  hasChatsBefore = false;
  /** `yes` after the first welcome, `again` after a reconnect (tests wait on it). */
  ready: '' | 'yes' | 'again' = '';
  socket: SocketState = 'offline';
  socketAttempt = 0;
  /** Who is typing in which conversation, until when (ms). */
  peerTyping = new Map<number, { name: string; until: number }>();
  /** Pages each visitor went through while the console watched, by visitor id. */
  pages = new Map<string, PageSeen[]>();
  /** The visitor's other conversations, by the conversation they were asked for. */
  past = new Map<number, Conversation[]>();
  /** Files the agent is attaching to their next reply or note, per conversation. */
  uploads = new Uploads();
  /** The last message for the agent (an error, mostly). */
  toast = '';
  private listeners: Listener[] = [];

  /** Call `fn` when any of `topics` changes; returns the way to stop. */
  on(topics: Topic[], fn: (changed: Set<Topic>) => void): () => void {
    const l: Listener = { topics: new Set(topics), fn };
    this.listeners.push(l);
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  /**
   * Tell the views: each listener runs once, in the order it subscribed (the
   * screen's order, top to bottom), with the whole set so it can skip the rest.
   */
  changed(...topics: Topic[]): void {
    const set = new Set(topics);
    for (const l of [...this.listeners]) {
      for (const t of l.topics) {
        if (set.has(t)) {
          l.fn(set);
          break;
        }
      }
    }
  }

  /** The selected conversation, if the console holds it. */
  get current(): Conversation | undefined {
    return this.selected !== null ? this.inbox.get(this.selected) : undefined;
  }

  /** Any chat at all, live or resolved: else the inbox explains where chats come from. */
  get hasChats(): boolean {
    return this.hasChatsBefore || this.inbox.convs.size > 0;
  }

  get me(): number {
    return this.inbox.me;
  }

  /** The thread of `id`, made empty on first use. */
  thread(id: number): Thread {
    let thread = this.threads.get(id);
    if (!thread) {
      thread = new Thread(id);
      this.threads.set(id, thread);
    }
    return thread;
  }

  /** Replies go out while a chat waits (the reply claims it) or when it is mine; else notes only. */
  canReply(c: Conversation): boolean {
    return c.status === 'waiting' || (c.status === 'open' && c.assignee?.id === this.me);
  }

  isAdminOf(site: string): boolean {
    return this.welcome?.sites.find((s) => s.key === site)?.role === 'admin';
  }

  notePage(c: Conversation): void {
    const v = c.visitor;
    if (!v.page_url) return;
    const seen = this.pages.get(v.id) || [];
    if (!seen.length || seen[seen.length - 1].url !== v.page_url) seen.push({ url: v.page_url, title: v.page_title });
    this.pages.set(v.id, seen.slice(-20));
  }
}
