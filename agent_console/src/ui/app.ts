/**
 * The console's screen, put together: one store (src/store.ts), the intents
 * that change it (src/intents/), and the views that draw it (this folder),
 * each subscribed to the store's topics it shows:
 *
 *   toolbar     the agent's settings and figures, the connection    toolbar.ts
 *   inbox       boxes, the conversation list                        inbox.ts, rows.ts
 *               search and filters (the URL's view), their results  viewbar.ts, results.ts
 *   thread      header (actions, tags), messages, typing            header.ts, tagbar.ts, thread.ts
 *   composer    reply / note, canned suggestions                    composer.ts
 *   sidebar     the visitor                                         sidebar.ts
 *   dialogs     canned responses, tags, shortcuts                   dialogs.ts, tag_manager.ts
 *
 * A new view (reports, search results) is one more module like these: it
 * takes the context, renders from the store, subscribes to its topics (a new
 * topic in store.ts if it needs one), and gets a place in `layout()` below.
 * Plain DOM through `h()`: every piece of user data goes in as text, never as HTML.
 */
import { ConsoleSocket, browserEnv } from '../client/socket';
import { h, replace } from '../dom';
import { titleWithCount } from '../format';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { markRead } from '../intents/chat';
import { checkSession, onFrame, onState, onWelcome, tick } from '../intents/live';
import { startView } from '../intents/view';
import * as notify from '../notify';
import { EVERYTHING, Store } from '../store';
import { ComposerView } from './composer';
import { Dialogs } from './dialogs';
import { HeaderView } from './header';
import { InboxView } from './inbox';
import { bindKeys } from './keyboard';
import { SidebarView } from './sidebar';
import { ThreadView } from './thread';
import { Toolbar } from './toolbar';

const TOAST_MS = 5000;

export class ConsoleApp {
  readonly store = new Store();
  readonly sock: ConsoleSocket;
  private readonly ctx: Ctx;

  constructor(private root: HTMLElement, wsUrl: string, loginUrl: string) {
    // The socket calls back only once connected (start()), when ctx is there.
    this.sock = new ConsoleSocket(wsUrl, {
      onWelcome: (w, again) => void onWelcome(this.ctx, w, again),
      onFrame: (f) => onFrame(this.ctx, f),
      onState: (s, attempt) => onState(this.ctx, s, attempt),
      onRefused: () => void checkSession(this.ctx),
    }, browserEnv());
    this.ctx = { store: this.store, sock: this.sock, loginUrl, typing: { sentAt: 0, idle: undefined } };
  }

  start(): void {
    startView(this.ctx);
    this.layout();
    this.sock.connect();
    const unlock = () => notify.unlockAudio();
    document.addEventListener('pointerdown', unlock);
    document.addEventListener('keydown', unlock);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) markRead(this.ctx);
    });
    window.setInterval(() => tick(this.ctx), 1000);
  }

  private layout(): void {
    const { ctx, store, root } = this;
    const dialogs = new Dialogs(ctx);
    const toolbar = new Toolbar(ctx, dialogs);
    const inbox = new InboxView(ctx);
    const header = new HeaderView(ctx, (site) => dialogs.openTags(site));
    const thread = new ThreadView(ctx);
    const composer = new ComposerView(ctx);
    const sidebar = new SidebarView(ctx);
    const toast = h('div', { class: 'toast', role: 'alert', hidden: true });
    const pane = h('section', { class: 'pane' }, header.el, thread.list, thread.typing, composer.el);
    composer.files.dropZone(pane); // files dropped on the conversation go with the reply
    replace(root,
      h('h1', { class: 'sr-only' }, t('inboxTitle')),
      toolbar.el,
      inbox.el,
      pane,
      sidebar.el, toast, dialogs.canned, dialogs.tags.el, dialogs.help);
    bindKeys(ctx, { composer, header, inbox, dialogs });

    // The page itself: its title counts what waits for the agent; the root tells
    // tests (and styles) the socket's state, the box shown and when data is in.
    store.on(['title'], () => {
      const n = store.inbox.counts().queue + store.inbox.unreadMine();
      document.title = titleWithCount('Papo', n);
      document.documentElement.dataset.attention = String(n);
    });
    store.on(['conn', 'tabs'], () => {
      root.dataset.socket = store.socket;
      root.dataset.box = store.box;
      if (store.ready) root.dataset.ready = store.ready;
    });
    let toastTimer: number | undefined;
    store.on(['toast'], () => {
      toast.textContent = store.toast;
      toast.hidden = false;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => {
        toast.hidden = true;
      }, TOAST_MS);
    });
    store.changed(...EVERYTHING);
  }
}
