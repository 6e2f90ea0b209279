/**
 * The chat UI: builds the panel in the loader's shadow root and wires it to
 * the protocol client. Everything the visitor sees is redrawn from three
 * sources of truth — the Thread (stored messages, by seq), the Outbox (unsent
 * ones) and the Connection state — so no event order can make them disagree.
 */
import { Outbox, pendingState, SLOW_MS } from '../client/outbox';
import type { Config, Message, Upload, Visitor, Welcome } from '../client/protocol';
import type { QueueFrame } from '../client/wire';
import { Connection } from '../client/socket';
import { keys, ongoing, readJSON, Session } from '../client/storage';
import { Thread } from '../client/thread';
import type { Ctx, Identity, UI } from '../contract';
import { translator } from '../i18n';
import { composer } from './composer';
import { h, on, sentence } from './dom';
import { ending } from './ending';
import { emailField, prechatForm } from './forms';
import { authorName, messageList, systemText } from './messages';
import type { Later } from './later';
import { chunk } from './lazy';
import type { Files, FilesHost } from './files/index';
import { PANEL_CSS } from './styles';

/** An agent's typing indicator fades if no "stop" arrives (lost frame, closed tab). */
const TYPING_TTL_MS = 8_000;
/** How often to look for in-page navigation (SPAs change the URL without events). */
const PAGE_CHECK_MS = 2_000;

/** The "later" and "files" chunks' file names, set by the build (widget/build.mjs). */
declare const __PAPO_LATER__: string;
declare const __PAPO_FILES__: string;

const identifyFrame = (id: Identity) => ({ user_id: id.userId, user_hash: id.userHash, name: id.name, email: id.email });
const pageInfo = () => ({ url: location.href, title: document.title, referrer: document.referrer });

export function mount(ctx: Ctx): UI {
  const { kv, key, box, launcher, badge, root } = ctx;
  const k = keys(key);
  let cfg: Partial<Config> = readJSON<Partial<Config>>(kv, k.config) || {};
  const locale = ctx.lang;
  const t = translator(ctx.strings);
  const session = new Session(kv, k.session);
  const outbox = new Outbox(kv, k.outbox);
  const thread = new Thread();
  const conn = new Connection({
    url: ctx.base.replace(/^http/, 'ws') + '/ws/widget/' + encodeURIComponent(key) + '/',
    session,
    outbox,
    thread,
    hello: () => ({ page: pageInfo(), locale, timezone: timeZone(), ...(ctx.identity ? { identify: identifyFrame(ctx.identity) } : {}) }),
    online: () => navigator.onLine !== false,
  });

  let visitor: Visitor | null = null;
  let agentsOnline = cfg.agents_online !== false;
  /** The visitor's place in the queue (the latest `queue` frame). */
  let place: QueueFrame | null = null;
  let later: Later | undefined;
  let filed: Files | undefined;
  /** "E-mail me this conversation" (ui/later.ts), once the words are here; its request's ref. */
  let mailMe: HTMLElement | undefined;
  /** Why a "continue the chat" link from a mail was refused ('' when it was not). */
  let linkProblem = '';
  let isOpen = false;
  let dead = false;
  let prechatDone = false;
  let emailGiven = '';
  let readSent = '';
  let page = location.href;
  let warned = false;
  let welcomed = false;
  let unreadSaid = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  let rateTimer: ReturnType<typeof setInterval> | undefined;

  // --- DOM -----------------------------------------------------------------
  ctx.style(PANEL_CSS);
  const api = ctx.base + '/api/widget/' + encodeURIComponent(key);
  const list = messageList(t, locale, (files_) => {
    const el = h('div', { class: 'fs' });
    files().then((f) => f.show(el, files_), () => {});
    return el;
  });
  const title = h('h2', { dir: 'auto' });
  const closeBtn = h('button', { type: 'button', class: 'x', 'aria-label': t('close') }, '×');
  const banner = h('div', { class: 'bn', role: 'status', hidden: true });
  const more = h('button', { type: 'button', class: 'mo', hidden: true }, t('earlier'));
  const greeting = h('div', { class: 'bb', dir: 'auto' });
  const greetingRow = h('div', { class: 'a' }, greeting);
  const typing = h('p', { class: 'ty' });
  const comp = composer(t, onSend, (state) => conn.signal({ type: 'typing', state }));
  /** Sending and showing files (ui/files/): loaded when the panel opens on a site that takes them, or a message has some. */
  const files = chunk(__PAPO_FILES__, (make: (host: FilesHost) => Files) => (filed = make({
    locale, url: api + '/uploads', base: ctx.base, conn, session, limits: () => cfg.files,
    style: ctx.style, input: comp.input, send: (u) => sent('', u),
  })));
  const end = ending(t, { locale, conn, thread, outbox, session, emit: ctx.emit, style: ctx.style, composer: () => comp.input });
  const scroller = h('div', { class: 'sc' }, more, greetingRow, list.el, end.place, list.pending, typing);
  const email = emailField(t('email') + ' (' + t('emailHint') + ')', t);
  const note = h('p', { class: 'ct', hidden: true });
  const ask = h('button', { type: 'button' });
  const line = h('p', { class: 'mt', hidden: true });
  const mailBox = h('div', { class: 'ml', hidden: true });
  const prechat = prechatForm(t, (name, address) => {
    prechatDone = true;
    conn.request({ type: 'profile', name, email: address });
    conn.start();
    draw();
    comp.input.focus();
  });
  const panel = h(
    'section',
    { class: 'p', id: 'pp', role: 'dialog', hidden: true },
    h('div', { class: 'hd' }, title, end.button, closeBtn),
    end.bar,
    banner,
    scroller,
    h('div', { class: 'ft' }, prechat.form, email.el, note, line, comp.form, mailBox),
  );
  // Announcements live outside the panel so they are heard while it is closed too.
  const live = h('div', { class: 'sr', 'aria-live': 'polite' });
  box.append(panel, live);
  launcher.setAttribute('aria-controls', 'pp');

  // --- drawing ---------------------------------------------------------------
  function applyConfig(c: Partial<Config>): void {
    cfg = { ...cfg, ...c };
    if (typeof c.agents_online === 'boolean') agentsOnline = c.agents_online;
    ctx.theme(cfg);
    title.textContent = cfg.name || '';
    panel.setAttribute('aria-label', t('chatWith', { name: cfg.name || '' }));
    // The next page draws the launcher right at once; consent-free pages draw it from the tag.
    if (!ctx.free && !cfg.consent_free) kv.set(k.config, JSON.stringify(cfg));
    draw();
  }

  function draw(): void {
    const away = !agentsOnline;
    // Closed by the site's hours: when the team is back, on the visitor's clock.
    const c = thread.conversation;
    // A conversation can be mailed to the visitor where this server sends mail.
    const mailable = !!cfg.email && !!c && isOpen;
    if (isOpen && cfg.files && cfg.files.max_bytes) files().catch(() => {});
    if (filed) filed.sync();
    const L = away || place || mailable || linkProblem ? need() : later;
    const back = away && cfg.opens_at && L ? L.back(cfg.opens_at) : '';
    greeting.textContent = [away ? cfg.offline_message : cfg.greeting, back].filter(Boolean).join('\n');
    greetingRow.hidden = !greeting.textContent;
    const known = visitor && (visitor.name || visitor.email);
    const askFirst = !!cfg.prechat_form && !known && !prechatDone && !thread.size && !outbox.all().length;
    const stopped = conn.state === 'stopped';
    const swap = !prechat.form.hidden !== askFirst && panel.contains(root.activeElement);
    prechat.form.hidden = !askFirst || stopped;
    comp.form.hidden = askFirst || stopped;
    // The site's settings arrived after the panel opened: keep focus on what is shown.
    if (swap) (askFirst ? prechat.first : comp.input).focus();
    // An e-mail is promised only when this server sends mail and the visitor gave an address.
    const address = emailGiven || (visitor && visitor.email) || '';
    const mail = !!cfg.email;
    email.el.hidden = askFirst || !away || !mail || !!address;
    note.hidden = askFirst || !away || !L || (mail && !address);
    if (L) note.replaceChildren(...(mail && address ? sentence(L.w.replyTo, { email: address }) : [L.w.here]));
    if (L && linkProblem) {
      note.textContent = L.w[linkProblem as 'link_used'] || L.w.link_invalid;
      note.hidden = false;
    }
    if (L && mailable && !mailMe) mailBox.append((mailMe = L.mailMe(conn, () => emailGiven || (visitor && visitor.email) || '')));
    mailBox.hidden = !mailable || !mailMe;
    line.hidden = away || !L || !place || !c || c.id !== place.conversation || c.status !== 'waiting';
    if (L && place) {
      ask.textContent = L.ask;
      // Asked for at the moment it makes sense: while waiting, if never answered.
      const askable = typeof Notification != 'undefined' && Notification.permission == 'default';
      line.replaceChildren(L.place(place), askable ? ask : '');
    }
    more.hidden = !thread.hasMore;

    const wait = Math.ceil((conn.rateUntil - Date.now()) / 1000);
    const s = navigator.onLine === false ? 'offline' : conn.state; // the browser knows before the socket does
    const text =
      wait > 0 ? t('rate', { n: wait })
      : s === 'connecting' || s === 'reconnecting' || s === 'offline' || s === 'stopped' ? t(s)
      : '';
    if (banner.textContent !== text) banner.textContent = text;
    banner.hidden = !text;
    end.draw();
    drawBadge();
  }

  /** The queue's, hours' and mail's words (ui/later.ts), loaded once (again after a failed load). */
  const laterReady = chunk(__PAPO_LATER__, (make: (locale: string) => Later) => ((later = make(locale)), draw(), later));
  function need(): Later | undefined {
    laterReady().catch(() => {});
    return later;
  }

  function unread(): number {
    const r = session.get().r || 0;
    return thread.currentMessages().filter((m) => m.author !== 'visitor' && m.seq > r).length;
  }

  function drawBadge(): void {
    const u = unread();
    const n = isOpen ? 0 : u;
    badge.hidden = !n;
    badge.textContent = String(n);
    launcher.setAttribute('aria-label', isOpen ? t('close') : n ? t('openUnread', { n }) : ctx.label || t('open'));
    if (u !== unreadSaid) ctx.emit('unread', (unreadSaid = u));
  }

  /** Redraws messages; stays pinned to the bottom, or keeps the view when older ones are added. */
  function drawMessages(): void {
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    const pinned = fromBottom - scroller.clientHeight < 48;
    list.render(thread.list(), thread.conversation);
    drawOutbox();
    scroller.scrollTop = pinned ? scroller.scrollHeight : scroller.scrollHeight - fromBottom;
  }

  /** Unsent messages: "Sending…", then "Not sent yet" + Retry when no ack came in 15 s, whatever the socket thinks. */
  function drawOutbox(): void {
    const items = outbox.all();
    const now = Date.now();
    list.renderOutbox(items, (i) => pendingState(i, now), (what, id) => {
      if (what === 'retry') conn.retry(id);
      else outbox.remove(id);
      drawOutbox();
      comp.input.focus();
    });
    // Redraw when the next pending message turns "slow".
    clearTimeout(slowTimer);
    const next = items.filter((i) => pendingState(i, now) === 'sending').map((i) => i.at + SLOW_MS - now);
    if (next.length) slowTimer = setTimeout(drawOutbox, Math.min(...next));
  }

  /** Moves the read marker when the visitor can actually see the messages. */
  function markRead(): void {
    if (!isOpen || document.visibilityState === 'hidden') return;
    const msgs = thread.currentMessages();
    const last = msgs[msgs.length - 1];
    if (!last) return;
    if (last.seq > (session.get().r || 0)) session.patch({ r: last.seq });
    const mark = last.conversation + ':' + last.seq;
    if (mark !== readSent && conn.state === 'open') {
      readSent = mark;
      conn.signal({ type: 'read', seq: last.seq });
    }
    drawBadge();
  }

  function announce(m: Message): void {
    live.textContent =
      m.author === 'system' ? systemText(m, t) : t('newFrom', { name: authorName(m, t), body: m.body });
  }

  // --- actions ---------------------------------------------------------------
  function onSend(body: string): boolean {
    if (!email.el.hidden) {
      const address = email.read();
      if (address === null) return false;
      if (address) {
        emailGiven = address;
        conn.request({ type: 'profile', email: address });
      }
    }
    return sent(body);
  }

  function sent(body: string, files?: Upload[]): boolean {
    conn.send(body, files);
    scroller.scrollTop = scroller.scrollHeight;
    draw();
    drawMessages();
    return true;
  }

  /** Someone looks at the chat: a dead socket is then found within seconds (Connection.watch). */
  const watch = () => conn.watch(isOpen && document.visibilityState !== 'hidden');

  function open(): void {
    if (isOpen || dead) return;
    isOpen = true;
    panel.hidden = false;
    box.classList.add('o');
    launcher.setAttribute('aria-expanded', 'true');
    // The first connection waits for the config's verdict on this page (a refused origin opens no socket).
    void ready.then(() => isOpen && !dead && conn.start());
    watch();
    ctx.emit('open');
    draw();
    drawMessages();
    scroller.scrollTop = scroller.scrollHeight;
    markRead();
    // Focus follows the visitor's gesture; a site calling Papo.open() on page
    // load must not steal focus from its own page.
    const activation = (navigator as { userActivation?: { isActive: boolean } }).userActivation;
    if (!activation || activation.isActive) (prechat.form.hidden ? comp.input : prechat.first).focus();
  }

  function close(): void {
    if (!isOpen) return;
    const focused = root.activeElement;
    isOpen = false;
    panel.hidden = true;
    box.classList.remove('o');
    launcher.setAttribute('aria-expanded', 'false');
    drawBadge();
    if (focused && focused !== launcher) launcher.focus();
    watch();
    ctx.emit('close');
    // Opened and closed without writing: no conversation, so no socket either.
    if (!ongoing(kv, key)) conn.stop();
  }

  // --- events ----------------------------------------------------------------
  conn.on('state', () => {
    draw();
    drawOutbox();
    if (conn.state === 'open') markRead();
  });
  conn.on('welcome', (w: Welcome) => {
    welcomed = true;
    visitor = w.visitor;
    if (w.limits) comp.setMax(w.limits.max_body);
    applyConfig({ ...(w.config || {}), agents_online: w.agents_online });
    drawMessages();
    markRead();
  });
  conn.on('messages', ({ fresh, live: isLive }: { fresh: Message[]; live: boolean }) => {
    drawMessages();
    if (isLive) {
      for (const m of fresh) {
        ctx.emit('message', { ...m });
        if (m.author !== 'visitor') announce(m);
        if (m.author === 'agent') typing.textContent = '';
        // Picked up while the visitor looked elsewhere: tell them, if they allowed it.
        if (m.event === 'assigned' && later && (!isOpen || document.hidden)) later.notify(cfg.name || '', systemText(m, t), () => (focus(), open()));
      }
    }
    markRead();
    draw();
  });
  conn.on('outbox', drawOutbox);
  conn.on('conversation', () => {
    // The site's `ended` event comes from ui/ending.ts (the ended or resolved message: once).
    drawMessages();
    draw();
  });
  conn.on('queue', (q: QueueFrame) => {
    place = q;
    draw();
  });
  conn.on('read', drawMessages);
  conn.on('typing', (f: { author: string; name: string; state: string }) => {
    if (f.author === 'visitor') return;
    clearTimeout(typingTimer);
    typing.replaceChildren(...(f.state === 'start' ? sentence(t('typing'), { name: f.name || t('agent') }) : []));
    typingTimer = setTimeout(() => (typing.textContent = ''), TYPING_TTL_MS);
  });
  conn.on('availability', applyConfig);
  conn.on('visitor', (v: Visitor) => {
    visitor = v;
    draw();
  });
  conn.on('rate', () => {
    clearInterval(rateTimer);
    draw();
    rateTimer = setInterval(() => {
      draw();
      if (Date.now() >= conn.rateUntil) clearInterval(rateTimer);
    }, 1000);
  });
  conn.on('stopped', draw);
  conn.on('reset', () => {
    list.clear();
    visitor = null;
    drawMessages();
  });
  conn.on('down', () => {
    if (warned) return;
    warned = true;
    // Never welcomed on this page: the config says whether this page is refused (then
    // the loader says so and stops everything) or the server is out of reach.
    void (welcomed ? Promise.resolve(1) : ctx.config()).then(
      (c) => c && console.warn('Papo: lost the connection to', ctx.base, '- retrying'),
    );
  });

  on(closeBtn, 'click', close);
  on(ask, 'click', () => Notification.requestPermission().then(draw));
  on(more, 'click', () => {
    const first = thread.currentMessages()[0];
    if (first) conn.request({ type: 'history', before_seq: first.seq });
  });
  on(box, 'keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape' && isOpen) {
      e.stopPropagation();
      close();
    }
  });
  // The network changed: say so, and check the socket now rather than on the next ping.
  for (const ev of ['online', 'offline'])
    on(window, ev, () => {
      conn.reconnectNow();
      conn.probe();
      draw();
    });
  on(document, 'visibilitychange', () => {
    watch();
    markRead();
  });
  const pageCheck = setInterval(() => {
    if (location.href !== page) {
      page = location.href;
      if (conn.state === 'open') conn.request({ type: 'profile', page: pageInfo() });
    }
  }, PAGE_CHECK_MS);

  applyConfig({});
  // A "continue the chat" link from a mail (mail/links.py): this browser becomes that
  // visitor, once. The link leaves the address bar at once (it works only once anyway).
  const link = /[#&]papo-continue=([\w-]{20,64})/.exec(location.hash);
  if (link) history.replaceState(history.state, '', location.href.replace(link[0], ''));
  const redeemed = link
    ? laterReady()
        .then((L) => L.redeem(api + '/continue', link[1]))
        .then((b) => {
          if (b.token) {
            session.patch({ t: b.token, c: b.conversation });
            thread.clear();
          } else linkProblem = b.error || 'link_invalid';
        }, () => (linkProblem = 'link_invalid'))
        .then(draw)
    : Promise.resolve();
  const going = ongoing(kv, key) || !!link;
  // The site's config (colours, greeting, availability), cached for the next page,
  // and the server's word on this page: its origin may be refused. A previous
  // page that left a conversation going had it: reconnect now, `welcome` brings it.
  const ready: Promise<unknown> = going
    ? redeemed
    : ctx.config().then((c) => {
        if (c) applyConfig(c);
        else warned = true; // the loader said why, once
      });
  if (going) void redeemed.then(() => conn.start());

  return {
    open,
    close,
    toggle: () => (isOpen ? close() : open()),
    identify: () => {
      if (conn.state !== 'idle') conn.restart();
    },
    shutdown() {
      dead = true;
      close();
      conn.stop();
      clearInterval(pageCheck);
      clearInterval(rateTimer);
      clearTimeout(slowTimer);
      clearTimeout(typingTimer);
    },
  };
}

/** The visitor's IANA time zone, so agents can see their local time. */
function timeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
