/**
 * The inbox: the boxes as tabs (Waiting / Mine / All open / Resolved, with
 * counts and an unread dot), the resolved box's search, and the list of
 * conversations, each row the visitor, the last line and its time.
 */
import { h, iso, replace, sentence, userText } from '../dom';
import { clock } from '../format';
import { t, tParts, type MessageKey } from '../i18n';
import type { Ctx } from '../intents/context';
import { loadMoreResolved, select, setBox, setSearch } from '../intents/chat';
import { visitorName } from '../names';
import { preview } from '../preview';
import type { Box } from '../protocol';
import { endedChip, ratingBadge } from '../rating';
import { emptyState } from './empty';

const BOXES: Array<[Box, MessageKey]> = [['queue', 'waiting'], ['mine', 'mine'], ['open', 'allOpen'], ['resolved', 'resolved']];

export class InboxView {
  readonly el: HTMLElement;
  readonly search: HTMLInputElement;
  private tabs = h('div', { class: 'tabs', role: 'tablist' });
  private list = h('ul', { class: 'conv-list', 'aria-label': t('waiting') });
  private more: HTMLButtonElement;
  /** What to do next, where the list is empty. */
  private empty = h('div', { class: 'empty-state' });
  private searchTimer: number | undefined;

  constructor(private ctx: Ctx) {
    this.search = h('input', { type: 'search', class: 'search', placeholder: t('search'), 'aria-label': t('searchLabel') });
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => setSearch(ctx, this.search.value), 250);
    });
    this.more = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => loadMoreResolved(ctx) }, t('loadMore'));
    this.el = h('section', { class: 'inbox' }, this.tabs, this.search, this.list, this.empty, this.more);
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
    this.list.setAttribute('aria-label', t(BOXES.find(([box]) => box === store.box)![1]));
  }

  private renderList(): void {
    const { store } = this.ctx;
    const rows = store.inbox.list(store.box);
    this.more.hidden = !(store.box === 'resolved' && store.resolvedHasMore);
    this.list.hidden = !rows.length;
    replace(this.empty, ...(!rows.length && store.loaded ? emptyState(this.ctx, () => this.clearSearch()) : []));
    replace(this.list, ...rows.map((c) => {
      const unread = store.inbox.isUnread(c);
      const on = c.id === store.selected;
      const last = preview(c, store.me);
      return h('li', { class: 'conv' + (on ? ' on' : '') + (unread ? ' unread' : ''), 'data-id': c.id },
        h('button', { type: 'button', class: 'conv-open', 'aria-current': on ? 'true' : null, onclick: () => void select(this.ctx, c.id) },
          h('span', { class: 'row1' },
            h('span', { class: 'name' }, iso(visitorName(c.visitor))),
            c.visitor.verified ? h('span', { class: 'badge verified', title: t('verified') }, '✓') : null,
            h('span', { class: 'when' }, clock(c.last_message?.created_at || c.updated_at))),
          h('span', { class: 'row2' },
            last?.body ? h('span', { class: 'by' }, last.note ? t('noteBadge') + ' · ' : '',
              ...(last.mine ? [t('said', { who: last.who })] : sentence(tParts('said', { who: last.who })))) : null,
            last ? h('span', { class: 'preview' }, last.body ? userText('span', '', last.text) : last.text) : h('span', { class: 'preview' }),
            endedChip(c), ratingBadge(c),
            store.box === 'open' && c.assignee ? h('span', { class: 'who' }, iso(c.assignee.name)) : null)));
    }));
  }

  private clearSearch(): void {
    this.search.value = '';
    setSearch(this.ctx, '');
    this.search.focus();
  }
}
