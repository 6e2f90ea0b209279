/**
 * The message list: rows keyed by (conversation, seq), inserted in seq order
 * and never rebuilt, so a replay or a late page of history slots in place.
 * Below it, the visitor's unsent messages (the outbox) with their state.
 */
import type { OutboxItem } from '../client/outbox';
import type { Attachment, Conversation, Message, Upload } from '../client/protocol';
import type { Key, Translate } from '../i18n';
import { h, iso, sentence } from './dom';
import { linkify } from './linkify';

const EVENTS = ['assigned', 'transferred', 'resolved', 'reopened', 'requeued', 'ended', 'rated'];

/** The sentence for a system event: `requeued` with `by` was sent back by someone. */
const eventKey = (m: Message): Key => (m.event === 'requeued' && m.data && m.data.by ? 'requeuedBy' : m.event) as Key;

/** Wording of a system message: events carry data, the widget supplies the language. */
export function systemText(m: Message, t: Translate): string {
  return EVENTS.includes(m.event) ? t(eventKey(m), m.data || {}) : m.body;
}

/** The same as a list row, each name in its own isolate; an event this version
 * does not know (and that has no body) shows no empty line. */
function systemRow(m: Message, t: Translate): HTMLLIElement {
  const known = EVENTS.includes(m.event);
  // The end of a chat stands out: it is not one more italic line.
  return h('li', { class: m.event === 'ended' || m.event === 'resolved' ? 'sy e' : 'sy', hidden: !known && !m.body }, ...(known ? sentence(t(eventKey(m)), m.data || {}) : [m.body]));
}

export const authorName = (m: Message, t: Translate): string =>
  m.author === 'agent' ? (m.agent && m.agent.name) || t('agent') : t('you');

/**
 * Message text with http(s) links made clickable; everything enters the DOM as
 * text. The bubble is a bidi isolate whose every line takes its direction from
 * its own first letter (dir=auto, unicode-bidi: plaintext), so Arabic or
 * Hebrew reads right to left and an override in it reorders that line of this
 * bubble only. A link is an isolate of its own, left to right, so its text
 * always reads as the address it opens.
 */
function bubble(text: string): HTMLElement {
  const el = h('div', { class: 'bb', dir: 'auto' });
  for (const piece of linkify(text)) {
    el.append(
      typeof piece === 'string'
        ? piece
        : h('a', { href: piece.href, target: '_blank', rel: 'noopener noreferrer', dir: 'ltr' }, piece.text),
    );
  }
  return el;
}

/** `files` shows a message's files (or an unsent message's uploads) in an element of their own. */
export function messageList(t: Translate, locale: string, files: (list: Array<Attachment | Upload>) => HTMLElement) {
  const el = h('ol', { 'aria-label': t('messages') });
  const pending = h('ol', { class: 'ob' });
  const rows = new Map<string, HTMLLIElement>();
  /** Before the first message of each conversation after the first: "New conversation". */
  const dividers = new Map<number, HTMLLIElement>();
  const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const when = (iso: string) => {
    const d = new Date(iso);
    return h('time', { datetime: iso, title: d.toLocaleString(locale) }, isNaN(+d) ? '' : time.format(d));
  };
  let status: HTMLElement | null = null;

  function row(m: Message): HTMLLIElement {
    if (m.author === 'system') return systemRow(m, t);
    const visitor = m.author === 'visitor';
    return h(
      'li',
      { class: visitor ? 'v' : 'a' },
      h('span', { class: visitor ? 'nm sr' : 'nm' }, visitor ? t('you') : iso(authorName(m, t))),
      m.body && bubble(m.body),
      m.attachments && files(m.attachments),
      h('div', { class: 'mt' }, when(m.created_at), h('span')),
    );
  }

  /** Brings the list in line with `messages` (sorted by conversation, seq). */
  function render(messages: Message[], conv: Conversation | null): void {
    let prev: HTMLLIElement | null = null;
    let prevWho = '';
    let lastVisitor: { li: HTMLLIElement; m: Message } | null = null;
    let shown = 0; // the conversation of the row before
    for (const m of messages) {
      if (prev && m.conversation !== shown) {
        let d = dividers.get(m.conversation);
        if (!d) dividers.set(m.conversation, (d = h('li', { class: 'nc' }, h('h3', {}, t('newChat')))));
        if (d.previousSibling !== prev) prev.after(d);
        prev = d;
        prevWho = '';
      }
      shown = m.conversation;
      const key = m.conversation + ':' + m.seq;
      let li = rows.get(key);
      if (!li) {
        li = row(m);
        rows.set(key, li);
        if (prev) prev.after(li);
        else el.prepend(li);
      }
      const who = m.author + (m.agent ? m.agent.name : '');
      li.classList.toggle('c0', who === prevWho); // same author again: no name line
      prevWho = who;
      prev = li;
      if (m.author === 'visitor') lastVisitor = { li, m };
    }
    // Delivery state, shown under the visitor's latest message only.
    if (status) status.textContent = '';
    if (lastVisitor) {
      status = lastVisitor.li.querySelector('.mt span');
      const { m } = lastVisitor;
      const mine = conv && conv.id === m.conversation ? conv : null;
      const state: Key = mine && m.seq <= mine.agent_read_seq ? 'read' : mine && mine.agent ? 'delivered' : 'sent';
      if (status) status.textContent = ' · ' + t(state);
    }
  }

  /** Unsent messages: "Sending…", "Not sent yet" with Retry, or "Not sent" (refused) with Retry/Remove. */
  function renderOutbox(
    items: OutboxItem[],
    state: (item: OutboxItem) => 'sending' | 'slow' | 'failed',
    act: (what: 'retry' | 'remove', id: string) => void,
  ): void {
    pending.replaceChildren(
      ...items.map((item) => {
        const s = state(item);
        const bad = s !== 'sending';
        const btn = (what: 'retry' | 'remove') => {
          const b = h('button', { type: 'button' }, t(what));
          b.onclick = () => act(what, item.id);
          return b;
        };
        return h(
          'li',
          { class: 'v' },
          item.body && bubble(item.body),
          item.files && files(item.files),
          h('div', { class: bad ? 'mt er' : 'mt' }, t(s), bad && btn('retry'), s === 'failed' && btn('remove')),
        );
      }),
    );
  }

  function clear(): void {
    rows.clear();
    dividers.clear();
    el.replaceChildren();
    status = null;
  }

  return { el, pending, render, renderOutbox, clear };
}
