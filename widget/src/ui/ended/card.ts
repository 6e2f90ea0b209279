/**
 * The end of a chat, the lazy part (ui/ending.ts keeps the rest in the UI chunk):
 *
 * - the confirmation of "End chat" (a stray click ends nothing): "End this
 *   chat?" with End and Cancel, Cancel focused; Escape or Cancel closes it;
 * - the card under an ended chat: "This chat has ended", the rating asked
 *   once, and how to start again;
 * - the rating: five stars as native radio buttons, so arrow keys move
 *   between them and a screen reader names each ("4 out of 5 stars") in its
 *   group ("How was this chat?"); an optional comment; Send and "No thanks".
 *   It is asked while the server says the conversation is unrated
 *   (`conversation.rating`), an agent had it, and this browser did not decline
 *   it (the session's `x`). The site hears `rating` when the server took it.
 */
import type { Outbox } from '../../client/outbox';
import type { Connection } from '../../client/socket';
import type { Session } from '../../client/storage';
import type { Thread } from '../../client/thread';
import { h, on } from '../dom';
import { cardText } from './text';

export interface EndedHost {
  /** The header's "End chat" button, the confirmation's place, the card's place. */
  button: HTMLElement;
  bar: HTMLElement;
  place: HTMLElement;
  locale: string;
  conn: Connection;
  thread: Thread;
  outbox: Outbox;
  session: Session;
  emit(type: string, data: unknown): void;
  style(css: string): void;
  composer(): HTMLElement;
  /** Error codes after which the client sends the request again by itself. */
  transient: readonly string[];
}

const CSS = `
.cf{display:flex;gap:10px;align-items:center;padding:8px 16px;background:#eef0f3;font-size:14px}
.cf span{flex:1}.cf .sb{height:32px}
.lk{color:#0b57d0;text-decoration:underline;font-size:13px}
.en{margin:10px 0;padding:12px;border:1px solid #dcdfe4;border-radius:12px;font-size:14px}
.en h3{margin:0 0 6px;font-size:15px}.en p{margin:6px 0 0;color:#595959}
.rt{display:flex;flex-direction:column;gap:8px}.rt .rw{align-items:center}
.st{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap}.st legend{padding:0;margin-bottom:4px}
.st label{position:relative;font-size:30px;line-height:1;color:#8a8f98;padding:0 2px;cursor:pointer}
.st input{position:absolute;opacity:0;width:1px;height:1px}.st .on{color:#b35c00}
.st input:focus-visible+span{outline:2px solid #0b57d0;border-radius:4px}
`;

export function ended(host: EndedHost) {
  const { conn, thread, session, bar } = host;
  const text = cardText(host.locale);
  let score = 0;
  let endRef = '';
  let rateRef = '';
  let sentFor = 0; // the conversation whose rating is on its way, or was taken
  let focus = false; // the chat was just ended here: the rating (or the composer) takes focus
  let shown = 0; // the conversation the card was last drawn for
  host.style(CSS);

  // --- the confirmation --------------------------------------------------------------------
  const yes = h('button', { type: 'button', class: 'sb' }, text.end);
  const no = h('button', { type: 'button', class: 'lk' }, text.cancel);
  bar.setAttribute('role', 'alertdialog');
  bar.setAttribute('aria-label', text.endAsk);
  bar.append(h('span', {}, text.endAsk), yes, no);
  function ask(open: boolean): void {
    bar.hidden = !open;
    (open ? no : host.button).focus();
  }
  on(no, 'click', () => ask(false));
  on(bar, 'keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation(); // closes the question, not the panel
      ask(false);
    }
  });
  on(yes, 'click', () => {
    const c = thread.conversation;
    bar.hidden = true;
    host.composer().focus();
    if (c) endRef = conn.request({ type: 'end', conversation: c.id });
  });

  // --- the card and the rating ---------------------------------------------------------------
  const labels: HTMLLabelElement[] = [];
  for (let n = 1; n <= 5; n++) {
    const input = h('input', { type: 'radio', name: 'ps', value: String(n), 'aria-label': text.star.replace('{n}', String(n)) });
    on(input, 'change', () => {
      score = n;
      labels.forEach((l, i) => l.classList.toggle('on', i < n));
      send.disabled = false;
    });
    labels.push(h('label', {}, input, h('span', { 'aria-hidden': 'true' }, '★')));
  }
  const comment = h('textarea', { maxlength: '1000', rows: '2' });
  const send = h('button', { type: 'submit', class: 'sb', disabled: true }, text.send);
  const later = h('button', { type: 'button', class: 'lk' }, text.later);
  const form = h(
    'form',
    { class: 'rt' },
    h('fieldset', { class: 'st' }, h('legend', {}, text.ask), ...labels),
    h('label', {}, text.comment, comment),
    h('div', { class: 'rw' }, send, later),
  );
  const thanks = h('p', { role: 'status' });
  host.place.append(h('h3', {}, text.title), form, thanks, h('p', {}, text.again));

  on(form, 'submit', (e: Event) => {
    e.preventDefault();
    const c = thread.conversation;
    if (!c || !score) return;
    sentFor = c.id;
    const note = comment.value.trim();
    rateRef = conn.request({ type: 'rate', conversation: c.id, score, ...(note ? { comment: note } : {}) });
    draw();
    host.composer().focus();
  });
  on(later, 'click', () => {
    if (thread.conversation) session.patch({ x: thread.conversation.id });
    draw();
    host.composer().focus();
  });
  conn.on('conversation', (f: { ref?: unknown; conversation: { id: number } }) => {
    if (endRef && f.ref === endRef) {
      endRef = '';
      focus = true;
      draw(); // after ui/ending.ts showed the card (its listener came first)
    }
    if (rateRef && f.ref === rateRef) {
      rateRef = '';
      host.emit('rating', { conversation: f.conversation.id, score });
    }
  });
  conn.on('error', (e: { code: string; ref: unknown }) => {
    if (rateRef && e.ref === rateRef && !host.transient.includes(e.code)) {
      rateRef = ''; // refused, nothing stored: ask again
      sentFor = 0;
      draw();
    }
  });

  /** Brings the confirmation and the card in line with the conversation. */
  function draw(): void {
    const c = thread.conversation;
    if (host.button.hidden) bar.hidden = true; // nothing left to end
    if (!c || host.place.hidden) return;
    const rated = c.rating != null || sentFor === c.id;
    form.hidden = rated || !c.agent || session.get().x === c.id;
    thanks.textContent = rated ? text.thanks : '';
    const scroller = host.place.parentElement;
    if (shown !== c.id && scroller) scroller.scrollTop = scroller.scrollHeight; // the card in view
    shown = c.id;
    if (focus) (form.hidden ? host.composer() : (form.querySelector('input') as HTMLElement)).focus();
    focus = false;
  }

  return { draw, ask };
}

export type Ended = ReturnType<typeof ended>;
