/**
 * The inbox: the boxes as tabs (Waiting / Mine / All open / Resolved, with
 * counts and an unread dot), the resolved box's search, and the list of
 * conversations, each row the visitor, the last line and its time.
 */
import { h, iso, replace, userText } from '../dom';
import { clock, systemText } from '../format';
import { t, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { loadMoreResolved, select, setBox, setSearch } from '../intents/chat';
import type { Box } from '../protocol';
import { endedChip, ratingBadge } from '../rating';

const BOXES: Array<[Box, MessageKey]> = [['queue', 'waiting'], ['mine', 'mine'], ['open', 'allOpen'], ['resolved', 'resolved']];

export class InboxView {
  readonly el: HTMLElement;
  readonly search: HTMLInputElement;
  private tabs = h('div', { class: 'tabs', role: 'tablist' });
  private list = h('ul', { class: 'conv-list', 'aria-label': t('waiting') });
  private more: HTMLButtonElement;
  private searchTimer: number | undefined;

  constructor(private ctx: Ctx) {
    this.search = h('input', { type: 'search', class: 'search', placeholder: t('search'), 'aria-label': t('searchLabel') });
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => setSearch(ctx, this.search.value), 250);
    });
    this.more = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => loadMoreResolved(ctx) }, t('loadMore'));
    this.el = h('section', { class: 'inbox' }, this.tabs, this.search, this.list, this.more);
    ctx.store.on(['tabs', 'list'], (changed) => {
      if (changed.has('tabs')) this.renderTabs();
      if (changed.has('list')) this.renderList();
    });
  }

  private renderTabs(): void {
    const { store } = this.ctx;
    const counts = store.inbox.counts();
    const n: Record<Box, number | null> = { queue: counts.queue, mine: counts.mine, open: counts.open, resolved: null };
    replace(this.tabs, ...BOXES.map(([box, label]) => {
      const unread = box !== 'resolved' && store.inbox.list(box).some((c) => store.inbox.isUnread(c));
      return h('button', {
        type: 'button', role: 'tab', class: 'tab' + (store.box === box ? ' on' : '') + (unread ? ' unread' : ''),
        'aria-selected': store.box === box ? 'true' : 'false', 'data-box': box,
        onclick: () => setBox(this.ctx, box),
      }, t(label), n[box] !== null ? h('span', { class: 'count' }, n[box]) : null, unread ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : null);
    }));
    this.search.hidden = store.box !== 'resolved';
  }

  private renderList(): void {
    const { store } = this.ctx;
    const rows = store.inbox.list(store.box);
    this.more.hidden = !(store.box === 'resolved' && store.resolvedHasMore);
    if (!rows.length) {
      replace(this.list, store.loaded ? h('li', { class: 'empty' }, t('noConversations')) : null);
      return;
    }
    replace(this.list, ...rows.map((c) => {
      const unread = store.inbox.isUnread(c);
      const last = c.last_message;
      const data: Record<string, string> = last?.event === 'rated' && c.rating ? { score: String(c.rating.score) } : last?.event === 'ended' ? { by: c.visitor.display_name } : {};
      const preview = !last ? [] : last.author === 'system' ? [systemText({ event: last.event || '', data }).replace(/\?/g, '').trim()]
        : [last.internal ? t('noteBadge') + ': ' : '', userText('span', '', last.body)];
      return h('li', {
        class: 'conv' + (c.id === store.selected ? ' on' : '') + (unread ? ' unread' : ''), 'data-id': c.id,
        tabindex: 0, role: 'button',
        onclick: () => void select(this.ctx, c.id),
        onkeydown: (ev: Event) => {
          if ((ev as KeyboardEvent).key === 'Enter') void select(this.ctx, c.id);
        },
      },
      h('div', { class: 'row1' },
        h('span', { class: 'name' }, iso(c.visitor.display_name)),
        c.visitor.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓') : null,
        h('span', { class: 'when' }, clock(last?.created_at || c.updated_at))),
      h('div', { class: 'row2' },
        h('span', { class: 'preview' }, ...preview),
        endedChip(c), ratingBadge(c),
        store.box === 'open' && c.assignee ? h('span', { class: 'who' }, iso(c.assignee.name)) : null));
    }));
  }
}
