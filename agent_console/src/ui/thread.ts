/**
 * The selected conversation's messages: the visitor's and the agents' words,
 * notes, system events in words, what is still being sent, "seen" under the
 * last reply the visitor read, and who is typing below.
 */
import { h, iso, replace, sentence, userText } from '../dom';
import { clock, systemParts } from '../format';
import { t, tParts } from '../i18n';
import type { Ctx } from '../intents/context';
import { loadEarlier } from '../intents/history';
import { visitorName } from '../names';
import { ratedLine } from '../rating';

export class ThreadView {
  readonly list = h('ol', { class: 'thread', 'aria-live': 'polite' });
  readonly typing = h('div', { class: 'typing', 'aria-live': 'polite' });

  constructor(private ctx: Ctx) {
    ctx.store.on(['thread', 'typing', 'scroll'], (changed) => {
      if (changed.has('thread')) this.render();
      if (changed.has('typing')) this.renderTyping();
      if (changed.has('scroll')) this.scrollToBottom();
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
      const cls = 'msg ' + m.author + (m.internal ? ' note' : '');
      items.push(h('li', { class: cls, 'data-seq': m.seq },
        h('div', { class: 'meta' },
          m.internal ? h('span', { class: 'badge note-badge' }, t('noteBadge')) : null,
          h('span', { class: 'who' }, iso(m.author === 'visitor' ? visitorName(c.visitor) : m.agent?.name)),
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
    this.list.scrollTop = this.list.scrollHeight;
  }

  private renderTyping(): void {
    const { store } = this.ctx;
    const v = store.selected !== null ? store.peerTyping.get(store.selected) : undefined;
    replace(this.typing, ...(v ? sentence(tParts('typing', { name: v.name })) : []));
  }
}
