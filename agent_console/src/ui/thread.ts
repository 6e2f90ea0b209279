/**
 * The selected conversation's messages: the visitor's and the agents' words,
 * notes, system events in words, their files (thumbnails and chips), what is
 * still being sent, "seen" under the last reply the visitor read, and who is
 * typing below. A search hit chosen (store.jump) is scrolled to and marked.
 */
import { h, iso, replace, sentence, userText } from '../dom';
import { clock, systemParts } from '../format';
import { t, tParts } from '../i18n';
import type { Ctx } from '../intents/context';
import { loadEarlier } from '../intents/history';
import { visitorName } from '../names';
import type { Attachment } from '../protocol';
import { ratedLine } from '../rating';
import { messageFiles } from './files';

export class ThreadView {
  /** Focusable, so the keyboard scrolls it (a long thread may hold no button to tab to). */
  readonly list = h('ol', { class: 'thread', 'aria-live': 'polite', tabindex: 0, 'aria-label': t('threadLabel') });
  readonly typing = h('div', { class: 'typing', 'aria-live': 'polite' });
  private drawn = new Map<string, { sig: string; el: HTMLElement }>();

  constructor(private ctx: Ctx) {
    ctx.store.on(['thread', 'typing', 'scroll', 'jump'], (changed) => {
      if (changed.has('thread')) this.render();
      if (changed.has('typing')) this.renderTyping();
      if (changed.has('scroll')) this.scrollToBottom();
      if (changed.has('jump')) this.showJump();
    });
  }

  private async earlier(): Promise<void> {
    const box = this.list;
    const fromBottom = box.scrollHeight - box.scrollTop;
    if (await loadEarlier(this.ctx)) box.scrollTop = box.scrollHeight - fromBottom;
  }

  private render(): void {
    const { store } = this.ctx;
    const c = store.current;
    const thread = store.selected !== null ? store.threads.get(store.selected) : undefined;
    const box = this.list;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    if (!c || !thread) {
      replace(box);
      return;
    }
    const msgs = thread.list();
    let seenSeq = 0;
    for (const m of msgs) if (m.author === 'agent' && !m.internal && m.seq <= c.visitor_read_seq) seenSeq = m.seq;
    const items: HTMLElement[] = [];
    const drawn = this.drawn;
    this.drawn = new Map(); // what this render draws again is kept; the rest is let go
    if (thread.hasMore) items.push(h('li', { class: 'earlier' }, h('button', { type: 'button', onclick: () => void this.earlier() }, t('loadEarlier'))));
    for (const m of msgs) {
      if (m.author === 'system') {
        // `ended` names the visitor as they were then; the console names them as everywhere else.
        const named = m.event === 'ended' ? { event: m.event, data: { ...m.data, by: visitorName(c.visitor) } } : m;
        const line = m.event === 'rated' ? ratedLine(m) : sentence(systemParts(named));
        const ending = m.event === 'ended' || m.event === 'resolved';
        items.push(h('li', { class: ending ? 'sys ending' : 'sys', 'data-seq': m.seq, 'data-event': m.event }, h('span', null, ...line), ' ', h('time', null, clock(m.created_at))));
        continue;
      }
      const jumped = store.jump?.conversation === c.id && store.jump.seq === m.seq;
      const cls = 'msg ' + m.author + (m.internal ? ' note' : '') + (jumped ? ' jumped' : '');
      items.push(h('li', { class: cls, 'data-seq': m.seq },
        h('div', { class: 'meta' },
          m.internal ? h('span', { class: 'badge note-badge' }, t('noteBadge')) : null,
          h('span', { class: 'who' }, iso(m.author === 'visitor' ? visitorName(c.visitor) : m.agent?.name)),
          h('time', { datetime: m.created_at }, clock(m.created_at))),
        m.body || !m.attachments?.length ? userText('div', 'body', m.body) : null,
        m.attachments?.length ? this.files(drawn, c.id, m.seq, m.attachments, m.internal) : null,
        m.seq === seenSeq ? h('div', { class: 'seen' }, '✓✓ ' + t('seen')) : null));
    }
    for (const [, p] of thread.pending) {
      items.push(h('li', { class: 'msg agent pending' + (p.internal ? ' note' : '') + (p.failed ? ' failed' : '') },
        p.body || !p.files ? userText('div', 'body', p.body) : null,
        p.files ? messageFiles(p.files, p.internal) : null,
        h('div', { class: 'meta' }, p.failed ? t('failed', { reason: p.failed }) : t('sending'))));
    }
    replace(box, ...items);
    if (atBottom) this.scrollToBottom();
  }

  /**
   * A message's files, drawn once and kept while their links stay the same, so
   * a redraw of the thread neither reloads nor resizes a thumbnail.
   */
  private files(drawn: Map<string, { sig: string; el: HTMLElement }>, conv: number, seq: number,
                list: Attachment[], internal: boolean): HTMLElement {
    const key = conv + ':' + seq;
    const sig = list.map((f) => f.url).join(' ');
    const kept = drawn.get(key);
    if (kept && kept.sig === sig) {
      this.drawn.set(key, kept);
      return kept.el;
    }
    const el = messageFiles(list, internal);
    this.drawn.set(key, { sig, el });
    return el;
  }

  /** The message a search hit named: in the middle of the thread, marked (CSS `.jumped`). */
  private showJump(): void {
    const jump = this.ctx.store.jump;
    const li = jump ? this.list.querySelector<HTMLElement>(`li[data-seq="${jump.seq}"]`) : null;
    li?.scrollIntoView({ block: 'center' });
  }

  private scrollToBottom(): void {
    this.list.scrollTop = this.list.scrollHeight;
  }

  private renderTyping(): void {
    const { store } = this.ctx;
    const v = store.selected !== null ? store.peerTyping.get(store.selected) : undefined;
    replace(this.typing, ...(v ? sentence(tParts('typing', { name: v.name })) : []));
  }
}
